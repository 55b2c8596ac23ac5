//! Error reports: made by a volunteer about its own record; read by it, by administrators
//! and by the secretaries of the event's organising branch (HR: 403); accepted or declined
//! by those organisers. Accepting records the entry or the correction through the hours
//! module's own rules, in the same transaction.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;

use super::dto::{
    CreateErrorReport, DeclineErrorReport, ErrorReportKind, ErrorReportQuery, ErrorReportResponse,
};
use super::model::{self as model, Decision, ErrorReportRow, NewErrorReport};
use crate::audit;
use crate::auth::{Auth, NotHr, Scope, VolunteerOnly, Writers};
use crate::config::HoursConfig;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::hours::dto::EntryInput;
use crate::hours::rules::{self, TimeInput, DAY_MINUTES};
use crate::hours::source::EntrySource;
use crate::hours::status::HourStatus;
use crate::http::{etag, versioned, Page, Paging};
use crate::idempotency::{self, Creation, Lease, Stored};
use crate::ids::{EventId, HourEntryId, VolunteerId};
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// Each field a report of `kind` does not take, if given, as an error.
fn not_for_kind(e: &mut Errors, kind: ErrorReportKind, fields: &[(&str, bool)]) {
    for (pointer, given) in fields {
        if *given {
            e.add(
                *pointer,
                msg!("error-report-not-for-kind", kind = kind.as_str()),
            );
        }
    }
}

fn required(e: &mut Errors, kind: ErrorReportKind, pointer: &str) {
    e.add(
        pointer,
        msg!("error-report-required-for-kind", kind = kind.as_str()),
    );
}

/// A missing-service report checked like an entry of a submission (the event known and not
/// cancelled, the time against its window, the texts): every broken field at once. The
/// report's row, the time resolved.
fn missing<'a>(
    conn: &mut DbConn,
    cfg: &HoursConfig,
    volunteer: i64,
    c: &'a CreateErrorReport,
    e: &mut Errors,
) -> AppResult<Option<NewErrorReport<'a>>> {
    let kind = ErrorReportKind::Missing;
    not_for_kind(e, kind, &[("/hour_entry_id", c.hour_entry_id.is_some())]);
    e.opt_text("/role", c.role.as_deref(), 50);
    e.opt_text("/note", c.note.as_deref(), 500);
    let Some(event_id) = c.event_id else {
        required(e, kind, "/event_id");
        return Ok(None);
    };
    let Some(event) = crate::hours::model::event(conn, EventId(event_id)).optional()? else {
        e.add("/event_id", msg!("error-report-no-such-event"));
        return Ok(None);
    };
    if event.is_cancelled() {
        e.add("/event_id", msg!("error-report-event-cancelled"));
    }
    let time = TimeInput {
        minutes: c.minutes,
        service_date: c.service_date,
        started_at: c.started_at,
        ended_at: c.ended_at,
    };
    let Some(t) = rules::resolve(e, "", time, &event.window(cfg)) else {
        return Ok(None);
    };
    let now = db::now();
    Ok(Some(NewErrorReport {
        volunteer_id: volunteer,
        kind: kind.as_str(),
        event_id,
        hour_entry_id: None,
        service_date: Some(t.date),
        minutes: t.minutes.get(),
        started_at: t.started_at.map(|s| s.naive_utc()),
        ended_at: t.ended_at.map(|s| s.naive_utc()),
        role: c.role.as_deref(),
        note: c.note.as_deref(),
        explanation: &c.explanation,
        created_by: None,
        created_at: now,
        updated_at: now,
    }))
}

/// A wrong-entry report checked: an approved original entry of the volunteer's, and minutes
/// 0 to 1440 other than what it counts now (corrections awaiting review included).
fn wrong<'a>(
    conn: &mut DbConn,
    volunteer: i64,
    c: &'a CreateErrorReport,
    e: &mut Errors,
) -> AppResult<Option<NewErrorReport<'a>>> {
    let kind = ErrorReportKind::Wrong;
    not_for_kind(
        e,
        kind,
        &[
            ("/event_id", c.event_id.is_some()),
            ("/service_date", c.service_date.is_some()),
            ("/started_at", c.started_at.is_some()),
            ("/ended_at", c.ended_at.is_some()),
            ("/role", c.role.is_some()),
            ("/note", c.note.is_some()),
        ],
    );
    let should = match c.minutes {
        None => {
            required(e, kind, "/minutes");
            None
        }
        Some(m) if !(0..=DAY_MINUTES).contains(&i64::from(m)) => {
            e.add("/minutes", msg!("between", min = 0, max = DAY_MINUTES));
            None
        }
        Some(m) => Some(m),
    };
    let Some(entry_id) = c.hour_entry_id else {
        required(e, kind, "/hour_entry_id");
        return Ok(None);
    };
    let entry = crate::hours::model::find(conn, HourEntryId(entry_id))
        .optional()?
        .filter(|r| r.volunteer_id == VolunteerId(volunteer));
    let Some(entry) = entry else {
        e.add("/hour_entry_id", msg!("error-report-not-your-entry"));
        return Ok(None);
    };
    if entry.status != HourStatus::Approved || entry.corrects_id.is_some() {
        e.add("/hour_entry_id", msg!("error-report-approved-only"));
        return Ok(None);
    }
    let Some(should) = should else {
        return Ok(None);
    };
    let net = crate::hours::model::net_minutes(conn, &entry, true)?;
    if net == i64::from(should) {
        e.add(
            "/minutes",
            msg!("error-report-already-counts", minutes = net),
        );
        return Ok(None);
    }
    let now = db::now();
    Ok(Some(NewErrorReport {
        volunteer_id: volunteer,
        kind: kind.as_str(),
        event_id: entry.event_id.get(),
        hour_entry_id: Some(entry_id),
        service_date: None,
        minutes: should,
        started_at: None,
        ended_at: None,
        role: None,
        note: None,
        explanation: &c.explanation,
        created_by: None,
        created_at: now,
        updated_at: now,
    }))
}

/// Report a missing or wrong entry in the caller's own record.
///
/// Volunteers, about their own record (an account not linked to a volunteer: 404).
/// `missing`: an event and the time served, checked as a submission's entry is (within the
/// event's time, 1 to 1440 minutes), with what the volunteer did; `wrong`: an approved
/// entry of the caller's and the minutes it should count (0 to 1440). An explanation always.
/// Every invalid field at once (422; an unknown event or another volunteer's entry is a
/// 422 on its field). One open report per wrong entry, and per missing day at an event
/// (409); a missing day the record already holds is 409 too (report that entry as wrong).
/// Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "record",
    request_body = CreateErrorReport,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Reported, open", body = ErrorReportResponse,
         headers(("Location" = String, description = "URL of the report"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Only volunteers report errors in their record", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An open report of the same entry or day exists, or the record already holds that day", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named by pointer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/error-reports")]
pub async fn create_my_error_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<VolunteerOnly>,
    create: Creation<CreateErrorReport>,
) -> AppResult<HttpResponse> {
    let (c, pending) = create.parts();
    let caller = caller.0;
    let volunteer = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let cfg = state.config.hours.clone();
    pending
        .once(&state, &req, caller.user_id, move |conn, lease| {
            let mut e = Errors::default();
            e.text("/explanation", &c.explanation, 1, 500);
            let new = match c.kind {
                ErrorReportKind::Missing => missing(conn, &cfg, volunteer, &c, &mut e)?,
                ErrorReportKind::Wrong => wrong(conn, volunteer, &c, &mut e)?,
            };
            e.into_result()?;
            let mut new =
                new.ok_or_else(|| AppError::internal("a report checked without a row"))?;
            new.created_by = Some(caller.user_id);
            if let Some(open) = model::open_duplicate(conn, &new)? {
                return Err(AppError::Conflict(msg!(
                    "error-report-open",
                    report = open.to_string()
                )));
            }
            if let Some(date) = new.service_date {
                let existing = crate::hours::model::live_duplicate(
                    conn,
                    VolunteerId(volunteer),
                    EventId(new.event_id),
                    date,
                    None,
                )?;
                if let Some(entry) = existing {
                    return Err(AppError::entries_conflict(
                        msg!("error-report-entry-exists"),
                        vec![entry.get()],
                    ));
                }
            }
            let id = model::insert(conn, &new)?;
            let row = model::find(conn, id)?;
            let version = row.version;
            let body = ErrorReportResponse::from(row);
            idempotency::created(
                conn,
                lease,
                caller.user_id,
                audit::Entity::ErrorReport,
                "/api/v1/error-reports",
                id,
                version,
                &body,
            )
        })
        .await
}

/// The caller's own error reports, the newest first, each with its status and outcome.
///
/// Volunteers (an account not linked to a volunteer: 404).
#[utoipa::path(
    tag = "record",
    params(ErrorReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the caller's reports", body = Page<ErrorReportResponse>),
        (status = 403, description = "Only volunteers have error reports of their own", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/error-reports")]
pub async fn list_my_error_reports(
    state: web::Data<AppState>,
    caller: Auth<VolunteerOnly>,
    query: web::Query<ErrorReportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let volunteer = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let status = q.status.map(|s| s.as_str());
    let (rows, total) = state
        .reads(&caller)
        .db(move |conn| {
            Ok(model::list(
                conn,
                &Scope::Volunteer(Some(volunteer)),
                status,
                paging,
            )?)
        })
        .await?;
    Ok(paging.respond(
        rows.into_iter().map(ErrorReportResponse::from).collect(),
        total,
    ))
}

/// Error reports to decide, the newest first.
///
/// Administrators see every report; a secretary those about events organised by its branch
/// or one below it. HR does not handle them (403).
#[utoipa::path(
    tag = "record",
    params(ErrorReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the reports in scope", body = Page<ErrorReportResponse>),
        (status = 403, description = "HR and volunteers do not decide error reports", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/error-reports")]
pub async fn list_error_reports(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    query: web::Query<ErrorReportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let caller = caller.0;
    let status = q.status.map(|s| s.as_str());
    let (rows, total) = state
        .reads(&caller)
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            Ok(model::list(conn, &scope, status, paging)?)
        })
        .await?;
    Ok(paging.respond(
        rows.into_iter().map(ErrorReportResponse::from).collect(),
        total,
    ))
}

/// One error report.
///
/// Its volunteer, administrators, and the secretaries of the event's organising branch (404
/// for anyone else); HR: 403.
#[utoipa::path(
    tag = "record",
    params(("id" = i64, Path, description = "Error report id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report", body = ErrorReportResponse, headers(("ETag" = String, description = "Current version"))),
        (status = 403, description = "HR does not handle error reports", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/error-reports/{id}")]
pub async fn get_error_report(
    state: web::Data<AppState>,
    caller: Auth<NotHr>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    let row = state
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            Ok(model::find_in_scope(conn, &scope, id)?)
        })
        .await?;
    Ok(versioned(row.version, ErrorReportResponse::from(row)))
}

/// A rule of recording hours that an accepted report would break, as a 422 naming it: the
/// hours module answers some rules (one entry per day, overlaps, a cancelled event) with a
/// 409, which here is the report's content, not a race.
fn breaks_rule(e: AppError) -> AppError {
    match e {
        AppError::Conflict(rule) | AppError::EntriesConflict { detail: rule, .. } => {
            AppError::validation("", msg!("error-report-breaks-rule", rule = rule))
        }
        other => other,
    }
}

/// The open report `id` in the caller's scope, locked: 404 outside the scope, 409 when it
/// was decided already.
fn open_report(conn: &mut DbConn, scope: &Scope, id: i64) -> AppResult<ErrorReportRow> {
    model::find_in_scope(conn, scope, id)?;
    let report = model::lock(conn, id)?;
    if !report.is_open() {
        return Err(AppError::Conflict(msg!(
            "error-report-decided",
            status = report.status.clone()
        )));
    }
    Ok(report)
}

/// Records the entry or correction the report asks for, with the hours rules: its id.
fn record_report(
    conn: &mut DbConn,
    cfg: &HoursConfig,
    user_id: i64,
    report: &ErrorReportRow,
) -> AppResult<i64> {
    match report.hour_entry_id {
        None => {
            let input = EntryInput {
                volunteer_id: report.volunteer_id,
                minutes: Some(report.minutes),
                service_date: report.service_date,
                started_at: report.started_at.map(|t| t.and_utc()),
                ended_at: report.ended_at.map(|t| t.and_utc()),
                role: report.role.clone(),
                note: report.note.clone(),
            };
            // the report is in the caller's scope through its event; the volunteer may be
            // of another branch
            let rows = crate::hours::submit::record(
                conn,
                cfg,
                user_id,
                &Scope::All,
                EventId(report.event_id),
                &[input],
                false,
                EntrySource::ErrorReport,
            )
            .map_err(breaks_rule)?;
            rows.first()
                .map(|r| r.id.get())
                .ok_or_else(|| AppError::internal("a missing entry recorded no row"))
        }
        Some(entry) => {
            let original = crate::hours::model::find(conn, HourEntryId(entry))?;
            let net = crate::hours::model::net_minutes(conn, &original, true)?;
            let change = i64::from(report.minutes) - net;
            if change == 0 {
                return Err(AppError::validation(
                    "/minutes",
                    msg!("error-report-already-counts", minutes = net),
                ));
            }
            let change = i32::try_from(change).map_err(|_| {
                AppError::validation("/minutes", msg!("correction-minutes", max = DAY_MINUTES))
            })?;
            let row = crate::hours::corrections::record(
                conn,
                user_id,
                &original,
                change,
                &report.explanation,
                EntrySource::ErrorReport,
            )
            .map_err(breaks_rule)?;
            Ok(row.id.get())
        }
    }
}

/// The report as answered by a decision (200 with its `ETag`), stored under the key.
fn decided(conn: &mut DbConn, lease: Option<&Lease>, row: ErrorReportRow) -> AppResult<Stored> {
    let stored = Stored {
        status: 200,
        location: None,
        etag: Some(etag(row.version)),
        body: serde_json::to_string(&ErrorReportResponse::from(row))
            .map_err(|e| AppError::internal(e.to_string()))?,
    };
    if let Some(lease) = lease {
        idempotency::complete(conn, lease, &stored)?;
    }
    Ok(stored)
}

/// Writes the decision on the open `report` and its audit row.
fn decide(
    conn: &mut DbConn,
    user_id: i64,
    report: ErrorReportRow,
    decision: &Decision<'_>,
    action: audit::Action,
) -> AppResult<ErrorReportRow> {
    if !model::decide(conn, &report, decision)? {
        return Err(AppError::PreconditionFailed);
    }
    let after = model::find(conn, report.id)?;
    audit::log_with_reason(
        conn,
        user_id,
        action,
        audit::Entity::ErrorReport,
        report.id,
        Some(&ErrorReportResponse::from(report)),
        Some(&ErrorReportResponse::from(after.clone())),
        decision.decline_reason,
    )?;
    Ok(after)
}

/// Accept an error report: record what it asks for.
///
/// Administrators, and secretaries whose scope holds the event's organising branch (404
/// otherwise). In one transaction: a `missing` report becomes an hour entry, a `wrong` one a
/// correction of its entry (the minutes it should count less what it counts now, the
/// explanation as the reason), `submitted` with `source: error_report` and reviewed like
/// any entry; the report turns `accepted` with `created_entry_id`. Every rule of recording
/// hours applies (the event's time, 24 hours a day, no overlap, one entry per volunteer,
/// event and day, the correction's bounds, a cancelled event): a report that would break one
/// is a 422 naming it, and stays open with nothing written. Only an open report is decided
/// (409). An `Idempotency-Key` makes a retry safe.
#[utoipa::path(
    tag = "record",
    params(
        ("id" = i64, Path, description = "Error report id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Fresh per decision, the same on its retries; 1-255 visible ASCII"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Accepted: the report, with the entry it created", body = ErrorReportResponse,
         headers(("ETag" = String, description = "The report's new version"))),
        (status = 403, description = "HR and volunteers do not decide error reports", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The report was decided already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Accepting would break a rule of recording hours, which the problem names", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/error-reports/{id}/accept")]
pub async fn accept_error_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let key = idempotency::key_of(&req, false)?;
    let id = id.into_inner();
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    let user = caller.user_id;
    idempotency::once(
        &state,
        &req,
        user,
        key,
        &serde_json::Value::Null,
        move |conn, lease| {
            let scope = caller.scope(conn)?;
            let report = open_report(conn, &scope, id)?;
            let entry = record_report(conn, &cfg, user, &report)?;
            let decision = Decision {
                status: model::ACCEPTED,
                decided_by: user,
                decline_reason: None,
                created_entry_id: Some(entry),
            };
            let after = decide(conn, user, report, &decision, audit::Action::Accept)?;
            decided(conn, lease, after)
        },
    )
    .await
}

/// Decline an error report, with the reason.
///
/// Who may accept it may decline it; the reason is required. Only an open report is decided
/// (409). An `Idempotency-Key` makes a retry safe.
#[utoipa::path(
    tag = "record",
    params(
        ("id" = i64, Path, description = "Error report id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Fresh per decision, the same on its retries; 1-255 visible ASCII"),
    ),
    request_body = DeclineErrorReport,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Declined: the report, with the reason", body = ErrorReportResponse,
         headers(("ETag" = String, description = "The report's new version"))),
        (status = 403, description = "HR and volunteers do not decide error reports", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The report was decided already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or an invalid one", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/error-reports/{id}/decline")]
pub async fn decline_error_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    body: Creation<DeclineErrorReport>,
) -> AppResult<HttpResponse> {
    let (d, pending) = body.parts();
    let mut e = Errors::default();
    match d.reason.as_deref() {
        Some(r) => e.text("/reason", r, 1, 500),
        None => e.add("/reason", msg!("error-report-decline-needs-reason")),
    }
    e.into_result()?;
    let id = id.into_inner();
    let caller = caller.0;
    let user = caller.user_id;
    pending
        .once(&state, &req, user, move |conn, lease| {
            let scope = caller.scope(conn)?;
            let report = open_report(conn, &scope, id)?;
            let decision = Decision {
                status: model::DECLINED,
                decided_by: user,
                decline_reason: d.reason.as_deref(),
                created_entry_id: None,
            };
            let after = decide(conn, user, report, &decision, audit::Action::Decline)?;
            decided(conn, lease, after)
        })
        .await
}
