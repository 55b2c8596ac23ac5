//! Idempotency-Key: a retried request is answered with the first one's response instead of
//! being done twice.
//!
//! A request first claims its key (a short transaction). The work then runs in its own
//! transaction, which also stores the response under the key, so the rows and the key's
//! record commit together or not at all. A claim whose request never finished (the server
//! died) lapses after the lease and a retry takes it over.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::HoursConfig;
use crate::db::schema::idempotency_keys;
use crate::db::{self, DbConn, Pool};
use crate::error::{AppError, AppResult};

pub const HEADER: &str = "idempotency-key";

/// The keys accepted: 1 to 255 visible ASCII characters (a UUID is a good choice).
pub const KEY_PATTERN: &str = "^[!-~]{1,255}$";

/// The key of a request, checked: 1-255 visible ASCII characters.
pub fn key_of(req: &HttpRequest, required: bool) -> AppResult<Option<String>> {
    match req.headers().get(HEADER) {
        None if required => Err(AppError::BadRequest(
            "this request needs an Idempotency-Key header (a fresh random value per submission, reused on retries)".into(),
        )),
        None => Ok(None),
        Some(v) => {
            let key = v.to_str().unwrap_or("").trim();
            if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(AppError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into()));
            }
            Ok(Some(key.to_owned()))
        }
    }
}

/// What makes two requests "the same": method, path and the body as JSON (key order and
/// white space do not matter).
/// Passwords are left out, so that no fast hash of one is ever stored.
pub fn request_hash(method: &str, path: &str, body: &serde_json::Value) -> String {
    let body = without_secrets(body);
    let digest = Sha256::digest(format!("{method} {path}\n{body}").as_bytes());
    crate::auth::tokens::hex(&digest)
}

fn without_secrets(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !k.contains("password"))
            .map(|(k, v)| (k.clone(), without_secrets(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        serde_json::Value::Array(items) => items.iter().map(without_secrets).collect(),
        other => other.clone(),
    }
}

#[derive(Debug)]
pub struct Lease {
    pub id: i64,
}

/// A response as stored for replay.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
}

impl Stored {
    pub fn response(&self, replayed: bool) -> HttpResponse {
        let mut b =
            HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK));
        b.content_type("application/json");
        if let Some(l) = &self.location {
            b.insert_header((header::LOCATION, l.clone()));
        }
        if let Some(e) = &self.etag {
            b.insert_header((header::ETAG, e.clone()));
        }
        if replayed {
            b.insert_header(("idempotent-replayed", "true"));
        }
        b.body(self.body.clone())
    }
}

pub enum Claim {
    Fresh(Lease),
    Replay(Stored),
}

#[allow(clippy::too_many_arguments)]
pub fn claim(
    conn: &mut DbConn,
    user_id: i64,
    key: &str,
    method: &str,
    path: &str,
    hash: &str,
    cfg: &HoursConfig,
) -> AppResult<Claim> {
    db::write_tx(conn, |conn| {
        let now = db::now();
        // expired keys go as new ones come
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.lt(now)))
            .execute(conn)?;
        let existing = idempotency_keys::table
            .filter(idempotency_keys::user_id.eq(user_id))
            .filter(idempotency_keys::key.eq(key))
            .select((
                idempotency_keys::id,
                idempotency_keys::request_hash,
                idempotency_keys::state,
                idempotency_keys::created_at,
                idempotency_keys::response_status,
                idempotency_keys::response_headers,
                idempotency_keys::response_body,
            ))
            .first::<(
                i64,
                String,
                String,
                NaiveDateTime,
                Option<i32>,
                Option<String>,
                Option<String>,
            )>(conn)
            .optional()?;
        let lease = chrono::Duration::from_std(cfg.idempotency_lease).unwrap_or_default();
        match existing {
            None => {
                let ttl = chrono::Duration::from_std(cfg.idempotency_ttl).unwrap_or_default();
                let inserted = crate::db_run!(conn, |c| diesel::insert_into(idempotency_keys::table)
                    .values((
                        idempotency_keys::user_id.eq(user_id),
                        idempotency_keys::key.eq(key),
                        idempotency_keys::method.eq(method),
                        idempotency_keys::path.eq(path),
                        idempotency_keys::request_hash.eq(hash),
                        idempotency_keys::state.eq("in_progress"),
                        idempotency_keys::created_at.eq(now),
                        idempotency_keys::expires_at.eq(now + ttl),
                    ))
                    .returning(idempotency_keys::id)
                    .get_result::<i64>(c));
                match inserted {
                    Ok(id) => Ok(Claim::Fresh(Lease { id })),
                    // a concurrent request with the same key got there first
                    Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Err(in_progress()),
                    Err(e) => Err(e.into()),
                }
            }
            Some((_, stored_hash, ..)) if stored_hash != hash => Err(AppError::validation(
                "/header/idempotency-key",
                "this Idempotency-Key was used for a different request; use a new key for a new submission",
            )),
            Some((_, _, state, _, Some(status), headers, body)) if state == "completed" => {
                let headers: serde_json::Value = headers.and_then(|h| serde_json::from_str(&h).ok()).unwrap_or_default();
                let header = |name: &str| headers[name].as_str().map(str::to_owned);
                Ok(Claim::Replay(Stored {
                    status: status as u16,
                    location: header("location"),
                    etag: header("etag"),
                    body: body.unwrap_or_default(),
                }))
            }
            Some((id, _, _, created_at, ..)) if created_at + lease < now => {
                // the first request died without finishing: take its claim over
                diesel::update(idempotency_keys::table.find(id)).set(idempotency_keys::created_at.eq(now)).execute(conn)?;
                Ok(Claim::Fresh(Lease { id }))
            }
            Some(_) => Err(in_progress()),
        }
    })
}

fn in_progress() -> AppError {
    AppError::Conflict(
        "a request with this Idempotency-Key is still being processed; retry shortly".into(),
    )
}

/// Stores the response under the key; call inside the transaction that does the work.
pub fn complete(conn: &mut DbConn, lease: &Lease, stored: &Stored) -> QueryResult<()> {
    let headers =
        serde_json::json!({ "location": stored.location, "etag": stored.etag }).to_string();
    diesel::update(idempotency_keys::table.find(lease.id))
        .set((
            idempotency_keys::state.eq("completed"),
            idempotency_keys::response_status.eq(i32::from(stored.status)),
            idempotency_keys::response_headers.eq(headers),
            idempotency_keys::response_body.eq(&stored.body),
            idempotency_keys::completed_at.eq(db::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Gives the key back after a failed request, so that a corrected retry may use it.
pub async fn release(pool: &Pool, lease: Lease) {
    let result = db::run(pool, move |conn| {
        Ok(diesel::delete(
            idempotency_keys::table
                .find(lease.id)
                .filter(idempotency_keys::state.eq("in_progress")),
        )
        .execute(conn)?)
    })
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not release an idempotency key; it lapses with its lease");
    }
}

/// Runs `work` in one write transaction, once per Idempotency-Key when the request carries
/// one: a retry is answered from the stored response. `work` ends with [`finish`], which
/// stores the response in the same transaction.
pub async fn once<F>(
    state: &crate::AppState,
    req: &HttpRequest,
    user_id: i64,
    key: Option<String>,
    body: &serde_json::Value,
    work: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConn, Option<&Lease>) -> AppResult<Stored> + Send + 'static,
{
    let Some(key) = key else {
        let stored = db::run(&state.pool, move |conn| {
            db::write_tx(conn, |conn| work(conn, None))
        })
        .await?;
        return Ok(stored.response(false));
    };
    let hash = request_hash("POST", req.path(), body);
    let (path, cfg) = (req.path().to_owned(), state.config.hours.clone());
    let claimed = db::run(&state.pool, move |conn| {
        claim(conn, user_id, &key, "POST", &path, &hash, &cfg)
    })
    .await?;
    let lease = match claimed {
        Claim::Replay(stored) => return Ok(stored.response(true)),
        Claim::Fresh(lease) => lease,
    };
    let lease_id = lease.id;
    let result = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| work(conn, Some(&Lease { id: lease_id })))
    })
    .await;
    match result {
        Ok(stored) => Ok(stored.response(false)),
        Err(e) => {
            release(&state.pool, lease).await;
            Err(e)
        }
    }
}

/// The response of a creating request, stored under its key (if any) in the current
/// transaction.
pub fn finish<T: serde::Serialize>(
    conn: &mut DbConn,
    lease: Option<&Lease>,
    location: String,
    etag: Option<String>,
    body: &T,
) -> AppResult<Stored> {
    let stored = Stored {
        status: 201,
        location: Some(location),
        etag,
        body: serde_json::to_string(body).map_err(|e| AppError::internal(e.to_string()))?,
    };
    if let Some(lease) = lease {
        complete(conn, lease, &stored)?;
    }
    Ok(stored)
}
