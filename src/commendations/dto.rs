use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::CommendationRow;

/// The level of the body that gave the commendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 国家级
    National,
    /// 省级
    Provincial,
    /// 市级
    City,
    /// 区（县）级
    District,
    /// 单位
    Unit,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Provincial => "provincial",
            Level::City => "city",
            Level::District => "district",
            Level::Unit => "unit",
        }
    }

    fn parse(s: &str) -> Level {
        match s {
            "national" => Level::National,
            "provincial" => Level::Provincial,
            "city" => Level::City,
            "district" => Level::District,
            _ => Level::Unit,
        }
    }
}

/// A commendation or award of a volunteer (表彰奖励).
#[derive(Debug, Serialize, ToSchema)]
pub struct CommendationResponse {
    #[schema(example = 4)]
    pub id: i64,
    #[schema(example = 31)]
    pub volunteer_id: i64,
    #[schema(example = "优秀志愿者", min_length = 1, max_length = 200)]
    pub title: String,
    /// The body that gave it.
    #[schema(example = "共青团福州市委员会", min_length = 1, max_length = 200)]
    pub awarded_by: String,
    pub awarded_on: NaiveDate,
    pub level: Level,
    #[schema(required = true, example = "2022年度", max_length = 500)]
    pub note: Option<String>,
    /// The account that recorded it (`null` when recorded by the system).
    #[schema(required = true, example = 2)]
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CommendationRow> for CommendationResponse {
    fn from(row: CommendationRow) -> Self {
        let CommendationRow {
            id,
            volunteer_id,
            title,
            awarded_by,
            awarded_on,
            level,
            note,
            created_by,
            version: _,
            created_at,
            updated_at,
        } = row;
        CommendationResponse {
            id,
            volunteer_id,
            title,
            awarded_by,
            awarded_on,
            level: Level::parse(&level),
            note,
            created_by,
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

/// A commendation to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCommendation {
    #[schema(example = "优秀志愿者", min_length = 1, max_length = 200)]
    pub title: String,
    /// The body that gave it.
    #[schema(example = "共青团福州市委员会", min_length = 1, max_length = 200)]
    pub awarded_by: String,
    /// The day it was given: not after today (the organisation's calendar day).
    pub awarded_on: NaiveDate,
    pub level: Level,
    #[schema(example = "2022年度", min_length = 1, max_length = 500)]
    pub note: Option<String>,
}

/// A partial update; `null` clears the note.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCommendation {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub awarded_by: Option<String>,
    pub awarded_on: Option<NaiveDate>,
    pub level: Option<Level>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub note: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommendationQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
}
