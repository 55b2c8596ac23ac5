//! Corrections: an approved entry is never changed; a correction (signed minutes and a
//! reason) points at it and is reviewed like any entry.

use actix_web::{post, web, HttpRequest, HttpResponse};

use super::dto::{CorrectionInput, HourEntryResponse};
use super::model::{self, HourRow, NewHourEntry};
use super::rules::{self, DAY_MINUTES};
use super::source::EntrySource;
use super::status::HourStatus;
use crate::audit;
use crate::auth::{Auth, Writers};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::http::etag;
use crate::idempotency;
use crate::ids::{HourEntryId, UserId};
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// Correct an approved entry.
///
/// Administrators and secretaries in scope. An approved entry is never changed: the
/// correction (signed minutes and a reason) is a new entry pointing at it, submitted for
/// review like any entry. Totals count the entry plus its approved corrections, which must
/// leave it within 0 to 1440 minutes. Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "hours",
    params(
        ("id" = i64, Path, description = "The approved entry"),
    ),
    request_body = CorrectionInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The correction, awaiting review", body = HourEntryResponse,
         headers(("Location" = String, description = "URL of the correction"))),
        (status = 403, description = "HR and volunteers cannot correct", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Only approved original entries are corrected", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid minutes or reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hours/{id}/corrections")]
pub async fn correct_hours(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    create: idempotency::Creation<CorrectionInput>,
) -> AppResult<HttpResponse> {
    let (input, pending) = create.parts();
    let mut e = Errors::default();
    if !rules::valid_correction(input.minutes) {
        e.add("/minutes", msg!("correction-minutes", max = DAY_MINUTES));
    }
    e.text("/reason", &input.reason, 1, 500);
    e.into_result()?;
    let id = HourEntryId(id.into_inner());
    let caller = caller.0;
    let who = caller.clone();
    pending
        .once(&state, &req, caller.user_id, move |conn, lease| {
            let scope = who.scope(conn)?;
            let original = model::find_in_scope(conn, &scope, id)?;
            let row = record(
                conn,
                who.user_id,
                &original,
                input.minutes,
                &input.reason,
                EntrySource::Entered,
            )?;
            let location = format!("/api/v1/hours/{}", row.id);
            let tag = etag(row.version);
            idempotency::finish(
                conn,
                lease,
                location,
                Some(tag),
                &HourEntryResponse::from(row),
            )
        })
        .await
}

/// Records a correction of `minutes` to the approved entry `original` by `user_id`, in the
/// caller's transaction, with every rule of correcting: an approved original entry, its event
/// not cancelled, the entry left within 0 to 1440 minutes, the daily cap. Submitted for review
/// with `source`, and audited. Also what an accepted error report corrects a wrong entry with.
pub fn record(
    conn: &mut DbConn,
    user_id: i64,
    original: &HourRow,
    minutes: i32,
    reason: &str,
    source: EntrySource,
) -> AppResult<HourRow> {
    if !rules::valid_correction(minutes) {
        return Err(AppError::validation(
            "/minutes",
            msg!("correction-minutes", max = DAY_MINUTES),
        ));
    }
    model::lock_volunteers(conn, &[original.volunteer_id])?;
    if original.status != HourStatus::Approved || original.corrects_id.is_some() {
        return Err(AppError::Conflict(msg!("only-approved-corrected")));
    }
    let event = model::event(conn, original.event_id)?;
    if event.is_cancelled() {
        return Err(AppError::Conflict(msg!(
            "event-cancelled-no-corrections",
            event = event.id.to_string()
        )));
    }
    let net = model::net_minutes(conn, original, true)?;
    if let Err(total) = rules::net_after(net, i64::from(minutes)) {
        return Err(AppError::validation(
            "/minutes",
            msg!("would-leave-entry", total = total),
        ));
    }
    let day = model::day_total(conn, original.volunteer_id, original.service_date, None)?
        + i64::from(minutes);
    if day > DAY_MINUTES {
        return Err(AppError::validation(
            "/minutes",
            msg!(
                "over-daily-cap",
                total = day,
                date = original.service_date.to_string(),
                cap = DAY_MINUTES
            ),
        ));
    }
    let now = db::now();
    let row = model::insert_one(
        conn,
        &NewHourEntry {
            volunteer_id: original.volunteer_id,
            event_id: original.event_id,
            branch_id: original.branch_id,
            minutes,
            service_date: original.service_date,
            started_at: None,
            ended_at: None,
            role: None,
            note: Some(reason),
            status: HourStatus::Submitted.as_str(),
            corrects_id: Some(original.id),
            submitted_by: Some(UserId(user_id)),
            reviewed_by: None,
            reviewed_at: None,
            reason: None,
            created_at: now,
            updated_at: now,
            source: source.as_str(),
        },
    )?;
    audit::log_with_reason(
        conn,
        user_id,
        audit::Action::Correct,
        audit::Entity::HourEntry,
        row.id.get(),
        audit::NOTHING,
        Some(&row),
        Some(reason),
    )?;
    Ok(row)
}
