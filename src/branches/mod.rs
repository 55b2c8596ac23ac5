//! Branches (支部) and other units, as a tree.
pub mod model;
