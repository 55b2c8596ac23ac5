//! Events: everyone reads them; administrators, and secretaries for the events their
//! branches organise, change them.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;

use super::amendments::Shape;
use super::dto::{
    CreateEvent, EventQuery, EventResponse, EventStatus, SignupMode, SignupScope, UpdateEvent,
};
use super::fields::{body_of, check, local_midnight, Fields};
use super::model::{self as model, EventRow, NewEvent};
use crate::audit;
use crate::auth::{AnyRole, Auth, Scope, Writers};
use crate::db::schema::{event_plan_items, events, hour_entries};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::http::{versioned, ApiJson, IfMatch, Page, Paging};
use crate::idempotency::Creation;
use crate::msg;
use crate::AppState;

/// List events, ordered by id.
///
/// Every role reads every event. Filters: organising branch (with its sub-branches),
/// status, category, plan item, the local day it starts (`from`, `to`) and a text search.
#[utoipa::path(
    tag = "events",
    params(EventQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of events", body = Page<EventResponse>),
    )
)]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<EventQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let search = crate::validate::search(q.q.as_deref())?;
    let local = state.config.hours.utc_offset;
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| {
            let under = crate::branches::model::subtree_of(conn, q.branch_id)?;
            let filtered = || {
                let mut f = events::table.into_boxed();
                if let Some(ids) = &under {
                    f = f.filter(events::organiser_branch_id.eq_any(ids.clone()));
                }
                if let Some(s) = q.status {
                    f = f.filter(events::status.eq(s.as_str()));
                }
                if let Some(c) = q.category {
                    f = f.filter(events::category.eq(c.as_str()));
                }
                if let Some(item) = q.plan_item_id {
                    f = f.filter(
                        events::id.eq_any(
                            event_plan_items::table
                                .filter(event_plan_items::plan_item_id.eq(item))
                                .select(event_plan_items::event_id),
                        ),
                    );
                }
                if let Some(from) = q.from {
                    f = f.filter(events::starts_at.ge(local_midnight(from, local)));
                }
                if let Some(to) = q.to.and_then(|d| d.succ_opt()) {
                    f = f.filter(events::starts_at.lt(local_midnight(to, local)));
                }
                if let Some(pattern) = &search {
                    f = f.filter(events::search_text.like(pattern.clone()).escape('\\'));
                }
                f
            };
            let (rows, total) = crate::page_of!(conn, filtered, events::id, paging, EventRow);
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut items = model::items_of(conn, &ids)?;
            let mut tags = model::tags_of(conn, &ids)?;
            let out: Vec<EventResponse> = rows
                .into_iter()
                .map(|r| {
                    let i = items.remove(&r.id).unwrap_or_default();
                    let t = tags.remove(&r.id).unwrap_or_default();
                    EventResponse::new(r, i, t)
                })
                .collect();
            Ok((out, total))
        })
        .await?;
    Ok(paging.respond(items, total))
}

/// One event with its plan items.
///
/// Every role reads every event. The `ETag` is what a change sends back in `If-Match`.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Event id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The event", body = EventResponse, headers(("ETag" = String, description = "Current version"))),
    )
)]
#[get("/events/{id}")]
pub async fn get_event(
    state: web::Data<AppState>,
    _caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (version, body) = state
        .db(move |conn| {
            let row = model::find(conn, id)?;
            Ok((row.version, body_of(conn, row)?))
        })
        .await?;
    Ok(versioned(version, body))
}

/// Create an event.
///
/// Administrators, and secretaries for a branch of their scope. The event serves one or
/// more items of the plan of its year (the local year of `starts_at`) and ends after it
/// starts. Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "events",
    request_body = CreateEvent,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = EventResponse,
         headers(("Location" = String, description = "URL of the new event"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "HR and volunteers cannot create events", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    create: Creation<CreateEvent>,
) -> AppResult<HttpResponse> {
    let (parsed, pending) = create.parts();
    let ev = parsed;
    let offset = state.config.hours.utc_offset;
    let caller = caller.0;
    let user_id = caller.user_id;
    pending
        .once(&state, &req, user_id, move |conn, lease| {
            let scope = caller.scope(conn)?;
            let fields = Fields {
                title: &ev.title,
                description: ev.description.as_deref(),
                place: ev.place.as_deref(),
                organiser: ev.organiser_branch_id,
                starts_at: ev.starts_at,
                ends_at: ev.ends_at,
                capacity: ev.capacity,
                plan_item_ids: &ev.plan_item_ids,
                signup_opens_at: ev.signup_opens_at,
                signup_closes_at: ev.signup_closes_at,
                required_tags: ev.required_tags.as_deref().unwrap_or_default(),
                offset,
            };
            check(conn, &scope, &fields, true)?;
            let status = ev.status.unwrap_or(EventStatus::Planned);
            if !matches!(status, EventStatus::Planned | EventStatus::Open) {
                return Err(AppError::validation("/status", msg!("new-event-status")));
            }
            let now = db::now();
            let new = NewEvent {
                title: &ev.title,
                description: ev.description.as_deref(),
                category: ev.category.as_str(),
                organiser_branch_id: ev.organiser_branch_id,
                place: ev.place.as_deref(),
                starts_at: ev.starts_at.naive_utc(),
                ends_at: ev.ends_at.naive_utc(),
                status: status.as_str(),
                capacity: ev.capacity,
                created_by: Some(caller.user_id),
                created_at: now,
                updated_at: now,
                search_text: model::search_text(&ev.title, ev.place.as_deref()),
                signup_mode: ev.signup_mode.unwrap_or(SignupMode::None).as_str(),
                signup_opens_at: ev.signup_opens_at.map(|t| t.naive_utc()),
                signup_closes_at: ev.signup_closes_at.map(|t| t.naive_utc()),
                signup_scope: ev.signup_scope.unwrap_or(SignupScope::Subtree).as_str(),
            };
            let id: i64 = crate::db_run!(conn, |c| diesel::insert_into(events::table)
                .values(&new)
                .returning(events::id)
                .get_result(c))?;
            model::replace_items(conn, id, &ev.plan_item_ids)?;
            model::replace_tags(conn, id, ev.required_tags.as_deref().unwrap_or_default())?;
            let row = model::find(conn, id)?;
            let version = row.version;
            let body = body_of(conn, row)?;
            crate::idempotency::created(
                conn,
                lease,
                caller.user_id,
                audit::Entity::Event,
                "/api/v1/events",
                id,
                version,
                &body,
            )
        })
        .await
}

/// The event, locked for the change, if the caller may change it; 404 otherwise.
fn find_writable(conn: &mut DbConn, scope: &Scope, id: i64) -> AppResult<EventRow> {
    let row = model::lock(conn, id)?;
    if scope.has_branch(row.organiser_branch_id) {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// Change an event.
///
/// Administrators, and secretaries of the organising branch's scope, with `If-Match`.
/// Status moves planned -> open -> completed, or planned/open -> cancelled.
///
/// Once hours are recorded at it, its times may change only while every submitted or
/// approved entry still fits them, and its category and plan items only while none is
/// approved (409 naming the entries; an administrator amends such an event instead, at
/// `/events/{id}/amendments`). Title, description, place, capacity and status stay
/// editable. At a cancelled event no entry is approved any more: submitted ones can only be
/// rejected or withdrawn, approved ones stay counted, and the cancellation's audit row lists
/// both.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Event id"), ("If-Match" = String, Header, description = "The event's ETag")),
    request_body = UpdateEvent,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = EventResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "HR and volunteers cannot change events", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event organised within the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The status cannot move that way, or the change would alter what recorded hours mean (the problem names the entries)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/events/{id}")]
pub async fn update_event(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<UpdateEvent>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let change = body.0;
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    let offset = cfg.utc_offset;
    let (version, body) = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let scope = caller.scope(conn)?;
                let before = find_writable(conn, &scope, id)?;
                if_match.check(before.version)?;
                let before_body = body_of(conn, before.clone())?;
                let title = change.title.unwrap_or_else(|| before.title.clone());
                let description = change
                    .description
                    .unwrap_or_else(|| before.description.clone());
                let place = change.place.unwrap_or_else(|| before.place.clone());
                let organiser = change
                    .organiser_branch_id
                    .unwrap_or(before.organiser_branch_id);
                let starts_at = change.starts_at.unwrap_or(before_body.starts_at);
                let ends_at = change.ends_at.unwrap_or(before_body.ends_at);
                let capacity = change.capacity.unwrap_or(before.capacity);
                let items = change
                    .plan_item_ids
                    .unwrap_or_else(|| before_body.plan_item_ids.clone());
                let category = change.category.unwrap_or(before_body.category);
                let status = change.status.unwrap_or(before_body.status);
                let signup_mode = change.signup_mode.unwrap_or(before_body.signup_mode);
                let signup_opens_at = change
                    .signup_opens_at
                    .unwrap_or(before_body.signup_opens_at);
                let signup_closes_at = change
                    .signup_closes_at
                    .unwrap_or(before_body.signup_closes_at);
                let signup_scope = change.signup_scope.unwrap_or(before_body.signup_scope);
                let required_tags = change
                    .required_tags
                    .unwrap_or_else(|| before_body.required_tags.clone());
                let fields = Fields {
                    title: &title,
                    description: description.as_deref(),
                    place: place.as_deref(),
                    organiser,
                    starts_at,
                    ends_at,
                    capacity,
                    plan_item_ids: &items,
                    signup_opens_at,
                    signup_closes_at,
                    required_tags: &required_tags,
                    offset,
                };
                check(
                    conn,
                    &scope,
                    &fields,
                    organiser != before.organiser_branch_id,
                )?;
                if !before_body.status.can_become(status) {
                    return Err(AppError::Conflict(msg!(
                        "event-cannot-go",
                        from = before_body.status.as_str(),
                        to = status.as_str()
                    )));
                }
                guard_signups(conn, id, &before_body, signup_mode, capacity)?;
                super::amendments::guard_edit(
                    conn,
                    &cfg,
                    id,
                    &Shape::of(&before_body),
                    &Shape::new(starts_at, ends_at, category, &items),
                )?;
                let cancelled = status == EventStatus::Cancelled && before_body.status != status;
                let updated = diesel::update(
                    events::table
                        .find(id)
                        .filter(events::version.eq(before.version)),
                )
                .set((
                    events::title.eq(&title),
                    events::description.eq(&description),
                    events::category.eq(category.as_str()),
                    events::organiser_branch_id.eq(organiser),
                    events::place.eq(&place),
                    events::starts_at.eq(starts_at.naive_utc()),
                    events::ends_at.eq(ends_at.naive_utc()),
                    events::status.eq(status.as_str()),
                    events::capacity.eq(capacity),
                    events::signup_mode.eq(signup_mode.as_str()),
                    events::signup_opens_at.eq(signup_opens_at.map(|t| t.naive_utc())),
                    events::signup_closes_at.eq(signup_closes_at.map(|t| t.naive_utc())),
                    events::signup_scope.eq(signup_scope.as_str()),
                    events::search_text.eq(model::search_text(&title, place.as_deref())),
                    events::version.eq(before.version + 1),
                    events::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::PreconditionFailed);
                }
                model::replace_items(conn, id, &items)?;
                model::replace_tags(conn, id, &required_tags)?;
                if capacity != before.capacity || signup_mode != before_body.signup_mode {
                    // a raised capacity frees places: the waiting list moves up
                    let row = model::find(conn, id)?;
                    crate::signups::places::fill(conn, &row, caller.user_id)?;
                }
                if before_body.status != status
                    && matches!(status, EventStatus::Completed | EventStatus::Cancelled)
                {
                    // forgotten check-outs close at the scheduled end (at a cancelled
                    // event, flagged: it records no hours)
                    crate::attendance::attend::close_event(conn, &cfg, id, caller.user_id)?;
                }
                let after = model::find(conn, id)?;
                let version = after.version;
                let body = body_of(conn, after)?;
                if cancelled {
                    log_cancellation(conn, caller.user_id, &before_body, &body)?;
                } else {
                    audit::log(
                        conn,
                        caller.user_id,
                        audit::Action::Update,
                        audit::Entity::Event,
                        id,
                        Some(&before_body),
                        Some(&body),
                    )?;
                }
                Ok::<_, AppError>((version, body))
            })
        })
        .await?;
    Ok(versioned(version, body))
}

/// What sign-ups forbid: capacity below the volunteers admitted, and no sign-up (`none`)
/// while sign-ups are live.
fn guard_signups(
    conn: &mut DbConn,
    id: i64,
    before: &EventResponse,
    mode: SignupMode,
    capacity: Option<i32>,
) -> AppResult<()> {
    use crate::db::schema::signups;
    let live: Vec<String> = signups::table
        .filter(signups::event_id.eq(id))
        .filter(signups::status.eq_any(["applied", "admitted", "waitlisted"]))
        .select(signups::status)
        .load(conn)?;
    let admitted = live.iter().filter(|s| *s == "admitted").count() as i64;
    if let Some(c) = capacity {
        if i64::from(c) < admitted && Some(c) != before.capacity {
            return Err(AppError::Conflict(msg!(
                "capacity-below-admitted",
                capacity = c,
                admitted = admitted
            )));
        }
    }
    if mode == SignupMode::None && before.signup_mode != SignupMode::None && !live.is_empty() {
        return Err(AppError::Conflict(msg!(
            "signups-still-live",
            count = live.len()
        )));
    }
    Ok(())
}

/// The audit row of a cancellation: the event, and the entries at it that stay counted
/// (approved) and that can no longer be approved (submitted).
fn log_cancellation(
    conn: &mut DbConn,
    actor: i64,
    before: &EventResponse,
    after: &EventResponse,
) -> AppResult<()> {
    #[derive(serde::Serialize)]
    struct Cancelled<'a> {
        #[serde(flatten)]
        event: &'a EventResponse,
        approved_entry_ids: Vec<i64>,
        submitted_entry_ids: Vec<i64>,
    }
    let live = crate::hours::model::live_at_event(conn, crate::ids::EventId(after.id))?;
    let ids = |status: crate::hours::status::HourStatus| -> Vec<i64> {
        live.iter()
            .filter(|e| e.status == status)
            .map(|e| e.id.get())
            .collect()
    };
    let record = Cancelled {
        event: after,
        approved_entry_ids: ids(crate::hours::status::HourStatus::Approved),
        submitted_entry_ids: ids(crate::hours::status::HourStatus::Submitted),
    };
    let reason = format!(
        "cancelled: {} approved entries stay counted; {} submitted entries can only be rejected or withdrawn",
        record.approved_entry_ids.len(),
        record.submitted_entry_ids.len()
    );
    audit::log_with_reason(
        conn,
        actor,
        audit::Action::Update,
        audit::Entity::Event,
        after.id,
        Some(before),
        Some(&record),
        Some(&reason),
    )?;
    Ok(())
}

/// Delete an event that has no hours.
///
/// Administrators, and secretaries of the organising branch's scope, with `If-Match`. An
/// event with hours is cancelled or completed instead: deleting it answers 409.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Event id"), ("If-Match" = String, Header, description = "The event's ETag")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "HR and volunteers cannot delete events", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event organised within the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event has hours, sign-ups or attendance: cancel it instead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/events/{id}")]
pub async fn delete_event(
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
                let before = find_writable(conn, &scope, id)?;
                if_match.check(before.version)?;
                let hours: i64 = hour_entries::table
                    .filter(hour_entries::event_id.eq(id))
                    .count()
                    .get_result(conn)?;
                if hours > 0 {
                    return Err(AppError::Conflict(msg!("event-has-hours")));
                }
                use crate::db::schema::{attendance, signups};
                let joined: i64 = signups::table
                    .filter(signups::event_id.eq(id))
                    .count()
                    .get_result(conn)?;
                let attended: i64 = attendance::table
                    .filter(attendance::event_id.eq(id))
                    .count()
                    .get_result(conn)?;
                if joined + attended > 0 {
                    return Err(AppError::Conflict(msg!("event-has-signups")));
                }
                let before_body = body_of(conn, before)?;
                diesel::delete(event_plan_items::table.filter(event_plan_items::event_id.eq(id)))
                    .execute(conn)?;
                diesel::delete(events::table.find(id)).execute(conn)?;
                audit::log(
                    conn,
                    caller.user_id,
                    audit::Action::Delete,
                    audit::Entity::Event,
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
