//! Liveness and readiness, for load balancers and orchestrators.

use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DatabaseUrl;
use crate::error::{AppError, AppResult};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(schema_with = ok_schema)]
    pub status: &'static str,
    /// The software version.
    #[schema(example = "0.1.0", max_length = 64)]
    pub version: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(schema_with = ready_schema)]
    pub status: &'static str,
    #[schema(schema_with = database_schema)]
    pub database: &'static str,
    /// Present when `DATABASE_REPLICA_URL` is set. The service is ready whatever the
    /// replica's state: without it, lists and reports read the primary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<ReplicaReadiness>,
}

/// The replica as its monitor last found it (checked twice a second).
#[derive(Serialize, ToSchema)]
pub struct ReplicaReadiness {
    #[schema(schema_with = reads_schema)]
    pub reads: &'static str,
    #[schema(schema_with = replica_state_schema)]
    pub state: &'static str,
    /// How far the replica was behind the primary at the last check, in seconds; `null`
    /// when it could not be measured.
    #[schema(minimum = 0, maximum = 1e9)]
    pub lag_secs: Option<f64>,
    /// `REPLICA_MAX_LAG_SECS`: further behind than this, reads go to the primary.
    #[schema(minimum = 1, maximum = 3600)]
    pub max_lag_secs: u64,
}

fn reads_schema() -> utoipa::openapi::Object {
    one_of(
        &["replica", "primary"],
        "Where lists, reports and exports read now (a user who has just written reads the \
         primary for `REPLICA_READ_AFTER_WRITE_SECS` whatever this says).",
    )
}

fn replica_state_schema() -> utoipa::openapi::Object {
    one_of(
        &[
            "streaming",
            "lagging",
            "unreachable",
            "not_standby",
            "starting",
        ],
        "`streaming`: caught up within the allowed lag; `lagging`: further behind; \
         `unreachable`: no connection or the check failed; `not_standby`: the server is not \
         in recovery, so not a replica; `starting`: not checked yet.",
    )
}

fn replica_readiness(state: &AppState) -> Option<ReplicaReadiness> {
    use crate::db::replica::{Health, Route};
    let replica = state.replica.as_ref()?;
    let (measured, _) = replica.health();
    let route = replica.route(false);
    Some(ReplicaReadiness {
        reads: if route == Route::Replica {
            "replica"
        } else {
            "primary"
        },
        state: match (measured, route) {
            (Health::Behind(_), Route::Replica) => "streaming",
            (Health::Behind(_), _) => "lagging",
            (Health::Unreachable, _) => "unreachable",
            (Health::NotStandby, _) => "not_standby",
            (Health::Starting, _) => "starting",
        },
        lag_secs: match measured {
            Health::Behind(lag) => Some((lag.as_secs_f64() * 1000.0).round() / 1000.0),
            _ => None,
        },
        max_lag_secs: state.config.replica.max_lag.as_secs(),
    })
}

fn one_of(values: &[&str], description: &str) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.to_vec()))
        .description(Some(description))
        .build()
}

fn ok_schema() -> utoipa::openapi::Object {
    one_of(&["ok"], "Always `ok`: the process answers.")
}

fn ready_schema() -> utoipa::openapi::Object {
    one_of(&["ready"], "Always `ready` with 200.")
}

fn database_schema() -> utoipa::openapi::Object {
    use crate::db::Backend;
    one_of(
        &[Backend::Postgres.name(), Backend::Sqlite.name()],
        "The database the service runs on.",
    )
}

/// Liveness: the process is up.
///
/// For load balancers and orchestrators; needs no token and never touches the database.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is up", body = Health))
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Readiness: the service can answer requests.
///
/// 200 when the database answers and holds this service's schema; 503 with `Retry-After`
/// otherwise. With a replica configured, also how far behind it is and whether lists,
/// reports and exports read from it. Needs no token.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "The database is unreachable; retry after the number of seconds in Retry-After",
         body = crate::error::Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u32, description = "Seconds to wait before retrying")))
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let pool = state.pool.clone();
    let url = state.config.database_url.clone();
    let backend = web::block(move || -> Result<&'static str, String> {
        // A SQLite file deleted under a running server would leave it writing to nothing.
        if let DatabaseUrl::SqliteFile(path) = &url {
            if !path.exists() {
                return Err("the SQLite database file is gone".into());
            }
        }
        let mut conn = pool
            .get_timeout(Duration::from_secs(2))
            .map_err(|e| e.to_string())?;
        diesel::sql_query("SELECT 1 FROM __diesel_schema_migrations LIMIT 1")
            .execute(&mut conn)
            .map_err(|e| e.to_string())?;
        Ok(conn.backend().name())
    })
    .await?;
    match backend {
        Ok(database) => Ok(HttpResponse::Ok().json(Readiness {
            status: "ready",
            database,
            replica: replica_readiness(&state),
        })),
        Err(cause) => {
            tracing::warn!(%cause, "not ready");
            Err(AppError::Unavailable {
                detail: crate::msg!("database-unavailable"),
                retry_after_secs: 5,
            })
        }
    }
}

/// A person who opens the service's address is sent where it can be read.
pub async fn redirect(to: &'static str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((actix_web::http::header::LOCATION, to))
        .finish()
}

/// A JSON document made beforehand (the spec at `/openapi.json`).
pub async fn json_bytes(body: actix_web::web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body)
}

/// What `/` answers when the interactive documentation is off: where things are.
pub async fn index() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "service": "volunteer-hours",
        "version": env!("CARGO_PKG_VERSION"),
        "api": "/api/v1",
        "health": "/health",
        "ready": "/ready",
    }))
}
