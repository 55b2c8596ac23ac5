use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::ErrorReportRow;

/// What a report says is wrong with the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorReportKind {
    /// Service the record lacks: an event, a day, the time, what the volunteer did.
    Missing,
    /// An approved entry of the volunteer that counts the wrong time.
    Wrong,
}

impl ErrorReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorReportKind::Missing => "missing",
            ErrorReportKind::Wrong => "wrong",
        }
    }

    fn parse(s: &str) -> ErrorReportKind {
        match s {
            "missing" => ErrorReportKind::Missing,
            _ => ErrorReportKind::Wrong,
        }
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorReportStatus {
    /// Awaiting the organiser's decision.
    Open,
    /// Accepted: `created_entry_id` is the entry or correction it recorded, reviewed like
    /// any entry.
    Accepted,
    /// Declined: `decline_reason` says why.
    Declined,
}

impl ErrorReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorReportStatus::Open => super::model::OPEN,
            ErrorReportStatus::Accepted => super::model::ACCEPTED,
            ErrorReportStatus::Declined => super::model::DECLINED,
        }
    }

    fn parse(s: &str) -> ErrorReportStatus {
        match s {
            super::model::OPEN => ErrorReportStatus::Open,
            super::model::ACCEPTED => ErrorReportStatus::Accepted,
            _ => ErrorReportStatus::Declined,
        }
    }
}

/// A volunteer's report of a missing or wrong hour entry (更正申请), with its outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorReportResponse {
    #[schema(example = 12)]
    pub id: i64,
    #[schema(example = 31)]
    pub volunteer_id: i64,
    pub kind: ErrorReportKind,
    /// The event of the missing service, or of the wrong entry: its organising branch
    /// decides.
    #[schema(example = 7)]
    pub event_id: i64,
    /// `wrong`: the entry that counts the wrong time.
    #[schema(required = true, example = 301)]
    pub hour_entry_id: Option<i64>,
    /// `missing`: the day served.
    #[schema(required = true, example = "2022-03-05")]
    pub service_date: Option<NaiveDate>,
    /// `missing`: the minutes served (1 to 1440); `wrong`: the minutes the entry should
    /// count (0 to 1440).
    #[schema(example = 150, minimum = 0, maximum = 1440)]
    pub minutes: i32,
    #[schema(required = true)]
    pub started_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub ended_at: Option<DateTime<Utc>>,
    /// `missing`: what the volunteer did.
    #[schema(required = true, example = "引导员", min_length = 1, max_length = 50)]
    pub role: Option<String>,
    #[schema(required = true, min_length = 1, max_length = 500)]
    pub note: Option<String>,
    #[schema(example = "签到表漏记了我", min_length = 1, max_length = 500)]
    pub explanation: String,
    pub status: ErrorReportStatus,
    /// The account that accepted or declined it.
    #[schema(required = true, minimum = 1)]
    pub decided_by: Option<i64>,
    #[schema(required = true)]
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was declined.
    #[schema(required = true, min_length = 1, max_length = 500)]
    pub decline_reason: Option<String>,
    /// Accepted: the hour entry (`missing`) or correction (`wrong`) it recorded, with
    /// `source: error_report`.
    #[schema(required = true, minimum = 1)]
    pub created_entry_id: Option<i64>,
    /// The volunteer's account that reported it.
    #[schema(required = true, minimum = 1)]
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ErrorReportRow> for ErrorReportResponse {
    fn from(row: ErrorReportRow) -> Self {
        let ErrorReportRow {
            id,
            volunteer_id,
            kind,
            event_id,
            hour_entry_id,
            service_date,
            minutes,
            started_at,
            ended_at,
            role,
            note,
            explanation,
            status,
            decided_by,
            decided_at,
            decline_reason,
            created_entry_id,
            created_by,
            version: _,
            created_at,
            updated_at,
        } = row;
        ErrorReportResponse {
            id,
            volunteer_id,
            kind: ErrorReportKind::parse(&kind),
            event_id,
            hour_entry_id,
            service_date,
            minutes,
            started_at: started_at.map(|t| t.and_utc()),
            ended_at: ended_at.map(|t| t.and_utc()),
            role,
            note,
            explanation,
            status: ErrorReportStatus::parse(&status),
            decided_by,
            decided_at: decided_at.map(|t| t.and_utc()),
            decline_reason,
            created_entry_id,
            created_by,
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

/// A report of the caller's own record. `missing`: `event_id`, and the time as for recording
/// hours (`minutes`, or `started_at` and `ended_at`; `service_date` defaults as there), with
/// what the volunteer did (`role`, `note`). `wrong`: `hour_entry_id` (an approved entry of
/// the caller's) and `minutes`, what it should count. Both: an `explanation`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateErrorReport {
    pub kind: ErrorReportKind,
    /// `missing`: the event served at.
    #[schema(example = 7, minimum = 1)]
    pub event_id: Option<i64>,
    /// `missing`: the day served.
    #[schema(example = "2022-03-05")]
    pub service_date: Option<NaiveDate>,
    /// `missing`: the minutes served, 1 to 1440; `wrong`: what the entry should count, 0 to
    /// 1440.
    #[schema(example = 150, minimum = 0, maximum = 1440)]
    pub minutes: Option<i32>,
    /// `missing`, with `ended_at`.
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// `missing`: what the volunteer did.
    #[schema(example = "引导员", min_length = 1, max_length = 50)]
    pub role: Option<String>,
    #[schema(min_length = 1, max_length = 500)]
    pub note: Option<String>,
    /// `wrong`: the entry that counts the wrong time.
    #[schema(example = 301, minimum = 1)]
    pub hour_entry_id: Option<i64>,
    #[schema(example = "签到表漏记了我", min_length = 1, max_length = 500)]
    pub explanation: String,
}

/// Why the report is declined.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineErrorReport {
    /// Required (absent, the answer is a 422 that says so).
    #[schema(value_type = String, required = true, example = "当天签到表上没有该志愿者", min_length = 1, max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ErrorReportQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    /// Reports in this status only.
    pub status: Option<ErrorReportStatus>,
}
