//! Idempotency-Key: a retried request is answered with the first one's response instead of
//! being done twice.
//!
//! A request claims its key, does its work and stores its response under the key in one
//! transaction, so the rows and the key's record commit together or not at all: a request
//! that fails, or a server that dies, leaves the key free for the retry. A second request
//! with the key while the first is still running waits for it (PostgreSQL's unique index)
//! and is then answered with the first one's response. A claim left `in_progress` by an
//! older version of this service lapses after the lease.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::HoursConfig;
use crate::db::schema::idempotency_keys;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};

pub const HEADER: &str = "idempotency-key";
/// The header as the spec names it.
pub const HEADER_NAME: &str = "Idempotency-Key";

/// The keys accepted: 1 to 255 visible ASCII characters (a UUID is a good choice).
pub const KEY_PATTERN: &str = "^[!-~]{1,255}$";

/// The key of a request, checked: 1-255 visible ASCII characters.
pub fn key_of(req: &HttpRequest, required: bool) -> AppResult<Option<String>> {
    match req.headers().get(HEADER) {
        None if required => Err(AppError::BadRequest(crate::msg!(
            "idempotency-key-required"
        ))),
        None => Ok(None),
        Some(v) => {
            let key = v.to_str().unwrap_or("").trim();
            if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(AppError::BadRequest(crate::msg!("idempotency-key-form")));
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

/// Unix time of the last sweep of expired keys (per process).
static LAST_SWEEP: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Deletes expired keys, at most once a minute: a key is kept at least its TTL, so a few
/// extra seconds do not matter, and a request need not pay for the sweep.
fn sweep_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<()> {
    use std::sync::atomic::Ordering;
    let t = now.and_utc().timestamp();
    let last = LAST_SWEEP.load(Ordering::Relaxed);
    if t - last < 60
        || LAST_SWEEP
            .compare_exchange(last, t, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return Ok(());
    }
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.lt(now)))
        .execute(conn)
        .map(|_| ())
}

/// Claims `key` for `user_id` inside the caller's write transaction: a fresh claim, or the
/// stored response of the request that used the key first.
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
    let now = db::now();
    sweep_expired(conn, now)?;
    let ttl = chrono::Duration::from_std(cfg.idempotency_ttl).unwrap_or_default();
    // On PostgreSQL this waits while another transaction holds the same key, and then
    // inserts nothing if that one committed.
    let inserted: Option<i64> =
        crate::db_run!(conn, |c| diesel::insert_into(idempotency_keys::table)
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
            .on_conflict((idempotency_keys::user_id, idempotency_keys::key))
            .do_nothing()
            .returning(idempotency_keys::id)
            .get_result::<i64>(c)
            .optional())?;
    if let Some(id) = inserted {
        return Ok(Claim::Fresh(Lease { id }));
    }
    let (id, stored_hash, state, created_at, status, headers, body) = idempotency_keys::table
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
        )>(conn)?;
    let lease = chrono::Duration::from_std(cfg.idempotency_lease).unwrap_or_default();
    match (state.as_str(), status) {
        _ if stored_hash != hash => Err(AppError::validation(
            "/header/idempotency-key",
            crate::msg!("idempotency-key-reused"),
        )),
        ("completed", Some(status)) => {
            let headers: serde_json::Value = headers
                .and_then(|h| serde_json::from_str(&h).ok())
                .unwrap_or_default();
            let header = |name: &str| headers[name].as_str().map(str::to_owned);
            Ok(Claim::Replay(Stored {
                status: status as u16,
                location: header("location"),
                etag: header("etag"),
                body: body.unwrap_or_default(),
            }))
        }
        // a claim committed unfinished (by an older version) whose request died: take it over
        _ if created_at + lease < now => {
            diesel::update(idempotency_keys::table.find(id))
                .set(idempotency_keys::created_at.eq(now))
                .execute(conn)?;
            Ok(Claim::Fresh(Lease { id }))
        }
        _ => Err(in_progress()),
    }
}

fn in_progress() -> AppError {
    AppError::Conflict(crate::msg!("idempotency-in-progress"))
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
        let stored = state
            .db(move |conn| db::write_tx(conn, |conn| work(conn, None)))
            .await?;
        return Ok(stored.response(false));
    };
    let hash = request_hash("POST", req.path(), body);
    let (path, cfg) = (req.path().to_owned(), state.config.hours.clone());
    let (stored, replayed) = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                match claim(conn, user_id, &key, "POST", &path, &hash, &cfg)? {
                    Claim::Replay(stored) => Ok((stored, true)),
                    Claim::Fresh(lease) => Ok((work(conn, Some(&lease))?, false)),
                }
            })
        })
        .await?;
    Ok(stored.response(replayed))
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
    answer(conn, lease, 201, Some(location), etag, body)
}

/// The response of a request that runs once (`status`, e.g. 200 for a check-out), stored
/// under its key (if any) in the current transaction.
pub fn answer<T: serde::Serialize>(
    conn: &mut DbConn,
    lease: Option<&Lease>,
    status: u16,
    location: Option<String>,
    etag: Option<String>,
    body: &T,
) -> AppResult<Stored> {
    let stored = Stored {
        status,
        location,
        etag,
        body: serde_json::to_string(body).map_err(|e| AppError::internal(e.to_string()))?,
    };
    if let Some(lease) = lease {
        complete(conn, lease, &stored)?;
    }
    Ok(stored)
}

/// The answer to a creating POST of one object: its creation audited (the body as `after`),
/// and 201 with `Location` (`{collection}/{id}`) and the object's `ETag`, stored under the
/// key. Call inside the transaction that created it.
#[allow(clippy::too_many_arguments)]
pub fn created<T: serde::Serialize>(
    conn: &mut DbConn,
    lease: Option<&Lease>,
    actor: i64,
    entity: crate::audit::Entity,
    collection: &str,
    id: i64,
    version: i64,
    body: &T,
) -> AppResult<Stored> {
    use crate::audit;
    audit::log(
        conn,
        actor,
        audit::Action::Create,
        entity,
        id,
        audit::NOTHING,
        Some(body),
    )?;
    let etag = crate::http::etag(version);
    finish(conn, lease, format!("{collection}/{id}"), Some(etag), body)
}

/// A creating POST: its body parsed as `T`, and what [`once`] needs to run it once per
/// Idempotency-Key (the optional key, and the raw JSON its fingerprint is taken of). A
/// malformed key is 400, malformed JSON 400, a body of the wrong shape 422.
pub struct Creation<T> {
    body: T,
    pending: Pending,
}

/// A creating POST's key and raw body, until its work runs with [`Pending::once`].
pub struct Pending {
    key: Option<String>,
    value: serde_json::Value,
}

impl<T> Creation<T> {
    /// The parsed body, and the request to run once.
    pub fn parts(self) -> (T, Pending) {
        (self.body, self.pending)
    }
}

impl Pending {
    /// [`once`] for this request.
    pub async fn once<F>(
        self,
        state: &crate::AppState,
        req: &HttpRequest,
        user_id: i64,
        work: F,
    ) -> AppResult<HttpResponse>
    where
        F: FnOnce(&mut DbConn, Option<&Lease>) -> AppResult<Stored> + Send + 'static,
    {
        once(state, req, user_id, self.key, &self.value, work).await
    }
}

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for Creation<T> {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let key = key_of(req, false);
        let json = crate::http::ApiJson::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let key = key?;
            let value = json.await?.0;
            let body = crate::http::from_value(&value)?;
            Ok(Creation {
                body,
                pending: Pending { key, value },
            })
        })
    }
}
