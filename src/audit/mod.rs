//! The append-only audit trail: who changed what, when, and why.

pub mod handlers;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_audit);
}

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::DbConn;

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAudit<'a> {
    pub occurred_at: NaiveDateTime,
    /// `None` is the system itself (seeding, the command line).
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub reason: Option<&'a str>,
    /// Taken from the request being served when `None`.
    #[diesel(skip_insertion)]
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
        .values((row, audit_log::request_id.eq(request_id)))
        .execute(conn)
        .map(|_| ())
}

/// Records a change by `actor` to `entity` `id`, with its state before and after as JSON.
pub fn log<B: serde::Serialize, A: serde::Serialize>(
    conn: &mut DbConn,
    actor: i64,
    action: &str,
    entity: &str,
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
/// after), in one multi-row INSERT on PostgreSQL.
pub fn log_created<T: serde::Serialize>(
    conn: &mut DbConn,
    actor: i64,
    entity: &str,
    rows: &[T],
    id: impl Fn(&T) -> i64,
) -> QueryResult<()> {
    let request_id = current_request_id();
    let now = crate::db::now();
    let values: Vec<_> = rows
        .iter()
        .map(|row| {
            (
                audit_log::occurred_at.eq(now),
                audit_log::actor_id.eq(Some(actor)),
                audit_log::action.eq("create"),
                audit_log::entity.eq(entity),
                audit_log::entity_id.eq(Some(id(row))),
                audit_log::after_json.eq(serde_json::to_string(row).ok()),
                audit_log::request_id.eq(request_id.clone()),
            )
        })
        .collect();
    match conn {
        DbConn::Pg(c) => diesel::insert_into(audit_log::table)
            .values(&values)
            .execute(c)
            .map(|_| ()),
        DbConn::Sqlite(c) => {
            for v in &values {
                diesel::insert_into(audit_log::table).values(v).execute(c)?;
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
    action: &str,
    entity: &str,
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
