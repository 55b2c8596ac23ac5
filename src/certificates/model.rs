//! Certificate rows, the per-year counter that numbers them, and the service a snapshot
//! is built from.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::Scope;
use crate::db::schema::{
    branches, certificate_counters, certificates, event_plan_items, events, hour_entries,
    plan_items, users, volunteers,
};
use crate::db::DbConn;
use crate::hours::model::HourRow;
use crate::hours::status::HourStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = certificates)]
pub struct CertificateRow {
    pub id: i64,
    pub number: String,
    pub year: i32,
    pub sequence: i64,
    pub volunteer_id: i64,
    pub issued_by: i64,
    pub issued_at: NaiveDateTime,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub purpose: Option<String>,
    pub snapshot: String,
    pub snapshot_sha256: String,
    pub code: String,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<i64>,
    pub revoke_reason: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = certificates)]
pub struct NewCertificate<'a> {
    pub number: &'a str,
    pub year: i32,
    pub sequence: i64,
    pub volunteer_id: i64,
    pub issued_by: i64,
    pub issued_at: NaiveDateTime,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub purpose: Option<&'a str>,
    pub snapshot: &'a str,
    pub snapshot_sha256: &'a str,
    pub code: &'a str,
}

pub fn by_number(conn: &mut DbConn, number: &str) -> QueryResult<CertificateRow> {
    certificates::table
        .filter(certificates::number.eq(number))
        .select(CertificateRow::as_select())
        .first(conn)
}

/// The next sequence number of `year`, taken in the caller's transaction: the year's
/// counter row is incremented (created at 1), and stays locked until the transaction ends,
/// so concurrent issues queue on it and a rolled-back issue gives its number back.
pub fn next_sequence(conn: &mut DbConn, year: i32) -> QueryResult<i64> {
    crate::db_run!(conn, |c| diesel::insert_into(certificate_counters::table)
        .values((
            certificate_counters::year.eq(year),
            certificate_counters::last_sequence.eq(1_i64),
        ))
        .on_conflict(certificate_counters::year)
        .do_update()
        .set(certificate_counters::last_sequence.eq(certificate_counters::last_sequence + 1))
        .returning(certificate_counters::last_sequence)
        .get_result::<i64>(c))
}

/// The volunteer as a certificate names it: name and volunteer number.
pub fn volunteer(conn: &mut DbConn, id: i64) -> QueryResult<(String, Option<String>)> {
    volunteers::table
        .find(id)
        .select((volunteers::name, volunteers::volunteer_number))
        .first(conn)
}

/// The handling official: the name of the account's volunteer, else its username.
pub fn official(conn: &mut DbConn, user_id: i64) -> QueryResult<(String, String)> {
    let (username, volunteer): (String, Option<i64>) = users::table
        .find(user_id)
        .select((users::username, users::volunteer_id))
        .first(conn)?;
    let name = match volunteer {
        Some(v) => volunteers::table
            .find(v)
            .select(volunteers::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    Ok((name.unwrap_or_else(|| username.clone()), username))
}

/// (id, code, name) of branches.
pub type BranchRef = (i64, String, String);

/// The branches a scope's events come from, at their top: every root branch for the whole
/// organisation, else the branches of the scope whose parent lies outside it.
pub fn covered_branches(conn: &mut DbConn, scope: &Scope) -> QueryResult<Vec<BranchRef>> {
    let rows: Vec<(i64, String, String, Option<i64>)> = branches::table
        .order(branches::code)
        .select((
            branches::id,
            branches::code,
            branches::name,
            branches::parent_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(id, _, _, parent)| match scope {
            Scope::All => parent.is_none(),
            Scope::Branches(ids) => ids.contains(id) && !parent.is_some_and(|p| ids.contains(&p)),
            Scope::Volunteer(_) => false,
        })
        .map(|(id, code, name, _)| (id, code, name))
        .collect())
}

/// One approved entry as a certificate lists it: the entry (its minutes netted of approved
/// corrections), its event's title and category.
pub struct ServedRow {
    pub entry: HourRow,
    pub net_minutes: i64,
    pub event_title: String,
    pub category: String,
}

/// The volunteer's approved original entries in the period at events organised within
/// `scope` (谁组织谁证明), oldest first, each with its net minutes (the same netting as the
/// hours view: [`crate::hours::model::net_minutes`]). Entries corrected down to nothing are
/// left out.
pub fn served(
    conn: &mut DbConn,
    volunteer: i64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    scope: &Scope,
) -> QueryResult<Vec<ServedRow>> {
    let mut q = hour_entries::table
        .inner_join(events::table)
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::status.eq(HourStatus::Approved.as_str()))
        .filter(hour_entries::corrects_id.is_null())
        .into_boxed();
    if let Some(d) = from {
        q = q.filter(hour_entries::service_date.ge(d));
    }
    if let Some(d) = to {
        q = q.filter(hour_entries::service_date.le(d));
    }
    match scope {
        Scope::All => {}
        Scope::Branches(ids) => q = q.filter(events::organiser_branch_id.eq_any(ids.clone())),
        Scope::Volunteer(_) => q = q.filter(events::id.eq(-1_i64)),
    }
    let rows: Vec<(HourRow, String, String)> = q
        .order((hour_entries::service_date, hour_entries::id))
        .select((HourRow::as_select(), events::title, events::category))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (entry, event_title, category) in rows {
        let net_minutes = crate::hours::model::net_minutes(conn, &entry, false)?;
        if net_minutes > 0 {
            out.push(ServedRow {
                entry,
                net_minutes,
                event_title,
                category,
            });
        }
    }
    Ok(out)
}

/// (event id, plan item number, plan item title) of the events, by event and number.
pub fn plan_items_of(conn: &mut DbConn, events: &[i64]) -> QueryResult<Vec<(i64, i32, String)>> {
    let mut ids = events.to_vec();
    ids.sort_unstable();
    ids.dedup();
    event_plan_items::table
        .inner_join(plan_items::table)
        .filter(event_plan_items::event_id.eq_any(ids))
        .order((event_plan_items::event_id, plan_items::number))
        .select((
            event_plan_items::event_id,
            plan_items::number,
            plan_items::title,
        ))
        .load(conn)
}

/// Marks a certificate revoked, unless it already is; the rows changed (0 or 1).
pub fn revoke(
    conn: &mut DbConn,
    id: i64,
    by: i64,
    at: NaiveDateTime,
    reason: &str,
) -> QueryResult<usize> {
    diesel::update(
        certificates::table
            .find(id)
            .filter(certificates::revoked_at.is_null()),
    )
    .set((
        certificates::revoked_at.eq(at),
        certificates::revoked_by.eq(by),
        certificates::revoke_reason.eq(reason),
    ))
    .execute(conn)
}
