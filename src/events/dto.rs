use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::EventRow;

/// What kind of activity: item 8's kinds of volunteer service, and the plan's others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 3·5 Learn-from-Lei-Feng Day
    LeiFengDay,
    /// 12·5 International Volunteer Day
    InternationalVolunteerDay,
    LargeEvent,
    CivilisedTraffic,
    MetroGuidance,
    TreePlanting,
    BloodDonation,
    AutumnStudentAid,
    NewYearVisits,
    GarbageSorting,
    EnergySaving,
    Integrity,
    Festival,
    Reading,
    /// Volunteer training; reported apart from service hours.
    Training,
    Emergency,
    CommunityPairing,
    Other,
}

impl Category {
    /// Each category with its name in the API and the database, in the order of
    /// `model::CATEGORIES`.
    const NAMES: [(Category, &'static str); 18] = [
        (Category::LeiFengDay, "lei_feng_day"),
        (
            Category::InternationalVolunteerDay,
            "international_volunteer_day",
        ),
        (Category::LargeEvent, "large_event"),
        (Category::CivilisedTraffic, "civilised_traffic"),
        (Category::MetroGuidance, "metro_guidance"),
        (Category::TreePlanting, "tree_planting"),
        (Category::BloodDonation, "blood_donation"),
        (Category::AutumnStudentAid, "autumn_student_aid"),
        (Category::NewYearVisits, "new_year_visits"),
        (Category::GarbageSorting, "garbage_sorting"),
        (Category::EnergySaving, "energy_saving"),
        (Category::Integrity, "integrity"),
        (Category::Festival, "festival"),
        (Category::Reading, "reading"),
        (Category::Training, "training"),
        (Category::Emergency, "emergency"),
        (Category::CommunityPairing, "community_pairing"),
        (Category::Other, "other"),
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("other", |(_, name)| name)
    }

    pub fn parse(s: &str) -> Category {
        Self::NAMES
            .iter()
            .find(|(_, name)| *name == s)
            .map_or(Category::Other, |(c, _)| *c)
    }
}

/// planned -> open -> completed; planned or open -> cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Planned,
    Open,
    Completed,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Planned => "planned",
            EventStatus::Open => "open",
            EventStatus::Completed => "completed",
            EventStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> EventStatus {
        match s {
            "open" => EventStatus::Open,
            "completed" => EventStatus::Completed,
            "cancelled" => EventStatus::Cancelled,
            _ => EventStatus::Planned,
        }
    }
    pub fn can_become(self, next: EventStatus) -> bool {
        use EventStatus::*;
        self == next
            || matches!(
                (self, next),
                (Planned, Open) | (Open, Completed) | (Planned | Open, Cancelled)
            )
    }
}

/// How volunteers join an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignupMode {
    /// No sign-up: the organiser enters the hours (the default).
    None,
    /// First come, first admitted up to `capacity` (unlimited without one); then a
    /// waiting list, admitted in arrival order as places free up.
    Open,
    /// Volunteers apply; the organiser admits or declines each.
    Approval,
}

impl SignupMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupMode::None => "none",
            SignupMode::Open => "open",
            SignupMode::Approval => "approval",
        }
    }
    pub fn parse(s: &str) -> SignupMode {
        match s {
            "open" => SignupMode::Open,
            "approval" => SignupMode::Approval,
            _ => SignupMode::None,
        }
    }
}

/// Whose volunteers may sign up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignupScope {
    /// The organising branch's and those below it (the default).
    Subtree,
    /// Every branch's.
    All,
}

impl SignupScope {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupScope::Subtree => "subtree",
            SignupScope::All => "all",
        }
    }
    pub fn parse(s: &str) -> SignupScope {
        if s == "all" {
            SignupScope::All
        } else {
            SignupScope::Subtree
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    #[schema(example = 5)]
    pub id: i64,
    #[schema(example = "马厂社区“十个一”志愿服务", min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(required = true, max_length = 5000)]
    pub description: Option<String>,
    pub category: Category,
    #[schema(example = 9)]
    pub organiser_branch_id: i64,
    #[schema(example = "马厂社区", required = true, max_length = 200)]
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: EventStatus,
    #[schema(required = true, minimum = 1, maximum = 100000)]
    pub capacity: Option<i32>,
    /// Items of the plan of the event's year, sorted.
    #[schema(example = json!([12, 15]), min_items = 1, max_items = 50)]
    pub plan_item_ids: Vec<i64>,
    pub signup_mode: SignupMode,
    /// Sign-up opens (null: as soon as the event is published).
    #[schema(required = true)]
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Sign-up closes (null: when the event starts).
    #[schema(required = true)]
    pub signup_closes_at: Option<DateTime<Utc>>,
    pub signup_scope: SignupScope,
    /// Tags a volunteer needs to sign up (all of them), sorted.
    #[schema(schema_with = crate::volunteers::dto::tags_schema)]
    pub required_tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EventResponse {
    pub fn new(row: EventRow, plan_item_ids: Vec<i64>, required_tags: Vec<String>) -> Self {
        let EventRow {
            id,
            title,
            description,
            category,
            organiser_branch_id,
            place,
            starts_at,
            ends_at,
            status,
            capacity,
            created_by: _,
            version: _,
            created_at,
            updated_at,
            signup_mode,
            signup_opens_at,
            signup_closes_at,
            signup_scope,
        } = row;
        EventResponse {
            id,
            title,
            description,
            category: Category::parse(&category),
            organiser_branch_id,
            place,
            starts_at: starts_at.and_utc(),
            ends_at: ends_at.and_utc(),
            status: EventStatus::parse(&status),
            capacity,
            plan_item_ids,
            signup_mode: SignupMode::parse(&signup_mode),
            signup_opens_at: signup_opens_at.map(|t| t.and_utc()),
            signup_closes_at: signup_closes_at.map(|t| t.and_utc()),
            signup_scope: SignupScope::parse(&signup_scope),
            required_tags,
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEvent {
    #[schema(example = "马厂社区“十个一”志愿服务", min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub description: Option<String>,
    pub category: Category,
    /// A secretary may only name a branch of its scope.
    #[schema(example = 9)]
    pub organiser_branch_id: i64,
    #[schema(example = "马厂社区", min_length = 1, max_length = 200)]
    pub place: Option<String>,
    #[schema(example = "2022-05-21T01:00:00Z")]
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`.
    #[schema(example = "2022-05-21T04:00:00Z")]
    pub ends_at: DateTime<Utc>,
    /// `planned` or `open`.
    #[schema(default = "planned")]
    pub status: Option<EventStatus>,
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i32>,
    /// One or more items of the plan of the event's year (the local year of `starts_at`,
    /// at LOCAL_UTC_OFFSET).
    #[schema(example = json!([12, 15]), min_items = 1, max_items = 50)]
    pub plan_item_ids: Vec<i64>,
    #[schema(default = "none")]
    pub signup_mode: Option<SignupMode>,
    pub signup_opens_at: Option<DateTime<Utc>>,
    /// Before the event ends; when absent, sign-up closes as the event starts.
    pub signup_closes_at: Option<DateTime<Utc>>,
    #[schema(default = "subtree")]
    pub signup_scope: Option<SignupScope>,
    /// Tags a volunteer needs to sign up, e.g. `trained` for an emergency team.
    #[schema(schema_with = crate::volunteers::dto::tags_schema)]
    pub required_tags: Option<Vec<String>>,
}

/// A partial update; `null` clears a field where allowed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEvent {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 5000)]
    pub description: Option<Option<String>>,
    pub category: Option<Category>,
    /// A secretary may only name a branch of its scope.
    pub organiser_branch_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub place: Option<Option<String>>,
    pub starts_at: Option<DateTime<Utc>>,
    /// After `starts_at`.
    pub ends_at: Option<DateTime<Utc>>,
    /// planned -> open -> completed; planned or open -> cancelled.
    pub status: Option<EventStatus>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 100000)]
    pub capacity: Option<Option<i32>>,
    #[schema(min_items = 1, max_items = 50)]
    pub plan_item_ids: Option<Vec<i64>>,
    pub signup_mode: Option<SignupMode>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub signup_opens_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub signup_closes_at: Option<Option<DateTime<Utc>>>,
    pub signup_scope: Option<SignupScope>,
    #[schema(schema_with = crate::volunteers::dto::tags_schema)]
    pub required_tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    /// Organised by this branch or a branch below it.
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub branch_id: Option<i64>,
    pub status: Option<EventStatus>,
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub plan_item_id: Option<i64>,
    /// Starting on or after this local day.
    pub from: Option<NaiveDate>,
    /// Starting on or before this local day.
    pub to: Option<NaiveDate>,
    /// Case-insensitive part of the title or place.
    #[param(max_length = 100)]
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_maps_to_the_database() {
        for c in super::super::model::CATEGORIES {
            assert_eq!(Category::parse(c).as_str(), *c);
        }
        // and the names agree with serde's, which clients send
        for (c, name) in Category::NAMES {
            assert_eq!(serde_json::to_value(c).unwrap(), *name);
        }
    }

    #[test]
    fn status_moves() {
        use EventStatus::*;
        assert!(
            Planned.can_become(Open) && Open.can_become(Completed) && Open.can_become(Cancelled)
        );
        assert!(
            !Completed.can_become(Open)
                && !Cancelled.can_become(Open)
                && !Planned.can_become(Completed)
        );
    }
}
