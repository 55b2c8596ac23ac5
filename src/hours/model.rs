use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::hour_entries;

pub const STATUSES: &[&str] = &["submitted", "approved", "rejected", "withdrawn"];

#[derive(Debug, Insertable)]
#[diesel(table_name = hour_entries)]
pub struct NewHourEntry<'a> {
    pub volunteer_id: i64,
    pub event_id: i64,
    pub branch_id: i64,
    pub minutes: i32,
    pub service_date: NaiveDate,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub role: Option<&'a str>,
    pub note: Option<&'a str>,
    pub status: &'a str,
    pub corrects_id: Option<i64>,
    pub submitted_by: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub reason: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
