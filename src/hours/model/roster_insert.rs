//! A roster's entries on PostgreSQL in one statement whose text does not depend on the
//! roster's size.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{HourRow, NewHourEntry};

/// A roster's new entries on PostgreSQL, as one `INSERT … SELECT … FROM unnest(…)` whose
/// text is the same for any number of rows: the server parses and plans it once per
/// connection. A multi-row `VALUES` list is a new statement for every roster size, parsed
/// and planned each time, with a parameter per value (1,700 for a roster of 100).
pub struct PgRosterInsert<'a> {
    event_id: i64,
    status: &'a str,
    source: &'a str,
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
    /// (event, status, source, submitter, time) and leave the review and correction fields empty,
    /// as the entries of one submission do.
    pub fn new(entries: &[NewHourEntry<'a>]) -> Option<Self> {
        let first = entries.first()?;
        let uniform = entries.iter().all(|e| {
            e.event_id == first.event_id
                && e.status == first.status
                && e.source == first.source
                && e.submitted_by == first.submitted_by
                && e.created_at == first.created_at
                && e.updated_at == first.created_at
                && e.corrects_id.is_none()
                && e.reviewed_by.is_none()
                && e.reviewed_at.is_none()
                && e.reason.is_none()
        });
        uniform.then(|| PgRosterInsert {
            event_id: first.event_id.get(),
            status: first.status,
            source: first.source,
            submitted_by: first.submitted_by.map(|u| u.get()),
            created_at: first.created_at,
            volunteer_ids: entries.iter().map(|e| e.volunteer_id.get()).collect(),
            branch_ids: entries.iter().map(|e| e.branch_id.get()).collect(),
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
             service_date, started_at, ended_at, role, note, status, source, \
             submitted_by, created_at, updated_at) SELECT t.volunteer_id, ",
        );
        out.push_bind_param::<BigInt, _>(&self.event_id)?;
        out.push_sql(
            ", t.branch_id, t.minutes, t.service_date, t.started_at, t.ended_at, t.role, t.note, ",
        );
        out.push_bind_param::<Text, _>(self.status)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.source)?;
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
