use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::hour_entries;
use crate::db::DbConn;

pub const STATUSES: &[&str] = &["submitted", "approved", "rejected", "withdrawn"];
/// Entries that count towards limits: not rejected, not withdrawn.
pub const LIVE: &[&str] = &["submitted", "approved"];

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

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = hour_entries)]
pub struct HourRow {
    pub id: i64,
    pub volunteer_id: i64,
    pub event_id: i64,
    pub branch_id: i64,
    pub minutes: i32,
    pub service_date: NaiveDate,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub role: Option<String>,
    pub note: Option<String>,
    pub status: String,
    pub corrects_id: Option<i64>,
    pub submitted_by: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<HourRow> {
    hour_entries::table
        .find(id)
        .select(HourRow::as_select())
        .first(conn)
}

/// Minutes a volunteer has on a day across live entries (corrections signed), leaving out
/// one entry (the one being edited).
pub fn day_total(
    conn: &mut DbConn,
    volunteer: i64,
    day: NaiveDate,
    except: Option<i64>,
) -> QueryResult<i64> {
    let minutes: Vec<i32> = hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::service_date.eq(day))
        .filter(hour_entries::status.eq_any(LIVE))
        .filter(hour_entries::id.ne(except.unwrap_or(-1)))
        .select(hour_entries::minutes)
        .load(conn)?;
    Ok(minutes.into_iter().map(i64::from).sum())
}

/// A live entry (or correction) of a volunteer on a day.
#[derive(Debug, Queryable)]
pub struct LiveOnDay {
    pub id: i64,
    pub volunteer_id: i64,
    pub event_id: i64,
    pub service_date: NaiveDate,
    pub minutes: i32,
    pub corrects_id: Option<i64>,
}

/// The live entries and corrections of `volunteers` on `days` (what [`day_total`] sums,
/// for many at once).
pub fn live_on_days(
    conn: &mut DbConn,
    volunteers: &[i64],
    days: &[NaiveDate],
) -> QueryResult<Vec<LiveOnDay>> {
    let mut days = days.to_vec();
    days.sort_unstable();
    days.dedup();
    hour_entries::table
        .filter(hour_entries::volunteer_id.eq_any(volunteers))
        .filter(hour_entries::service_date.eq_any(days))
        .filter(hour_entries::status.eq_any(LIVE))
        .select((
            hour_entries::id,
            hour_entries::volunteer_id,
            hour_entries::event_id,
            hour_entries::service_date,
            hour_entries::minutes,
            hour_entries::corrects_id,
        ))
        .load(conn)
}

/// The volunteers' (id, branch, status), locked until the transaction ends on PostgreSQL
/// (in id order, so that concurrent submissions cannot deadlock; SQLite writers already
/// take turns), so that concurrent submissions for one volunteer check the daily cap one
/// after the other.
pub fn lock_and_load_volunteers(
    conn: &mut DbConn,
    ids: &[i64],
) -> QueryResult<Vec<(i64, i64, String)>> {
    use crate::db::schema::volunteers;
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let query = volunteers::table
        .filter(volunteers::id.eq_any(sorted))
        .order(volunteers::id)
        .select((volunteers::id, volunteers::branch_id, volunteers::status));
    match conn {
        DbConn::Pg(c) => query.for_update().load(c),
        DbConn::Sqlite(c) => query.load(c),
    }
}

/// Locks the volunteers' rows until the transaction ends, as [`lock_and_load_volunteers`].
pub fn lock_volunteers(conn: &mut DbConn, ids: &[i64]) -> QueryResult<()> {
    lock_and_load_volunteers(conn, ids).map(|_| ())
}

/// An entry's minutes with its corrections: approved ones, and with `pending` also those
/// awaiting review.
pub fn net_minutes(conn: &mut DbConn, entry: &HourRow, pending: bool) -> QueryResult<i64> {
    let statuses: &[&str] = if pending { LIVE } else { &["approved"] };
    let corrections: Vec<i32> = hour_entries::table
        .filter(hour_entries::corrects_id.eq(entry.id))
        .filter(hour_entries::status.eq_any(statuses))
        .select(hour_entries::minutes)
        .load(conn)?;
    Ok(i64::from(entry.minutes) + corrections.into_iter().map(i64::from).sum::<i64>())
}
