use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{event_plan_items, event_required_tags, events};
use crate::db::DbConn;

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
    pub search_text: String,
    pub signup_mode: &'a str,
    pub signup_opens_at: Option<NaiveDateTime>,
    pub signup_closes_at: Option<NaiveDateTime>,
    pub signup_scope: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = event_plan_items)]
pub struct NewEventPlanItem {
    pub event_id: i64,
    pub plan_item_id: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub category: String,
    pub organiser_branch_id: i64,
    pub place: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub status: String,
    pub capacity: Option<i32>,
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub signup_mode: String,
    pub signup_opens_at: Option<NaiveDateTime>,
    pub signup_closes_at: Option<NaiveDateTime>,
    pub signup_scope: String,
}

/// The tags a volunteer needs to sign up for each event, sorted.
pub fn tags_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = event_required_tags::table
        .filter(event_required_tags::event_id.eq_any(ids))
        .order((event_required_tags::event_id, event_required_tags::tag))
        .select((event_required_tags::event_id, event_required_tags::tag))
        .load(conn)?;
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for (event, tag) in rows {
        map.entry(event).or_default().push(tag);
    }
    Ok(map)
}

pub fn replace_tags(conn: &mut DbConn, event_id: i64, tags: &[String]) -> QueryResult<()> {
    diesel::delete(event_required_tags::table.filter(event_required_tags::event_id.eq(event_id)))
        .execute(conn)?;
    let mut sorted: Vec<&String> = tags.iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    for tag in sorted {
        diesel::insert_into(event_required_tags::table)
            .values((
                event_required_tags::event_id.eq(event_id),
                event_required_tags::tag.eq(tag),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn search_text(title: &str, place: Option<&str>) -> String {
    format!("{title} {}", place.unwrap_or_default()).to_lowercase()
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<EventRow> {
    events::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
}

/// The event, locked for a change until the transaction ends on PostgreSQL. Work whose
/// rules depend on its times and kind (recording or reviewing hours at it) holds it shared
/// (`hours::model::event`), so neither runs against a version the other is replacing.
/// SQLite's writers already take turns.
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<EventRow> {
    let query = events::table.find(id);
    match conn {
        DbConn::Pg(c) => query
            .select(EventRow::as_select())
            .for_no_key_update()
            .first(c),
        DbConn::Sqlite(c) => query.select(EventRow::as_select()).first(c),
    }
}

/// The plan items of each event, sorted.
pub fn items_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<i64>>> {
    let rows: Vec<(i64, i64)> = event_plan_items::table
        .filter(event_plan_items::event_id.eq_any(ids))
        .order((event_plan_items::event_id, event_plan_items::plan_item_id))
        .select((event_plan_items::event_id, event_plan_items::plan_item_id))
        .load(conn)?;
    let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
    for (event, item) in rows {
        map.entry(event).or_default().push(item);
    }
    Ok(map)
}

pub fn replace_items(conn: &mut DbConn, event_id: i64, items: &[i64]) -> QueryResult<()> {
    diesel::delete(event_plan_items::table.filter(event_plan_items::event_id.eq(event_id)))
        .execute(conn)?;
    let mut sorted = items.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for plan_item_id in sorted {
        diesel::insert_into(event_plan_items::table)
            .values(NewEventPlanItem {
                event_id,
                plan_item_id,
            })
            .execute(conn)?;
    }
    Ok(())
}
