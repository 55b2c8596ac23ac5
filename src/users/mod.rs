//! Accounts that log in.
pub mod model;
