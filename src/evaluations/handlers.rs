//! Evaluations: given (created or replaced) by administrators and the organising branch's
//! secretaries for volunteers with an approved entry at the event; read by the same scope
//! as the volunteer's record, and by the organiser's secretaries.

use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use diesel::prelude::*;

use super::dto::{EvaluationQuery, EvaluationResponse, PutEvaluation};
use super::model::{self as model, EvaluationRow, NewEvaluation};
use crate::audit;
use crate::auth::{AnyRole, Auth, Writers};
use crate::db::schema::{evaluations, volunteers};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::http::{etag, versioned, ApiJson, IfMatch, Page, Paging};
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// The optional `If-Match` of a PUT: absent means "create or replace, whatever is there";
/// a malformed one is 400 as everywhere.
fn optional_if_match(req: &HttpRequest) -> AppResult<Option<IfMatch>> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    match IfMatch::parse(value.to_str().unwrap_or("")) {
        Some(condition) => Ok(Some(condition)),
        None => Err(AppError::InvalidParameter(vec![FieldError::new(
            "/header/If-Match",
            msg!("if-match-form"),
        )])),
    }
}

fn volunteer_exists(conn: &mut DbConn, id: i64) -> AppResult<()> {
    volunteers::table
        .find(id)
        .select(volunteers::id)
        .first::<i64>(conn)?;
    Ok(())
}

/// Rate a volunteer's service at an event.
///
/// Administrators, and secretaries whose scope holds the organising branch (404 for another
/// branch's event). The volunteer needs an approved hour entry at the event (409 otherwise).
/// One evaluation per volunteer and event: the first PUT creates it (201), a later one
/// replaces it (200; unchanged content writes nothing). `If-Match` is optional: without it
/// the PUT creates or replaces whatever is there; with an ETag it replaces only that version,
/// with `*` only an existing evaluation (412 otherwise).
#[utoipa::path(
    tag = "record",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("volunteer_id" = i64, Path, description = "Volunteer id"),
        ("If-Match" = Option<String>, Header, description = "Replace only this version (`*`: only an existing evaluation)"),
    ),
    request_body = PutEvaluation,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Replaced", body = EvaluationResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 201, description = "Created", body = EvaluationResponse,
         headers(("Location" = String, description = "URL of the evaluation"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "HR and volunteers cannot evaluate", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The volunteer has no approved hour entry at the event", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/events/{id}/evaluations/{volunteer_id}")]
pub async fn put_evaluation(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    path: web::Path<(i64, i64)>,
    body: ApiJson<PutEvaluation>,
) -> AppResult<HttpResponse> {
    let (event, volunteer) = path.into_inner();
    let condition = optional_if_match(&req)?;
    let put = body.0;
    let caller = caller.0;
    let (created, row) = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let scope = caller.scope(conn)?;
                let event_row = crate::events::model::lock(conn, event)?;
                if !scope.has_branch(event_row.organiser_branch_id) {
                    return Err(AppError::NotFound);
                }
                volunteer_exists(conn, volunteer)?;
                let mut errors = Errors::default();
                errors.opt_text("/comment", put.comment.as_deref(), 500);
                errors.into_result()?;
                if !model::has_approved_entry(conn, event, volunteer)? {
                    return Err(AppError::Conflict(msg!(
                        "evaluation-needs-approved-entry",
                        volunteer = volunteer,
                        event = event
                    )));
                }
                let existing = model::find(conn, event, volunteer)?;
                match (&condition, &existing) {
                    (Some(_), None) => return Err(AppError::PreconditionFailed),
                    (Some(c), Some(row)) => c.check(row.version)?,
                    (None, _) => {}
                }
                let rating = put.rating.as_str();
                let now = db::now();
                match existing {
                    Some(before) => {
                        if before.rating == rating && before.comment == put.comment {
                            return Ok((false, before));
                        }
                        let updated = diesel::update(
                            evaluations::table
                                .find(before.id)
                                .filter(evaluations::version.eq(before.version)),
                        )
                        .set((
                            evaluations::rating.eq(rating),
                            evaluations::comment.eq(&put.comment),
                            evaluations::updated_by.eq(Some(caller.user_id)),
                            evaluations::version.eq(before.version + 1),
                            evaluations::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                        if updated == 0 {
                            return Err(AppError::PreconditionFailed);
                        }
                        let after = find_by_id(conn, before.id)?;
                        audit::log(
                            conn,
                            caller.user_id,
                            audit::Action::Update,
                            audit::Entity::Evaluation,
                            before.id,
                            Some(&EvaluationResponse::from(before)),
                            Some(&EvaluationResponse::from(after.clone())),
                        )?;
                        Ok((false, after))
                    }
                    None => {
                        let new = NewEvaluation {
                            event_id: event,
                            volunteer_id: volunteer,
                            rating,
                            comment: put.comment.as_deref(),
                            created_by: Some(caller.user_id),
                            updated_by: Some(caller.user_id),
                            created_at: now,
                            updated_at: now,
                        };
                        let id: i64 =
                            crate::db_run!(conn, |c| diesel::insert_into(evaluations::table)
                                .values(&new)
                                .returning(evaluations::id)
                                .get_result(c))?;
                        let row = find_by_id(conn, id)?;
                        audit::log(
                            conn,
                            caller.user_id,
                            audit::Action::Create,
                            audit::Entity::Evaluation,
                            id,
                            audit::NOTHING,
                            Some(&EvaluationResponse::from(row.clone())),
                        )?;
                        Ok((true, row))
                    }
                }
            })
        })
        .await?;
    let mut answer = if created {
        let mut b = HttpResponse::Created();
        b.insert_header((
            header::LOCATION,
            format!("/api/v1/events/{event}/evaluations/{volunteer}"),
        ));
        b
    } else {
        HttpResponse::Ok()
    };
    answer.insert_header((header::ETAG, etag(row.version)));
    Ok(answer.json(EvaluationResponse::from(row)))
}

fn find_by_id(conn: &mut DbConn, id: i64) -> QueryResult<EvaluationRow> {
    evaluations::table
        .find(id)
        .select(EvaluationRow::as_select())
        .first(conn)
}

/// A volunteer's evaluation at an event.
///
/// Administrators and HR read every evaluation, a secretary those of events its branches
/// organised and those of its branches' volunteers, a volunteer its own (404 otherwise).
#[utoipa::path(
    tag = "record",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("volunteer_id" = i64, Path, description = "Volunteer id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The evaluation", body = EvaluationResponse, headers(("ETag" = String, description = "Current version"))),
    )
)]
#[get("/events/{id}/evaluations/{volunteer_id}")]
pub async fn get_evaluation(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (event, volunteer) = path.into_inner();
    let caller = caller.0;
    let row = state
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            let row: EvaluationRow = model::visible(evaluations::table.into_boxed(), &scope)
                .filter(evaluations::event_id.eq(event))
                .filter(evaluations::volunteer_id.eq(volunteer))
                .select(EvaluationRow::as_select())
                .first(conn)?;
            Ok::<_, AppError>(row)
        })
        .await?;
    Ok(versioned(row.version, EvaluationResponse::from(row)))
}

/// A volunteer's evaluations, the latest event first.
///
/// Within the caller's scope (404 for a volunteer outside it): administrators and HR read
/// every volunteer's, a secretary those of its branches' volunteers, a volunteer its own.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Volunteer id"), EvaluationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the volunteer's evaluations", body = Page<EvaluationResponse>),
    )
)]
#[get("/volunteers/{id}/evaluations")]
pub async fn list_volunteer_evaluations(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
    query: web::Query<EvaluationQuery>,
) -> AppResult<HttpResponse> {
    let volunteer = id.into_inner();
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    state
        .volunteer_page(caller.0, volunteer, paging, move |conn| {
            let filtered = || {
                evaluations::table
                    .filter(evaluations::volunteer_id.eq(volunteer))
                    .into_boxed()
            };
            let order = (evaluations::event_id.desc(), evaluations::id.desc());
            let (rows, total) = crate::page_of!(conn, filtered, order, paging, EvaluationRow);
            Ok((
                rows.into_iter().map(EvaluationResponse::from).collect(),
                total,
            ))
        })
        .await
}

/// The evaluations given at an event, by volunteer id.
///
/// Every role reads events; of their evaluations, administrators and HR read all, the
/// organising branch's secretaries all, other secretaries those of their branches'
/// volunteers, a volunteer its own.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Event id"), EvaluationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the event's evaluations", body = Page<EvaluationResponse>),
    )
)]
#[get("/events/{id}/evaluations")]
pub async fn list_event_evaluations(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
    query: web::Query<EvaluationQuery>,
) -> AppResult<HttpResponse> {
    let event = id.into_inner();
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let caller = caller.0;
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            crate::events::model::find(conn, event)?;
            let filtered = || {
                model::visible(evaluations::table.into_boxed(), &scope)
                    .filter(evaluations::event_id.eq(event))
            };
            let (rows, total) = crate::page_of!(
                conn,
                filtered,
                evaluations::volunteer_id.asc(),
                paging,
                EvaluationRow
            );
            let items: Vec<EvaluationResponse> = rows.into_iter().map(Into::into).collect();
            Ok::<_, AppError>((items, total))
        })
        .await?;
    Ok(paging.respond(items, total))
}
