use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::Scope;
use crate::db::schema::{error_reports, events};
use crate::db::DbConn;
use crate::http::Paging;

/// The kinds of report, as stored.
pub const KINDS: &[&str] = &["missing", "wrong"];
/// The statuses of a report, as stored.
pub const STATUSES: &[&str] = &["open", "accepted", "declined"];
pub const OPEN: &str = "open";
pub const ACCEPTED: &str = "accepted";
pub const DECLINED: &str = "declined";

#[derive(Debug, Insertable)]
#[diesel(table_name = error_reports)]
pub struct NewErrorReport<'a> {
    pub volunteer_id: i64,
    pub kind: &'a str,
    pub event_id: i64,
    pub hour_entry_id: Option<i64>,
    pub service_date: Option<NaiveDate>,
    pub minutes: i32,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub role: Option<&'a str>,
    pub note: Option<&'a str>,
    pub explanation: &'a str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = error_reports)]
pub struct ErrorReportRow {
    pub id: i64,
    pub volunteer_id: i64,
    pub kind: String,
    pub event_id: i64,
    pub hour_entry_id: Option<i64>,
    pub service_date: Option<NaiveDate>,
    pub minutes: i32,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub role: Option<String>,
    pub note: Option<String>,
    pub explanation: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub decline_reason: Option<String>,
    pub created_entry_id: Option<i64>,
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ErrorReportRow {
    pub fn is_open(&self) -> bool {
        self.status == OPEN
    }
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<ErrorReportRow> {
    error_reports::table
        .find(id)
        .select(ErrorReportRow::as_select())
        .first(conn)
}

/// The report, locked until the transaction ends on PostgreSQL (SQLite writers take turns),
/// so that two decisions on it run one after the other.
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<ErrorReportRow> {
    let query = error_reports::table.find(id);
    match conn {
        DbConn::Pg(c) => query
            .select(ErrorReportRow::as_select())
            .for_update()
            .first(c),
        DbConn::Sqlite(c) => query.select(ErrorReportRow::as_select()).first(c),
    }
}

type Boxed<'a> = error_reports::BoxedQuery<'a, crate::db::MultiBackend>;

/// `q` narrowed to the reports the caller's scope holds: administrators all, a secretary
/// those about events its branches organise, a volunteer its own.
pub fn scoped<'a>(q: Boxed<'a>, scope: &Scope) -> Boxed<'a> {
    match scope {
        Scope::All => q,
        Scope::Branches(ids) => q.filter(
            error_reports::event_id.eq_any(
                events::table
                    .filter(events::organiser_branch_id.eq_any(ids.clone()))
                    .select(events::id),
            ),
        ),
        Scope::Volunteer(v) => q.filter(error_reports::volunteer_id.eq(v.unwrap_or(-1))),
    }
}

/// The report if the caller's scope holds it; `NotFound` otherwise.
pub fn find_in_scope(conn: &mut DbConn, scope: &Scope, id: i64) -> QueryResult<ErrorReportRow> {
    scoped(error_reports::table.into_boxed(), scope)
        .filter(error_reports::id.eq(id))
        .select(ErrorReportRow::as_select())
        .first(conn)
}

/// A page of the reports in scope, optionally of one status, the newest first.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    status: Option<&'static str>,
    paging: Paging,
) -> QueryResult<(Vec<ErrorReportRow>, i64)> {
    let filtered = || {
        let mut q = scoped(error_reports::table.into_boxed(), scope);
        if let Some(s) = status {
            q = q.filter(error_reports::status.eq(s));
        }
        q
    };
    Ok(crate::page_of!(
        conn,
        filtered,
        error_reports::id.desc(),
        paging,
        ErrorReportRow
    ))
}

/// A volunteer's open reports, the oldest first (what the volunteer's record shows as
/// awaiting the organisation).
pub fn open_of_volunteer(conn: &mut DbConn, volunteer_id: i64) -> QueryResult<Vec<ErrorReportRow>> {
    error_reports::table
        .filter(error_reports::volunteer_id.eq(volunteer_id))
        .filter(error_reports::status.eq(OPEN))
        .order(error_reports::id)
        .select(ErrorReportRow::as_select())
        .load(conn)
}

/// The open report of the same wrong entry, or of the same missing day of the volunteer at
/// the event, if there is one.
pub fn open_duplicate(conn: &mut DbConn, new: &NewErrorReport<'_>) -> QueryResult<Option<i64>> {
    let q = error_reports::table
        .filter(error_reports::status.eq(OPEN))
        .filter(error_reports::kind.eq(new.kind))
        .into_boxed();
    let q = match new.hour_entry_id {
        Some(entry) => q.filter(error_reports::hour_entry_id.eq(entry)),
        None => q
            .filter(error_reports::volunteer_id.eq(new.volunteer_id))
            .filter(error_reports::event_id.eq(new.event_id))
            .filter(error_reports::service_date.eq(new.service_date)),
    };
    q.select(error_reports::id).first(conn).optional()
}

pub fn insert(conn: &mut DbConn, new: &NewErrorReport<'_>) -> QueryResult<i64> {
    crate::db_run!(conn, |c| diesel::insert_into(error_reports::table)
        .values(new)
        .returning(error_reports::id)
        .get_result(c))
}

/// The decision on an open report.
pub struct Decision<'a> {
    pub status: &'static str,
    pub decided_by: i64,
    pub decline_reason: Option<&'a str>,
    pub created_entry_id: Option<i64>,
}

/// Records the decision if the report is still open at the version read; `false` otherwise.
pub fn decide(
    conn: &mut DbConn,
    report: &ErrorReportRow,
    decision: &Decision<'_>,
) -> QueryResult<bool> {
    let now = crate::db::now();
    let changed = diesel::update(
        error_reports::table
            .find(report.id)
            .filter(error_reports::version.eq(report.version))
            .filter(error_reports::status.eq(OPEN)),
    )
    .set((
        error_reports::status.eq(decision.status),
        error_reports::decided_by.eq(decision.decided_by),
        error_reports::decided_at.eq(now),
        error_reports::decline_reason.eq(decision.decline_reason),
        error_reports::created_entry_id.eq(decision.created_entry_id),
        error_reports::version.eq(report.version + 1),
        error_reports::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
