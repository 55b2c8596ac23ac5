//! HTTP plumbing shared by every resource: the JSON body extractor, extractor error
//! handlers, the catch-all that turns any bare error response into problem+json, and the
//! request-id header.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use tracing_actix_web::RequestId;

mod json;

pub use json::{from_value, json_pointer, parse_json, shape_error, ApiJson};

use crate::error::{AppError, FieldError, PROBLEM_JSON};
use crate::msg;

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let detail = match &err {
            actix_web::error::QueryPayloadError::Deserialize(e) => shape_error(&e.to_string()),
            other => msg!("query-unreadable", cause = other.to_string()),
        };
        AppError::InvalidParameter(vec![FieldError::new("/query", detail)]).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req| {
        // `PATCH /hours/review` reaches `PATCH /hours/{id}`, but names the review route
        if let Some(allow) = route_methods(req, true) {
            if !allow.split(", ").any(|m| m == req.method().as_str()) {
                return actix_web::error::InternalError::from_response(
                    "method not allowed",
                    method_not_allowed(&allow),
                )
                .into();
            }
        }
        let detail = match &err {
            actix_web::error::PathError::Deserialize(e) => shape_error(&e.to_string()),
            other => msg!("path-unreadable", cause = other.to_string()),
        };
        AppError::InvalidParameter(vec![FieldError::new("/path", detail)]).into()
    })
}

pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}

/// Any error response that is not already problem+json (unknown routes, wrong methods,
/// bodies over the limit, errors raised inside actix itself) is rewritten as one, keeping
/// headers such as `Allow` and `Retry-After`. An HTML page is an answer to a browser that a
/// handler wrote on purpose (the public verification page's "not found") and is kept.
pub fn problemize<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let keep = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        let v = v.as_bytes();
        v.starts_with(PROBLEM_JSON.as_bytes()) || v.starts_with(b"text/html")
    });
    if keep {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let error = AppError::from_status(status);
    let (req, old) = res.into_parts();
    let mut new: HttpResponse<BoxBody> = error.error_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = old.headers().get(&name) {
            new.headers_mut().insert(name, v.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}

impl AppError {
    /// The problem for a bare error status produced outside our handlers.
    pub fn from_status(status: StatusCode) -> AppError {
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                AppError::UnsupportedMediaType(msg!("unsupported-content-type"))
            }
            StatusCode::UNAUTHORIZED => AppError::Unauthorized(msg!("authentication-required")),
            StatusCode::FORBIDDEN => AppError::Forbidden(msg!("not-allowed")),
            StatusCode::TOO_MANY_REQUESTS => AppError::TooManyRequests {
                retry_after_secs: 1,
            },
            StatusCode::SERVICE_UNAVAILABLE => AppError::Unavailable {
                detail: msg!("service-unavailable"),
                retry_after_secs: 2,
            },
            s if s.is_server_error() => AppError::internal(format!("bare {s} response")),
            s => AppError::BadRequest(msg!(
                "bare-status",
                status = s.as_u16(),
                reason = s.canonical_reason().unwrap_or("")
            )),
        }
    }
}

tokio::task_local! {
    /// The id of the request being served, for audit rows written on its behalf.
    pub static REQUEST_ID: String;
}

/// Echoes the request id (also in every log line of the request) as `X-Request-Id`.
///
/// Also the first look at every request: HEAD is served as GET (the connection sends no
/// body for it, RFC 9110), and a URL that cannot name one object once is refused before any
/// handler runs.
pub async fn request_id_header(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let refused = too_long(&req)
        .or_else(|| nul_in_url(&req))
        .or_else(|| uncanonical_id(&req));
    let mut res = if let Some(refused) = refused {
        req.error_response(refused).map_into_right_body()
    } else {
        match id.clone() {
            Some(id) => REQUEST_ID.scope(id, next.call(req)).await?,
            None => next.call(req).await?,
        }
        .map_into_left_body()
    };
    if let Some(id) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), id);
    }
    Ok(res)
}

/// A NUL character can be neither stored nor searched for (PostgreSQL text holds none), so a
/// path or query that encodes one is refused before any handler runs.
fn nul_in_url(req: &ServiceRequest) -> Option<AppError> {
    let has_nul = |text: &str| text.as_bytes().windows(3).any(|w| w == b"%00");
    let uri = req.uri();
    let at = if uri.query().is_some_and(has_nul) {
        "/query"
    } else if has_nul(uri.path()) {
        "/path"
    } else {
        return None;
    };
    Some(AppError::InvalidParameter(vec![FieldError::new(
        at,
        msg!("url-has-nul"),
    )]))
}

pub use crate::error::MAX_URI_BYTES;

fn too_long(req: &ServiceRequest) -> Option<AppError> {
    let uri = req.uri();
    let len = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    (len > MAX_URI_BYTES).then_some(AppError::UriTooLong)
}

/// A path segment that is a number written other than its one way (`+1`, `01`, `-0`): ids
/// in paths are canonical, so that one object has one URL (in caches and audit logs alike).
fn uncanonical_id(req: &ServiceRequest) -> Option<AppError> {
    let uncanonical = |segment: &str| {
        let digits = segment.strip_prefix(['+', '-']).unwrap_or(segment);
        !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (segment.starts_with('+') || (digits.starts_with('0') && segment.len() > 1))
    };
    req.path()
        .split('/')
        .any(|segment| uncanonical(&percent_decoded(segment)))
        .then(|| {
            AppError::InvalidParameter(vec![FieldError::new("/path", msg!("id-not-canonical"))])
        })
}

/// A path segment with its %XX escapes decoded (bytes that do not form text are kept as
/// they were, which no number contains).
fn percent_decoded(segment: &str) -> std::borrow::Cow<'_, str> {
    if !segment.contains('%') {
        return segment.into();
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned().into()
}

/// Unmatched requests: 405 with `Allow` when the path exists under other methods, else 404.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    match allowed_methods(&req) {
        Some(allow) => Ok(method_not_allowed(&allow)),
        None => Err(AppError::NotFound),
    }
}

/// The methods of the documented route `req`'s path names, preferring a literal route
/// (`/hours/review`) to a pattern that also matches it (`/hours/{id}`).
fn allowed_methods(req: &HttpRequest) -> Option<String> {
    route_methods(req, true).or_else(|| route_methods(req, false))
}

/// The methods of the first documented route that matches `req`'s path, among the literal
/// ones (no `{param}`) only if `literal`.
fn route_methods(req: &HttpRequest, literal: bool) -> Option<String> {
    let state = req.app_data::<web::Data<crate::AppState>>()?;
    state
        .routes
        .iter()
        .find(|(def, _)| {
            def.is_match(req.path()) && !(literal && def.pattern().is_some_and(|p| p.contains('{')))
        })
        .map(|(_, methods)| methods.join(", "))
}

fn method_not_allowed(allow: &str) -> HttpResponse {
    let mut resp = AppError::MethodNotAllowed.error_response();
    if let Ok(v) = HeaderValue::from_str(allow) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    resp
}

// ---- conventions shared by every resource -------------------------------------------------

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`) in PATCH
/// bodies.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}

/// An id in a query (`?branch_id=9`): ids start at 1, so a smaller one names nothing and is
/// refused (400). For `#[serde(default, deserialize_with = "crate::http::query_id")]`.
pub fn query_id<'de, D>(de: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    match <Option<i64> as serde::Deserialize>::deserialize(de)? {
        // serde's own wording, which the catalogue reads (`json-invalid-value`)
        Some(id) if id < 1 => Err(D::Error::invalid_value(
            serde::de::Unexpected::Signed(id),
            &"an id of 1 or more",
        )),
        id => Ok(id),
    }
}

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// One page of a list, in a stable order, with the total count of matching items.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// At most `limit`.
    #[schema(max_items = 200)]
    pub items: Vec<T>,
    /// Items matching the filters, over all pages.
    #[schema(example = 137, minimum = 0)]
    pub total: i64,
    /// This page's number, from 1.
    #[schema(example = 1, minimum = 1, maximum = 1000000)]
    pub page: u32,
    /// The page size asked for.
    #[schema(example = 50, minimum = 1, maximum = 200)]
    pub limit: u32,
}

/// A list's `limit` and `page`, checked, with the offset they mean.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub limit: u32,
    pub offset: i64,
    pub page: u32,
}

impl Paging {
    /// `limit` (1 to 200, default 50) and `page` (from 1, default 1) from a query.
    pub fn new(limit: Option<u32>, page: Option<u32>) -> Result<Paging, AppError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        let page = page.unwrap_or(1);
        let mut errors = Vec::new();
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "/query/limit",
                msg!("between", min = 1, max = MAX_LIMIT),
            ));
        }
        if !(1..=1_000_000).contains(&page) {
            errors.push(FieldError::new(
                "/query/page",
                msg!("between", min = 1, max = 1_000_000),
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::InvalidParameter(errors));
        }
        Ok(Paging {
            limit,
            offset: i64::from(page - 1) * i64::from(limit),
            page,
        })
    }

    /// The page of `items` out of `total`.
    pub fn page<T>(&self, items: Vec<T>, total: i64) -> Page<T> {
        Page {
            items,
            total,
            page: self.page,
            limit: self.limit,
        }
    }

    /// The page of `items` out of `total`, answered 200.
    pub fn respond<T: serde::Serialize>(&self, items: Vec<T>, total: i64) -> HttpResponse {
        HttpResponse::Ok().json(self.page(items, total))
    }
}

/// The ETag of an object at `version`.
/// 200 with the object and its version as `ETag`: how every GET and PATCH of one object
/// answers.
pub fn versioned<T: serde::Serialize>(version: i64, body: T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version a change is conditioned on, from `If-Match`; `None` for `*`.
/// A change without the header is refused with 428, one with a malformed header with 400.
pub struct IfMatch(pub Option<i64>);

/// The `If-Match` values accepted: `*`, or one ETag as this service writes them.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[0-9]{1,18}")$"#;

impl IfMatch {
    /// Parses a header value of the form [`IF_MATCH_PATTERN`] describes.
    pub fn parse(text: &str) -> Option<IfMatch> {
        if text == "*" {
            return Some(IfMatch(None));
        }
        let tag = text.strip_prefix("W/").unwrap_or(text);
        let digits = tag.strip_prefix('"')?.strip_suffix('"')?;
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().map(|v| IfMatch(Some(v)))
    }

    /// Whether the object's current `version` satisfies the condition.
    pub fn check(&self, version: i64) -> Result<(), AppError> {
        match self.0 {
            Some(v) if v != version => Err(AppError::PreconditionFailed),
            _ => Ok(()),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(header::IF_MATCH) {
            None => Err(AppError::PreconditionRequired.into()),
            Some(v) => match IfMatch::parse(v.to_str().unwrap_or("")) {
                Some(condition) => Ok(condition),
                None => Err(AppError::InvalidParameter(vec![FieldError::new(
                    "/header/If-Match",
                    msg!("if-match-form"),
                )])
                .into()),
            },
        };
        std::future::ready(parsed)
    }
}
