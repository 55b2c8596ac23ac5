use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::HourRow;
pub use super::source::EntrySource;
pub use super::status::HourStatus;

/// Service one volunteer did at one event on one day. Travel time is not service time.
#[derive(Debug, Serialize, ToSchema)]
pub struct HourEntryResponse {
    #[schema(example = 301)]
    pub id: i64,
    pub volunteer_id: i64,
    pub event_id: i64,
    /// The volunteer's branch when the service was recorded; moving the volunteer later does
    /// not move the hours.
    pub branch_id: i64,
    /// Whole minutes, 1 to 1440; on a correction -1440 to 1440 (negative takes time off).
    #[schema(example = 180, minimum = -1440, maximum = 1440)]
    pub minutes: i32,
    /// The calendar day of the service, in the organisation's time zone.
    #[schema(example = "2022-03-05")]
    pub service_date: NaiveDate,
    #[schema(required = true)]
    pub started_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub ended_at: Option<DateTime<Utc>>,
    #[schema(example = "引导员", required = true, min_length = 1, max_length = 50)]
    pub role: Option<String>,
    /// A correction's reason is its note.
    #[schema(required = true, max_length = 500)]
    pub note: Option<String>,
    pub status: HourStatus,
    /// Set on a correction: the approved entry it corrects.
    #[schema(required = true)]
    pub corrects_id: Option<i64>,
    /// The account that submitted it (`null`: the system, e.g. seeding).
    #[schema(required = true, minimum = 1)]
    pub submitted_by: Option<i64>,
    /// The account that approved or rejected it.
    #[schema(required = true, minimum = 1)]
    pub reviewed_by: Option<i64>,
    #[schema(required = true)]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    #[schema(required = true, min_length = 1, max_length = 500)]
    pub reason: Option<String>,
    /// Where it came from: `error_report` for an entry (or correction) created by accepting
    /// a volunteer's error report, whose `created_entry_id` names it.
    pub source: EntrySource,
    /// An entry from attendance whose check-out was forgotten: closed at the event's
    /// scheduled end when the organiser closed the attendance or completed the event.
    pub auto_closed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<HourRow> for HourEntryResponse {
    fn from(r: HourRow) -> Self {
        let HourRow {
            id,
            volunteer_id,
            event_id,
            branch_id,
            minutes,
            service_date,
            started_at,
            ended_at,
            role,
            note,
            status,
            corrects_id,
            submitted_by,
            reviewed_by,
            reviewed_at,
            reason,
            version: _,
            created_at,
            updated_at,
            source,
            auto_closed,
        } = r;
        HourEntryResponse {
            id: id.get(),
            volunteer_id: volunteer_id.get(),
            event_id: event_id.get(),
            branch_id: branch_id.get(),
            minutes,
            service_date,
            started_at: started_at.map(|t| t.and_utc()),
            ended_at: ended_at.map(|t| t.and_utc()),
            role,
            note,
            status,
            corrects_id: corrects_id.map(|i| i.get()),
            submitted_by: submitted_by.map(|u| u.get()),
            reviewed_by: reviewed_by.map(|u| u.get()),
            reviewed_at: reviewed_at.map(|t| t.and_utc()),
            reason,
            source,
            auto_closed,
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

/// One volunteer's service: `minutes`, or `started_at` and `ended_at` (both, to the
/// minute; if `minutes` is given too it must agree). Only time actually serving counts:
/// travel to and from the event does not.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    #[schema(example = 31)]
    pub volunteer_id: i64,
    #[schema(example = 180, minimum = 1, maximum = 1440)]
    pub minutes: Option<i32>,
    /// Defaults to the day service started, or the event's first day.
    pub service_date: Option<NaiveDate>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    #[schema(example = "引导员", min_length = 1, max_length = 50)]
    pub role: Option<String>,
    #[schema(min_length = 1, max_length = 500)]
    pub note: Option<String>,
}

/// Up to 500 entries, written all or none.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    #[schema(min_items = 1, max_items = 500)]
    pub entries: Vec<EntryInput>,
}

/// The body of a submission: a roster, or a single entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum Submission {
    Roster(Roster),
    Entry(EntryInput),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionResponse {
    pub event_id: i64,
    /// In the order submitted.
    #[schema(min_items = 1, max_items = 500)]
    pub entries: Vec<HourEntryResponse>,
}

/// A change to a submitted (not yet reviewed) entry; absent fields stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEntry {
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: Option<i32>,
    pub service_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub started_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub ended_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub role: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub note: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    #[schema(example = "与活动时间不符", min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    Approve,
    Reject,
}

/// Review many entries at once: all succeed or none changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkReview {
    pub action: ReviewAction,
    /// 1 to 500 entry ids.
    #[schema(example = json!([301, 302]), min_items = 1, max_items = 500)]
    pub ids: Vec<i64>,
    /// Required to reject.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResponse {
    /// In the order of `ids`.
    #[schema(min_items = 1, max_items = 500)]
    pub entries: Vec<HourEntryResponse>,
}

/// Signed minutes added to an approved entry, with the reason; reviewed like any entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// Non-zero, -1440 to 1440: negative takes time off.
    #[schema(example = -30, minimum = -1440, maximum = 1440)]
    pub minutes: i32,
    #[schema(
        example = "签到表记录有误，实际服务两个半小时",
        min_length = 1,
        max_length = 500
    )]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HourQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    /// Served in this branch or one below it.
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub branch_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub volunteer_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub event_id: Option<i64>,
    /// At events serving this plan item.
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub plan_item_id: Option<i64>,
    pub status: Option<HourStatus>,
    /// Entries of this source only.
    pub source: Option<EntrySource>,
    /// Service on or after this day.
    pub from: Option<NaiveDate>,
    /// Service on or before this day.
    pub to: Option<NaiveDate>,
}

impl HourQuery {
    /// What the list is narrowed to.
    pub fn filter(&self) -> super::model::HourFilter {
        super::model::HourFilter {
            branch_id: self.branch_id,
            volunteer_id: self.volunteer_id,
            event_id: self.event_id,
            plan_item_id: self.plan_item_id,
            status: self.status,
            source: self.source,
            from: self.from,
            to: self.to,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyHours {
    pub volunteer_id: i64,
    /// Approved minutes, corrections netted.
    #[schema(example = 6300)]
    pub approved_minutes: i64,
    /// The same in hours, two decimals, computed from minutes.
    #[schema(example = "105.00", max_length = 24, pattern = "^-?[0-9]+\\.[0-9]{2}$")]
    pub approved_hours: String,
    /// 0 to 5 stars by cumulative approved service hours (training does not count).
    #[schema(example = 1, minimum = 0, maximum = 5)]
    pub star_level: u8,
    #[schema(schema_with = star_thresholds_schema)]
    pub star_thresholds_hours: [u32; 5],
    pub entries: crate::http::Page<HourEntryResponse>,
}

/// `STAR_THRESHOLDS_HOURS`: five ascending whole numbers of hours, the first at least 1.
fn star_thresholds_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(1))
                .maximum(Some(u32::MAX)),
        )
        .min_items(Some(5))
        .max_items(Some(5))
        .description(Some("Hours needed for each star, 1 to 5, ascending."))
        .examples([serde_json::json!([100, 300, 600, 1000, 1500])])
        .build()
}

/// Minutes as hours with two decimals, without floating point.
pub fn hours_text(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    // hundredths of an hour, rounded half up: m / 60 * 100
    let hundredths = (m * 100 + 30) / 60;
    format!("{sign}{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Stars for cumulative approved hours.
pub fn star_level(minutes: i64, thresholds: &[u32; 5]) -> u8 {
    thresholds
        .iter()
        .filter(|t| minutes >= i64::from(**t) * 60)
        .count() as u8
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_from_minutes() {
        assert_eq!(hours_text(0), "0.00");
        assert_eq!(hours_text(90), "1.50");
        assert_eq!(hours_text(100), "1.67");
        assert_eq!(hours_text(1), "0.02");
        assert_eq!(hours_text(-30), "-0.50");
        assert_eq!(hours_text(6000), "100.00");
    }

    #[test]
    fn stars() {
        let t = [100, 300, 600, 1000, 1500];
        assert_eq!(star_level(0, &t), 0);
        assert_eq!(star_level(100 * 60 - 1, &t), 0);
        assert_eq!(star_level(100 * 60, &t), 1);
        assert_eq!(star_level(1500 * 60, &t), 5);
    }
}
