//! `GET /volunteers/{id}/record` and `GET /me/record`: who may read a volunteer's record is
//! who may read the volunteer (administrators and HR every one, HR masked; a secretary its
//! branches' volunteers; a volunteer itself).

use actix_web::{get, web, HttpResponse};

use super::dto::{hours_to_next_star, split, VolunteerRecord};
use super::model;
use crate::auth::{AnyRole, Auth, Principal};
use crate::commendations::dto::CommendationResponse;
use crate::db;
use crate::error::{AppError, AppResult, Problem};
use crate::error_reports::{self, dto::ErrorReportResponse};
use crate::evaluations::dto::EvaluationResponse;
use crate::hours::dto::star_level;
use crate::ids::VolunteerId;
use crate::volunteers::dto::VolunteerResponse;
use crate::volunteers::handlers::visibility;
use crate::volunteers::read::find_with_tags;
use crate::AppState;

/// A volunteer's record.
///
/// Within the caller's scope (404 outside it), with personal information shown as
/// `GET /volunteers/{id}` shows it. Service and training are apart; totals are of approved
/// entries with their approved corrections, by year and by plan item; the star level is
/// of service hours; the volunteer's open error reports are listed. Every part is read at the same moment, `generated_at`.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Volunteer id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The volunteer's record", body = VolunteerRecord),
    )
)]
#[get("/volunteers/{id}/record")]
pub async fn volunteer_record(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    record(&state, caller.0, id.into_inner()).await
}

/// The caller's own record.
///
/// For an account linked to a volunteer (404 otherwise): the same document as
/// `GET /volunteers/{id}/record`.
#[utoipa::path(
    tag = "record",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's record", body = VolunteerRecord),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/record")]
pub async fn my_record(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
) -> AppResult<HttpResponse> {
    let volunteer = caller.0.volunteer_id.ok_or(AppError::NotFound)?;
    record(&state, caller.0, volunteer).await
}

async fn record(state: &AppState, caller: Principal, volunteer: i64) -> AppResult<HttpResponse> {
    let thresholds = state.config.hours.star_thresholds_hours;
    let shown = visibility(&caller);
    let body = state
        .db(move |conn| {
            db::snapshot_tx(conn, |conn| {
                let generated_at = db::now().and_utc();
                let scope = caller.scope(conn)?;
                let (row, tags) = find_with_tags(conn, &scope, volunteer)?;
                let id = VolunteerId(volunteer);
                let (service, training) = split(model::served(conn, id)?);
                Ok(VolunteerRecord {
                    generated_at,
                    volunteer: VolunteerResponse::new(row, tags, shown),
                    star_level: star_level(service.approved_minutes, &thresholds),
                    hours_to_next_star: hours_to_next_star(service.approved_minutes, &thresholds),
                    pending_minutes: model::pending_minutes(conn, id)?,
                    service,
                    training,
                    commendations: model::commendations_of(conn, id)?
                        .into_iter()
                        .map(CommendationResponse::from)
                        .collect(),
                    evaluations: model::evaluations_of(conn, id)?
                        .into_iter()
                        .map(EvaluationResponse::from)
                        .collect(),
                    open_error_reports: error_reports::model::open_of_volunteer(conn, volunteer)?
                        .into_iter()
                        .map(ErrorReportResponse::from)
                        .collect(),
                })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
