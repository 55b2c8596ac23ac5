//! Reading entries (list, one, history, the caller's own), and a submitter's edit or
//! withdrawal before review.

use actix_web::{delete, get, patch, web, HttpResponse};

use super::dto::{
    hours_text, star_level, HourEntryResponse, HourQuery, MyHours, PageQuery, UpdateEntry,
};
use super::model::{self, EntryChange, HourRow};
use super::rules::{self, TimeInput, DAY_MINUTES};
use super::status::HourStatus;
use super::submit::refuse_overlaps;
use crate::audit;
use crate::audit::handlers::AuditItem;
use crate::auth::{AnyRole, Auth, Principal, Role, Writers};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::http::{versioned, ApiJson, IfMatch, Page, Paging};
use crate::ids::{HourEntryId, UserId, VolunteerId};
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// List hour entries, newest service first.
///
/// Within the caller's scope: administrators and HR see every entry, a secretary those of
/// its branches, a volunteer its own. Filters: branch (with sub-branches), volunteer,
/// event, plan item, status, service dates.
#[utoipa::path(
    tag = "hours",
    params(HourQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of entries", body = Page<HourEntryResponse>),
    )
)]
#[get("/hours")]
pub async fn list_hours(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<HourQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let caller = caller.0;
    let filter = q.filter();
    let (rows, total) = state
        .reads(&caller)
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            Ok(model::list(conn, &scope, &filter, paging)?)
        })
        .await?;
    Ok(paging.respond(
        rows.into_iter().map(HourEntryResponse::from).collect(),
        total,
    ))
}

/// One hour entry.
///
/// Within the caller's scope (404 outside it). The `ETag` is what an edit or a withdrawal
/// sends back in `If-Match`.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The entry", body = HourEntryResponse, headers(("ETag" = String, description = "Current version"))),
    )
)]
#[get("/hours/{id}")]
pub async fn get_hours(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = HourEntryId(id.into_inner());
    let caller = caller.0;
    let row = state
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            model::find_in_scope(conn, &scope, id)
        })
        .await?;
    Ok(versioned(row.version, HourEntryResponse::from(row)))
}

/// The entry if the caller submitted it (or is an administrator) and it awaits review.
fn find_editable(
    conn: &mut DbConn,
    caller: &Principal,
    id: HourEntryId,
    if_match: &IfMatch,
) -> AppResult<HourRow> {
    let scope = caller.scope(conn)?;
    let entry = model::find_in_scope(conn, &scope, id)?;
    if caller.role != Role::Admin && entry.submitted_by != Some(UserId(caller.user_id)) {
        return Err(AppError::Forbidden(msg!("only-submitter-changes")));
    }
    // a locked entry says so whatever the precondition
    match entry.status {
        HourStatus::Submitted => {}
        HourStatus::Approved => return Err(AppError::Conflict(msg!("approved-entries-locked"))),
        other => {
            return Err(AppError::Conflict(msg!(
                "entry-is",
                status = other.as_str()
            )))
        }
    }
    if_match.check(entry.version)?;
    Ok(entry)
}

/// Checks `change` to `before` against every rule of an entry, as a submission would.
fn edited(
    conn: &mut DbConn,
    cfg: &crate::config::HoursConfig,
    before: &HourRow,
    change: UpdateEntry,
) -> AppResult<(rules::Timing, Option<String>, Option<String>)> {
    if before.corrects_id.is_some() {
        return Err(AppError::Conflict(msg!("correction-not-edited")));
    }
    model::lock_volunteers(conn, &[before.volunteer_id])?;
    let event = model::event(conn, before.event_id)?;
    let started = change
        .started_at
        .unwrap_or(before.started_at.map(|t| t.and_utc()));
    let ended = change
        .ended_at
        .unwrap_or(before.ended_at.map(|t| t.and_utc()));
    // new times without new minutes: the minutes follow the times
    let minutes = change.minutes.or(if started.is_some() {
        None
    } else {
        Some(before.minutes)
    });
    let role = change.role.unwrap_or(before.role.clone());
    let note = change.note.unwrap_or(before.note.clone());
    let mut e = Errors::default();
    e.opt_text("/role", role.as_deref(), 50);
    e.opt_text("/note", note.as_deref(), 500);
    let input = TimeInput {
        minutes,
        service_date: change.service_date.or(Some(before.service_date)),
        started_at: started,
        ended_at: ended,
    };
    let t = rules::resolve(&mut e, "", input, &event.window(cfg));
    e.into_result()?;
    let t = t.ok_or_else(|| AppError::validation("/minutes", msg!("invalid-time")))?;
    if let Some(interval) = t.interval() {
        refuse_overlaps(
            conn,
            &[(String::new(), before.volunteer_id, interval)],
            Some(before.id),
        )?;
    }
    if let Some(existing) = model::live_duplicate(
        conn,
        before.volunteer_id,
        before.event_id,
        t.date,
        Some(before.id),
    )? {
        return Err(AppError::Conflict(msg!(
            "entry-already-records",
            entry = existing.to_string(),
            date = t.date.to_string()
        )));
    }
    let day = model::day_total(conn, before.volunteer_id, t.date, Some(before.id))?
        + i64::from(t.minutes.get());
    if day > DAY_MINUTES {
        return Err(AppError::validation(
            "/minutes",
            msg!(
                "over-daily-cap",
                total = day,
                date = t.date.to_string(),
                cap = DAY_MINUTES
            ),
        ));
    }
    Ok((t, role, note))
}

/// Edit a submitted entry before review.
///
/// Its submitter or an administrator, with `If-Match`. Absent fields stay; `null` clears
/// `started_at`/`ended_at`, `role` or `note`. The entry's rules are checked again as on
/// submission. A reviewed entry is locked (409): correct it instead.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id"), ("If-Match" = String, Header, description = "The entry's ETag")),
    request_body = UpdateEntry,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = HourEntryResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not the submitter", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Approved (locked), rejected or withdrawn; or a duplicate day", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/hours/{id}")]
pub async fn update_hours(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<UpdateEntry>,
) -> AppResult<HttpResponse> {
    let id = HourEntryId(id.into_inner());
    let change = body.0;
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    let row = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let before = find_editable(conn, &caller, id, &if_match)?;
                let (t, role, note) = edited(conn, &cfg, &before, change)?;
                let change = EntryChange {
                    minutes: t.minutes.get(),
                    service_date: t.date,
                    interval: t.interval(),
                    role: role.as_deref(),
                    note: note.as_deref(),
                };
                if !model::update(conn, &before, &change)? {
                    return Err(AppError::PreconditionFailed);
                }
                let after = model::find(conn, id)?;
                audit::log(
                    conn,
                    caller.user_id,
                    audit::Action::Update,
                    audit::Entity::HourEntry,
                    id.get(),
                    Some(&before),
                    Some(&after),
                )?;
                Ok(after)
            })
        })
        .await?;
    Ok(versioned(row.version, HourEntryResponse::from(row)))
}

/// Withdraw a submitted entry before review.
///
/// Its submitter or an administrator, with `If-Match`. The row stays, marked `withdrawn`,
/// and counts nowhere; a reviewed entry cannot be withdrawn (409).
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id"), ("If-Match" = String, Header, description = "The entry's ETag")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Not the submitter", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Approved (locked), rejected or already withdrawn", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/hours/{id}")]
pub async fn withdraw_hours(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = HourEntryId(id.into_inner());
    let caller = caller.0;
    state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let before = find_editable(conn, &caller, id, &if_match)?;
                if !model::set_status(conn, &before, HourStatus::Withdrawn, None)? {
                    return Err(AppError::PreconditionFailed);
                }
                let after = model::find(conn, id)?;
                audit::log(
                    conn,
                    caller.user_id,
                    audit::Action::Withdraw,
                    audit::Entity::HourEntry,
                    id.get(),
                    Some(&before),
                    Some(&after),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The history of an entry: every change to it and its corrections.
///
/// Within the caller's scope. Oldest first, each an audit row with who, when and why:
/// submission, edits, reviews, corrections, withdrawal, amendments of its event.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest first: every change to the entry and its corrections, with actor, time and reason", body = Vec<AuditItem>),
    )
)]
#[get("/hours/{id}/history")]
pub async fn hours_history(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = HourEntryId(id.into_inner());
    let caller = caller.0;
    let rows = state
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            let entry = model::find_in_scope(conn, &scope, id)?;
            Ok(model::history(conn, &entry)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(AuditItem::from).collect::<Vec<_>>()))
}

/// The caller's own record as a volunteer.
///
/// Only for an account linked to a volunteer (404 otherwise): a page of its entries, its
/// approved total (corrections netted) and its star level.
#[utoipa::path(
    tag = "hours",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's hours", body = MyHours),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/hours")]
pub async fn my_hours(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let volunteer = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let thresholds = state.config.hours.star_thresholds_hours;
    let (approved_minutes, service_minutes, rows, total) = state
        .reads(&caller)
        .db(move |conn| Ok(model::of_volunteer(conn, VolunteerId(volunteer), paging)?))
        .await?;
    Ok(HttpResponse::Ok().json(MyHours {
        volunteer_id: volunteer,
        approved_minutes,
        approved_hours: hours_text(approved_minutes),
        star_level: star_level(service_minutes, &thresholds),
        star_thresholds_hours: thresholds,
        entries: paging.page(
            rows.into_iter().map(HourEntryResponse::from).collect(),
            total,
        ),
    }))
}
