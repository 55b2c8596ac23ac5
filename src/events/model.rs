use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{event_plan_items, events};

/// Item 8's kinds of volunteer activity, plus the plan's other activities.
pub const CATEGORIES: &[&str] = &[
    "lei_feng_day",
    "international_volunteer_day",
    "large_event",
    "civilised_traffic",
    "metro_guidance",
    "tree_planting",
    "blood_donation",
    "autumn_student_aid",
    "new_year_visits",
    "garbage_sorting",
    "energy_saving",
    "integrity",
    "festival",
    "reading",
    "training",
    "emergency",
    "community_pairing",
    "other",
];
pub const STATUSES: &[&str] = &["planned", "open", "completed", "cancelled"];

#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub category: &'a str,
    pub organiser_branch_id: i64,
    pub place: Option<&'a str>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub status: &'a str,
    pub capacity: Option<i32>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = event_plan_items)]
pub struct NewEventPlanItem {
    pub event_id: i64,
    pub plan_item_id: i64,
}
