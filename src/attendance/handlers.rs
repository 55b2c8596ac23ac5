use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{SubsecRound, Utc};

use super::attend::{self, Act};
use super::codes::{self, PassError};
use super::dto::{
    AttendanceAction, AttendanceBody, AttendanceItem, AttendanceList, AttendanceQuery,
    AttendanceResponse, AttendanceSummary, CheckInCode, ClosedAttendance, CodeBody, Method,
    PageQuery, Pass, Presence,
};
use super::model;
use crate::auth::{Auth, Scope, VolunteerOnly, Writers};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, Problem};
use crate::http::{ApiJson, Paging};
use crate::idempotency::{self, Stored};
use crate::msg;
use crate::AppState;

/// The event's current check-in code, for the organiser's phone to show.
///
/// Shown large, and as a QR image of `qr`. It changes every `CHECKIN_CODE_SECS` (60 by
/// default); the previous code is still taken for one more period, so a volunteer who read
/// it just before it changed is not refused. Codes are computed from a per-event secret
/// derived from the server's key: they are stored nowhere and no one without the
/// organiser's access can compute one. Never cached.
#[utoipa::path(
    tag = "attendance",
    params(("id" = i64, Path, description = "Event id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The current code", body = CheckInCode),
        (status = 403, description = "Only the organiser's secretaries and administrators see the code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event organised within the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event is cancelled or completed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events/{id}/check-in-code")]
pub async fn check_in_code(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    let ev = state
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            attend::organised(conn, &scope, id)
        })
        .await?;
    match ev.status.as_str() {
        "cancelled" => return Err(AppError::Conflict(msg!("event-cancelled"))),
        "completed" => return Err(AppError::Conflict(msg!("attendance-event-completed"))),
        _ => {}
    }
    let period = state.config.attendance.code_period.as_secs();
    let (code, expires_at) = state.attendance_key.current_code(id, Utc::now(), period);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CheckInCode {
            qr: codes::code_qr(id, &code),
            code,
            expires_at,
            period_secs: period,
        }))
}

/// The code of a body: six digits, or the payload of the event's QR image
/// (`VHC1.{event_id}.{code}`) as a scanner reads it.
fn code_of(body: &CodeBody, event_id: i64) -> &str {
    let code = body.code.trim();
    code.strip_prefix(codes::CODE_QR_PREFIX)
        .and_then(|rest| rest.split_once('.'))
        .filter(|(ev, _)| *ev == event_id.to_string())
        .map_or(code, |(_, c)| c)
}

/// A volunteer's check-in or check-out with the event's code, run once per key.
async fn with_code(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<VolunteerOnly>,
    event_id: i64,
    body: ApiJson<serde_json::Value>,
    out: bool,
) -> AppResult<HttpResponse> {
    let key = idempotency::key_of(&req, true)?;
    let value = body.0;
    let parsed: CodeBody = crate::http::from_value(&value)?;
    let caller = caller.0;
    let volunteer_id = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let st = state.clone();
    idempotency::once(
        &state,
        &req,
        caller.user_id,
        key,
        &value,
        move |conn, lease| {
            if let Some(wait) = st.wrong_codes.wait(volunteer_id) {
                return Err(AppError::TooManyRequests {
                    retry_after_secs: wait,
                });
            }
            let period = st.config.attendance.code_period.as_secs();
            let code = code_of(&parsed, event_id);
            if !st
                .attendance_key
                .code_is_valid(event_id, code, Utc::now(), period)
            {
                // counted before the event is even read: guessing costs the same everywhere
                if let Some(wait) = st.wrong_codes.count(volunteer_id) {
                    return Err(AppError::TooManyRequests {
                        retry_after_secs: wait,
                    });
                }
                return Err(AppError::validation("/code", msg!("check-in-code-wrong")));
            }
            let act = Act {
                actor: caller.user_id,
                volunteer_id,
                method: Method::Code,
                at: None,
            };
            run(conn, lease, &st, event_id, &act, out)
        },
    )
    .await
}

/// Checks in or out and stores the answer: 201 for a check-in, 200 for a check-out.
fn run(
    conn: &mut DbConn,
    lease: Option<&idempotency::Lease>,
    state: &AppState,
    event_id: i64,
    act: &Act,
    out: bool,
) -> AppResult<Stored> {
    let (hours, cfg) = (&state.config.hours, &state.config.attendance);
    let location = Some(format!("/api/v1/events/{event_id}/attendance"));
    if out {
        let row = attend::check_out(conn, hours, cfg, event_id, act)?;
        idempotency::answer(
            conn,
            lease,
            200,
            location,
            None,
            &AttendanceResponse::from(row),
        )
    } else {
        let row = attend::check_in(conn, hours, cfg, event_id, act)?;
        idempotency::answer(
            conn,
            lease,
            201,
            location,
            None,
            &AttendanceResponse::from(row),
        )
    }
}

/// Check in at the event with the code shown on the organiser's phone (or its QR payload).
///
/// Needs an `Idempotency-Key`: a resend after a lost answer gets the first answer back and
/// never makes a second check-in. Only volunteers admitted to the event (or, at an event
/// without sign-up, active volunteers it is open to) may check in, from
/// `CHECKIN_EARLY_MINUTES` before the start until the end plus the window tolerance. A
/// wrong or expired code is a 422 and counts against the volunteer's limit of
/// `CHECKIN_MAX_WRONG_CODES`; past it, every attempt is 429 until the wait is over.
#[utoipa::path(
    tag = "attendance",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("Idempotency-Key" = String, Header, description = "Fresh per check-in, the same on its retries; 1-255 visible ASCII"),
    ),
    request_body = CodeBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Checked in (or the first answer, replayed)", body = AttendanceResponse,
         headers(("Location" = String, description = "The event's attendance"))),
        (status = 403, description = "Only volunteers check themselves in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or the account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Checked in already (the problem names the open attendance), not admitted, not open to the volunteer, the window closed, or the event over", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong or expired code; or the key was used for another body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes: wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u32, description = "Seconds to wait before the next code"))),
    )
)]
#[post("/events/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<VolunteerOnly>,
    id: web::Path<i64>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    with_code(state, req, caller, id.into_inner(), body, false).await
}

/// Check out of the event with its current code.
///
/// Closes the volunteer's check-in and makes its hour entry (`submitted`, source
/// `check_in`), the time between rounded down to whole minutes and clipped to the event's
/// window with the tolerance. When a rule of recording hours refuses the entry (one per
/// volunteer, event and day; no overlap; 24 hours a day), the attendance is still closed and
/// carries a `flag` with the reason for the organiser to resolve. `Idempotency-Key` and the
/// code's limit as for check-in.
#[utoipa::path(
    tag = "attendance",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("Idempotency-Key" = String, Header, description = "Fresh per check-out, the same on its retries; 1-255 visible ASCII"),
    ),
    request_body = CodeBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Checked out (or the first answer, replayed): `hour_entry_id`, or `flag`", body = AttendanceResponse),
        (status = 403, description = "Only volunteers check themselves out", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or the account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not checked in, or the event cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong or expired code; or the key was used for another body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes: wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u32, description = "Seconds to wait before the next code"))),
    )
)]
#[post("/events/{id}/check-out")]
pub async fn check_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<VolunteerOnly>,
    id: web::Path<i64>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    with_code(state, req, caller, id.into_inner(), body, true).await
}

/// The caller's personal pass, for the organiser's phone to scan.
///
/// A signed code (and QR payload) naming the volunteer, valid for `ATTENDANCE_PASS_SECS` (2
/// hours by default), for when the volunteer's phone has no signal (fetch it before
/// leaving). Never cached.
#[utoipa::path(
    tag = "attendance",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The pass", body = Pass),
        (status = 403, description = "Only volunteers have a pass", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/pass")]
pub async fn my_pass(
    state: web::Data<AppState>,
    caller: Auth<VolunteerOnly>,
) -> AppResult<HttpResponse> {
    let volunteer_id = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let ttl = chrono::Duration::from_std(state.config.attendance.pass_ttl).unwrap_or_default();
    // whole seconds, as the pass holds it
    let expires_at = (Utc::now() + ttl).trunc_subsecs(0);
    let pass = state.attendance_key.pass(volunteer_id, expires_at);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Pass {
            qr: pass.clone(),
            pass,
            expires_at,
        }))
}

/// The organiser records a volunteer arriving or leaving.
///
/// By the volunteer's scanned `pass` or by `volunteer_id` (exactly one), with `at` when its
/// phone was offline (within the check-in window, kept beside the server's receive time).
/// Same rules as the volunteer's own check-in and check-out; needs an `Idempotency-Key`.
#[utoipa::path(
    tag = "attendance",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("Idempotency-Key" = String, Header, description = "Fresh per record, the same on its retries; 1-255 visible ASCII"),
    ),
    request_body = AttendanceBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Checked out (or the first answer, replayed)", body = AttendanceResponse),
        (status = 201, description = "Checked in (or the first answer, replayed)", body = AttendanceResponse,
         headers(("Location" = String, description = "The event's attendance"))),
        (status = 403, description = "Only secretaries and administrators record attendance", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event organised within the caller's scope, or no such volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Checked in already, not checked in, not admitted, the window closed, or the event over", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both of `pass` and `volunteer_id`, an invalid or expired pass, or `at` outside the window; or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/events/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let key = idempotency::key_of(&req, true)?;
    let event_id = id.into_inner();
    let value = body.0;
    let parsed: AttendanceBody = crate::http::from_value(&value)?;
    let (volunteer_id, method) = match (&parsed.pass, parsed.volunteer_id) {
        (Some(pass), None) => {
            let read = state.attendance_key.read_pass(pass.trim(), Utc::now());
            match read {
                Ok(v) => (v, Method::Pass),
                Err(PassError::Expired) => {
                    return Err(AppError::validation(
                        "/pass",
                        msg!("attendance-pass-expired"),
                    ))
                }
                Err(PassError::Malformed) => {
                    return Err(AppError::validation(
                        "/pass",
                        msg!("attendance-pass-invalid"),
                    ))
                }
            }
        }
        (None, Some(v)) if v >= 1 => (v, Method::Organiser),
        (None, Some(_)) => {
            return Err(AppError::validation(
                "/volunteer_id",
                msg!("between", min = 1, max = i64::MAX),
            ))
        }
        _ => {
            return Err(AppError::validation(
                "",
                msg!("attendance-pass-or-volunteer"),
            ))
        }
    };
    let caller = caller.0;
    let st = state.clone();
    let out = parsed.action == AttendanceAction::CheckOut;
    idempotency::once(
        &state,
        &req,
        caller.user_id,
        key,
        &value,
        move |conn, lease| {
            let scope = caller.scope(conn)?;
            attend::organised(conn, &scope, event_id)?;
            let act = Act {
                actor: caller.user_id,
                volunteer_id,
                method,
                at: parsed.at,
            };
            run(conn, lease, &st, event_id, &act, out)
        },
    )
    .await
}

/// Who is at the event, and who never came.
///
/// Checked in now, checked out (with the entry made, or a `flag`), and admitted but never
/// came (no-shows), with counts of each. The organiser's secretaries and administrators see
/// everyone; a secretary of another branch sees the volunteers of its own scope only.
#[utoipa::path(
    tag = "attendance",
    params(("id" = i64, Path, description = "Event id"), AttendanceQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the event's attendance", body = AttendanceList),
        (status = 403, description = "Only secretaries and administrators see an event's attendance", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events/{id}/attendance")]
pub async fn list_attendance(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    query: web::Query<AttendanceQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let event_id = id.into_inner();
    let caller = caller.0;
    let list = state
        .reads(&caller)
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            presence(conn, &scope, event_id, q.presence, paging)
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The attendance of the event that `scope` may see, filtered and paged. An event's
/// attendance is as large as its admitted volunteers: it is read whole, then paged.
fn presence(
    conn: &mut DbConn,
    scope: &Scope,
    event_id: i64,
    only: Option<Presence>,
    paging: Paging,
) -> AppResult<AttendanceList> {
    let ev = attend::event(conn, event_id)?;
    let branches = match scope {
        Scope::Branches(ids) if !ids.contains(&ev.organiser_branch_id) => Some(ids.as_slice()),
        Scope::Volunteer(_) => return Err(AppError::NotFound),
        _ => None,
    };
    let rows = model::of_event(conn, event_id, branches)?;
    let admitted = attend::admitted_volunteers(conn, event_id)?;
    let no_shows: Vec<(i64, String, i64)> = model::never_came(conn, event_id, &admitted)?
        .into_iter()
        .filter(|(_, _, b)| branches.is_none_or(|ids| ids.contains(b)))
        .collect();
    let mut summary = AttendanceSummary {
        no_shows: no_shows.len() as i64,
        ..Default::default()
    };
    let mut items: Vec<AttendanceItem> = Vec::with_capacity(rows.len() + no_shows.len());
    for (row, name, _) in rows {
        let state = if row.is_open() {
            summary.checked_in += 1;
            Presence::CheckedIn
        } else {
            summary.checked_out += 1;
            summary.flagged += i64::from(row.flag.is_some());
            Presence::CheckedOut
        };
        items.push(AttendanceItem {
            volunteer_id: row.volunteer_id,
            volunteer_name: name,
            presence: state,
            attendance: Some(row.into()),
        });
    }
    items.extend(no_shows.into_iter().map(|(id, name, _)| AttendanceItem {
        volunteer_id: id,
        volunteer_name: name,
        presence: Presence::NoShow,
        attendance: None,
    }));
    items.retain(|i| only.is_none_or(|p| p == i.presence));
    let total = items.len() as i64;
    let page: Vec<AttendanceItem> = items
        .into_iter()
        .skip(usize::try_from(paging.offset).unwrap_or(usize::MAX))
        .take(paging.limit as usize)
        .collect();
    Ok(AttendanceList {
        items: page,
        total,
        page: paging.page,
        limit: paging.limit,
        summary,
    })
}

/// The caller's own attendance at every event.
///
/// The newest first: each check-in with its check-out, the entry it made, or the `flag` that
/// kept it from making one.
#[utoipa::path(
    tag = "attendance",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the caller's attendance", body = crate::http::Page<AttendanceResponse>),
        (status = 403, description = "Only volunteers have attendance", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/attendance")]
pub async fn my_attendance(
    state: web::Data<AppState>,
    caller: Auth<VolunteerOnly>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let volunteer_id = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let (rows, total) = state
        .reads(&caller)
        .db(move |conn| Ok(model::of_volunteer(conn, volunteer_id, paging)?))
        .await?;
    Ok(paging.respond(
        rows.into_iter().map(AttendanceResponse::from).collect(),
        total,
    ))
}

/// Close the event's attendance.
///
/// Every volunteer still checked in (a forgotten check-out) is checked out at the event's
/// scheduled end (or now, if that is earlier), never later, with its entry marked
/// `auto_closed` for the reviewer. Completing the event does the same. Closing again closes
/// nothing.
#[utoipa::path(
    tag = "attendance",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional: a retry gets the first answer back; 1-255 visible ASCII"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The attendances closed now", body = ClosedAttendance),
        (status = 403, description = "Only secretaries and administrators close attendance", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event organised within the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event is cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/events/{id}/attendance/close")]
pub async fn close_attendance(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let key = idempotency::key_of(&req, false)?;
    let event_id = id.into_inner();
    let caller = caller.0;
    let st = state.clone();
    idempotency::once(
        &state,
        &req,
        caller.user_id,
        key,
        &serde_json::Value::Null,
        move |conn, lease| {
            let scope = caller.scope(conn)?;
            let ev = attend::organised(conn, &scope, event_id)?;
            if ev.status == "cancelled" {
                return Err(AppError::Conflict(msg!("event-cancelled")));
            }
            let closed = attend::close_event(conn, &st.config.hours, event_id, caller.user_id)?;
            let body = ClosedAttendance {
                closed: closed.into_iter().map(AttendanceResponse::from).collect(),
            };
            idempotency::answer(conn, lease, 200, None, None, &body)
        },
    )
    .await
}
