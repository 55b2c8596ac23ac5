use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::Scope;
use crate::db::schema::{evaluations, events, hour_entries, volunteers};
use crate::db::{DbConn, MultiBackend};

/// The ratings, as stored.
pub const RATINGS: &[&str] = &["excellent", "good", "satisfactory", "unsatisfactory"];

#[derive(Debug, Insertable)]
#[diesel(table_name = evaluations)]
pub struct NewEvaluation<'a> {
    pub event_id: i64,
    pub volunteer_id: i64,
    pub rating: &'a str,
    pub comment: Option<&'a str>,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = evaluations)]
pub struct EvaluationRow {
    pub id: i64,
    pub event_id: i64,
    pub volunteer_id: i64,
    pub rating: String,
    pub comment: Option<String>,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub type Boxed<'a> = evaluations::BoxedQuery<'a, MultiBackend>;

/// Limits an evaluation query to what the caller may read: administrators and HR every
/// evaluation; a secretary those of events its branches organised and those of its
/// branches' volunteers; a volunteer its own.
pub fn visible<'a>(query: Boxed<'a>, scope: &Scope) -> Boxed<'a> {
    match scope {
        Scope::All => query,
        Scope::Branches(ids) => query.filter(
            evaluations::event_id
                .eq_any(
                    events::table
                        .filter(events::organiser_branch_id.eq_any(ids.clone()))
                        .select(events::id),
                )
                .or(evaluations::volunteer_id.eq_any(
                    volunteers::table
                        .filter(volunteers::branch_id.eq_any(ids.clone()))
                        .select(volunteers::id),
                )),
        ),
        Scope::Volunteer(v) => query.filter(evaluations::volunteer_id.eq(v.unwrap_or(-1))),
    }
}

pub fn find(conn: &mut DbConn, event: i64, volunteer: i64) -> QueryResult<Option<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::event_id.eq(event))
        .filter(evaluations::volunteer_id.eq(volunteer))
        .select(EvaluationRow::as_select())
        .first(conn)
        .optional()
}

/// Whether the volunteer has an approved entry (not a correction) at the event.
pub fn has_approved_entry(conn: &mut DbConn, event: i64, volunteer: i64) -> QueryResult<bool> {
    let n: i64 = hour_entries::table
        .filter(hour_entries::event_id.eq(event))
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::status.eq("approved"))
        .filter(hour_entries::corrects_id.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
