use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{GroupBy, Kind, TotalsRow};
use crate::events::dto::Category;
use crate::hours::dto::{hours_text, HourStatus};

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TotalsQuery {
    /// Comma-separated groupings, in order: volunteer, branch, plan_item, event, category,
    /// month, source (a repeat counts once).
    #[param(
        example = "branch,month",
        default = "volunteer",
        max_length = 100,
        pattern = "^(volunteer|branch|plan_item|event|category|month|source)(,(volunteer|branch|plan_item|event|category|month|source))*$"
    )]
    pub group_by: Option<String>,
    /// First service date counted (inclusive).
    pub from: Option<NaiveDate>,
    /// Last service date counted (inclusive).
    pub to: Option<NaiveDate>,
    /// Hours served in this branch or one below it.
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub branch_id: Option<i64>,
    /// Hours at events serving this plan item.
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub plan_item_id: Option<i64>,
    pub category: Option<Category>,
    /// Entries of this status.
    #[param(default = "approved")]
    pub status: Option<HourStatus>,
    /// Only service or only training; both when absent, as separate rows.
    pub kind: Option<Kind>,
    /// Only entries of this source (typed in, from check-in, from an error report, imported).
    pub source: Option<crate::hours::source::EntrySource>,
}

/// One group. Only the keys of the requested groupings are present.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TotalsRowResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volunteer_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "林晓燕", max_length = 50)]
    pub volunteer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 32, pattern = "^[A-Z0-9_-]{1,32}$")]
    pub branch_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub branch_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_item_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 999)]
    pub plan_item_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub plan_item_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub event_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Category>)]
    pub category: Option<String>,
    /// `YYYY-MM` of the service date.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "2022-03",
        max_length = 7,
        pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$"
    )]
    pub month: Option<String>,
    /// Where the entries came from (with `group_by=source`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::hours::source::EntrySource>)]
    pub source: Option<String>,
    /// `training` hours are kept apart from `service` hours.
    pub kind: Kind,
    /// Whole minutes, corrections netted.
    #[schema(example = 540)]
    pub total_minutes: i64,
    /// `total_minutes` in hours, two decimals, computed from the minutes.
    #[schema(example = "9.00", max_length = 24, pattern = "^-?[0-9]+\\.[0-9]{2}$")]
    pub total_hours: String,
    /// Entries counted (corrections are not counted as entries).
    #[schema(minimum = 0)]
    pub entry_count: i64,
    /// Distinct volunteers in the group.
    #[schema(minimum = 0)]
    pub volunteer_count: i64,
    /// With `group_by=volunteer`: the volunteer's cumulative approved minutes, all time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cumulative_minutes: Option<i64>,
    /// With `group_by=volunteer`: stars (0-5) by cumulative approved hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 5)]
    pub star_level: Option<u8>,
}

impl From<TotalsRow> for TotalsRowResponse {
    fn from(r: TotalsRow) -> Self {
        let TotalsRow {
            volunteer_id,
            volunteer_name,
            branch_id,
            branch_code,
            branch_name,
            plan_item_id,
            plan_item_number,
            plan_item_title,
            event_id,
            event_title,
            category,
            month,
            source,
            kind,
            total_minutes,
            entry_count,
            volunteer_count,
            cumulative_minutes,
        } = r;
        TotalsRowResponse {
            volunteer_id,
            volunteer_name,
            branch_id,
            branch_code,
            branch_name,
            plan_item_id,
            plan_item_number,
            plan_item_title,
            event_id,
            event_title,
            category,
            month,
            source,
            kind: if kind == "training" {
                Kind::Training
            } else {
                Kind::Service
            },
            total_minutes,
            total_hours: hours_text(total_minutes),
            entry_count,
            volunteer_count,
            cumulative_minutes,
            star_level: None,
        }
    }
}

/// Overall figures of the report, each event and entry counted once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overall {
    pub kind: Kind,
    pub total_minutes: i64,
    #[schema(example = "9.00", max_length = 24, pattern = "^-?[0-9]+\\.[0-9]{2}$")]
    pub total_hours: String,
    #[schema(minimum = 0)]
    pub entry_count: i64,
    #[schema(minimum = 0)]
    pub volunteer_count: i64,
}

/// What produced a report, so that it can be reproduced.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportMeta {
    pub generated_at: DateTime<Utc>,
    /// Username and role of the caller.
    #[schema(example = "hr.user (hr)", max_length = 80)]
    pub generated_by: String,
    #[schema(example = "0.1.0", max_length = 64)]
    pub software_version: &'static str,
    /// The groupings, in order, each once.
    #[schema(min_items = 1, max_items = 6)]
    pub group_by: Vec<GroupBy>,
    /// Every filter, as applied (defaults included).
    pub filters: serde_json::Value,
    /// How plan items are counted, in the language of the answer.
    #[schema(max_length = 500)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TotalsResponse {
    pub meta: ReportMeta,
    /// Ordered by the groupings, then kind.
    pub rows: Vec<TotalsRowResponse>,
    /// One per kind present.
    #[schema(max_items = 2)]
    pub overall: Vec<Overall>,
}
