//! HTTP plumbing shared by every resource: the JSON body extractor, extractor error
//! handlers, the catch-all that turns any bare error response into problem+json, and the
//! request-id header.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde::de::DeserializeOwned;
use tracing_actix_web::RequestId;

use crate::error::{AppError, FieldError, PROBLEM_JSON};

/// A JSON request body, parsed with the path of any bad value kept, so that errors can name
/// it by JSON pointer. Syntax errors answer 400 `malformed-json`; well-formed JSON of the
/// wrong shape (types, unknown or missing fields) answers 422 `validation`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(AppError::UnsupportedMediaType(
                    "send the body as Content-Type: application/json".into(),
                )
                .into());
            }
            let bytes =
                bytes
                    .await
                    .map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                        Some(actix_web::error::PayloadError::Overflow) => AppError::PayloadTooLarge,
                        _ => AppError::BadRequest(format!("could not read the request body: {e}")),
                    })?;
            parse_json(&bytes).map(ApiJson).map_err(Into::into)
        })
    }
}

/// A JSON value already read, as `T`; errors located by pointer as for a body.
pub fn from_value<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer = json_pointer(e.path());
        AppError::Validation(vec![FieldError::new(
            pointer,
            strip_position(&e.into_inner()),
        )])
    })
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // Every body of this API is an object; serde would also accept a struct as an array.
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | None => {}
        Some(b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
            return Err(AppError::validation("", "the body must be a JSON object"));
        }
        Some(_) => return Err(AppError::MalformedJson("expected a JSON object".into())),
    }
    // Syntax first (400), then shape (422), so that numbers can be read as JSON Schema does.
    let mut value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| AppError::MalformedJson(e.to_string()))?;
    if let Some((mut path, detail)) = normalize(&mut value) {
        path.reverse();
        return Err(AppError::validation(path.concat(), detail));
    }
    from_value(&value)
}

/// One pass over a body before it is read as its type:
/// - JSON Schema counts `5.0` as an integer, so a client's JSON library that writes whole
///   numbers that way is understood: integral floats in the 64-bit range become integers;
/// - U+0000 cannot be stored in any text column: its first occurrence is returned, as the
///   pointer's tokens innermost first, with what is wrong. In a field name it is located
///   at the object, so that the answer never carries the character back.
fn normalize(value: &mut serde_json::Value) -> Option<(Vec<String>, &'static str)> {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                // 2^63 is the first float outside i64; every float below it in size is exact
                if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 {
                    *n = serde_json::Number::from(f as i64);
                }
            }
            None
        }
        Value::String(s) => s
            .contains('\0')
            .then(|| (Vec::new(), "must not contain the NUL character (\\u0000)")),
        Value::Array(items) => items.iter_mut().enumerate().find_map(|(i, item)| {
            normalize(item).map(|(mut path, detail)| {
                path.push(format!("/{i}"));
                (path, detail)
            })
        }),
        Value::Object(fields) => {
            if fields.keys().any(|k| k.contains('\0')) {
                return Some((
                    Vec::new(),
                    "field names must not contain the NUL character (\\u0000)",
                ));
            }
            fields.iter_mut().find_map(|(key, item)| {
                normalize(item).map(|(mut path, detail)| {
                    path.push(format!("/{}", key.replace('~', "~0").replace('/', "~1")));
                    (path, detail)
                })
            })
        }
        Value::Bool(_) | Value::Null => None,
    }
}

/// serde_json appends " at line 1 column 9" to data errors; the pointer already says where.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

pub fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let detail = match &err {
            actix_web::error::QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
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
            actix_web::error::PathError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        AppError::InvalidParameter(vec![FieldError::new("/path", detail)]).into()
    })
}

pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}

/// Any error response that is not already problem+json (unknown routes, wrong methods,
/// bodies over the limit, errors raised inside actix itself) is rewritten as one, keeping
/// headers such as `Allow` and `Retry-After`.
pub fn problemize<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
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
                AppError::UnsupportedMediaType("unsupported Content-Type".into())
            }
            StatusCode::UNAUTHORIZED => AppError::Unauthorized("authentication required".into()),
            StatusCode::FORBIDDEN => AppError::Forbidden("not allowed".into()),
            StatusCode::TOO_MANY_REQUESTS => AppError::TooManyRequests {
                retry_after_secs: 1,
            },
            StatusCode::SERVICE_UNAVAILABLE => AppError::Unavailable {
                detail: "the service is unavailable; retry shortly".into(),
                retry_after_secs: 2,
            },
            s if s.is_server_error() => AppError::internal(format!("bare {s} response")),
            s => AppError::BadRequest(
                s.canonical_reason()
                    .unwrap_or("the request could not be handled")
                    .to_owned(),
            ),
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
        "must not contain the NUL character (%00)",
    )]))
}

/// The longest path and query read: beyond, 414. (A request head over actix-http's buffer,
/// 128 KiB, is answered 431 by the connection itself.)
pub const MAX_URI_BYTES: usize = 8192;

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
            AppError::InvalidParameter(vec![FieldError::new(
                "/path",
                "ids are written in decimal without a sign or leading zeros, e.g. /volunteers/1",
            )])
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Roster {
        entries: Vec<Entry>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Entry {
        minutes: u16,
    }

    #[test]
    fn wrong_types_are_located_by_pointer() {
        let err =
            parse_json::<Roster>(br#"{"entries":[{"minutes":5},{"minutes":"x"}]}"#).unwrap_err();
        match err {
            AppError::Validation(errors) => assert_eq!(errors[0].pointer, "/entries/1/minutes"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        assert!(matches!(
            parse_json::<Roster>(br#"{"entries":["#),
            Err(AppError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_json::<Roster>(br#"{"entries":[]} trailing"#),
            Err(AppError::MalformedJson(_))
        ));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = parse_json::<Roster>(br#"{"entries":[],"extra":1}"#).unwrap_err();
        assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    }
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
        Some(id) if id < 1 => Err(D::Error::custom(format!(
            "an id must be between 1 and {}, not {id}",
            i64::MAX
        ))),
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
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        if !(1..=1_000_000).contains(&page) {
            errors.push(FieldError::new(
                "/query/page",
                "must be between 1 and 1000000",
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
                    "must be `*` or an ETag this service sent, such as \"3\"",
                )])
                .into()),
            },
        };
        std::future::ready(parsed)
    }
}
