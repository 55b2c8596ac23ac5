//! Volunteers: administrators everywhere, secretaries within their branches, HR reads
//! (masked), a volunteer sees itself.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;

use super::dto::{
    CreateVolunteer, UpdateVolunteer, Visibility, VolunteerQuery, VolunteerResponse,
    VolunteerStatus,
};
use super::model::{self as model, NewVolunteer, VolunteerRow};
use super::read;
use crate::audit;
use crate::auth::{AnyRole, Auth, Principal, Role, Scope, Writers};
use crate::db::pipelined::Pipelined;
use crate::db::schema::{hour_entries, users, volunteer_tags, volunteers};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::http::{versioned, ApiJson, IfMatch, Page, Paging};
use crate::idempotency::Creation;
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

type Boxed<'a> = volunteers::BoxedQuery<'a, crate::db::MultiBackend>;

/// Limits a volunteer query to the caller's scope.
fn scoped<'a>(query: Boxed<'a>, scope: &Scope) -> Boxed<'a> {
    match scope {
        Scope::All => query,
        Scope::Branches(ids) => query.filter(volunteers::branch_id.eq_any(ids.clone())),
        Scope::Volunteer(id) => query.filter(volunteers::id.eq(id.unwrap_or(-1))),
    }
}

/// How much of a volunteer's personal information `caller` sees.
pub fn visibility(caller: &Principal) -> Visibility {
    match caller.role {
        Role::Admin | Role::Secretary | Role::Volunteer => Visibility::Full,
        Role::Hr => Visibility::Masked,
    }
}

/// The volunteer `id` if the caller's scope holds it; 404 otherwise.
fn find_in_scope(conn: &mut DbConn, scope: &Scope, id: i64) -> AppResult<VolunteerRow> {
    Ok(scoped(volunteers::table.into_boxed(), scope)
        .filter(volunteers::id.eq(id))
        .select(VolunteerRow::as_select())
        .first(conn)?)
}

fn full(conn: &mut DbConn, row: VolunteerRow) -> QueryResult<VolunteerResponse> {
    let tags = model::tags_of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(VolunteerResponse::new(row, tags, Visibility::Full))
}

/// List volunteers, ordered by id.
///
/// Within the caller's scope: administrators and HR see every volunteer (HR with phone and
/// volunteer number masked), a secretary those of its branches, a volunteer itself.
/// Archived volunteers are left out unless `include_archived=true` or a `status` is asked.
#[utoipa::path(
    tag = "volunteers",
    params(VolunteerQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of volunteers", body = Page<VolunteerResponse>),
    )
)]
#[get("/volunteers")]
pub async fn list_volunteers(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<VolunteerQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let search = crate::validate::search(q.q.as_deref())?;
    if let Some(tag) = &q.tag {
        // a tag has one form: searching for another would only find nothing
        let mut errors = Errors::default();
        errors.tag("/query/tag", tag);
        if !errors.0.is_empty() {
            return Err(AppError::InvalidParameter(errors.0));
        }
    }
    let caller = caller.0;
    let visibility = visibility(&caller);
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            let under = crate::branches::model::subtree_of(conn, q.branch_id)?;
            let filtered = || {
                let mut f = scoped(volunteers::table.into_boxed(), &scope);
                if let Some(ids) = &under {
                    f = f.filter(volunteers::branch_id.eq_any(ids.clone()));
                }
                match q.status {
                    Some(s) => f = f.filter(volunteers::status.eq(s.as_str())),
                    None if !q.include_archived.unwrap_or(false) => {
                        f = f.filter(volunteers::status.ne("archived"))
                    }
                    None => {}
                }
                if let Some(tag) = q.tag.clone() {
                    f = f.filter(
                        volunteers::id.eq_any(
                            volunteer_tags::table
                                .filter(volunteer_tags::tag.eq(tag))
                                .select(volunteer_tags::volunteer_id),
                        ),
                    );
                }
                if let Some(pattern) = &search {
                    f = f.filter(volunteers::search_text.like(pattern.clone()).escape('\\'));
                }
                f
            };
            let (rows, total) =
                crate::page_of!(conn, filtered, volunteers::id, paging, VolunteerRow);
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut tags = model::tags_of(conn, &ids)?;
            let items = rows
                .into_iter()
                .map(|r| {
                    let t = tags.remove(&r.id).unwrap_or_default();
                    VolunteerResponse::new(r, t, visibility)
                })
                .collect::<Vec<_>>();
            Ok((items, total))
        })
        .await?;
    Ok(paging.respond(items, total))
}

/// One volunteer.
///
/// Within the caller's scope (404 outside it). The `ETag` is what a change sends back in
/// `If-Match`.
#[utoipa::path(
    tag = "volunteers",
    params(("id" = i64, Path, description = "Volunteer id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The volunteer", body = VolunteerResponse, headers(("ETag" = String, description = "Current version"))),
    )
)]
#[get("/volunteers/{id}")]
pub async fn get_volunteer(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
    pipelined: web::Data<Pipelined>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    let visibility = visibility(&caller);
    let (row, tags) = read::volunteer(&state, &pipelined, caller, id).await?;
    Ok(versioned(
        row.version,
        VolunteerResponse::new(row, tags, visibility),
    ))
}

struct Fields<'a> {
    name: &'a str,
    phone: Option<&'a str>,
    volunteer_number: Option<&'a str>,
    tags: &'a [String],
}

fn check(errors: &mut Errors, f: &Fields<'_>) {
    errors.text("/name", f.name, 1, 50);
    if let Some(p) = f.phone {
        errors.phone("/phone", p);
    }
    errors.opt_text("/volunteer_number", f.volunteer_number, 40);
    if f.tags.len() > 20 {
        errors.add("/tags", msg!("at-most-tags", max = 20));
    }
    for (i, t) in f.tags.iter().enumerate() {
        errors.tag(&format!("/tags/{i}"), t);
    }
}

fn number_taken(conn: &mut DbConn, number: Option<&str>, except: Option<i64>) -> AppResult<()> {
    let Some(number) = number else { return Ok(()) };
    let taken: i64 = volunteers::table
        .filter(volunteers::volunteer_number.eq(number))
        .filter(volunteers::id.ne(except.unwrap_or(-1)))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::Conflict(msg!("volunteer-number-taken")));
    }
    Ok(())
}

/// Register a volunteer.
///
/// Administrators, and secretaries into the branches of their scope. The volunteer number
/// is unique (409). Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "volunteers",
    request_body = CreateVolunteer,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = VolunteerResponse,
         headers(("Location" = String, description = "URL of the new volunteer"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "HR and volunteers cannot register volunteers", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The volunteer number is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a branch outside the caller's scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers")]
pub async fn create_volunteer(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    create: Creation<CreateVolunteer>,
) -> AppResult<HttpResponse> {
    let (parsed, pending) = create.parts();
    let v = parsed;
    let caller = caller.0;
    let user_id = caller.user_id;
    pending
        .once(&state, &req, user_id, move |conn, lease| {
            let scope = caller.scope(conn)?;
            let mut errors = Errors::default();
            check(
                &mut errors,
                &Fields {
                    name: &v.name,
                    phone: v.phone.as_deref(),
                    volunteer_number: v.volunteer_number.as_deref(),
                    tags: &v.tags,
                },
            );
            let branch_exists = crate::branches::model::find(conn, v.branch_id)
                .optional()?
                .is_some();
            if !branch_exists || !scope.has_branch(v.branch_id) {
                errors.add("/branch_id", msg!("no-such-branch-in-scope"));
            }
            errors.into_result()?;
            number_taken(conn, v.volunteer_number.as_deref(), None)?;
            let now = db::now();
            let new = NewVolunteer {
                name: &v.name,
                gender: v.gender.map(|g| g.as_str()),
                phone: v.phone.as_deref(),
                volunteer_number: v.volunteer_number.as_deref(),
                branch_id: v.branch_id,
                status: "active",
                joined_on: v.joined_on,
                created_at: now,
                updated_at: now,
                search_text: model::search_text(&v.name),
            };
            let id: i64 = crate::db_run!(conn, |c| diesel::insert_into(volunteers::table)
                .values(&new)
                .returning(volunteers::id)
                .get_result(c))?;
            model::replace_tags(conn, id, &v.tags)?;
            let row = model::find(conn, id)?;
            let version = row.version;
            let body = full(conn, row)?;
            crate::idempotency::created(
                conn,
                lease,
                caller.user_id,
                audit::Entity::Volunteer,
                "/api/v1/volunteers",
                id,
                version,
                &body,
            )
        })
        .await
}

/// Change a volunteer.
///
/// Administrators, and secretaries within their scope, with `If-Match`. Absent fields stay;
/// `null` clears a field where allowed; `tags` replaces the whole set. `status: archived`
/// retires one who has hours; moving it keeps past hours with the branch where they were
/// served.
#[utoipa::path(
    tag = "volunteers",
    params(("id" = i64, Path, description = "Volunteer id"), ("If-Match" = String, Header, description = "The volunteer's ETag")),
    request_body = UpdateVolunteer,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = VolunteerResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "HR and volunteers cannot change volunteers", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The volunteer number is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a branch outside the caller's scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/volunteers/{id}")]
pub async fn update_volunteer(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<UpdateVolunteer>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let change = body.0;
    let caller = caller.0;
    let (version, body) = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let scope = caller.scope(conn)?;
                let before = find_in_scope(conn, &scope, id)?;
                if_match.check(before.version)?;
                let before_body = full(conn, before.clone())?;
                let name = change.name.unwrap_or_else(|| before.name.clone());
                let gender = change.gender.unwrap_or(before_body.gender);
                let phone = change.phone.unwrap_or_else(|| before.phone.clone());
                let number = change
                    .volunteer_number
                    .unwrap_or_else(|| before.volunteer_number.clone());
                let branch_id = change.branch_id.unwrap_or(before.branch_id);
                let status = change
                    .status
                    .map_or_else(|| before.status.clone(), |s| s.as_str().to_owned());
                let joined_on = change.joined_on.unwrap_or(before.joined_on);
                let tags = change.tags.unwrap_or_else(|| before_body.tags.clone());
                let mut errors = Errors::default();
                check(
                    &mut errors,
                    &Fields {
                        name: &name,
                        phone: phone.as_deref(),
                        volunteer_number: number.as_deref(),
                        tags: &tags,
                    },
                );
                if branch_id != before.branch_id {
                    let exists = crate::branches::model::find(conn, branch_id)
                        .optional()?
                        .is_some();
                    if !exists || !scope.has_branch(branch_id) {
                        errors.add("/branch_id", msg!("no-such-branch-in-scope"));
                    }
                }
                errors.into_result()?;
                number_taken(conn, number.as_deref(), Some(id))?;
                let updated = diesel::update(
                    volunteers::table
                        .find(id)
                        .filter(volunteers::version.eq(before.version)),
                )
                .set((
                    volunteers::name.eq(&name),
                    volunteers::gender.eq(gender.map(|g| g.as_str())),
                    volunteers::phone.eq(&phone),
                    volunteers::volunteer_number.eq(&number),
                    volunteers::branch_id.eq(branch_id),
                    volunteers::status.eq(&status),
                    volunteers::joined_on.eq(joined_on),
                    volunteers::search_text.eq(model::search_text(&name)),
                    volunteers::version.eq(before.version + 1),
                    volunteers::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::PreconditionFailed);
                }
                model::replace_tags(conn, id, &tags)?;
                let after = model::find(conn, id)?;
                let version = after.version;
                let body = full(conn, after)?;
                let action =
                    if status == VolunteerStatus::Archived.as_str() && before.status != status {
                        audit::Action::Archive
                    } else {
                        audit::Action::Update
                    };
                audit::log(
                    conn,
                    caller.user_id,
                    action,
                    audit::Entity::Volunteer,
                    id,
                    Some(&before_body),
                    Some(&body),
                )?;
                Ok::<_, AppError>((version, body))
            })
        })
        .await?;
    Ok(versioned(version, body))
}

/// Delete a volunteer who has no hours, no commendations and no account.
///
/// Administrators, and secretaries within their scope, with `If-Match`. One with hours,
/// commendations or an account is archived instead (`PATCH {"status": "archived"}`): deleting it answers 409.
#[utoipa::path(
    tag = "volunteers",
    params(("id" = i64, Path, description = "Volunteer id"), ("If-Match" = String, Header, description = "The volunteer's ETag")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "HR and volunteers cannot delete volunteers", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Has hours, commendations or an account: archive instead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/volunteers/{id}")]
pub async fn delete_volunteer(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let scope = caller.scope(conn)?;
                let before = find_in_scope(conn, &scope, id)?;
                if_match.check(before.version)?;
                let hours: i64 = hour_entries::table
                    .filter(hour_entries::volunteer_id.eq(id))
                    .count()
                    .get_result(conn)?;
                let accounts: i64 = users::table
                    .filter(users::volunteer_id.eq(id))
                    .count()
                    .get_result(conn)?;
                let commendations = crate::commendations::model::count_of(conn, id)?;
                // a certificate names the volunteer for good
                let certified: i64 = crate::db::schema::certificates::table
                    .filter(crate::db::schema::certificates::volunteer_id.eq(id))
                    .count()
                    .get_result(conn)?;
                if hours > 0 || accounts > 0 || commendations > 0 || certified > 0 {
                    return Err(AppError::Conflict(msg!("volunteer-in-use")));
                }
                let before_body = full(conn, before)?;
                diesel::delete(volunteer_tags::table.filter(volunteer_tags::volunteer_id.eq(id)))
                    .execute(conn)?;
                diesel::delete(volunteers::table.find(id)).execute(conn)?;
                audit::log(
                    conn,
                    caller.user_id,
                    audit::Action::Delete,
                    audit::Entity::Volunteer,
                    id,
                    Some(&before_body),
                    audit::NOTHING,
                )?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
