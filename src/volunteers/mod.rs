//! Volunteers: the people whose service is recorded.
pub mod model;
