//! Reading the audit trail (administrators).

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Action, Entity};
use crate::auth::{AdminOnly, Auth};
use crate::db::schema::audit_log;
use crate::error::{AppResult, Problem};
use crate::http::{Page, Paging};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditItem {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// `null`: the system itself (seeding, the command line).
    #[schema(required = true)]
    pub actor_id: Option<i64>,
    // Stored only through `Action` (see `audit::record`), so always one of its names.
    #[schema(value_type = Action)]
    pub action: String,
    // Stored only through `Entity`, likewise.
    #[schema(value_type = Entity)]
    pub entity: String,
    /// `null` for a row about no single object (a seed run).
    #[schema(required = true)]
    pub entity_id: Option<i64>,
    /// The object before the change, as JSON (`null` for a creation).
    #[schema(required = true)]
    pub before: Option<serde_json::Value>,
    /// The object after the change, as JSON (`null` for a deletion).
    #[schema(required = true)]
    pub after: Option<serde_json::Value>,
    /// Why (reviews, corrections, amendments).
    #[schema(required = true, max_length = 1000)]
    pub reason: Option<String>,
    /// The `X-Request-Id` of the request that made the change (`null` from the command line).
    #[schema(required = true, max_length = 100)]
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub actor_id: Option<i64>,
    /// Rows about this kind of object.
    pub entity: Option<Entity>,
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub entity_id: Option<i64>,
    /// On or after this UTC day.
    pub from: Option<NaiveDate>,
    /// On or before this UTC day.
    pub to: Option<NaiveDate>,
}

pub type Row = (
    i64,
    chrono::NaiveDateTime,
    Option<i64>,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub const COLUMNS: (
    audit_log::id,
    audit_log::occurred_at,
    audit_log::actor_id,
    audit_log::action,
    audit_log::entity,
    audit_log::entity_id,
    audit_log::before_json,
    audit_log::after_json,
    audit_log::reason,
    audit_log::request_id,
) = (
    audit_log::id,
    audit_log::occurred_at,
    audit_log::actor_id,
    audit_log::action,
    audit_log::entity,
    audit_log::entity_id,
    audit_log::before_json,
    audit_log::after_json,
    audit_log::reason,
    audit_log::request_id,
);

impl From<Row> for AuditItem {
    fn from(
        (id, at, actor_id, action, entity, entity_id, before, after, reason, request_id): Row,
    ) -> Self {
        let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
        AuditItem {
            id,
            occurred_at: at.and_utc(),
            actor_id,
            action,
            entity,
            entity_id,
            before: parse(before),
            after: parse(after),
            reason,
            request_id,
        }
    }
}

/// The audit trail, newest first.
///
/// Administrators only. Every change the service makes writes a row in the transaction of
/// the change: who (`actor_id`, `null` for the system), what (`action` on `entity`
/// `entity_id`), the object before and after as JSON, the reason where one is given, and the
/// `X-Request-Id` of the request. Rows are never changed or deleted.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of audit rows", body = Page<AuditItem>),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    caller: Auth<AdminOnly>,
    query: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let body = state
        .reads(&caller)
        .db(move |conn| {
            let filtered = || {
                let mut f = audit_log::table.into_boxed();
                if let Some(a) = q.actor_id {
                    f = f.filter(audit_log::actor_id.eq(a));
                }
                if let Some(e) = q.entity {
                    f = f.filter(audit_log::entity.eq(e.as_str()));
                }
                if let Some(id) = q.entity_id {
                    f = f.filter(audit_log::entity_id.eq(id));
                }
                if let Some(from) = q.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
                    f = f.filter(audit_log::occurred_at.ge(from));
                }
                if let Some(to) =
                    q.to.and_then(|d| d.succ_opt())
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                {
                    f = f.filter(audit_log::occurred_at.lt(to));
                }
                f
            };
            let (rows, total) =
                crate::page_of!(conn, filtered, audit_log::id.desc(), paging, COLUMNS => Row);
            Ok(paging.page(rows.into_iter().map(AuditItem::from).collect(), total))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
