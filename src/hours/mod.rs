//! Hour entries: who served at which event, and for how long.
pub mod model;
