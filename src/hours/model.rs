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

/// A live timed entry of a volunteer: its id, volunteer, event and clock times.
pub type TimedEntry = (i64, i64, i64, NaiveDateTime, NaiveDateTime);

/// The live timed entries of `volunteers` that overlap the span `from`..`to` (touching
/// ends excluded), leaving out `except`: the candidates a new interval is checked against.
pub fn timed_between(
    conn: &mut DbConn,
    volunteers: &[i64],
    from: NaiveDateTime,
    to: NaiveDateTime,
    except: Option<i64>,
) -> QueryResult<Vec<TimedEntry>> {
    hour_entries::table
        .filter(hour_entries::volunteer_id.eq_any(volunteers))
        .filter(hour_entries::status.eq_any(LIVE))
        .filter(hour_entries::started_at.lt(to))
        .filter(hour_entries::ended_at.gt(from))
        .filter(hour_entries::id.ne(except.unwrap_or(-1)))
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
pub fn live_at_event(conn: &mut DbConn, event_id: i64) -> QueryResult<Vec<HourRow>> {
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

/// A roster's new entries on PostgreSQL, as one `INSERT … SELECT … FROM unnest(…)` whose
/// text is the same for any number of rows: the server parses and plans it once per
/// connection. A multi-row `VALUES` list is a new statement for every roster size, parsed
/// and planned each time, with a parameter per value (1,700 for a roster of 100).
pub struct PgRosterInsert<'a> {
    event_id: i64,
    status: &'a str,
    submitted_by: Option<i64>,
    created_at: NaiveDateTime,
    volunteer_ids: Vec<i64>,
    branch_ids: Vec<i64>,
    minutes: Vec<i32>,
    service_dates: Vec<NaiveDate>,
    started_at: Vec<Option<NaiveDateTime>>,
    ended_at: Vec<Option<NaiveDateTime>>,
    roles: Vec<Option<&'a str>>,
    notes: Vec<Option<&'a str>>,
    returning: diesel::helper_types::AsSelect<HourRow, diesel::pg::Pg>,
}

impl<'a> PgRosterInsert<'a> {
    /// `None` unless there are entries and they share what the statement takes once
    /// (event, status, submitter, time) and leave the review and correction fields empty,
    /// as the entries of one submission do.
    pub fn new(entries: &[NewHourEntry<'a>]) -> Option<Self> {
        let first = entries.first()?;
        let uniform = entries.iter().all(|e| {
            e.event_id == first.event_id
                && e.status == first.status
                && e.submitted_by == first.submitted_by
                && e.created_at == first.created_at
                && e.updated_at == first.created_at
                && e.corrects_id.is_none()
                && e.reviewed_by.is_none()
                && e.reviewed_at.is_none()
                && e.reason.is_none()
        });
        uniform.then(|| PgRosterInsert {
            event_id: first.event_id,
            status: first.status,
            submitted_by: first.submitted_by,
            created_at: first.created_at,
            volunteer_ids: entries.iter().map(|e| e.volunteer_id).collect(),
            branch_ids: entries.iter().map(|e| e.branch_id).collect(),
            minutes: entries.iter().map(|e| e.minutes).collect(),
            service_dates: entries.iter().map(|e| e.service_date).collect(),
            started_at: entries.iter().map(|e| e.started_at).collect(),
            ended_at: entries.iter().map(|e| e.ended_at).collect(),
            roles: entries.iter().map(|e| e.role).collect(),
            notes: entries.iter().map(|e| e.note).collect(),
            returning: HourRow::as_select(),
        })
    }
}

impl diesel::query_builder::QueryId for PgRosterInsert<'_> {
    type QueryId = PgRosterInsert<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for PgRosterInsert<'_> {
    type SqlType = diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<HourRow, diesel::pg::Pg>>;
}

impl<Conn> RunQueryDsl<Conn> for PgRosterInsert<'_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for PgRosterInsert<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::*;
        out.push_sql(
            "INSERT INTO hour_entries (volunteer_id, event_id, branch_id, minutes, \
             service_date, started_at, ended_at, role, note, status, submitted_by, \
             created_at, updated_at) SELECT t.volunteer_id, ",
        );
        out.push_bind_param::<BigInt, _>(&self.event_id)?;
        out.push_sql(
            ", t.branch_id, t.minutes, t.service_date, t.started_at, t.ended_at, t.role, t.note, ",
        );
        out.push_bind_param::<Text, _>(self.status)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&self.submitted_by)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.created_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.created_at)?;
        out.push_sql(" FROM unnest(");
        out.push_bind_param::<Array<BigInt>, _>(&self.volunteer_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.branch_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Integer>, _>(&self.minutes)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Date>, _>(&self.service_dates)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Timestamp>>, _>(&self.started_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Timestamp>>, _>(&self.ended_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.roles)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.notes)?;
        out.push_sql(
            ") AS t (volunteer_id, branch_id, minutes, service_date, started_at, ended_at, \
             role, note) RETURNING ",
        );
        self.returning.walk_ast(out.reborrow())
    }
}
