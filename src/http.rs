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
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = json_pointer(e.path());
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                AppError::Validation(vec![FieldError::new(pointer, strip_position(&inner))])
            }
            _ => AppError::MalformedJson(inner.to_string()),
        }
    })?;
    de.end()
        .map_err(|e| AppError::MalformedJson(e.to_string()))?;
    Ok(value)
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
    web::PathConfig::default().error_handler(|err, _req| {
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
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let mut res = match id.clone() {
        Some(id) => REQUEST_ID.scope(id, next.call(req)).await?,
        None => next.call(req).await?,
    };
    if let Some(id) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), id);
    }
    Ok(res.map_into_left_body())
}

/// Unmatched requests: 405 with `Allow` when the path exists under other methods, else 404.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let state = req.app_data::<web::Data<crate::AppState>>();
    let allowed = state.and_then(|s| {
        s.routes
            .iter()
            .find(|(def, _)| def.is_match(req.path()))
            .map(|(_, methods)| methods.join(", "))
    });
    match allowed {
        Some(allow) => {
            let mut resp = AppError::MethodNotAllowed.error_response();
            if let Ok(v) = HeaderValue::from_str(&allow) {
                resp.headers_mut().insert(header::ALLOW, v);
            }
            Ok(resp)
        }
        None => Err(AppError::NotFound),
    }
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

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// One page of a list, in a stable order, with the total count of matching items.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Items matching the filters, over all pages.
    #[schema(example = 137)]
    pub total: i64,
    /// This page's number, from 1.
    #[schema(example = 1)]
    pub page: u32,
    #[schema(example = 50)]
    pub limit: u32,
}

/// `limit` and `page` checked: returns (limit, offset, page).
pub fn paging(limit: Option<u32>, page: Option<u32>) -> Result<(u32, i64, u32), AppError> {
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
    Ok((limit, i64::from(page - 1) * i64::from(limit), page))
}

/// The ETag of an object at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version a change is conditioned on, from `If-Match`; `None` for `*`.
/// A change without the header is refused with 428.
pub struct IfMatch(pub Option<i64>);

impl IfMatch {
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
            Some(v) => {
                let text = v.to_str().unwrap_or("").trim();
                if text == "*" {
                    Ok(IfMatch(None))
                } else {
                    let tag = text.trim_start_matches("W/").trim_matches('"');
                    // an unparseable tag can never match the current version
                    Ok(IfMatch(Some(tag.parse().unwrap_or(-1))))
                }
            }
        };
        std::future::ready(parsed)
    }
}
