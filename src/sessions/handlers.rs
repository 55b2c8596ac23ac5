//! Log in, refresh, log out, who am I, change my password.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::{ChangePassword, LoginRequest, RefreshRequest, TokenResponse};
use crate::audit::{self, NewAudit};
use crate::auth::tokens::{hash_refresh_token, random_token};
use crate::auth::{password, AnyRole, Auth, Role};
use crate::db::schema::{refresh_tokens, users};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::http::ApiJson;
use crate::msg;
use crate::users::dto::UserResponse;
use crate::users::model::{self as user_model, UserRow};
use crate::AppState;

/// Log in with a username and password.
///
/// Answers the same 401 whether the username is unknown, the password wrong, or the
/// account disabled or locked (after repeated failures), and takes the same time.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Invalid credentials", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u32, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LoginRequest>,
) -> AppResult<HttpResponse> {
    state.login_limiter.check(&req)?;
    let LoginRequest { username, password } = body.0;
    if username.len() > 64 || password.len() > password::MAX_LENGTH * 4 {
        return Err(AppError::Unauthorized(msg!("bad-credentials")));
    }
    let username = username.trim().to_lowercase();
    let lookup = username.clone();
    let user = state
        .db(move |conn| Ok(user_model::find_by_username(conn, &lookup)?))
        .await?;

    // Verify even for an unknown user, against a dummy hash, so timing reveals nothing.
    let hash = user
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |u| u.password_hash.clone());
    let verified = state.verify_password(hash, password).await?;

    let Some(user) = user else {
        return Err(AppError::Unauthorized(msg!("bad-credentials")));
    };
    let auth = state.config.auth.clone();
    let st = state.clone();
    let outcome = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                // re-read under a lock: concurrent failures must all count
                let user = user_model::lock(conn, user.id)?;
                let locked = user.locked_until.is_some_and(|t| t > now);
                if !verified || user.disabled || locked {
                    if !user.disabled && !locked {
                        record_failure(conn, &user, now, &auth)?;
                    }
                    return Ok(None);
                }
                diesel::update(users::table.find(user.id))
                    .set((
                        users::failed_logins.eq(0),
                        users::first_failed_login_at.eq(None::<NaiveDateTime>),
                        users::locked_until.eq(None::<NaiveDateTime>),
                        users::last_login_at.eq(now),
                    ))
                    .execute(conn)?;
                let pair = issue_refresh_token(conn, user.id, None, now, &auth)?;
                // signed before commit: a failure here leaves no used-up refresh token behind
                let body = token_response(&st, user_model::find(conn, user.id)?, pair)?;
                Ok::<_, AppError>(Some(body))
            })
        })
        .await?;
    match outcome {
        Some(body) => Ok(HttpResponse::Ok().json(body)),
        None => Err(AppError::Unauthorized(msg!("bad-credentials"))),
    }
}

fn record_failure(
    conn: &mut DbConn,
    user: &UserRow,
    now: NaiveDateTime,
    auth: &crate::config::AuthConfig,
) -> QueryResult<()> {
    let window = chrono::Duration::from_std(auth.lockout_window).unwrap_or_default();
    let in_window = user.first_failed_login_at.is_some_and(|t| now - t < window);
    let (failures, since) = if in_window {
        (user.failed_logins + 1, user.first_failed_login_at)
    } else {
        (1, Some(now))
    };
    let locked_until = (failures >= auth.lockout_failures as i32)
        .then(|| now + chrono::Duration::from_std(auth.lockout_duration).unwrap_or_default());
    if locked_until.is_some() {
        tracing::warn!(
            user_id = user.id,
            "account locked after repeated failed logins"
        );
        crate::audit::record(
            conn,
            &NewAudit {
                occurred_at: now,
                actor_id: None,
                action: audit::Action::Lock,
                entity: audit::Entity::User,
                entity_id: Some(user.id),
                before_json: None,
                after_json: None,
                reason: Some("repeated failed logins"),
                request_id: None,
            },
        )?;
    }
    diesel::update(users::table.find(user.id))
        .set((
            users::failed_logins.eq(if locked_until.is_some() { 0 } else { failures }),
            users::first_failed_login_at.eq(if locked_until.is_some() { None } else { since }),
            users::locked_until.eq(locked_until),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewRefreshToken<'a> {
    user_id: i64,
    family_id: &'a str,
    token_hash: &'a str,
    issued_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

/// Stores a new refresh token (of `family`, or of a new family) and returns it.
fn issue_refresh_token(
    conn: &mut DbConn,
    user_id: i64,
    family: Option<&str>,
    now: NaiveDateTime,
    auth: &crate::config::AuthConfig,
) -> QueryResult<(String, i64)> {
    let token = random_token(32);
    let new_family = random_token(16);
    let ttl = chrono::Duration::from_std(auth.refresh_ttl).unwrap_or_default();
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            user_id,
            family_id: family.unwrap_or(&new_family),
            token_hash: &hash_refresh_token(&token),
            issued_at: now,
            expires_at: now + ttl,
        })
        .execute(conn)?;
    Ok((token, ttl.num_seconds()))
}

fn token_response(
    state: &AppState,
    user: UserRow,
    (refresh_token, refresh_expires_in): (String, i64),
) -> AppResult<TokenResponse> {
    let role: Role = user.role.parse().map_err(AppError::internal)?;
    let access_token = state
        .keys
        .issue(user.id, role, user.branch_id, user.token_version)?;
    Ok(TokenResponse {
        access_token,
        token_type: super::dto::TokenType::Bearer,
        expires_in: state.keys.access_ttl_secs(),
        refresh_token,
        refresh_expires_in,
        user: user.into(),
    })
}

enum RefreshOutcome {
    Rotated(Box<TokenResponse>),
    Refused,
    /// A used token came back: its login is revoked (committed), and the answer is 401.
    Reused(i64),
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// Each refresh token works once. Presenting one that was already used (a sign that it was
/// copied) revokes every token descended from the same login and ends the user's access
/// tokens at their next use, and answers 401.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u32, description = "Seconds to wait"))),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<RefreshRequest>,
) -> AppResult<HttpResponse> {
    state.login_limiter.check(&req)?;
    let hash = hash_refresh_token(body.0.token()?);
    let auth = state.config.auth.clone();
    let st = state.clone();
    let outcome = state.db(move |conn| {
        db::write_tx(conn, |conn| {
            let now = db::now();
            // Lock the owner first, so a logout or password change running at the same
            // time either sees this rotation or is seen by it.
            let owner: Option<i64> = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(&hash))
                .select(refresh_tokens::user_id)
                .first(conn)
                .optional()?;
            let Some(owner) = owner else {
                return Ok(RefreshOutcome::Refused);
            };
            user_model::lock(conn, owner)?;
            let row = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(&hash))
                .select((
                    refresh_tokens::id,
                    refresh_tokens::user_id,
                    refresh_tokens::family_id,
                    refresh_tokens::expires_at,
                    refresh_tokens::used_at,
                    refresh_tokens::revoked_at,
                ))
                .first::<(
                    i64,
                    i64,
                    String,
                    NaiveDateTime,
                    Option<NaiveDateTime>,
                    Option<NaiveDateTime>,
                )>(conn)
                .optional()?;
            let Some((id, user_id, family, expires_at, used_at, revoked_at)) = row else {
                return Ok(RefreshOutcome::Refused);
            };
            if revoked_at.is_some() || expires_at <= now {
                return Ok(RefreshOutcome::Refused);
            }
            // Claim the token; a concurrent or earlier use of it means it was copied.
            let claimed = if used_at.is_none() {
                diesel::update(
                    refresh_tokens::table
                        .find(id)
                        .filter(refresh_tokens::used_at.is_null())
                        .filter(refresh_tokens::revoked_at.is_null())
                        .filter(refresh_tokens::expires_at.gt(now)),
                )
                .set(refresh_tokens::used_at.eq(now))
                .execute(conn)?
            } else {
                0
            };
            if claimed == 0 {
                tracing::warn!(user_id, "refresh token reused: revoking its family");
                diesel::update(
                    refresh_tokens::table
                        .filter(refresh_tokens::family_id.eq(&family))
                        .filter(refresh_tokens::revoked_at.is_null()),
                )
                .set(refresh_tokens::revoked_at.eq(now))
                .execute(conn)?;
                // and the access tokens issued to that login: whoever copied the refresh
                // token may hold one of them (the owner's other devices simply refresh)
                diesel::update(users::table.find(user_id))
                    .set(users::token_version.eq(users::token_version + 1))
                    .execute(conn)?;
                crate::audit::record(
                    conn,
                    &NewAudit {
                        occurred_at: now,
                        actor_id: None,
                        action: audit::Action::RefreshReuse,
                        entity: audit::Entity::User,
                        entity_id: Some(user_id),
                        before_json: None,
                        after_json: None,
                        reason: Some(
                            "a used refresh token was presented again: its family and the user's access tokens are revoked",
                        ),
                        request_id: None,
                    },
                )?;
                return Ok(RefreshOutcome::Reused(user_id));
            }
            let user = user_model::find(conn, user_id)?;
            if user.disabled {
                return Ok(RefreshOutcome::Refused);
            }
            let pair = issue_refresh_token(conn, user_id, Some(&family), now, &auth)?;
            let body = token_response(&st, user, pair)?;
            Ok::<_, AppError>(RefreshOutcome::Rotated(Box::new(body)))
        })
    })
    .await?;
    match outcome {
        RefreshOutcome::Rotated(body) => Ok(HttpResponse::Ok().json(*body)),
        RefreshOutcome::Refused => Err(AppError::Unauthorized(msg!("invalid-refresh-token"))),
        RefreshOutcome::Reused(user_id) => {
            state.principals.forget(user_id);
            Err(AppError::Unauthorized(msg!("invalid-refresh-token")))
        }
    }
}

/// Log out.
///
/// Revokes the refresh token's family, and ends every access token of the caller (other
/// sessions get a new one at their next refresh).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 422, description = "Invalid body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    body: ApiJson<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let hash = hash_refresh_token(body.0.token()?);
    let user_id = caller.user_id;
    state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                user_model::lock(conn, user_id)?;
                let family: Option<String> = refresh_tokens::table
                    .filter(refresh_tokens::token_hash.eq(&hash))
                    .filter(refresh_tokens::user_id.eq(user_id))
                    .select(refresh_tokens::family_id)
                    .first(conn)
                    .optional()?;
                if let Some(family) = family {
                    diesel::update(
                        refresh_tokens::table
                            .filter(refresh_tokens::family_id.eq(&family))
                            .filter(refresh_tokens::revoked_at.is_null()),
                    )
                    .set(refresh_tokens::revoked_at.eq(now))
                    .execute(conn)?;
                }
                diesel::update(users::table.find(user_id))
                    .set(users::token_version.eq(users::token_version + 1))
                    .execute(conn)?;
                crate::audit::record(
                    conn,
                    &NewAudit {
                        occurred_at: now,
                        actor_id: Some(user_id),
                        action: audit::Action::Logout,
                        entity: audit::Entity::User,
                        entity_id: Some(user_id),
                        before_json: None,
                        after_json: None,
                        reason: None,
                        request_id: None,
                    },
                )?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    state.principals.forget(user_id);
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own account.
///
/// Any role: who the access token belongs to, with its role, branch and volunteer link.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = UserResponse),
    )
)]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, caller: Auth<AnyRole>) -> AppResult<HttpResponse> {
    let id = caller.user_id;
    let user = state
        .db(move |conn| Ok(user_model::find(conn, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(user)))
}

/// Change the caller's password.
///
/// Needs the current password; the new one has at least 10 characters and is not the
/// username. Ends every session of the caller: log in again.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePassword,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; every token of the caller is revoked"),
        (status = 422, description = "Wrong current password, or the new one breaks the rules", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<AnyRole>,
    body: ApiJson<ChangePassword>,
) -> AppResult<HttpResponse> {
    // guesses at the current password with a stolen token are rate limited like logins
    state.login_limiter.check(&req)?;
    let ChangePassword {
        current_password,
        new_password,
    } = body.0;
    let id = caller.user_id;
    if let Err(rule) = password::check_rules(&caller.username, &new_password) {
        return Err(AppError::Validation(vec![FieldError::new(
            "/new_password",
            rule,
        )]));
    }
    let user = state
        .db(move |conn| Ok(user_model::find(conn, id)?))
        .await?;
    if current_password.len() > password::MAX_LENGTH * 4
        || !state
            .verify_password(user.password_hash.clone(), current_password)
            .await?
    {
        return Err(AppError::validation(
            "/current_password",
            msg!("not-current-password"),
        ));
    }
    let hash = state.hash_password(new_password).await?;
    let checked = user.password_hash;
    state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                user_model::lock(conn, id)?;
                // only over the password just checked: an administrator's reset meanwhile wins
                let changed = diesel::update(
                    users::table
                        .find(id)
                        .filter(users::password_hash.eq(&checked)),
                )
                .set((
                    users::password_hash.eq(&hash),
                    users::token_version.eq(users::token_version + 1),
                    users::version.eq(users::version + 1),
                    users::updated_at.eq(now),
                ))
                .execute(conn)?;
                if changed == 0 {
                    return Err(AppError::Conflict(msg!("password-changed-meanwhile")));
                }
                user_model::revoke_all_refresh_tokens(conn, id, now)?;
                audit::record(
                    conn,
                    &NewAudit {
                        occurred_at: now,
                        actor_id: Some(id),
                        action: audit::Action::ChangePassword,
                        entity: audit::Entity::User,
                        entity_id: Some(id),
                        before_json: None,
                        after_json: None,
                        reason: None,
                        request_id: None,
                    },
                )?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    state.principals.forget(id);
    Ok(HttpResponse::NoContent().finish())
}
