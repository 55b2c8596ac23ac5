use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::EvaluationRow;

/// How the organiser rates a volunteer's service at an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 优秀
    Excellent,
    /// 良好
    Good,
    /// 合格
    Satisfactory,
    /// 不合格
    Unsatisfactory,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Excellent => "excellent",
            Rating::Good => "good",
            Rating::Satisfactory => "satisfactory",
            Rating::Unsatisfactory => "unsatisfactory",
        }
    }

    fn parse(s: &str) -> Rating {
        match s {
            "excellent" => Rating::Excellent,
            "good" => Rating::Good,
            "unsatisfactory" => Rating::Unsatisfactory,
            _ => Rating::Satisfactory,
        }
    }
}

/// The organiser's evaluation of a volunteer's service at an event (评价).
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationResponse {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = 8)]
    pub event_id: i64,
    #[schema(example = 31)]
    pub volunteer_id: i64,
    pub rating: Rating,
    #[schema(required = true, example = "引导有序，耐心细致", max_length = 500)]
    pub comment: Option<String>,
    /// The account that first gave it.
    #[schema(required = true, example = 2)]
    pub created_by: Option<i64>,
    /// The account that last gave it.
    #[schema(required = true, example = 2)]
    pub updated_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EvaluationRow> for EvaluationResponse {
    fn from(row: EvaluationRow) -> Self {
        let EvaluationRow {
            id,
            event_id,
            volunteer_id,
            rating,
            comment,
            created_by,
            updated_by,
            version: _,
            created_at,
            updated_at,
        } = row;
        EvaluationResponse {
            id,
            event_id,
            volunteer_id,
            rating: Rating::parse(&rating),
            comment,
            created_by,
            updated_by,
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

/// The evaluation to give; replaces the whole of an earlier one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutEvaluation {
    pub rating: Rating,
    #[schema(example = "引导有序，耐心细致", min_length = 1, max_length = 500)]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
}
