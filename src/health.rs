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
/// otherwise. Needs no token.
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
