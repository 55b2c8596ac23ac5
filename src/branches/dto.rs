use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::BranchRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchResponse {
    #[schema(example = 9)]
    pub id: i64,
    #[schema(example = "ZB01", max_length = 32, pattern = "^[A-Z0-9_-]{1,32}$")]
    pub code: String,
    #[schema(example = "机关第一党支部", min_length = 1, max_length = 100)]
    pub name: String,
    /// The parent in the tree; `null` for a root.
    #[schema(example = 1, required = true)]
    pub parent_id: Option<i64>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<BranchRow> for BranchResponse {
    fn from(row: BranchRow) -> Self {
        let BranchRow {
            id,
            code,
            name,
            parent_id,
            archived,
            version: _,
            created_at,
            updated_at,
        } = row;
        BranchResponse {
            id,
            code,
            name,
            parent_id,
            archived,
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBranch {
    /// Unique; 1-32 of A-Z, 0-9, `_`, `-`.
    #[schema(example = "ZB04", max_length = 32, pattern = "^[A-Z0-9_-]{1,32}$")]
    pub code: String,
    #[schema(example = "机关第四党支部", min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(example = 1)]
    pub parent_id: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBranch {
    /// Unique; 1-32 of A-Z, 0-9, `_`, `-`.
    #[schema(max_length = 32, pattern = "^[A-Z0-9_-]{1,32}$")]
    pub code: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// `null` makes the branch a root. It cannot move under itself or its descendants.
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    /// Archived branches are hidden from lists by default and keep their history.
    pub archived: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BranchQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    /// Only the direct children of this branch.
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub parent_id: Option<i64>,
    /// This branch and all branches below it.
    #[serde(default, deserialize_with = "crate::http::query_id")]
    #[param(minimum = 1)]
    pub under: Option<i64>,
    /// Include archived branches.
    #[param(default = false)]
    pub include_archived: Option<bool>,
    /// Case-insensitive part of the code or name.
    #[param(max_length = 100)]
    pub q: Option<String>,
}
