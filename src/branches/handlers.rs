//! The branch tree: everyone reads it, administrators change it.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;

use super::dto::{BranchQuery, BranchResponse, CreateBranch, UpdateBranch};
use super::model::{self as model, BranchRow, NewBranch};
use crate::audit;
use crate::auth::{AdminOnly, AnyRole, Auth};
use crate::db::schema::{branches, events, hour_entries, users, volunteers};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::http::{versioned, ApiJson, IfMatch, Page, Paging};
use crate::idempotency::Creation;
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// List branches, ordered by id.
///
/// Every role reads the whole tree. Archived branches are left out unless
/// `include_archived=true`; `parent_id` gives one level, `under` a whole subtree.
#[utoipa::path(
    tag = "branches",
    params(BranchQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of branches", body = Page<BranchResponse>),
    )
)]
#[get("/branches")]
pub async fn list_branches(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<BranchQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let search = crate::validate::search(q.q.as_deref())?;
    let (rows, total) = state
        .reads(&caller)
        .db(move |conn| {
            let under = model::subtree_of(conn, q.under)?;
            let filtered = || {
                let mut f = branches::table.into_boxed();
                if let Some(parent) = q.parent_id {
                    f = f.filter(branches::parent_id.eq(parent));
                }
                if let Some(ids) = &under {
                    f = f.filter(branches::id.eq_any(ids.clone()));
                }
                if !q.include_archived.unwrap_or(false) {
                    f = f.filter(branches::archived.eq(false));
                }
                if let Some(pattern) = &search {
                    f = f.filter(branches::search_text.like(pattern.clone()).escape('\\'));
                }
                f
            };
            Ok(crate::page_of!(
                conn,
                filtered,
                branches::id,
                paging,
                BranchRow
            ))
        })
        .await?;
    Ok(paging.respond(rows.into_iter().map(BranchResponse::from).collect(), total))
}

/// One branch, archived ones too.
///
/// Every role reads every branch. The `ETag` is what a change sends back in `If-Match`.
#[utoipa::path(
    tag = "branches",
    params(("id" = i64, Path, description = "Branch id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The branch", body = BranchResponse, headers(("ETag" = String, description = "Current version"))),
    )
)]
#[get("/branches/{id}")]
pub async fn get_branch(
    state: web::Data<AppState>,
    _caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let row = state.db(move |conn| Ok(model::find(conn, id)?)).await?;
    Ok(versioned(row.version, BranchResponse::from(row)))
}

fn check_parent(
    conn: &mut DbConn,
    errors: &mut Errors,
    branch: Option<i64>,
    parent: Option<i64>,
) -> AppResult<()> {
    let Some(parent) = parent else { return Ok(()) };
    let exists: i64 = branches::table
        .filter(branches::id.eq(parent))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        errors.add("/parent_id", msg!("no-such-branch"));
    } else if let Some(branch) = branch {
        if model::subtree(conn, branch)?.contains(&parent) {
            errors.add("/parent_id", msg!("branch-under-itself"));
        }
    }
    Ok(())
}

/// Create a branch.
///
/// Administrators only. The code is unique (409 when taken); the parent, if given, must
/// exist. Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "branches",
    request_body = CreateBranch,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = BranchResponse,
         headers(("Location" = String, description = "URL of the new branch"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/branches")]
pub async fn create_branch(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<AdminOnly>,
    create: Creation<CreateBranch>,
) -> AppResult<HttpResponse> {
    let (parsed, pending) = create.parts();
    let CreateBranch {
        code,
        name,
        parent_id,
    } = parsed;
    let actor = caller.user_id;
    let user_id = caller.user_id;
    pending
        .once(&state, &req, user_id, move |conn, lease| {
            let mut errors = Errors::default();
            errors.code("/code", &code);
            errors.text("/name", &name, 1, 100);
            check_parent(conn, &mut errors, None, parent_id)?;
            errors.into_result()?;
            if model::id_by_code(conn, &code)?.is_some() {
                return Err(AppError::Conflict(msg!(
                    "branch-code-taken",
                    code = code.as_str()
                )));
            }
            let now = db::now();
            diesel::insert_into(branches::table)
                .values(NewBranch {
                    code: &code,
                    name: &name,
                    parent_id,
                    created_at: now,
                    updated_at: now,
                    search_text: model::search_text(&code, &name),
                })
                .execute(conn)?;
            let id = model::id_by_code(conn, &code)?.ok_or(AppError::NotFound)?;
            let row = model::find(conn, id)?;
            let version = row.version;
            let body = BranchResponse::from(row);
            crate::idempotency::created(
                conn,
                lease,
                actor,
                audit::Entity::Branch,
                "/api/v1/branches",
                id,
                version,
                &body,
            )
        })
        .await
}

/// Change a branch.
///
/// Administrators only, with `If-Match`. Code, name, parent (never the branch itself or one
/// below it: 422) and `archived` may change; absent fields stay. Archiving hides the branch
/// from lists and keeps its history.
#[utoipa::path(
    tag = "branches",
    params(("id" = i64, Path, description = "Branch id"), ("If-Match" = String, Header, description = "The branch's ETag")),
    request_body = UpdateBranch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = BranchResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a cycle", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/branches/{id}")]
pub async fn update_branch(
    state: web::Data<AppState>,
    caller: Auth<AdminOnly>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<UpdateBranch>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let change = body.0;
    let actor = caller.user_id;
    let row = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let before = model::find(conn, id)?;
                if_match.check(before.version)?;
                let code = change.code.unwrap_or_else(|| before.code.clone());
                let name = change.name.unwrap_or_else(|| before.name.clone());
                let parent_id = change.parent_id.unwrap_or(before.parent_id);
                let mut errors = Errors::default();
                errors.code("/code", &code);
                errors.text("/name", &name, 1, 100);
                if parent_id != before.parent_id {
                    check_parent(conn, &mut errors, Some(id), parent_id)?;
                }
                errors.into_result()?;
                if code != before.code && model::id_by_code(conn, &code)?.is_some() {
                    return Err(AppError::Conflict(msg!(
                        "branch-code-taken",
                        code = code.as_str()
                    )));
                }
                let archived = change.archived.unwrap_or(before.archived);
                let updated = diesel::update(
                    branches::table
                        .find(id)
                        .filter(branches::version.eq(before.version)),
                )
                .set((
                    branches::code.eq(&code),
                    branches::name.eq(&name),
                    branches::parent_id.eq(parent_id),
                    branches::archived.eq(archived),
                    branches::search_text.eq(model::search_text(&code, &name)),
                    branches::version.eq(before.version + 1),
                    branches::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::PreconditionFailed);
                }
                let after = model::find(conn, id)?;
                let action = if archived && !before.archived {
                    audit::Action::Archive
                } else {
                    audit::Action::Update
                };
                audit::log(
                    conn,
                    actor,
                    action,
                    audit::Entity::Branch,
                    id,
                    Some(&BranchResponse::from(before)),
                    Some(&BranchResponse::from(after.clone())),
                )?;
                Ok(after)
            })
        })
        .await?;
    Ok(versioned(row.version, BranchResponse::from(row)))
}

/// Delete a branch that nothing refers to.
///
/// Administrators only, with `If-Match`. A branch with volunteers, hours, events, accounts
/// or sub-branches is archived instead (`PATCH {"archived": true}`): deleting it answers 409.
#[utoipa::path(
    tag = "branches",
    params(("id" = i64, Path, description = "Branch id"), ("If-Match" = String, Header, description = "The branch's ETag")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still in use: archive it instead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/branches/{id}")]
pub async fn delete_branch(
    state: web::Data<AppState>,
    caller: Auth<AdminOnly>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let actor = caller.user_id;
    state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let before = model::find(conn, id)?;
                if_match.check(before.version)?;
                // rows of `table` whose `column` is this branch
                macro_rules! rows_with {
                    ($table:ident . $column:ident) => {
                        $table::table
                            .filter($table::$column.eq(id))
                            .count()
                            .get_result::<i64>(conn)?
                    };
                }
                let uses = [
                    rows_with!(volunteers.branch_id),
                    rows_with!(hour_entries.branch_id),
                    rows_with!(events.organiser_branch_id),
                    rows_with!(users.branch_id),
                    rows_with!(branches.parent_id),
                ];
                if uses.iter().any(|n| *n > 0) {
                    return Err(AppError::Conflict(msg!("branch-in-use")));
                }
                diesel::delete(branches::table.find(id)).execute(conn)?;
                audit::log(
                    conn,
                    actor,
                    audit::Action::Delete,
                    audit::Entity::Branch,
                    id,
                    Some(&BranchResponse::from(before)),
                    audit::NOTHING,
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
