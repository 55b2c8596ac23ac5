//! What the record document reads: a volunteer's approved entries with their events and
//! plan items, its commendations and its evaluations. A volunteer's rows are few (hundreds,
//! not millions), so each part is one query and the totals are added up here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::commendations::model::CommendationRow;
use crate::db::schema::{
    commendations, evaluations, event_plan_items, events, hour_entries, plan_items, plans,
};
use crate::db::DbConn;
use crate::evaluations::model::EvaluationRow;
use crate::hours::status::HourStatus;
use crate::ids::VolunteerId;

/// An approved entry (not a correction) with the facts of its event.
#[derive(Debug, Queryable)]
pub struct EntryRow {
    pub id: i64,
    pub event_id: i64,
    pub service_date: NaiveDate,
    pub minutes: i32,
    pub role: Option<String>,
    pub event_title: String,
    pub category: String,
    pub organiser_branch_id: i64,
}

/// A plan item an event serves, with its plan's year.
#[derive(Debug, Clone, Queryable)]
pub struct PlanItemOfEvent {
    pub event_id: i64,
    pub plan_item_id: i64,
    pub year: i32,
    pub number: i32,
    pub title: String,
}

/// An approved entry with its approved corrections netted, and the plan items of its event.
#[derive(Debug)]
pub struct Served {
    pub entry: EntryRow,
    pub net_minutes: i64,
    pub plan_items: Vec<PlanItemOfEvent>,
}

/// The volunteer's approved entries, oldest service first, each netted with its approved
/// corrections.
pub fn served(conn: &mut DbConn, volunteer: VolunteerId) -> QueryResult<Vec<Served>> {
    let approved = HourStatus::Approved.as_str();
    let entries: Vec<EntryRow> = hour_entries::table
        .inner_join(events::table)
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::status.eq(approved))
        .filter(hour_entries::corrects_id.is_null())
        .order((hour_entries::service_date.asc(), hour_entries::id.asc()))
        .select((
            hour_entries::id,
            hour_entries::event_id,
            hour_entries::service_date,
            hour_entries::minutes,
            hour_entries::role,
            events::title,
            events::category,
            events::organiser_branch_id,
        ))
        .load(conn)?;
    let corrections: Vec<(Option<i64>, i32)> = hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::status.eq(approved))
        .filter(hour_entries::corrects_id.is_not_null())
        .select((hour_entries::corrects_id, hour_entries::minutes))
        .load(conn)?;
    let mut netted: BTreeMap<i64, i64> = BTreeMap::new();
    for (original, minutes) in corrections {
        if let Some(original) = original {
            *netted.entry(original).or_default() += i64::from(minutes);
        }
    }
    let mut event_ids: Vec<i64> = entries.iter().map(|e| e.event_id).collect();
    event_ids.sort_unstable();
    event_ids.dedup();
    let items: Vec<PlanItemOfEvent> = event_plan_items::table
        .inner_join(plan_items::table.inner_join(plans::table))
        .filter(event_plan_items::event_id.eq_any(&event_ids))
        .order((
            event_plan_items::event_id,
            plans::year,
            plan_items::number,
            plan_items::id,
        ))
        .select((
            event_plan_items::event_id,
            plan_items::id,
            plans::year,
            plan_items::number,
            plan_items::title,
        ))
        .load(conn)?;
    let mut by_event: BTreeMap<i64, Vec<PlanItemOfEvent>> = BTreeMap::new();
    for item in items {
        by_event.entry(item.event_id).or_default().push(item);
    }
    Ok(entries
        .into_iter()
        .map(|entry| Served {
            net_minutes: i64::from(entry.minutes) + netted.get(&entry.id).copied().unwrap_or(0),
            plan_items: by_event.get(&entry.event_id).cloned().unwrap_or_default(),
            entry,
        })
        .collect())
}

/// Minutes of the volunteer's entries and corrections awaiting review.
pub fn pending_minutes(conn: &mut DbConn, volunteer: VolunteerId) -> QueryResult<i64> {
    let minutes: Vec<i32> = hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::status.eq(HourStatus::Submitted.as_str()))
        .select(hour_entries::minutes)
        .load(conn)?;
    Ok(minutes.into_iter().map(i64::from).sum())
}

/// Every commendation of the volunteer, the latest first.
pub fn commendations_of(
    conn: &mut DbConn,
    volunteer: VolunteerId,
) -> QueryResult<Vec<CommendationRow>> {
    commendations::table
        .filter(commendations::volunteer_id.eq(volunteer.0))
        .order((commendations::awarded_on.desc(), commendations::id.desc()))
        .select(CommendationRow::as_select())
        .load(conn)
}

/// Every evaluation of the volunteer, the latest first.
pub fn evaluations_of(
    conn: &mut DbConn,
    volunteer: VolunteerId,
) -> QueryResult<Vec<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::volunteer_id.eq(volunteer.0))
        .order((evaluations::updated_at.desc(), evaluations::id.desc()))
        .select(EvaluationRow::as_select())
        .load(conn)
}
