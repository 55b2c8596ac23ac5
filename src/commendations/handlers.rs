//! Commendations: read within the volunteer's scope (administrators and HR everything, a
//! secretary its branches' volunteers, a volunteer its own); recorded, changed and removed
//! by administrators and by secretaries whose scope holds the volunteer.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;

use super::dto::{CommendationQuery, CommendationResponse, CreateCommendation, UpdateCommendation};
use super::model::{self as model, CommendationRow, NewCommendation};
use crate::audit;
use crate::auth::{AnyRole, Auth, Scope, Writers};
use crate::db::schema::commendations;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::http::{versioned, ApiJson, IfMatch, Page, Paging};
use crate::idempotency::Creation;
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// The commendation `id` if the caller's scope holds its volunteer; 404 otherwise.
fn find_in_scope(conn: &mut DbConn, scope: &Scope, id: i64) -> AppResult<CommendationRow> {
    let row = model::find(conn, id)?;
    scope.volunteer_branch(conn, row.volunteer_id)?;
    Ok(row)
}

/// The organisation's calendar day now.
fn today(state: &AppState) -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&state.config.hours.utc_offset)
        .date_naive()
}

struct Fields<'a> {
    title: &'a str,
    awarded_by: &'a str,
    awarded_on: NaiveDate,
    note: Option<&'a str>,
}

/// Every broken field at once.
fn check(f: &Fields<'_>, today: NaiveDate) -> AppResult<()> {
    let mut errors = Errors::default();
    errors.text("/title", f.title, 1, 200);
    errors.text("/awarded_by", f.awarded_by, 1, 200);
    if f.awarded_on > today {
        errors.add(
            "/awarded_on",
            msg!("not-after-today", today = today.to_string()),
        );
    }
    errors.opt_text("/note", f.note, 500);
    errors.into_result()
}

/// A volunteer's commendations, the latest first.
///
/// Within the caller's scope (404 for a volunteer outside it): administrators and HR read
/// every volunteer's, a secretary those of its branches' volunteers, a volunteer its own.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Volunteer id"), CommendationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the volunteer's commendations", body = Page<CommendationResponse>),
    )
)]
#[get("/volunteers/{id}/commendations")]
pub async fn list_commendations(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
    query: web::Query<CommendationQuery>,
) -> AppResult<HttpResponse> {
    let volunteer = id.into_inner();
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    state
        .volunteer_page(caller.0, volunteer, paging, move |conn| {
            let filtered = || {
                commendations::table
                    .filter(commendations::volunteer_id.eq(volunteer))
                    .into_boxed()
            };
            let order = (commendations::awarded_on.desc(), commendations::id.desc());
            let (rows, total) = crate::page_of!(conn, filtered, order, paging, CommendationRow);
            Ok((
                rows.into_iter().map(CommendationResponse::from).collect(),
                total,
            ))
        })
        .await
}

/// Record a commendation of a volunteer.
///
/// Administrators, and secretaries for volunteers of their scope (404 outside it). The date
/// is not after today. Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Volunteer id")),
    request_body = CreateCommendation,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = CommendationResponse,
         headers(("Location" = String, description = "URL of the new commendation"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "HR and volunteers cannot record commendations", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/{id}/commendations")]
pub async fn create_commendation(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    create: Creation<CreateCommendation>,
) -> AppResult<HttpResponse> {
    let volunteer = id.into_inner();
    let (c, pending) = create.parts();
    let caller = caller.0;
    let today = today(&state);
    pending
        .once(&state, &req, caller.user_id, move |conn, lease| {
            let scope = caller.scope(conn)?;
            scope.volunteer_branch(conn, volunteer)?;
            check(
                &Fields {
                    title: &c.title,
                    awarded_by: &c.awarded_by,
                    awarded_on: c.awarded_on,
                    note: c.note.as_deref(),
                },
                today,
            )?;
            let now = db::now();
            let new = NewCommendation {
                volunteer_id: volunteer,
                title: &c.title,
                awarded_by: &c.awarded_by,
                awarded_on: c.awarded_on,
                level: c.level.as_str(),
                note: c.note.as_deref(),
                created_by: Some(caller.user_id),
                created_at: now,
                updated_at: now,
            };
            let id: i64 = crate::db_run!(conn, |c| diesel::insert_into(commendations::table)
                .values(&new)
                .returning(commendations::id)
                .get_result(c))?;
            let row = model::find(conn, id)?;
            let version = row.version;
            let body = CommendationResponse::from(row);
            crate::idempotency::created(
                conn,
                lease,
                caller.user_id,
                audit::Entity::Commendation,
                "/api/v1/commendations",
                id,
                version,
                &body,
            )
        })
        .await
}

/// One commendation.
///
/// Within the caller's scope, as the volunteer's list. The `ETag` is what a change sends
/// back in `If-Match`.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Commendation id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The commendation", body = CommendationResponse, headers(("ETag" = String, description = "Current version"))),
    )
)]
#[get("/commendations/{id}")]
pub async fn get_commendation(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    let row = state
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            find_in_scope(conn, &scope, id)
        })
        .await?;
    Ok(versioned(row.version, CommendationResponse::from(row)))
}

/// Change a commendation.
///
/// Administrators, and secretaries whose scope holds the volunteer, with `If-Match`.
/// Absent fields stay; `note: null` clears the note.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Commendation id"), ("If-Match" = String, Header, description = "The commendation's ETag")),
    request_body = UpdateCommendation,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = CommendationResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "HR and volunteers cannot change commendations", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/commendations/{id}")]
pub async fn update_commendation(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<UpdateCommendation>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let change = body.0;
    let caller = caller.0;
    let today = today(&state);
    let row = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let scope = caller.scope(conn)?;
                let before = find_in_scope(conn, &scope, id)?;
                if_match.check(before.version)?;
                let title = change.title.unwrap_or_else(|| before.title.clone());
                let awarded_by = change
                    .awarded_by
                    .unwrap_or_else(|| before.awarded_by.clone());
                let awarded_on = change.awarded_on.unwrap_or(before.awarded_on);
                let level = change
                    .level
                    .map_or_else(|| before.level.clone(), |l| l.as_str().to_owned());
                let note = change.note.unwrap_or_else(|| before.note.clone());
                check(
                    &Fields {
                        title: &title,
                        awarded_by: &awarded_by,
                        awarded_on,
                        note: note.as_deref(),
                    },
                    today,
                )?;
                let updated = diesel::update(
                    commendations::table
                        .find(id)
                        .filter(commendations::version.eq(before.version)),
                )
                .set((
                    commendations::title.eq(&title),
                    commendations::awarded_by.eq(&awarded_by),
                    commendations::awarded_on.eq(awarded_on),
                    commendations::level.eq(&level),
                    commendations::note.eq(&note),
                    commendations::version.eq(before.version + 1),
                    commendations::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::PreconditionFailed);
                }
                let after = model::find(conn, id)?;
                audit::log(
                    conn,
                    caller.user_id,
                    audit::Action::Update,
                    audit::Entity::Commendation,
                    id,
                    Some(&CommendationResponse::from(before)),
                    Some(&CommendationResponse::from(after.clone())),
                )?;
                Ok::<_, AppError>(after)
            })
        })
        .await?;
    Ok(versioned(row.version, CommendationResponse::from(row)))
}

/// Remove a commendation recorded by mistake.
///
/// Administrators, and secretaries whose scope holds the volunteer, with `If-Match`. The
/// audit log keeps what it said.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Commendation id"), ("If-Match" = String, Header, description = "The commendation's ETag")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "HR and volunteers cannot remove commendations", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/commendations/{id}")]
pub async fn delete_commendation(
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
                let deleted = diesel::delete(
                    commendations::table
                        .find(id)
                        .filter(commendations::version.eq(before.version)),
                )
                .execute(conn)?;
                if deleted == 0 {
                    return Err(AppError::PreconditionFailed);
                }
                audit::log(
                    conn,
                    caller.user_id,
                    audit::Action::Delete,
                    audit::Entity::Commendation,
                    id,
                    Some(&CommendationResponse::from(before)),
                    audit::NOTHING,
                )?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
