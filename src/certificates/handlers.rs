//! Certificates: issued by administrators (and, when `SECRETARIES_ISSUE_CERTIFICATES` is
//! on, by secretaries for the volunteers of their scope); read within the volunteer's scope
//! (administrators and HR every certificate, a secretary those of its branches' volunteers,
//! a volunteer its own); revoked by administrators.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;

use super::dto::{CertificateQuery, CertificateResponse, IssueCertificate, RevokeCertificate};
use super::issue::{self, Request};
use super::model::{self as model, CertificateRow};
use crate::audit;
use crate::auth::{AdminOnly, AnyRole, Auth, Principal, Role, Writers};
use crate::db::schema::certificates;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::http::{ApiJson, Page, Paging};
use crate::idempotency::Creation;
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// The organisation's calendar day and its year now.
fn today(state: &AppState) -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&state.config.hours.utc_offset)
        .date_naive()
}

/// The certificate `number` if the caller's scope holds its volunteer; 404 otherwise.
fn find_in_scope(conn: &mut DbConn, caller: &Principal, number: &str) -> AppResult<CertificateRow> {
    let row = model::by_number(conn, number)?;
    caller
        .scope(conn)?
        .volunteer_branch(conn, row.volunteer_id)?;
    Ok(row)
}

fn response(state: &AppState, row: CertificateRow) -> AppResult<CertificateResponse> {
    CertificateResponse::of(row, &state.config.certificates.public_base_url)
        .map_err(|e| AppError::internal(format!("certificate snapshot: {e}")))
}

/// Every broken field of an issue request at once.
fn check(c: &IssueCertificate, today: NaiveDate) -> AppResult<()> {
    let mut errors = Errors::default();
    if let (Some(from), Some(to)) = (c.from, c.to) {
        if from > to {
            errors.add("/to", msg!("certificate-period-reversed"));
        }
    }
    for (pointer, date) in [("/from", c.from), ("/to", c.to)] {
        if date.is_some_and(|d| d > today) {
            errors.add(pointer, msg!("not-after-today", today = today.to_string()));
        }
    }
    errors.opt_text("/purpose", c.purpose.as_deref(), 200);
    errors.into_result()
}

/// Issue a record certificate (志愿服务记录证明) for a volunteer.
///
/// Administrators; secretaries for volunteers of their scope only when the service runs
/// with `SECRETARIES_ISSUE_CERTIFICATES=true` (403 otherwise). Freezes a snapshot of the
/// volunteer's approved hours in the period (`from`, `to`, both optional, inclusive), net of
/// approved corrections, at events organised within the issuer's scope (谁组织谁证明: an
/// administrator the whole organisation, a secretary its branch and those below), training
/// apart; later corrections do not change it. Numbered `PREFIX-YEAR-SEQUENCE` without gaps
/// per year, with a random verification code. Send an `Idempotency-Key` to make a retry
/// safe.
#[utoipa::path(
    tag = "certificates",
    params(("id" = i64, Path, description = "Volunteer id")),
    request_body = IssueCertificate,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Issued", body = CertificateResponse,
         headers(("Location" = String, description = "URL of the new certificate"))),
        (status = 403, description = "HR and volunteers cannot issue certificates; secretaries only when allowed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/volunteers/{id}/certificates")]
pub async fn issue_certificate(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    create: Creation<IssueCertificate>,
) -> AppResult<HttpResponse> {
    let caller = caller.0;
    if caller.role == Role::Secretary && !state.config.certificates.secretaries_issue {
        return Err(AppError::Forbidden(msg!(
            "certificates-secretaries-may-not"
        )));
    }
    let volunteer = id.into_inner();
    let (c, pending) = create.parts();
    let today = today(&state);
    let cfg = state.config.certificates.clone();
    let st = state.clone();
    pending
        .once(&state, &req, caller.user_id, move |conn, lease| {
            let scope = caller.scope(conn)?;
            scope.volunteer_branch(conn, volunteer)?;
            check(&c, today)?;
            let request = Request {
                volunteer,
                from: c.from,
                to: c.to,
                purpose: c.purpose,
            };
            let row = issue::issue(
                conn,
                &cfg,
                &scope,
                caller.user_id,
                &request,
                db::now(),
                today,
            )?;
            let number = row.number.clone();
            let id = row.id;
            let body = response(&st, row)?;
            audit::log(
                conn,
                caller.user_id,
                audit::Action::Create,
                audit::Entity::Certificate,
                id,
                audit::NOTHING,
                Some(&body.audited()),
            )?;
            crate::idempotency::finish(
                conn,
                lease,
                format!("/api/v1/certificates/{number}"),
                None,
                &body,
            )
        })
        .await
}

/// One certificate, as issued.
///
/// Within the volunteer's scope: administrators and HR every certificate, a secretary those
/// of its branches' volunteers, a volunteer its own; 404 otherwise. A revoked certificate
/// says so.
#[utoipa::path(
    tag = "certificates",
    params(("number" = String, Path, description = "Certificate number", example = "VH-2026-000001", pattern = "^[0-9A-Z]{1,16}-[0-9]{4}-[0-9]{6,}$", max_length = 64)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The certificate", body = CertificateResponse),
        (status = 404, description = "No such certificate in the caller's scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/certificates/{number}")]
pub async fn get_certificate(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    number: web::Path<String>,
) -> AppResult<HttpResponse> {
    let number = number.into_inner();
    let caller = caller.0;
    let row = state
        .db(move |conn| find_in_scope(conn, &caller, &number))
        .await?;
    Ok(HttpResponse::Ok().json(response(&state, row)?))
}

/// The certificate as an A4 PDF in Chinese.
///
/// Read as the certificate itself. Drawn from the frozen snapshot: the title 志愿服务记录证明,
/// the fields in a table, the service counted, a QR code that opens the verification page,
/// the number and the code. A revoked certificate's PDF says it was revoked.
#[utoipa::path(
    tag = "certificates",
    params(("number" = String, Path, description = "Certificate number", example = "VH-2026-000001", pattern = "^[0-9A-Z]{1,16}-[0-9]{4}-[0-9]{6,}$", max_length = 64)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf",
         headers(("Content-Disposition" = String, description = "inline; filename=\"NUMBER.pdf\""))),
        (status = 404, description = "No such certificate in the caller's scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/certificates/{number}/pdf")]
pub async fn certificate_pdf(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    number: web::Path<String>,
) -> AppResult<HttpResponse> {
    let number = number.into_inner();
    let caller = caller.0;
    let row = state
        .db(move |conn| find_in_scope(conn, &caller, &number))
        .await?;
    let body = response(&state, row)?;
    let revoked = body
        .revoked_at
        .map(|t| t.with_timezone(&state.config.hours.utc_offset).date_naive());
    let filename = format!("{}.pdf", body.number);
    // drawing takes tens of milliseconds: off the event loop
    let pdf = web::block(move || {
        super::pdf::render(&body.snapshot, &body.code, &body.verification_url, revoked)
    })
    .await
    .map_err(|e| AppError::internal(format!("pdf thread: {e}")))?
    .ok_or_else(|| AppError::internal("the certificate PDF could not be drawn"))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{filename}\""),
        ))
        .body(pdf))
}

fn list(
    conn: &mut DbConn,
    volunteer: i64,
    paging: Paging,
    base_url: &str,
) -> AppResult<(Vec<CertificateResponse>, i64)> {
    let filtered = || {
        certificates::table
            .filter(certificates::volunteer_id.eq(volunteer))
            .into_boxed()
    };
    let order = (certificates::issued_at.desc(), certificates::id.desc());
    let (rows, total) = crate::page_of!(conn, filtered, order, paging, CertificateRow);
    let items = rows
        .into_iter()
        .map(|r| CertificateResponse::of(r, base_url))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::internal(format!("certificate snapshot: {e}")))?;
    Ok((items, total))
}

/// A volunteer's certificates, the latest first.
///
/// Within the volunteer's scope (404 for a volunteer outside it), revoked ones included.
#[utoipa::path(
    tag = "certificates",
    params(("id" = i64, Path, description = "Volunteer id"), CertificateQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the volunteer's certificates", body = Page<CertificateResponse>),
    )
)]
#[get("/volunteers/{id}/certificates")]
pub async fn list_certificates(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
    query: web::Query<CertificateQuery>,
) -> AppResult<HttpResponse> {
    let volunteer = id.into_inner();
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let base = state.config.certificates.public_base_url.clone();
    state
        .volunteer_page(caller.0, volunteer, paging, move |conn| {
            list(conn, volunteer, paging, &base)
        })
        .await
}

/// The caller's own certificates, the latest first.
///
/// Only for an account linked to a volunteer (404 otherwise).
#[utoipa::path(
    tag = "certificates",
    params(CertificateQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the caller's certificates", body = Page<CertificateResponse>),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/certificates")]
pub async fn my_certificates(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<CertificateQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let volunteer = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let base = state.config.certificates.public_base_url.clone();
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| list(conn, volunteer, paging, &base))
        .await?;
    Ok(paging.respond(items, total))
}

/// Revoke a certificate.
///
/// Administrators, with a reason. The certificate stays, marked revoked (when, by whom,
/// why); its verification page says so. Revoking it again is 409.
#[utoipa::path(
    tag = "certificates",
    params(("number" = String, Path, description = "Certificate number", example = "VH-2026-000001", pattern = "^[0-9A-Z]{1,16}-[0-9]{4}-[0-9]{6,}$", max_length = 64)),
    request_body = RevokeCertificate,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Revoked", body = CertificateResponse),
        (status = 403, description = "Only administrators revoke certificates", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such certificate", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/certificates/{number}/revoke")]
pub async fn revoke_certificate(
    state: web::Data<AppState>,
    caller: Auth<AdminOnly>,
    number: web::Path<String>,
    body: ApiJson<RevokeCertificate>,
) -> AppResult<HttpResponse> {
    let number = number.into_inner();
    let reason = body.0.reason;
    let caller = caller.0;
    let st = state.clone();
    let after = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let before = find_in_scope(conn, &caller, &number)?;
                let mut errors = Errors::default();
                errors.text("/reason", &reason, 1, 500);
                errors.into_result()?;
                if before.revoked_at.is_some() {
                    return Err(AppError::Conflict(msg!("certificate-already-revoked")));
                }
                if model::revoke(conn, before.id, caller.user_id, db::now(), &reason)? == 0 {
                    return Err(AppError::Conflict(msg!("certificate-already-revoked")));
                }
                let id = before.id;
                let before = response(&st, before)?;
                let after = response(&st, model::by_number(conn, &number)?)?;
                audit::log_with_reason(
                    conn,
                    caller.user_id,
                    audit::Action::Revoke,
                    audit::Entity::Certificate,
                    id,
                    Some(&before.audited()),
                    Some(&after.audited()),
                    Some(&reason),
                )?;
                Ok::<_, AppError>(after)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(after))
}
