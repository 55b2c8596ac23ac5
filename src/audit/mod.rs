//! The append-only audit trail: who changed what, when, and why.

pub mod handlers;
mod vocabulary;

pub use vocabulary::{Action, Entity};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_audit);
}

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::DbConn;

#[derive(Debug)]
pub struct NewAudit<'a> {
    pub occurred_at: NaiveDateTime,
    /// `None` is the system itself (seeding, the command line).
    pub actor_id: Option<i64>,
    pub action: Action,
    pub entity: Entity,
    pub entity_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub reason: Option<&'a str>,
    /// Taken from the request being served when `None`.
    pub request_id: Option<&'a str>,
}

thread_local! {
    /// The id of the HTTP request whose database work runs on this thread (set by
    /// `db::run`), so that every audit row names the request that caused it.
    static REQUEST_ID: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `id` as the current request id of this thread.
pub fn with_request_id<T>(id: Option<String>, f: impl FnOnce() -> T) -> T {
    REQUEST_ID.with(|c| *c.borrow_mut() = id);
    let out = f();
    REQUEST_ID.with(|c| *c.borrow_mut() = None);
    out
}

fn current_request_id() -> Option<String> {
    REQUEST_ID.with(|c| c.borrow().clone())
}

/// Records one audit row; call it inside the transaction of the change it describes.
pub fn record(conn: &mut DbConn, row: &NewAudit<'_>) -> QueryResult<()> {
    let request_id = row
        .request_id
        .map(str::to_owned)
        .or_else(current_request_id);
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::occurred_at.eq(row.occurred_at),
            audit_log::actor_id.eq(row.actor_id),
            audit_log::action.eq(row.action.as_str()),
            audit_log::entity.eq(row.entity.as_str()),
            audit_log::entity_id.eq(row.entity_id),
            audit_log::before_json.eq(row.before_json.as_deref()),
            audit_log::after_json.eq(row.after_json.as_deref()),
            audit_log::reason.eq(row.reason),
            audit_log::request_id.eq(request_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records a change by `actor` to `entity` `id`, with its state before and after as JSON.
pub fn log<B: serde::Serialize, A: serde::Serialize>(
    conn: &mut DbConn,
    actor: i64,
    action: Action,
    entity: Entity,
    id: i64,
    before: Option<&B>,
    after: Option<&A>,
) -> QueryResult<()> {
    let json = |v: Option<String>| v;
    record(
        conn,
        &NewAudit {
            occurred_at: crate::db::now(),
            actor_id: Some(actor),
            action,
            entity,
            entity_id: Some(id),
            before_json: json(before.and_then(|b| serde_json::to_string(b).ok())),
            after_json: json(after.and_then(|a| serde_json::to_string(a).ok())),
            reason: None,
            request_id: None,
        },
    )
}

/// Records the creation of many `rows` of `entity` by `actor` (each row's JSON as its state
/// after), in one statement on PostgreSQL.
pub fn log_created<T: serde::Serialize>(
    conn: &mut DbConn,
    actor: i64,
    entity: Entity,
    rows: &[T],
    id: impl Fn(&T) -> i64,
) -> QueryResult<()> {
    let request_id = current_request_id();
    let now = crate::db::now();
    let entity_ids: Vec<i64> = rows.iter().map(id).collect();
    let after_json: Vec<Option<String>> = rows
        .iter()
        .map(|row| serde_json::to_string(row).ok())
        .collect();
    match conn {
        DbConn::Pg(c) => PgCreations {
            occurred_at: now,
            actor_id: Some(actor),
            entity,
            request_id: request_id.as_deref(),
            entity_ids,
            after_json,
        }
        .execute(c)
        .map(|_| ()),
        DbConn::Sqlite(c) => {
            for (entity_id, after) in entity_ids.into_iter().zip(after_json) {
                diesel::insert_into(audit_log::table)
                    .values((
                        audit_log::occurred_at.eq(now),
                        audit_log::actor_id.eq(Some(actor)),
                        audit_log::action.eq(Action::Create.as_str()),
                        audit_log::entity.eq(entity.as_str()),
                        audit_log::entity_id.eq(Some(entity_id)),
                        audit_log::after_json.eq(after),
                        audit_log::request_id.eq(request_id.as_deref()),
                    ))
                    .execute(c)?;
            }
            Ok(())
        }
    }
}

/// `log` with a reason (reviews, corrections).
#[allow(clippy::too_many_arguments)]
pub fn log_with_reason<B: serde::Serialize, A: serde::Serialize>(
    conn: &mut DbConn,
    actor: i64,
    action: Action,
    entity: Entity,
    id: i64,
    before: Option<&B>,
    after: Option<&A>,
    reason: Option<&str>,
) -> QueryResult<()> {
    record(
        conn,
        &NewAudit {
            occurred_at: crate::db::now(),
            actor_id: Some(actor),
            action,
            entity,
            entity_id: Some(id),
            before_json: before.and_then(|b| serde_json::to_string(b).ok()),
            after_json: after.and_then(|a| serde_json::to_string(a).ok()),
            reason,
            request_id: None,
        },
    )
}

/// `None` for `log`'s before/after.
pub const NOTHING: Option<&()> = None;

/// Creations' audit rows on PostgreSQL as one `INSERT … SELECT … FROM unnest(…)`, a text
/// the server prepares once per connection whatever the number of rows (see
/// `hours::model::PgRosterInsert`).
struct PgCreations<'a> {
    occurred_at: NaiveDateTime,
    actor_id: Option<i64>,
    entity: Entity,
    request_id: Option<&'a str>,
    entity_ids: Vec<i64>,
    after_json: Vec<Option<String>>,
}

impl diesel::query_builder::QueryId for PgCreations<'_> {
    type QueryId = PgCreations<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Conn> RunQueryDsl<Conn> for PgCreations<'_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for PgCreations<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::*;
        out.push_sql(
            "INSERT INTO audit_log (occurred_at, actor_id, action, entity, entity_id, \
             after_json, request_id) SELECT ",
        );
        out.push_bind_param::<Timestamp, _>(&self.occurred_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&self.actor_id)?;
        out.push_sql(", 'create', ");
        out.push_bind_param::<Text, _>(self.entity.as_str())?;
        out.push_sql(", t.entity_id, t.after_json, ");
        out.push_bind_param::<Nullable<Text>, _>(&self.request_id)?;
        out.push_sql(" FROM unnest(");
        out.push_bind_param::<Array<BigInt>, _>(&self.entity_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.after_json)?;
        out.push_sql(") AS t (entity_id, after_json)");
        Ok(())
    }
}
