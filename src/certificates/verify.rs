//! The public verification page: no login, rate limited per client address. A wrong code
//! answers exactly as an unknown number, so the page tells nothing to whoever lacks the
//! paper. The code never reaches a log: [`take_code`] lifts it out of the URL before the
//! request is logged.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{get, web, HttpMessage, HttpRequest, HttpResponse};

use super::dto::{Snapshot, Verification, VerificationPage, VerifiedStatus, VerifyQuery};
use super::model;
use crate::error::{AppError, AppResult, Problem};
use crate::AppState;

/// The page's policy: nothing may load, not even a script; only its own inline style.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// The `code` of a `/verify/…` request, taken out of its URL.
#[derive(Debug, Clone)]
pub struct VerifyCode(pub String);

/// Middleware, outside the request logger: a `/verify/…` URL loses its query (the code is
/// kept as a [`VerifyCode`] extension), so that no log line or span carries the code.
pub async fn take_code(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut req = req;
    if req.path().starts_with("/verify/") {
        if let Some(query) = req.uri().query() {
            let code = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("code="))
                .map(str::to_owned);
            if let Ok(uri) = req.path().parse::<actix_web::http::Uri>() {
                req.match_info_mut().get_mut().update(&uri);
                req.head_mut().uri = uri;
            }
            if let Some(code) = code {
                req.extensions_mut().insert(VerifyCode(code));
            }
        }
    }
    next.call(req).await
}

/// Equal codes, in time that does not depend on where they differ.
fn same_code(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// `&`, `<`, `>`, `"` and `'` escaped for HTML text and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str =
    "body{font-family:sans-serif;margin:0;padding:1.5rem;background:#f6f6f6;color:#222}\
main{max-width:32rem;margin:auto;background:#fff;padding:1.5rem;border-radius:6px}\
h1{font-size:1.3rem;margin-top:0}table{border-collapse:collapse;width:100%}\
th,td{text-align:left;padding:.45rem;border-bottom:1px solid #ddd}th{width:7rem;color:#555}\
.valid{color:#137333;font-weight:bold}.revoked{color:#b3261e;font-weight:bold}";

fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"robots\" content=\"noindex\">\
<title>志愿服务记录证明核验</title><style>{STYLE}</style></head>\
<body><main><h1>志愿服务记录证明核验</h1>{body}</main></body></html>\n"
    )
}

fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::VARY, "Accept"))
        .body(body)
}

/// The HTML answer for an unknown number or a wrong code: one text for both.
pub fn not_found_page() -> String {
    page("<p>未找到与该编号和核验码相符的志愿服务记录证明。请核对证明上的编号和核验码。</p>")
}

pub fn verification_page(v: &Verification) -> String {
    let (class, status) = match v.status {
        VerifiedStatus::Valid => ("valid", "有效"),
        VerifiedStatus::Revoked => ("revoked", "已撤销"),
    };
    let rows = [
        ("证明编号", v.number.clone()),
        ("姓名", v.name.clone()),
        ("志愿服务时长", format!("{} 小时", v.service_hours)),
        ("培训时长", format!("{} 小时", v.training_hours)),
        ("出具单位", v.issuer.clone()),
        ("出具日期", v.issued_on.to_string()),
    ];
    let table: String = rows
        .iter()
        .map(|(k, val)| format!("<tr><th>{k}</th><td>{}</td></tr>", escape(val)))
        .collect();
    page(&format!(
        "<p class=\"{class}\">状态：{status}</p><table>{table}</table>"
    ))
}

/// Verify a certificate (public, no login).
///
/// What the QR code on a certificate opens. With the right `code`: whether the certificate
/// is valid or revoked, the volunteer's masked name, the hours, the issuer and the issue
/// date, and nothing else; to a browser as a small HTML page (no scripts), to
/// `Accept: application/json` as JSON. An unknown number and a wrong or missing code get
/// the same 404. Limited per client address (`VERIFY_RATE_PER_MINUTE`): 429 with
/// `Retry-After` beyond.
#[utoipa::path(
    tag = "certificates",
    params(("number" = String, Path, description = "Certificate number", example = "VH-2026-000001", pattern = "^[0-9A-Z]{1,16}-[0-9]{4}-[0-9]{6,}$", max_length = 64), VerifyQuery),
    responses(
        (status = 200, description = "The certificate exists and the code is its own",
         content((Verification = "application/json"), (VerificationPage = "text/html")),
         headers(("Content-Security-Policy" = String, description = "default-src 'none'; style-src 'unsafe-inline'"))),
        (status = 404, description = "No certificate with this number and code (the same answer for either wrong)",
         content((Problem = "application/problem+json"), (VerificationPage = "text/html"))),
        (status = 429, description = "Too many verifications from this address; retry after Retry-After seconds",
         body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
        (status = 503, description = "The database is unreachable; retry after Retry-After seconds",
         body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
#[get("/verify/{number}")]
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    number: web::Path<String>,
) -> AppResult<HttpResponse> {
    state.verify_limiter.check(&req)?;
    let number = number.into_inner();
    let code = req.extensions().get::<VerifyCode>().map(|c| c.0.clone());
    let found = state
        .db(move |conn| {
            let row = match model::by_number(conn, &number) {
                Ok(row) => row,
                Err(diesel::result::Error::NotFound) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            if !code.is_some_and(|c| same_code(&c, &row.code)) {
                return Ok(None);
            }
            let snapshot: Snapshot = serde_json::from_str(&row.snapshot)
                .map_err(|e| AppError::internal(format!("certificate snapshot: {e}")))?;
            Ok(Some(Verification {
                number: row.number,
                status: if row.revoked_at.is_some() {
                    VerifiedStatus::Revoked
                } else {
                    VerifiedStatus::Valid
                },
                name: crate::volunteers::dto::mask_name(&snapshot.volunteer.name),
                service_hours: snapshot.service_hours,
                training_hours: snapshot.training_hours,
                issuer: snapshot.issuer.organisation,
                issued_on: snapshot.issued_on,
            }))
        })
        .await?;
    let json = wants_json(&req);
    match (found, json) {
        (Some(v), true) => Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::VARY, "Accept"))
            .json(v)),
        (Some(v), false) => Ok(html(actix_web::http::StatusCode::OK, verification_page(&v))),
        (None, true) => Err(AppError::NotFound),
        (None, false) => Ok(html(
            actix_web::http::StatusCode::NOT_FOUND,
            not_found_page(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<b>\"林\" & '燕'</b>"),
            "&lt;b&gt;&quot;林&quot; &amp; &#39;燕&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn codes_compare_whole() {
        assert!(same_code("ABCDEFGHJKLM", "ABCDEFGHJKLM"));
        assert!(!same_code("ABCDEFGHJKLM", "ABCDEFGHJKLN"));
        assert!(!same_code("ABCDEFGHJKLM", "ABCDEFGHJKL"));
        assert!(!same_code("", "A"));
    }

    #[test]
    fn the_page_has_no_script() {
        let p = not_found_page();
        assert!(!p.contains("<script"));
        assert!(p.contains("lang=\"zh-CN\""));
    }
}
