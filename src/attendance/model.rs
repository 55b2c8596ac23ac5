//! Attendance rows and every query of them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{attendance, volunteers};
use crate::db::DbConn;

/// How a check-in or check-out was made: the volunteer's phone with the event's code, the
/// organiser's phone scanning the volunteer's pass, the organiser naming the volunteer, or
/// (check-out only) closed by the organiser at the scheduled end.
pub const METHODS: &[&str] = &["code", "pass", "organiser", "auto"];

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = attendance)]
pub struct AttendanceRow {
    pub id: i64,
    pub event_id: i64,
    pub volunteer_id: i64,
    pub checked_in_at: NaiveDateTime,
    pub checked_in_client_at: Option<NaiveDateTime>,
    pub checked_in_received_at: NaiveDateTime,
    pub check_in_method: String,
    pub checked_in_by: i64,
    pub checked_out_at: Option<NaiveDateTime>,
    pub checked_out_client_at: Option<NaiveDateTime>,
    pub checked_out_received_at: Option<NaiveDateTime>,
    pub check_out_method: Option<String>,
    pub checked_out_by: Option<i64>,
    pub auto_closed: bool,
    pub hour_entry_id: Option<i64>,
    pub flag: Option<String>,
    pub flag_detail: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl AttendanceRow {
    pub fn is_open(&self) -> bool {
        self.checked_out_at.is_none()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = attendance)]
pub struct NewCheckIn<'a> {
    pub event_id: i64,
    pub volunteer_id: i64,
    pub checked_in_at: NaiveDateTime,
    pub checked_in_client_at: Option<NaiveDateTime>,
    pub checked_in_received_at: NaiveDateTime,
    pub check_in_method: &'a str,
    pub checked_in_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A check-out's fields.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = attendance)]
pub struct CheckOut<'a> {
    pub checked_out_at: NaiveDateTime,
    pub checked_out_client_at: Option<NaiveDateTime>,
    pub checked_out_received_at: NaiveDateTime,
    pub check_out_method: &'a str,
    pub checked_out_by: i64,
    pub auto_closed: bool,
    pub hour_entry_id: Option<i64>,
    pub flag: Option<&'a str>,
    pub flag_detail: Option<&'a str>,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewCheckIn<'_>) -> QueryResult<AttendanceRow> {
    crate::db_run!(conn, |c| diesel::insert_into(attendance::table)
        .values(new)
        .returning(AttendanceRow::as_returning())
        .get_result(c))
}

/// Closes attendance `id` (still open: the caller holds the volunteer's lock).
pub fn close(conn: &mut DbConn, id: i64, out: &CheckOut<'_>) -> QueryResult<AttendanceRow> {
    crate::db_run!(conn, |c| diesel::update(attendance::table.find(id))
        .set((out, attendance::version.eq(attendance::version + 1)))
        .returning(AttendanceRow::as_returning())
        .get_result(c))
}

/// The volunteer's open attendance at the event, if any.
pub fn open_of(
    conn: &mut DbConn,
    event_id: i64,
    volunteer_id: i64,
) -> QueryResult<Option<AttendanceRow>> {
    attendance::table
        .filter(attendance::event_id.eq(event_id))
        .filter(attendance::volunteer_id.eq(volunteer_id))
        .filter(attendance::checked_out_at.is_null())
        .select(AttendanceRow::as_select())
        .first(conn)
        .optional()
}

/// Every open attendance of the event, by volunteer (the order their locks are taken in).
pub fn open_of_event(conn: &mut DbConn, event_id: i64) -> QueryResult<Vec<AttendanceRow>> {
    attendance::table
        .filter(attendance::event_id.eq(event_id))
        .filter(attendance::checked_out_at.is_null())
        .order(attendance::volunteer_id)
        .select(AttendanceRow::as_select())
        .load(conn)
}

/// Every attendance of the event with its volunteer's name and branch, in check-in order;
/// with `branches`, only of volunteers of those branches.
pub fn of_event(
    conn: &mut DbConn,
    event_id: i64,
    branches: Option<&[i64]>,
) -> QueryResult<Vec<(AttendanceRow, String, i64)>> {
    let mut q = attendance::table
        .inner_join(volunteers::table)
        .filter(attendance::event_id.eq(event_id))
        .into_boxed();
    if let Some(b) = branches {
        q = q.filter(volunteers::branch_id.eq_any(b.to_vec()));
    }
    q.order(attendance::id)
        .select((
            AttendanceRow::as_select(),
            volunteers::name,
            volunteers::branch_id,
        ))
        .load(conn)
}

/// A page of a volunteer's attendance, the newest first.
pub fn of_volunteer(
    conn: &mut DbConn,
    volunteer_id: i64,
    paging: crate::http::Paging,
) -> QueryResult<(Vec<AttendanceRow>, i64)> {
    let filtered = || {
        attendance::table
            .filter(attendance::volunteer_id.eq(volunteer_id))
            .into_boxed()
    };
    Ok(crate::page_of!(
        conn,
        filtered,
        attendance::id.desc(),
        paging,
        AttendanceRow
    ))
}

/// The volunteers (id, name, branch) of `ids` that never checked in at the event.
pub fn never_came(
    conn: &mut DbConn,
    event_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, i64)>> {
    let came: Vec<i64> = attendance::table
        .filter(attendance::event_id.eq(event_id))
        .select(attendance::volunteer_id)
        .load(conn)?;
    let missing: Vec<i64> = ids.iter().copied().filter(|v| !came.contains(v)).collect();
    volunteers::table
        .filter(volunteers::id.eq_any(missing))
        .order(volunteers::id)
        .select((volunteers::id, volunteers::name, volunteers::branch_id))
        .load(conn)
}

/// Marks the hour entry made from an attendance closed automatically.
pub fn mark_entry_auto_closed(conn: &mut DbConn, entry_id: i64) -> QueryResult<()> {
    use crate::db::schema::hour_entries;
    diesel::update(hour_entries::table.find(entry_id))
        .set(hour_entries::auto_closed.eq(true))
        .execute(conn)
        .map(|_| ())
}
