//! The caller: who presented the bearer token, checked against the database, so that
//! disabling a user or changing its role, branch or password takes effect at once rather
//! than when its tokens expire. What the database said is kept for `AUTH_CACHE_SECS`
//! (default 5) and forgotten as soon as this server changes the account; a change made
//! through another server takes effect here within that time.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use diesel::prelude::*;

use super::Role;
use crate::db::schema::users;
use crate::error::AppError;
use crate::AppState;

/// An authenticated user, as the database says it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub branch_id: Option<i64>,
    pub volunteer_id: Option<i64>,
}

/// username, role, branch, volunteer, disabled, token version
type UserRow = (String, String, Option<i64>, Option<i64>, bool, i64);

/// Accounts as the database last said they were, for a few seconds.
pub struct PrincipalCache {
    ttl: std::time::Duration,
    entries: std::sync::Mutex<std::collections::HashMap<i64, (std::time::Instant, UserRow)>>,
    /// Bumped by every `forget`, so that a row read before a change is not kept after it.
    epoch: std::sync::atomic::AtomicU64,
}

impl PrincipalCache {
    /// At most this many accounts are kept; beyond it the cache starts over.
    const CAPACITY: usize = 10_000;

    pub fn new(ttl: std::time::Duration) -> Self {
        PrincipalCache {
            ttl,
            entries: Default::default(),
            epoch: Default::default(),
        }
    }

    fn get(&self, user_id: i64) -> Option<UserRow> {
        let entries = self.entries.lock().ok()?;
        let (at, row) = entries.get(&user_id)?;
        (at.elapsed() < self.ttl).then(|| row.clone())
    }

    fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Keeps `row`, read when the epoch was `epoch`, unless an account changed since.
    fn put(&self, user_id: i64, row: UserRow, epoch: u64) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if self.epoch() != epoch {
                return;
            }
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
            entries.insert(user_id, (std::time::Instant::now(), row));
        }
    }

    /// Drops what is known of an account; call after changing it.
    pub fn forget(&self, user_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            entries.remove(&user_id);
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for Principal {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        // a request that may write: its caller is remembered once it is answered with success
        let writes = (!req.method().is_safe()).then(|| req.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            let token =
                token.ok_or_else(|| AppError::Unauthorized(crate::msg!("invalid-access-token")))?;
            let claims = state.keys.verify(&token).map_err(|e| {
                tracing::debug!(reason = %e, "access token refused");
                AppError::Unauthorized(crate::msg!("invalid-access-token"))
            })?;
            let user_id: i64 = claims
                .sub
                .parse()
                .map_err(|_| AppError::Unauthorized(crate::msg!("invalid-access-token")))?;
            let row = match state.principals.get(user_id) {
                Some(row) => Some(row),
                None => {
                    let epoch = state.principals.epoch();
                    let row = state
                        .db(move |conn| {
                            Ok(users::table
                                .find(user_id)
                                .select((
                                    users::username,
                                    users::role,
                                    users::branch_id,
                                    users::volunteer_id,
                                    users::disabled,
                                    users::token_version,
                                ))
                                .first::<UserRow>(conn)
                                .optional()?)
                        })
                        .await?;
                    if let Some(row) = &row {
                        state.principals.put(user_id, row.clone(), epoch);
                    }
                    row
                }
            };
            match row {
                Some((username, role, branch_id, volunteer_id, false, version))
                    if version == claims.ver =>
                {
                    let role = role.parse().map_err(|e: String| AppError::internal(e))?;
                    if let Some(req) = writes {
                        req.extensions_mut().insert(Writer(user_id));
                    }
                    Ok(Principal {
                        user_id,
                        username,
                        role,
                        branch_id,
                        volunteer_id,
                    })
                }
                _ => {
                    tracing::debug!(
                        user_id,
                        "access token of a disabled, changed or unknown user"
                    );
                    Err(AppError::Unauthorized(crate::msg!("invalid-access-token")).into())
                }
            }
        })
    }
}

/// The caller of a request that may write (any method but GET, HEAD, OPTIONS).
#[derive(Clone, Copy)]
struct Writer(i64);

/// Remembers who wrote, once the write is answered with success: with a replica configured,
/// that user's lists and reports read the primary for `REPLICA_READ_AFTER_WRITE_SECS`.
pub async fn remember_writers(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status().is_success() {
        let writer = res.request().extensions().get::<Writer>().copied();
        if let (Some(Writer(user)), Some(state)) =
            (writer, res.request().app_data::<web::Data<AppState>>())
        {
            state.recent_writers.wrote(user);
        }
    }
    Ok(res)
}

/// Which roles an endpoint admits; named in the handler's signature as `Auth<AdminOnly>`.
pub trait Access {
    const ROLES: &'static [Role];
}

/// Any authenticated user.
pub struct AnyRole;
impl Access for AnyRole {
    const ROLES: &'static [Role] = &Role::ALL;
}

pub struct AdminOnly;
impl Access for AdminOnly {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Those who change branch data: administrators and secretaries (within their scope).
pub struct Writers;
impl Access for Writers {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Secretary];
}

/// Volunteers only (their own records).
pub struct VolunteerOnly;
impl Access for VolunteerOnly {
    const ROLES: &'static [Role] = &[Role::Volunteer];
}

/// Everyone but HR: the parties to a volunteer's error report (the volunteer, and the
/// organisers who decide it).
pub struct NotHr;
impl Access for NotHr {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Secretary, Role::Volunteer];
}

/// A principal whose role the endpoint admits; others get 403.
pub struct Auth<A: Access>(pub Principal, PhantomData<A>);

impl<A: Access> std::ops::Deref for Auth<A> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<A: Access + 'static> FromRequest for Auth<A> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let principal = Principal::from_request(req, payload);
        Box::pin(async move {
            let principal = principal.await?;
            if A::ROLES.contains(&principal.role) {
                Ok(Auth(principal, PhantomData))
            } else {
                Err(AppError::Forbidden(crate::msg!(
                    "role-may-not",
                    role = principal.role.to_string()
                ))
                .into())
            }
        })
    }
}
