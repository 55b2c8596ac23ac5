use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;

use super::dto::{
    CancelQuery, CreateSignup, EventBrief, MinePage, MyEvent, MySignup, SignupQuery, SignupReason,
    SignupResponse,
};
use super::model::{self, SignupRow};
use super::places;
use super::rules::{self, SignupStatus, Window};
use crate::audit::{self, Action, Entity};
use crate::auth::{AnyRole, Auth, NotHr, Role, VolunteerOnly, Writers};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::events::dto::{EventResponse, EventStatus, SignupMode};
use crate::events::model::{self as events, EventRow};
use crate::http::{versioned, ApiJson, Page, Paging};
use crate::idempotency;
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// The sign-up with its place on the waiting list.
fn respond(conn: &mut DbConn, row: SignupRow) -> AppResult<SignupResponse> {
    let position = model::positions(conn, std::slice::from_ref(&row))?
        .pop()
        .flatten();
    Ok(SignupResponse::new(row, position))
}

/// An event that takes sign-ups now: not cancelled, not completed, with sign-up on.
fn takes_signups(ev: &EventRow) -> AppResult<()> {
    match EventStatus::parse(&ev.status) {
        EventStatus::Cancelled => return Err(AppError::Conflict(msg!("event-cancelled"))),
        EventStatus::Completed => return Err(AppError::Conflict(msg!("signup-event-over"))),
        _ => {}
    }
    if SignupMode::parse(&ev.signup_mode) == SignupMode::None {
        return Err(AppError::Conflict(msg!("signup-not-offered")));
    }
    Ok(())
}

fn window_of(ev: &EventRow) -> Result<(), Window> {
    rules::window(
        Utc::now(),
        ev.signup_opens_at.map(|t| t.and_utc()),
        ev.signup_closes_at.map(|t| t.and_utc()),
        ev.starts_at.and_utc(),
    )
}

fn refuse_window(w: Window) -> AppError {
    match w {
        Window::NotYet(at) => AppError::Conflict(msg!("signup-not-open-yet", at = at.to_rfc3339())),
        Window::Closed(at) => AppError::Conflict(msg!("signup-closed", at = at.to_rfc3339())),
    }
}

/// Sign up for an event.
///
/// A volunteer signs itself up with no body (or `{}`); a secretary or administrator signs
/// up a volunteer of its scope with `{"volunteer_id"}` (at any time before the event is
/// over: the window binds volunteers only). In `open` mode the sign-up is `admitted` while
/// places are free (`capacity`; unlimited without one), then `waitlisted` with its place in
/// the queue; in `approval` mode it is `applied`, for the organiser to decide. Capacity is
/// exact however many sign up at once. Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "signups",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional: a retry gets the first answer back; 1-255 visible ASCII"),
    ),
    request_body(content = Option<CreateSignup>, description = "Empty for oneself; `{\"volunteer_id\"}` for a secretary or administrator"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Signed up (or the first answer, replayed)", body = SignupResponse,
         headers(("Location" = String, description = "The sign-up"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "HR signs nobody up; a volunteer signs up only itself", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or no such volunteer in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Sign-up not open yet or closed, not offered, the event cancelled or over, the volunteer not eligible (the rule), or signed up already (the problem names that sign-up)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed body, or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/events/{id}/signups")]
pub async fn create_signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<NotHr>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let key = idempotency::key_of(&req, false)?;
    let event_id = id.into_inner();
    let value: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::json!({})
    } else {
        crate::http::parse_json(&body)?
    };
    let input: CreateSignup = crate::http::from_value(&value)?;
    let caller = caller.0;
    let oneself = caller.role == Role::Volunteer;
    let volunteer_id = if oneself {
        let own = caller.volunteer_id.ok_or(AppError::NotFound)?;
        if input.volunteer_id.is_some_and(|v| v != own) {
            return Err(AppError::Forbidden(msg!("signup-only-oneself")));
        }
        own
    } else {
        input
            .volunteer_id
            .ok_or_else(|| AppError::validation("/volunteer_id", msg!("signup-names-volunteer")))?
    };
    idempotency::once(
        &state,
        &req,
        caller.user_id,
        key,
        &value,
        move |conn, lease| {
            let scope = caller.scope(conn)?;
            if !oneself {
                scope.volunteer_branch(conn, volunteer_id)?;
            }
            // every change of the event's places holds its row: capacity stays exact
            let ev = events::lock(conn, event_id)?;
            takes_signups(&ev)?;
            if oneself {
                window_of(&ev).map_err(refuse_window)?;
            }
            if let Some(why) = places::refusal(conn, &ev, volunteer_id)? {
                return Err(AppError::Conflict(msg!("signup-not-eligible", rule = why)));
            }
            if let Some(existing) = model::live_of(conn, event_id, volunteer_id)? {
                return Err(AppError::Conflict(msg!(
                    "already-signed-up",
                    signup = existing.id,
                    status = existing.status().label()
                )));
            }
            let status = rules::placement(
                SignupMode::parse(&ev.signup_mode),
                ev.capacity,
                model::count_admitted(conn, event_id)?,
            );
            let now = db::now();
            let row = model::insert(
                conn,
                &model::NewSignup {
                    event_id,
                    volunteer_id,
                    status: status.as_str(),
                    created_by: caller.user_id,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            let (id, version) = (row.id, row.version);
            let body = respond(conn, row)?;
            idempotency::created(
                conn,
                lease,
                caller.user_id,
                Entity::Signup,
                "/api/v1/signups",
                id,
                version,
                &body,
            )
        },
    )
    .await
}

/// The sign-up and its event, both locked (the event first, as every change of places
/// takes them), if the caller is the volunteer (`own`) or organises the event.
struct Held {
    row: SignupRow,
    ev: EventRow,
    own: bool,
}

fn hold(conn: &mut DbConn, caller: &crate::auth::Principal, id: i64) -> AppResult<Held> {
    let first = model::find(conn, id)?;
    let ev = events::lock(conn, first.event_id)?;
    let row = model::find(conn, id)?;
    let scope = caller.scope(conn)?;
    let own = scope == crate::auth::Scope::Volunteer(Some(row.volunteer_id));
    if !own && !scope.has_branch(ev.organiser_branch_id) {
        return Err(AppError::NotFound);
    }
    Ok(Held { row, ev, own })
}

fn checked_reason(pointer: &str, reason: &str) -> AppResult<()> {
    let mut e = Errors::default();
    e.text(pointer, reason, 1, 500);
    e.into_result()
}

/// Cancel a sign-up.
///
/// The volunteer cancels its own (a reason is optional); the event's organiser (its
/// secretaries and administrators) cancels with `?reason=`. A place freed in `open` mode
/// admits the first on the waiting list at once: audited as a promotion, and seen in that
/// volunteer's `/me/signups`.
#[utoipa::path(
    tag = "signups",
    params(("id" = i64, Path, description = "Sign-up id"), CancelQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled", body = SignupResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "HR cancels nothing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such sign-up of the caller or of an event it organises", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Declined or cancelled already", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/signups/{id}")]
pub async fn cancel_signup(
    state: web::Data<AppState>,
    caller: Auth<NotHr>,
    id: web::Path<i64>,
    query: web::Query<CancelQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let reason = query.into_inner().reason;
    if let Some(r) = &reason {
        checked_reason("/query/reason", r).map_err(|_| {
            AppError::InvalidParameter(vec![FieldError::new(
                "/query/reason",
                msg!("text-length-trimmed", max = 500),
            )])
        })?;
    }
    let caller = caller.0;
    let after = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let held = hold(conn, &caller, id)?;
                if !held.own && reason.is_none() {
                    return Err(AppError::InvalidParameter(vec![FieldError::new(
                        "/query/reason",
                        msg!("signup-reason-needed"),
                    )]));
                }
                let before = held.row;
                if !before.status().is_live() {
                    return Err(AppError::Conflict(msg!(
                        "signup-not-live",
                        status = before.status().label()
                    )));
                }
                let decided = (!held.own).then_some(caller.user_id);
                let after = model::set_status(
                    conn,
                    &before,
                    SignupStatus::Cancelled,
                    decided,
                    reason.as_deref(),
                )?;
                audit::log_with_reason(
                    conn,
                    caller.user_id,
                    Action::Cancel,
                    Entity::Signup,
                    id,
                    Some(&before),
                    Some(&after),
                    reason.as_deref(),
                )?;
                if before.status() == SignupStatus::Admitted {
                    places::fill(conn, &held.ev, caller.user_id)?;
                }
                Ok((after.version, respond(conn, after.clone())?))
            })
        })
        .await?;
    Ok(versioned(after.0, after.1))
}

/// Admit a sign-up.
///
/// An application (approval mode), or a volunteer on the waiting list by hand, while the
/// event has room (raise `capacity` first to admit beyond it).
#[utoipa::path(
    tag = "signups",
    params(("id" = i64, Path, description = "Sign-up id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Admitted", body = SignupResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Only secretaries and administrators admit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such sign-up for an event the caller organises", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not an application or on the waiting list, or the event is full, over or cancelled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signups/{id}/admit")]
pub async fn admit_signup(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    let after = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let held = hold(conn, &caller, id)?;
                if held.own {
                    return Err(AppError::NotFound);
                }
                takes_signups(&held.ev)?;
                let before = held.row;
                if !before.status().may_be_admitted() {
                    return Err(AppError::Conflict(msg!(
                        "signup-cannot-admit",
                        status = before.status().label()
                    )));
                }
                if !rules::has_room(held.ev.capacity, model::count_admitted(conn, held.ev.id)?) {
                    return Err(AppError::Conflict(msg!(
                        "event-full",
                        capacity = held.ev.capacity.unwrap_or_default()
                    )));
                }
                let after = model::set_status(
                    conn,
                    &before,
                    SignupStatus::Admitted,
                    Some(caller.user_id),
                    None,
                )?;
                audit::log(
                    conn,
                    caller.user_id,
                    Action::Admit,
                    Entity::Signup,
                    id,
                    Some(&before),
                    Some(&after),
                )?;
                Ok((after.version, respond(conn, after.clone())?))
            })
        })
        .await?;
    Ok(versioned(after.0, after.1))
}

/// Decline a sign-up.
///
/// An application, or a place on the waiting list, with the reason the volunteer will read
/// (required).
#[utoipa::path(
    tag = "signups",
    params(("id" = i64, Path, description = "Sign-up id")),
    request_body = SignupReason,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Declined", body = SignupResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Only secretaries and administrators decline", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such sign-up for an event the caller organises", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not an application or on the waiting list", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or one longer than 500 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signups/{id}/decline")]
pub async fn decline_signup(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    body: ApiJson<SignupReason>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let reason = body.0.reason;
    checked_reason("/reason", &reason)?;
    let caller = caller.0;
    let after = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let held = hold(conn, &caller, id)?;
                if held.own {
                    return Err(AppError::NotFound);
                }
                let before = held.row;
                if !before.status().may_be_admitted() {
                    return Err(AppError::Conflict(msg!(
                        "signup-cannot-decline",
                        status = before.status().label()
                    )));
                }
                let after = model::set_status(
                    conn,
                    &before,
                    SignupStatus::Declined,
                    Some(caller.user_id),
                    Some(&reason),
                )?;
                audit::log_with_reason(
                    conn,
                    caller.user_id,
                    Action::Decline,
                    Entity::Signup,
                    id,
                    Some(&before),
                    Some(&after),
                    Some(&reason),
                )?;
                Ok((after.version, respond(conn, after.clone())?))
            })
        })
        .await?;
    Ok(versioned(after.0, after.1))
}

/// A sign-up.
///
/// Read by the volunteer, the event's organiser, the volunteer's branches and HR.
#[utoipa::path(
    tag = "signups",
    params(("id" = i64, Path, description = "Sign-up id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sign-up", body = SignupResponse, headers(("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such sign-up within the caller's scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signups/{id}")]
pub async fn get_signup(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    let body = state
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            let row = model::find(conn, id)?;
            if !model::visible(conn, &scope, &row)? {
                return Err(AppError::NotFound);
            }
            Ok((row.version, respond(conn, row.clone())?))
        })
        .await?;
    Ok(versioned(body.0, body.1))
}

/// The event's sign-ups in arrival order.
///
/// For its organiser (secretaries of the organising branch's scope, administrators); filter
/// by status, paged.
#[utoipa::path(
    tag = "signups",
    params(("id" = i64, Path, description = "Event id"), SignupQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of sign-ups", body = Page<SignupResponse>),
        (status = 403, description = "Only secretaries and administrators list an event's sign-ups", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event organised within the caller's scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events/{id}/signups")]
pub async fn list_event_signups(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    query: web::Query<SignupQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let event_id = id.into_inner();
    let caller = caller.0;
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            let ev = events::find(conn, event_id)?;
            if !scope.has_branch(ev.organiser_branch_id) {
                return Err(AppError::NotFound);
            }
            let (rows, total) = model::of_event(conn, event_id, q.status, paging)?;
            let positions = model::positions(conn, &rows)?;
            let items: Vec<SignupResponse> = rows
                .into_iter()
                .zip(positions)
                .map(|(r, p)| SignupResponse::new(r, p))
                .collect();
            Ok((items, total))
        })
        .await?;
    Ok(paging.respond(items, total))
}

fn brief(ev: &EventRow) -> EventBrief {
    EventBrief {
        id: ev.id,
        title: ev.title.clone(),
        place: ev.place.clone(),
        starts_at: ev.starts_at.and_utc(),
        ends_at: ev.ends_at.and_utc(),
        status: EventStatus::parse(&ev.status),
    }
}

/// The caller's sign-ups.
///
/// The newest first, each with its event and, while waitlisted, its place in the queue.
#[utoipa::path(
    tag = "signups",
    params(MinePage),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the caller's sign-ups", body = Page<MySignup>),
        (status = 403, description = "Only volunteers sign up", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/signups")]
pub async fn my_signups(
    state: web::Data<AppState>,
    caller: Auth<VolunteerOnly>,
    query: web::Query<MinePage>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let volunteer_id = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| {
            let (rows, total) = model::of_volunteer(conn, volunteer_id, paging)?;
            let positions = model::positions(conn, &rows)?;
            let mut items = Vec::with_capacity(rows.len());
            for (r, p) in rows.into_iter().zip(positions) {
                let ev = events::find(conn, r.event_id)?;
                items.push(MySignup {
                    signup: SignupResponse::new(r, p),
                    event: brief(&ev),
                });
            }
            Ok((items, total))
        })
        .await?;
    Ok(paging.respond(items, total))
}

/// Events for the caller to sign up for, and those it signed up for.
///
/// Those it may sign up for now (sign-up open, eligible, not signed up yet) and those it
/// signed up for, with its sign-up; soonest first.
#[utoipa::path(
    tag = "signups",
    params(MinePage),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of events", body = Page<MyEvent>),
        (status = 403, description = "Only volunteers sign up", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/events")]
pub async fn my_events(
    state: web::Data<AppState>,
    caller: Auth<VolunteerOnly>,
    query: web::Query<MinePage>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let volunteer_id = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| my_events_of(conn, volunteer_id, paging))
        .await?;
    Ok(paging.respond(items, total))
}

fn my_events_of(
    conn: &mut DbConn,
    volunteer_id: i64,
    paging: Paging,
) -> AppResult<(Vec<MyEvent>, i64)> {
    use crate::db::schema::events as ev_t;
    use diesel::prelude::*;
    let mine = model::all_of_volunteer(conn, volunteer_id)?;
    let mut signed: Vec<i64> = mine.iter().map(|s| s.event_id).collect();
    signed.sort_unstable();
    signed.dedup();
    // candidates: events taking sign-ups, and those the volunteer signed up for
    let rows: Vec<EventRow> = ev_t::table
        .filter(
            ev_t::id.eq_any(signed.clone()).or(ev_t::signup_mode
                .ne("none")
                .and(ev_t::status.eq_any(["planned", "open"]))),
        )
        .order((ev_t::starts_at, ev_t::id))
        .select(EventRow::as_select())
        .load(conn)?;
    let mut out = Vec::new();
    for ev in rows {
        let my = mine.iter().find(|s| s.event_id == ev.id).cloned();
        let live = my.as_ref().is_some_and(|s| s.status().is_live());
        let can = !live
            && takes_signups(&ev).is_ok()
            && window_of(&ev).is_ok()
            && places::refusal(conn, &ev, volunteer_id)?.is_none();
        if my.is_none() && !can {
            continue;
        }
        out.push((ev, my, can));
    }
    let total = out.len() as i64;
    let mut items = Vec::new();
    for (ev, my, can) in out
        .into_iter()
        .skip(usize::try_from(paging.offset).unwrap_or(usize::MAX))
        .take(paging.limit as usize)
    {
        let admitted_count = model::count_admitted(conn, ev.id)?;
        let my_signup = match my {
            Some(s) => Some(respond(conn, s)?),
            None => None,
        };
        let event: EventResponse = crate::events::fields::body_of(conn, ev)?;
        items.push(MyEvent {
            event,
            my_signup,
            can_sign_up: can,
            admitted_count,
        });
    }
    Ok((items, total))
}
