//! Account administration (admin only).

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;

use super::dto::{CreateUser, UpdateUser, UserQuery, UserResponse};
use super::model::{self as user_model, check_username, NewUser, UserRow};
use crate::audit::{self, NewAudit};
use crate::auth::{password, AdminOnly, Auth, Role};
use crate::db::schema::{branches, users, volunteers};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::http::{etag, versioned, ApiJson, IfMatch, Page, Paging};
use crate::idempotency::Creation;
use crate::msg;
use crate::AppState;

/// List accounts, ordered by id.
///
/// Administrators only. Filters: role, branch, disabled, a search in the username.
#[utoipa::path(
    tag = "users",
    params(UserQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = Page<UserResponse>),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Auth<AdminOnly>,
    query: web::Query<UserQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let search = crate::validate::search(q.q.as_deref())?;
    let (rows, total) = state
        .reads(&caller)
        .db(move |conn| {
            let filtered = || {
                let mut f = users::table.into_boxed();
                if let Some(role) = q.role {
                    f = f.filter(users::role.eq(role.as_str()));
                }
                if let Some(branch) = q.branch_id {
                    f = f.filter(users::branch_id.eq(branch));
                }
                if let Some(disabled) = q.disabled {
                    f = f.filter(users::disabled.eq(disabled));
                }
                if let Some(pattern) = &search {
                    f = f.filter(users::username.like(pattern.clone()).escape('\\'));
                }
                f
            };
            Ok(crate::page_of!(conn, filtered, users::id, paging, UserRow))
        })
        .await?;
    Ok(paging.respond(rows.into_iter().map(UserResponse::from).collect(), total))
}

/// One account.
///
/// Administrators only. Never carries the password or its hash.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = UserResponse,
         headers(("ETag" = String, description = "Current version; send it back in If-Match to change the account"))),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    _caller: Auth<AdminOnly>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| Ok(user_model::find(conn, id)?))
        .await?;
    Ok(versioned(row.version, UserResponse::from(row)))
}

fn check_links(
    conn: &mut DbConn,
    role: Role,
    branch_id: Option<i64>,
    volunteer_id: Option<i64>,
) -> AppResult<()> {
    let mut errors = Vec::new();
    if role == Role::Secretary && branch_id.is_none() {
        errors.push(FieldError::new(
            "/branch_id",
            msg!("secretary-needs-branch"),
        ));
    }
    if role == Role::Volunteer && volunteer_id.is_none() {
        errors.push(FieldError::new(
            "/volunteer_id",
            msg!("volunteer-account-needs-volunteer"),
        ));
    }
    if let Some(b) = branch_id {
        let exists: i64 = branches::table
            .filter(branches::id.eq(b))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            errors.push(FieldError::new("/branch_id", msg!("no-such-branch")));
        }
    }
    if let Some(v) = volunteer_id {
        let exists: i64 = volunteers::table
            .filter(volunteers::id.eq(v))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            errors.push(FieldError::new("/volunteer_id", msg!("no-such-volunteer")));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

fn audit_json(row: &UserRow) -> String {
    serde_json::json!({
        "username": row.username, "role": row.role, "branch_id": row.branch_id,
        "volunteer_id": row.volunteer_id, "disabled": row.disabled,
    })
    .to_string()
}

/// Create an account.
///
/// Administrators only. A secretary needs a branch and a volunteer account a volunteer;
/// usernames are unique (409). Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserResponse,
         headers(("Location" = String, description = "URL of the new account"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username, or the volunteer's account, exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named by a JSON pointer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<AdminOnly>,
    create: Creation<CreateUser>,
) -> AppResult<HttpResponse> {
    let (parsed, pending) = create.parts();
    let CreateUser {
        username,
        password,
        role,
        branch_id,
        volunteer_id,
    } = parsed;
    let mut errors = Vec::new();
    if let Err(e) = check_username(&username) {
        errors.push(FieldError::new("/username", e));
    }
    if let Err(e) = password::check_rules(&username, &password) {
        errors.push(FieldError::new("/password", e));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = state.hash_password(password).await?;
    let actor = caller.user_id;
    let user_id = caller.user_id;
    pending
        .once(&state, &req, user_id, move |conn, lease| {
            check_links(conn, role, branch_id, volunteer_id)?;
            if user_model::find_by_username(conn, &username)?.is_some() {
                return Err(AppError::Conflict(msg!(
                    "username-taken",
                    username = username.as_str()
                )));
            }
            if let Some(v) = volunteer_id {
                let linked: i64 = users::table
                    .filter(users::volunteer_id.eq(v))
                    .count()
                    .get_result(conn)?;
                if linked > 0 {
                    return Err(AppError::Conflict(msg!("volunteer-has-account")));
                }
            }
            let now = db::now();
            diesel::insert_into(users::table)
                .values(NewUser {
                    username: &username,
                    password_hash: &hash,
                    role: role.as_str(),
                    branch_id,
                    volunteer_id,
                    created_at: now,
                    updated_at: now,
                })
                .execute(conn)?;
            let row = user_model::find_by_username(conn, &username)?.ok_or(AppError::NotFound)?;
            audit::record(
                conn,
                &NewAudit {
                    occurred_at: now,
                    actor_id: Some(actor),
                    action: audit::Action::Create,
                    entity: audit::Entity::User,
                    entity_id: Some(row.id),
                    before_json: None,
                    after_json: Some(audit_json(&row)),
                    reason: None,
                    request_id: None,
                },
            )?;
            let location = format!("/api/v1/users/{}", row.id);
            let tag = etag(row.version);
            crate::idempotency::finish(conn, lease, location, Some(tag), &UserResponse::from(row))
        })
        .await
}

/// Change an account: role, branch, volunteer link, disabled, or reset its password.
///
/// Needs `If-Match` with the account's ETag. A change of role, branch or password, or
/// disabling, ends the account's current sessions at once. Administrators cannot disable
/// or demote themselves.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = i64, Path, description = "User id"),
        ("If-Match" = String, Header, description = "The ETag from the last read of this account"),
    ),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = UserResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would disable or demote the caller, or the volunteer has an account", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The account changed since it was read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Auth<AdminOnly>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<UpdateUser>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let change = body.0;
    let hash = match &change.password {
        Some(p) => {
            // the rules need the username; fetch it first (404 before 422)
            let username = state
                .db(move |conn| Ok(user_model::find(conn, id)?.username))
                .await?;
            password::check_rules(&username, p)
                .map_err(|e| AppError::validation("/password", e))?;
            Some(state.hash_password(p.clone()).await?)
        }
        None => None,
    };
    let actor = caller.user_id;
    let row = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let before = user_model::find(conn, id)?;
                if_match.check(before.version)?;
                let old_role: Role = before.role.parse().map_err(AppError::internal)?;
                let role = change.role.unwrap_or(old_role);
                let branch_id = change.branch_id.unwrap_or(before.branch_id);
                let volunteer_id = change.volunteer_id.unwrap_or(before.volunteer_id);
                let disabled = change.disabled.unwrap_or(before.disabled);
                if id == actor && (disabled || role != Role::Admin) {
                    return Err(AppError::Conflict(msg!("admin-keeps-itself")));
                }
                check_links(conn, role, branch_id, volunteer_id)?;
                if let Some(v) = volunteer_id.filter(|v| Some(*v) != before.volunteer_id) {
                    let linked: i64 = users::table
                        .filter(users::volunteer_id.eq(v))
                        .count()
                        .get_result(conn)?;
                    if linked > 0 {
                        return Err(AppError::Conflict(msg!("volunteer-has-account")));
                    }
                }
                let ends_sessions = role != old_role
                    || branch_id != before.branch_id
                    || (disabled && !before.disabled)
                    || hash.is_some();
                let now = db::now();
                let updated = diesel::update(
                    users::table
                        .find(id)
                        .filter(users::version.eq(before.version)),
                )
                .set((
                    users::role.eq(role.as_str()),
                    users::branch_id.eq(branch_id),
                    users::volunteer_id.eq(volunteer_id),
                    users::disabled.eq(disabled),
                    users::password_hash.eq(hash.as_deref().unwrap_or(&before.password_hash)),
                    users::token_version.eq(before.token_version + i64::from(ends_sessions)),
                    users::version.eq(before.version + 1),
                    users::updated_at.eq(now),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::PreconditionFailed);
                }
                if disabled || hash.is_some() {
                    user_model::revoke_all_refresh_tokens(conn, id, now)?;
                }
                let after = user_model::find(conn, id)?;
                let action = match (hash.is_some(), disabled != before.disabled) {
                    (true, _) => audit::Action::ResetPassword,
                    (false, true) if disabled => audit::Action::Disable,
                    (false, true) => audit::Action::Enable,
                    _ => audit::Action::Update,
                };
                audit::record(
                    conn,
                    &NewAudit {
                        occurred_at: now,
                        actor_id: Some(actor),
                        action,
                        entity: audit::Entity::User,
                        entity_id: Some(id),
                        before_json: Some(audit_json(&before)),
                        after_json: Some(audit_json(&after)),
                        reason: None,
                        request_id: None,
                    },
                )?;
                Ok(after)
            })
        })
        .await?;
    state.principals.forget(id);
    Ok(versioned(row.version, UserResponse::from(row)))
}
