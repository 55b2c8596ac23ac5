//! The yearly work plan: sections and numbered items that events are tied to.
pub mod model;
