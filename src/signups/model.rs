//! Sign-up rows and every query of them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::SignupStatus;
use crate::auth::Scope;
use crate::db::schema::{events, signups, volunteers};
use crate::db::DbConn;
use crate::http::Paging;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = signups)]
pub struct SignupRow {
    pub id: i64,
    pub event_id: i64,
    pub volunteer_id: i64,
    pub status: String,
    pub reason: Option<String>,
    pub created_by: i64,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SignupRow {
    pub fn status(&self) -> SignupStatus {
        SignupStatus::parse(&self.status).unwrap_or(SignupStatus::Cancelled)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = signups)]
pub struct NewSignup<'a> {
    pub event_id: i64,
    pub volunteer_id: i64,
    pub status: &'a str,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewSignup<'_>) -> QueryResult<SignupRow> {
    crate::db_run!(conn, |c| diesel::insert_into(signups::table)
        .values(new)
        .returning(SignupRow::as_returning())
        .get_result(c))
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<SignupRow> {
    signups::table
        .find(id)
        .select(SignupRow::as_select())
        .first(conn)
}

/// Moves a sign-up to `status`, deciding it (by `actor`, with `reason`) unless it is the
/// volunteer's own cancellation.
pub fn set_status(
    conn: &mut DbConn,
    row: &SignupRow,
    status: SignupStatus,
    decided_by: Option<i64>,
    reason: Option<&str>,
) -> QueryResult<SignupRow> {
    let now = crate::db::now();
    crate::db_run!(conn, |c| diesel::update(signups::table.find(row.id))
        .set((
            signups::status.eq(status.as_str()),
            signups::reason.eq(reason),
            signups::decided_by.eq(decided_by.or(row.decided_by)),
            signups::decided_at.eq(decided_by.map(|_| now).or(row.decided_at)),
            signups::version.eq(row.version + 1),
            signups::updated_at.eq(now),
        ))
        .returning(SignupRow::as_returning())
        .get_result(c))
}

/// The volunteer's live sign-up for the event, if any.
pub fn live_of(
    conn: &mut DbConn,
    event_id: i64,
    volunteer_id: i64,
) -> QueryResult<Option<SignupRow>> {
    signups::table
        .filter(signups::event_id.eq(event_id))
        .filter(signups::volunteer_id.eq(volunteer_id))
        .filter(signups::status.eq_any(SignupStatus::LIVE))
        .select(SignupRow::as_select())
        .first(conn)
        .optional()
}

pub fn count_admitted(conn: &mut DbConn, event_id: i64) -> QueryResult<i64> {
    signups::table
        .filter(signups::event_id.eq(event_id))
        .filter(signups::status.eq(SignupStatus::Admitted.as_str()))
        .count()
        .get_result(conn)
}

/// Whether the volunteer holds a place at the event (what attendance asks).
pub fn admitted(conn: &mut DbConn, event_id: i64, volunteer_id: i64) -> QueryResult<bool> {
    let n: i64 = signups::table
        .filter(signups::event_id.eq(event_id))
        .filter(signups::volunteer_id.eq(volunteer_id))
        .filter(signups::status.eq(SignupStatus::Admitted.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The first on the event's waiting list, if any.
pub fn first_waitlisted(conn: &mut DbConn, event_id: i64) -> QueryResult<Option<SignupRow>> {
    signups::table
        .filter(signups::event_id.eq(event_id))
        .filter(signups::status.eq(SignupStatus::Waitlisted.as_str()))
        .order(signups::id)
        .select(SignupRow::as_select())
        .first(conn)
        .optional()
}

/// Places on the waiting list (1 = next) of the given sign-ups that are waitlisted.
pub fn positions(conn: &mut DbConn, rows: &[SignupRow]) -> QueryResult<Vec<Option<i64>>> {
    let mut events: Vec<i64> = rows
        .iter()
        .filter(|r| r.status() == SignupStatus::Waitlisted)
        .map(|r| r.event_id)
        .collect();
    events.sort_unstable();
    events.dedup();
    let waiting: Vec<(i64, i64)> = signups::table
        .filter(signups::event_id.eq_any(events))
        .filter(signups::status.eq(SignupStatus::Waitlisted.as_str()))
        .order((signups::event_id, signups::id))
        .select((signups::event_id, signups::id))
        .load(conn)?;
    Ok(rows
        .iter()
        .map(|r| {
            (r.status() == SignupStatus::Waitlisted).then(|| {
                waiting
                    .iter()
                    .filter(|(e, id)| *e == r.event_id && *id <= r.id)
                    .count() as i64
            })
        })
        .collect())
}

/// A page of the event's sign-ups, optionally of one status, in arrival order.
pub fn of_event(
    conn: &mut DbConn,
    event_id: i64,
    status: Option<SignupStatus>,
    paging: Paging,
) -> QueryResult<(Vec<SignupRow>, i64)> {
    let filtered = || {
        let mut q = signups::table
            .filter(signups::event_id.eq(event_id))
            .into_boxed();
        if let Some(s) = status {
            q = q.filter(signups::status.eq(s.as_str()));
        }
        q
    };
    Ok(crate::page_of!(
        conn,
        filtered,
        signups::id,
        paging,
        SignupRow
    ))
}

/// A page of the volunteer's sign-ups, the newest first.
pub fn of_volunteer(
    conn: &mut DbConn,
    volunteer_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<SignupRow>, i64)> {
    let filtered = || {
        signups::table
            .filter(signups::volunteer_id.eq(volunteer_id))
            .into_boxed()
    };
    Ok(crate::page_of!(
        conn,
        filtered,
        signups::id.desc(),
        paging,
        SignupRow
    ))
}

/// Every sign-up of the volunteer, the newest first per event.
pub fn all_of_volunteer(conn: &mut DbConn, volunteer_id: i64) -> QueryResult<Vec<SignupRow>> {
    signups::table
        .filter(signups::volunteer_id.eq(volunteer_id))
        .order(signups::id.desc())
        .select(SignupRow::as_select())
        .load(conn)
}

/// Whether `scope` may read the sign-up: the volunteer itself, the organiser's branches,
/// the volunteer's branches, or everything.
pub fn visible(conn: &mut DbConn, scope: &Scope, row: &SignupRow) -> QueryResult<bool> {
    Ok(match scope {
        Scope::All => true,
        Scope::Volunteer(v) => *v == Some(row.volunteer_id),
        Scope::Branches(ids) => {
            let organiser: i64 = events::table
                .find(row.event_id)
                .select(events::organiser_branch_id)
                .first(conn)?;
            let branch: i64 = volunteers::table
                .find(row.volunteer_id)
                .select(volunteers::branch_id)
                .first(conn)?;
            ids.contains(&organiser) || ids.contains(&branch)
        }
    })
}
