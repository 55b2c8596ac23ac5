//! Hour entry rows and every query of the hours module.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{EventWindow, Interval};
use super::source::EntrySource;
use super::status::HourStatus;
use crate::auth::Scope;
use crate::db::schema::{audit_log, event_plan_items, events, hour_entries};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::http::Paging;
use crate::ids::{BranchId, EventId, HourEntryId, UserId, VolunteerId};

mod roster_insert;

pub use roster_insert::PgRosterInsert;

/// The texts of [`HourStatus::ALL`], as stored.
pub const STATUSES: &[&str] = &[
    HourStatus::Submitted.as_str(),
    HourStatus::Approved.as_str(),
    HourStatus::Rejected.as_str(),
    HourStatus::Withdrawn.as_str(),
];
/// The texts of [`HourStatus::LIVE`]: entries that count towards limits.
pub const LIVE: &[&str] = &[
    HourStatus::Submitted.as_str(),
    HourStatus::Approved.as_str(),
];

#[derive(Debug, Insertable)]
#[diesel(table_name = hour_entries)]
pub struct NewHourEntry<'a> {
    pub volunteer_id: VolunteerId,
    pub event_id: EventId,
    pub branch_id: BranchId,
    pub minutes: i32,
    pub service_date: NaiveDate,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub role: Option<&'a str>,
    pub note: Option<&'a str>,
    /// A [`HourStatus`]'s text.
    pub status: &'a str,
    pub corrects_id: Option<HourEntryId>,
    pub submitted_by: Option<UserId>,
    pub reviewed_by: Option<UserId>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub reason: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// An [`EntrySource`]'s text.
    pub source: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = hour_entries)]
pub struct HourRow {
    pub id: HourEntryId,
    pub volunteer_id: VolunteerId,
    pub event_id: EventId,
    pub branch_id: BranchId,
    pub minutes: i32,
    pub service_date: NaiveDate,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub role: Option<String>,
    pub note: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: HourStatus,
    pub corrects_id: Option<HourEntryId>,
    pub submitted_by: Option<UserId>,
    pub reviewed_by: Option<UserId>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub source: EntrySource,
    pub auto_closed: bool,
}

pub fn find(conn: &mut DbConn, id: HourEntryId) -> QueryResult<HourRow> {
    hour_entries::table
        .find(id)
        .select(HourRow::as_select())
        .first(conn)
}

/// Minutes a volunteer has on a day across live entries (corrections signed), leaving out
/// one entry (the one being edited).
pub fn day_total(
    conn: &mut DbConn,
    volunteer: VolunteerId,
    day: NaiveDate,
    except: Option<HourEntryId>,
) -> QueryResult<i64> {
    let minutes: Vec<i32> = hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::service_date.eq(day))
        .filter(hour_entries::status.eq_any(LIVE))
        .filter(hour_entries::id.ne(except.unwrap_or(HourEntryId(-1))))
        .select(hour_entries::minutes)
        .load(conn)?;
    Ok(minutes.into_iter().map(i64::from).sum())
}

/// A live entry (or correction) of a volunteer on a day.
#[derive(Debug, Queryable)]
pub struct LiveOnDay {
    pub id: HourEntryId,
    pub volunteer_id: VolunteerId,
    pub event_id: EventId,
    pub service_date: NaiveDate,
    pub minutes: i32,
    pub corrects_id: Option<HourEntryId>,
}

/// The live entries and corrections of `volunteers` on `days` (what [`day_total`] sums,
/// for many at once).
pub fn live_on_days(
    conn: &mut DbConn,
    volunteers: &[VolunteerId],
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
    ids: &[VolunteerId],
) -> QueryResult<Vec<(VolunteerId, BranchId, String)>> {
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
pub fn lock_volunteers(conn: &mut DbConn, ids: &[VolunteerId]) -> QueryResult<()> {
    lock_and_load_volunteers(conn, ids).map(|_| ())
}

/// An entry's minutes with its corrections: approved ones, and with `pending` also those
/// awaiting review.
pub fn net_minutes(conn: &mut DbConn, entry: &HourRow, pending: bool) -> QueryResult<i64> {
    let statuses: &[&str] = if pending {
        LIVE
    } else {
        &[HourStatus::Approved.as_str()]
    };
    let corrections: Vec<i32> = hour_entries::table
        .filter(hour_entries::corrects_id.eq(entry.id))
        .filter(hour_entries::status.eq_any(statuses))
        .select(hour_entries::minutes)
        .load(conn)?;
    Ok(i64::from(entry.minutes) + corrections.into_iter().map(i64::from).sum::<i64>())
}

/// A live timed entry of a volunteer: its id, volunteer, event and clock times.
pub type TimedEntry = (
    HourEntryId,
    VolunteerId,
    EventId,
    NaiveDateTime,
    NaiveDateTime,
);

/// The live timed entries of `volunteers` that overlap the span `from`..`to` (touching
/// ends excluded), leaving out `except`: the candidates a new interval is checked against.
pub fn timed_between(
    conn: &mut DbConn,
    volunteers: &[VolunteerId],
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: Option<HourEntryId>,
) -> QueryResult<Vec<TimedEntry>> {
    hour_entries::table
        .filter(hour_entries::volunteer_id.eq_any(volunteers))
        .filter(hour_entries::status.eq_any(LIVE))
        .filter(hour_entries::started_at.lt(to))
        .filter(hour_entries::ended_at.gt(from))
        .filter(hour_entries::id.ne(except.unwrap_or(HourEntryId(-1))))
        .order(hour_entries::id)
        .select((
            hour_entries::id,
            hour_entries::volunteer_id,
            hour_entries::event_id,
            hour_entries::started_at.assume_not_null(),
            hour_entries::ended_at.assume_not_null(),
        ))
        .load(conn)
}

/// The live entries and corrections at an event, in id order.
pub fn live_at_event(conn: &mut DbConn, event_id: EventId) -> QueryResult<Vec<HourRow>> {
    hour_entries::table
        .filter(hour_entries::event_id.eq(event_id))
        .filter(hour_entries::status.eq_any(LIVE))
        .order(hour_entries::id)
        .select(HourRow::as_select())
        .load(conn)
}

impl HourRow {
    /// What the event's window constrains in this entry.
    pub fn time(&self) -> super::rules::EntryTime {
        super::rules::EntryTime {
            minutes: self.minutes,
            service_date: self.service_date,
            interval: match (self.started_at, self.ended_at) {
                (Some(s), Some(e)) => super::rules::Interval::new(s.and_utc(), e.and_utc()),
                _ => None,
            },
            is_correction: self.corrects_id.is_some(),
        }
    }
}

/// What the rules of an entry need of its event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventFacts {
    pub id: EventId,
    pub status: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

impl EventFacts {
    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }

    pub fn window(&self, cfg: &crate::config::HoursConfig) -> EventWindow {
        EventWindow {
            starts_at: self.starts_at.and_utc(),
            ends_at: self.ends_at.and_utc(),
            tolerance: chrono::Duration::from_std(cfg.window_tolerance).unwrap_or_default(),
            offset: cfg.utc_offset,
        }
    }
}

/// The event of an entry, locked for share until the transaction ends on PostgreSQL, so
/// that a change of the event's times or kind waits for this work (and this work for it).
pub fn event(conn: &mut DbConn, id: EventId) -> QueryResult<EventFacts> {
    let query = events::table.find(id);
    match conn {
        DbConn::Pg(c) => query.select(EventFacts::as_select()).for_share().first(c),
        DbConn::Sqlite(c) => query.select(EventFacts::as_select()).first(c),
    }
}

type Boxed<'a> = hour_entries::BoxedQuery<'a, crate::db::MultiBackend>;

/// `q` narrowed to the entries of the caller's scope.
pub fn scoped<'a>(q: Boxed<'a>, scope: &Scope) -> Boxed<'a> {
    match scope {
        Scope::All => q,
        Scope::Branches(ids) => q.filter(hour_entries::branch_id.eq_any(ids.clone())),
        Scope::Volunteer(v) => q.filter(hour_entries::volunteer_id.eq(v.unwrap_or(-1))),
    }
}

/// The entry if the caller's scope holds it; 404 otherwise.
pub fn find_in_scope(conn: &mut DbConn, scope: &Scope, id: HourEntryId) -> AppResult<HourRow> {
    Ok(scoped(hour_entries::table.into_boxed(), scope)
        .filter(hour_entries::id.eq(id))
        .select(HourRow::as_select())
        .first(conn)?)
}

/// What a list of entries is narrowed to (from the query of `GET /hours`).
#[derive(Debug, Clone, Default)]
pub struct HourFilter {
    pub branch_id: Option<i64>,
    pub volunteer_id: Option<i64>,
    pub event_id: Option<i64>,
    pub plan_item_id: Option<i64>,
    pub status: Option<HourStatus>,
    pub source: Option<EntrySource>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A page of the entries in scope that match the filter, newest service first.
pub fn list(
    conn: &mut DbConn,
    scope: &Scope,
    q: &HourFilter,
    paging: Paging,
) -> QueryResult<(Vec<HourRow>, i64)> {
    let under = crate::branches::model::subtree_of(conn, q.branch_id)?;
    let filtered = || {
        let mut f = scoped(hour_entries::table.into_boxed(), scope);
        if let Some(ids) = &under {
            f = f.filter(hour_entries::branch_id.eq_any(ids.clone()));
        }
        if let Some(v) = q.volunteer_id {
            f = f.filter(hour_entries::volunteer_id.eq(v));
        }
        if let Some(ev) = q.event_id {
            f = f.filter(hour_entries::event_id.eq(ev));
        }
        if let Some(item) = q.plan_item_id {
            f = f.filter(
                hour_entries::event_id.eq_any(
                    event_plan_items::table
                        .filter(event_plan_items::plan_item_id.eq(item))
                        .select(event_plan_items::event_id),
                ),
            );
        }
        if let Some(s) = q.status {
            f = f.filter(hour_entries::status.eq(s.as_str()));
        }
        if let Some(s) = q.source {
            f = f.filter(hour_entries::source.eq(s.as_str()));
        }
        if let Some(from) = q.from {
            f = f.filter(hour_entries::service_date.ge(from));
        }
        if let Some(to) = q.to {
            f = f.filter(hour_entries::service_date.le(to));
        }
        f
    };
    Ok(crate::page_of!(
        conn,
        filtered,
        (hour_entries::service_date.desc(), hour_entries::id.desc()),
        paging,
        HourRow
    ))
}

/// A volunteer's approved minutes (corrections netted), the part of them served at events
/// other than training, and a page of its entries.
pub fn of_volunteer(
    conn: &mut DbConn,
    volunteer: VolunteerId,
    paging: Paging,
) -> QueryResult<(i64, i64, Vec<HourRow>, i64)> {
    let approved: Vec<(i32, String)> = hour_entries::table
        .inner_join(events::table)
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::status.eq(HourStatus::Approved.as_str()))
        .select((hour_entries::minutes, events::category))
        .load(conn)?;
    let approved_total = approved.iter().map(|(m, _)| i64::from(*m)).sum();
    let service = approved
        .iter()
        .filter(|(_, category)| category != "training")
        .map(|(m, _)| i64::from(*m))
        .sum();
    let filtered = || {
        hour_entries::table
            .filter(hour_entries::volunteer_id.eq(volunteer))
            .into_boxed()
    };
    let (rows, total) = crate::page_of!(
        conn,
        filtered,
        (hour_entries::service_date.desc(), hour_entries::id.desc()),
        paging,
        HourRow
    );
    Ok((approved_total, service, rows, total))
}

/// Every audit row of an entry and of its corrections, oldest first.
pub fn history(
    conn: &mut DbConn,
    entry: &HourRow,
) -> QueryResult<Vec<crate::audit::handlers::Row>> {
    let mut ids: Vec<HourEntryId> = hour_entries::table
        .filter(hour_entries::corrects_id.eq(entry.id))
        .select(hour_entries::id)
        .load(conn)?;
    ids.push(entry.id);
    audit_log::table
        .filter(audit_log::entity.eq(crate::audit::Entity::HourEntry.as_str()))
        .filter(audit_log::entity_id.eq_any(&ids))
        .order((audit_log::occurred_at, audit_log::id))
        .select(crate::audit::handlers::COLUMNS)
        .load(conn)
}

/// A live original entry of `volunteer` at `event` on `date`, other than `except`.
pub fn live_duplicate(
    conn: &mut DbConn,
    volunteer: VolunteerId,
    event: EventId,
    date: NaiveDate,
    except: Option<HourEntryId>,
) -> QueryResult<Option<HourEntryId>> {
    hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::event_id.eq(event))
        .filter(hour_entries::service_date.eq(date))
        .filter(hour_entries::corrects_id.is_null())
        .filter(hour_entries::status.eq_any(LIVE))
        .filter(hour_entries::id.ne(except.unwrap_or(HourEntryId(-1))))
        .select(hour_entries::id)
        .first(conn)
        .optional()
}

/// Writes new entries: one statement on PostgreSQL; SQLite, in process, takes them one by
/// one. Answers the rows in the order given.
pub fn insert(conn: &mut DbConn, news: &[NewHourEntry<'_>]) -> AppResult<Vec<HourRow>> {
    let mut rows: Vec<HourRow> = match conn {
        DbConn::Pg(c) => PgRosterInsert::new(news)
            .ok_or_else(|| AppError::internal("a roster's entries differ in shared fields"))?
            .get_results(c)?,
        DbConn::Sqlite(c) => news
            .iter()
            .map(|new| {
                diesel::insert_into(hour_entries::table)
                    .values(new)
                    .returning(HourRow::as_returning())
                    .get_result(c)
            })
            .collect::<QueryResult<_>>()?,
    };
    // in the order given (volunteer and day are unique among new entries)
    let order: std::collections::HashMap<(VolunteerId, NaiveDate), usize> = news
        .iter()
        .enumerate()
        .map(|(i, n)| ((n.volunteer_id, n.service_date), i))
        .collect();
    rows.sort_by_key(|r| order.get(&(r.volunteer_id, r.service_date)).copied());
    Ok(rows)
}

/// Writes one new entry (a correction).
pub fn insert_one(conn: &mut DbConn, new: &NewHourEntry<'_>) -> QueryResult<HourRow> {
    crate::db_run!(conn, |c| diesel::insert_into(hour_entries::table)
        .values(new)
        .returning(HourRow::as_returning())
        .get_result(c))
}

/// Moves `entry` to `status` (a review, with its reviewer and reason, or a withdrawal) if it
/// is still at the version read; `false` if it changed meanwhile.
pub fn set_status(
    conn: &mut DbConn,
    entry: &HourRow,
    status: HourStatus,
    review: Option<(UserId, Option<&str>)>,
) -> QueryResult<bool> {
    let now = crate::db::now();
    let target = hour_entries::table
        .find(entry.id)
        .filter(hour_entries::version.eq(entry.version));
    let changed = match review {
        Some((reviewer, reason)) => diesel::update(target)
            .set((
                hour_entries::status.eq(status.as_str()),
                hour_entries::reviewed_by.eq(reviewer),
                hour_entries::reviewed_at.eq(now),
                hour_entries::reason.eq(reason),
                hour_entries::version.eq(entry.version + 1),
                hour_entries::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                hour_entries::status.eq(status.as_str()),
                hour_entries::version.eq(entry.version + 1),
                hour_entries::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    Ok(changed == 1)
}

/// The new time and texts of a submitted entry.
pub struct EntryChange<'a> {
    pub minutes: i32,
    pub service_date: NaiveDate,
    pub interval: Option<Interval>,
    pub role: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// Changes `entry` if it is still at the version read; `false` if it changed meanwhile.
pub fn update(conn: &mut DbConn, entry: &HourRow, change: &EntryChange<'_>) -> QueryResult<bool> {
    let changed = diesel::update(
        hour_entries::table
            .find(entry.id)
            .filter(hour_entries::version.eq(entry.version)),
    )
    .set((
        hour_entries::minutes.eq(change.minutes),
        hour_entries::service_date.eq(change.service_date),
        hour_entries::started_at.eq(change.interval.map(|i| i.start.naive_utc())),
        hour_entries::ended_at.eq(change.interval.map(|i| i.end.naive_utc())),
        hour_entries::role.eq(change.role),
        hour_entries::note.eq(change.note),
        hour_entries::version.eq(entry.version + 1),
        hour_entries::updated_at.eq(crate::db::now()),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_texts_follow_the_statuses() {
        assert_eq!(STATUSES, HourStatus::ALL.map(HourStatus::as_str));
        assert_eq!(LIVE, HourStatus::LIVE.map(HourStatus::as_str));
    }
}
