//! Events: what volunteers serve at, each tied to items of the year's plan.
pub mod model;
