//! Review: approve or reject submitted entries and corrections, one or many at once.

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::{post, web, HttpResponse};

use super::dto::{BulkReview, HourEntryResponse, Rejection, ReviewAction, ReviewResponse};
use super::model::{self, HourRow};
use super::rules::{self, DAY_MINUTES};
use super::status::HourStatus;
use super::submit::MAX_ROSTER;
use crate::audit;
use crate::auth::{Auth, Principal, Role, Scope, Writers};
use crate::config::HoursConfig;
use crate::db;
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::http::{etag, ApiJson};
use crate::ids::{HourEntryId, UserId};
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// May `caller` review `entry`? Nobody reviews what it submitted itself unless
/// REVIEW_OWN_SUBMISSIONS is on; administrators may review the rest; with
/// PARENT_SECRETARY_REVIEWS, so may a secretary of a branch above the entry's, never for its
/// own submissions.
fn may_review(
    cfg: &HoursConfig,
    caller: &Principal,
    scope: &Scope,
    entry: &HourRow,
) -> AppResult<()> {
    if !scope.has_branch(entry.branch_id.get()) {
        return Err(AppError::NotFound);
    }
    if !cfg.review_own_submissions && entry.submitted_by == Some(UserId(caller.user_id)) {
        return Err(AppError::Forbidden(msg!(
            "own-submission",
            entry = entry.id.to_string()
        )));
    }
    match caller.role {
        Role::Admin => Ok(()),
        Role::Secretary
            if cfg.parent_secretary_reviews
                && caller.branch_id != Some(entry.branch_id.get())
                && entry.submitted_by != Some(UserId(caller.user_id)) =>
        {
            Ok(())
        }
        _ => Err(AppError::Forbidden(msg!("who-reviews"))),
    }
}

/// What approving `entry` must still hold: its event not cancelled, and for a correction,
/// the corrected entry within 0 to 1440 minutes and the volunteer's day within 24 hours.
fn approvable(conn: &mut db::DbConn, entry: &HourRow) -> AppResult<()> {
    let event = model::event(conn, entry.event_id)?;
    if event.is_cancelled() {
        return Err(AppError::Conflict(msg!(
            "event-cancelled-entry",
            event = event.id.to_string(),
            entry = entry.id.to_string()
        )));
    }
    let Some(original) = entry.corrects_id else {
        return Ok(());
    };
    let original = model::find(conn, original)?;
    let net = model::net_minutes(conn, &original, false)?;
    if let Err(total) = rules::net_after(net, i64::from(entry.minutes)) {
        return Err(AppError::Conflict(msg!(
            "approving-would-leave",
            entry = original.id.to_string(),
            total = total
        )));
    }
    model::lock_volunteers(conn, &[entry.volunteer_id])?;
    let day = model::day_total(conn, entry.volunteer_id, entry.service_date, Some(entry.id))?
        + i64::from(entry.minutes);
    if day > DAY_MINUTES {
        return Err(AppError::Conflict(msg!(
            "approving-would-give",
            total = day,
            date = entry.service_date.to_string()
        )));
    }
    Ok(())
}

fn review_one(
    conn: &mut db::DbConn,
    cfg: &HoursConfig,
    caller: &Principal,
    scope: &Scope,
    id: HourEntryId,
    action: ReviewAction,
    reason: Option<&str>,
) -> AppResult<HourRow> {
    let entry = model::find_in_scope(conn, scope, id)?;
    may_review(cfg, caller, scope, &entry)?;
    let (next, verb) = match action {
        ReviewAction::Approve => (HourStatus::Approved, audit::Action::Approve),
        ReviewAction::Reject => (HourStatus::Rejected, audit::Action::Reject),
    };
    if !entry.status.can_become(next) {
        return Err(AppError::Conflict(msg!(
            "entry-not-awaiting-review",
            entry = id.to_string(),
            status = entry.status.as_str()
        )));
    }
    if action == ReviewAction::Approve {
        approvable(conn, &entry)?;
    }
    if !model::set_status(conn, &entry, next, Some((UserId(caller.user_id), reason)))? {
        return Err(AppError::Conflict(msg!(
            "entry-changed-meanwhile",
            entry = id.to_string()
        )));
    }
    let after = model::find(conn, id)?;
    audit::log_with_reason(
        conn,
        caller.user_id,
        verb,
        audit::Entity::HourEntry,
        id.get(),
        Some(&entry),
        Some(&after),
        reason,
    )?;
    Ok(after)
}

fn check_reason(reason: Option<&str>, required: bool) -> AppResult<()> {
    let mut e = Errors::default();
    match reason {
        Some(r) => e.text("/reason", r, 1, 500),
        None if required => e.add("/reason", msg!("rejection-needs-reason")),
        None => {}
    }
    e.into_result()
}

async fn review(
    state: web::Data<AppState>,
    caller: Principal,
    id: i64,
    action: ReviewAction,
    reason: Option<String>,
) -> AppResult<HttpResponse> {
    let cfg = state.config.hours.clone();
    let row = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let scope = caller.scope(conn)?;
                review_one(
                    conn,
                    &cfg,
                    &caller,
                    &scope,
                    HourEntryId(id),
                    action,
                    reason.as_deref(),
                )
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(HourEntryResponse::from(row)))
}

/// Approve a submitted entry or correction.
///
/// Administrators (and secretaries of parent branches with `PARENT_SECRETARY_REVIEWS`).
/// Nobody approves what it submitted itself (403) unless `REVIEW_OWN_SUBMISSIONS`. The entry
/// then counts in totals and is locked; at a cancelled event nothing is approved (409).
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved", body = HourEntryResponse),
        (status = 403, description = "The caller may not review this entry", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not awaiting review", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hours/{id}/approve")]
pub async fn approve_hours(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    review(
        state,
        caller.0,
        id.into_inner(),
        ReviewAction::Approve,
        None,
    )
    .await
}

/// Reject a submitted entry, with a reason.
///
/// The same reviewers as approval, under the same four-eyes rule. The reason is kept on the
/// entry and in its history.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id")),
    request_body = Rejection,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rejected", body = HourEntryResponse),
        (status = 403, description = "The caller may not review this entry", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not awaiting review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hours/{id}/reject")]
pub async fn reject_hours(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    body: ApiJson<Rejection>,
) -> AppResult<HttpResponse> {
    let reason = body.0.reason;
    check_reason(Some(&reason), true)?;
    review(
        state,
        caller.0,
        id.into_inner(),
        ReviewAction::Reject,
        Some(reason),
    )
    .await
}

/// Approve or reject many entries at once.
///
/// All or none: when any id cannot be reviewed nothing changes, and the 422 lists every
/// refused id by pointer (`/ids/N`). Rejecting needs a reason.
#[utoipa::path(
    tag = "hours",
    request_body = BulkReview,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All reviewed", body = ReviewResponse),
        (status = 403, description = "HR and volunteers cannot review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Some ids cannot be reviewed; nothing changed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hours/review")]
pub async fn review_many(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    body: ApiJson<BulkReview>,
) -> AppResult<HttpResponse> {
    let BulkReview {
        action,
        ids,
        reason,
    } = body.0;
    if ids.is_empty() || ids.len() > MAX_ROSTER {
        return Err(AppError::validation(
            "/ids",
            msg!("ids-count", max = MAX_ROSTER),
        ));
    }
    check_reason(reason.as_deref(), action == ReviewAction::Reject)?;
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    if caller.role == Role::Secretary && !cfg.parent_secretary_reviews {
        return Err(AppError::Forbidden(msg!("only-admin-reviews")));
    }
    let rows = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let scope = caller.scope(conn)?;
                let mut errors = Vec::new();
                let mut rows = Vec::new();
                let mut seen = HashSet::new();
                for (i, id) in ids.iter().enumerate() {
                    if !seen.insert(*id) {
                        errors.push(FieldError::new(format!("/ids/{i}"), msg!("appears-twice")));
                        continue;
                    }
                    match review_one(
                        conn,
                        &cfg,
                        &caller,
                        &scope,
                        HourEntryId(*id),
                        action,
                        reason.as_deref(),
                    ) {
                        Ok(row) => rows.push(row),
                        Err(e @ AppError::Internal(_) | e @ AppError::Unavailable { .. }) => {
                            return Err(e)
                        }
                        Err(e) => errors.push(FieldError::new(format!("/ids/{i}"), e.detail())),
                    }
                }
                if errors.is_empty() {
                    Ok(rows)
                } else {
                    Err(AppError::Validation(errors))
                }
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(ReviewResponse {
        entries: rows.into_iter().map(HourEntryResponse::from).collect(),
    }))
}
