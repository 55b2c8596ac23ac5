//! One error type for the whole API, answered as RFC 9457 `application/problem+json`.
//!
//! Every variant has one HTTP status and one stable `type` that clients can switch on.
//! A 5xx logs its full cause and answers a generic detail: internals never reach a client.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{Lang, Msg};
use crate::msg;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The longest path and query read: beyond, 414. (A request head over actix-http's buffer,
/// 128 KiB, is answered 431 by the connection itself.)
pub const MAX_URI_BYTES: usize = 8192;

/// How many hour entries a conflict names at most (it counts them all).
pub const MAX_NAMED_ENTRIES: usize = 20;

/// One invalid input, located by a JSON pointer into the request body (or `/query/NAME`,
/// `/path/NAME`, `/header/NAME` for other parts of the request), with what is wrong as a
/// message of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub pointer: String,
    pub detail: Msg,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: Msg) -> Self {
        FieldError {
            pointer: pointer.into(),
            detail,
        }
    }

    fn body(&self, lang: Lang) -> FieldErrorBody {
        FieldErrorBody {
            pointer: self.pointer.clone(),
            detail: self.detail.render(lang),
        }
    }
}

/// One invalid input, as a problem lists it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(as = FieldError)]
pub struct FieldErrorBody {
    /// RFC 6901 JSON pointer to the offending value, e.g. `/entries/3/minutes`. The same
    /// in every language.
    #[schema(example = "/entries/3/minutes")]
    pub pointer: String,
    /// What is wrong, in the language of the answer (`Content-Language`).
    #[schema(example = "must be between 1 and 1440")]
    pub detail: String,
}

/// Every stable problem `type` slug ([`AppError::slug`]): the type is `/problems/<slug>`.
pub const PROBLEM_SLUGS: [&str; 17] = [
    "bad-request",
    "malformed-json",
    "invalid-parameter",
    "validation",
    "unauthorized",
    "forbidden",
    "not-found",
    "method-not-allowed",
    "conflict",
    "precondition-failed",
    "payload-too-large",
    "uri-too-long",
    "unsupported-media-type",
    "precondition-required",
    "too-many-requests",
    "service-unavailable",
    "internal",
];

/// `Problem.type`: one of the stable types.
fn problem_type_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(PROBLEM_SLUGS.map(|slug| format!("/problems/{slug}"))))
        .description(Some(
            "Stable identifier of the kind of problem, e.g. `/problems/validation`.",
        ))
        .examples(["/problems/validation"])
        .build()
}

/// An RFC 9457 problem document. `type` is stable: switch on it, not on `title` or `detail`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(schema_with = problem_type_schema)]
    pub problem_type: String,
    #[schema(example = "Validation failed", max_length = 64)]
    pub title: String,
    #[schema(example = 422, minimum = 400, maximum = 599)]
    pub status: u16,
    #[schema(example = "2 fields are invalid")]
    pub detail: String,
    /// Present on validation problems: every invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldErrorBody>>,
    /// Present on conflicts caused by hour entries: the first 20 of them, by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([31, 32]), max_items = 20)]
    pub entry_ids: Option<Vec<i64>>,
    /// With `entry_ids`: how many entries there are in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 2, minimum = 1)]
    pub entry_count: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(Msg),
    #[error("malformed JSON: {0}")]
    MalformedJson(Msg),
    #[error("invalid parameter")]
    InvalidParameter(Vec<FieldError>),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(Msg),
    #[error("{0}")]
    Forbidden(Msg),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(Msg),
    /// A conflict caused by hour entries, which the problem names.
    #[error("{detail}")]
    EntriesConflict {
        detail: Msg,
        entry_ids: Vec<i64>,
        entry_count: u64,
    },
    #[error("the resource has changed since it was read")]
    PreconditionFailed,
    #[error("the request body is larger than this server accepts (MAX_BODY_BYTES)")]
    PayloadTooLarge,
    /// A body over a limit of its own (an imported file), which the message names.
    #[error("{0}")]
    TooLarge(Msg),
    #[error("the request's path and query are longer than this server reads (8192 bytes)")]
    UriTooLong,
    #[error("{0}")]
    UnsupportedMediaType(Msg),
    #[error("this request needs an If-Match header")]
    PreconditionRequired,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{detail}")]
    Unavailable { detail: Msg, retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The database cannot serve this request now (down, lost, or every connection busy).
    pub fn database_unavailable() -> Self {
        AppError::Unavailable {
            detail: msg!("database-busy"),
            retry_after_secs: 2,
        }
    }

    pub fn validation(pointer: impl Into<String>, detail: Msg) -> Self {
        AppError::Validation(vec![FieldError::new(pointer, detail)])
    }

    /// A 409 naming the hour entries in the way (the first [`MAX_NAMED_ENTRIES`] by id,
    /// and how many in all): `what` says why, e.g. "2 entries would fall outside the event".
    pub fn entries_conflict(what: Msg, mut ids: Vec<i64>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        let count = ids.len() as u64;
        ids.truncate(MAX_NAMED_ENTRIES);
        let named = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        AppError::EntriesConflict {
            detail: msg!(
                "entries-conflict",
                what = what,
                named = named,
                more = count - ids.len() as u64
            ),
            entry_ids: ids,
            entry_count: count,
        }
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        AppError::Internal(anyhow::anyhow!(msg.into()))
    }

    /// The stable problem `type` slug of this error.
    pub fn slug(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad-request",
            AppError::MalformedJson(_) => "malformed-json",
            AppError::InvalidParameter(_) => "invalid-parameter",
            AppError::Validation(_) => "validation",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not-found",
            AppError::MethodNotAllowed => "method-not-allowed",
            AppError::Conflict(_) | AppError::EntriesConflict { .. } => "conflict",
            AppError::PreconditionFailed => "precondition-failed",
            AppError::PayloadTooLarge | AppError::TooLarge(_) => "payload-too-large",
            AppError::UriTooLong => "uri-too-long",
            AppError::UnsupportedMediaType(_) => "unsupported-media-type",
            AppError::PreconditionRequired => "precondition-required",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::Unavailable { .. } => "service-unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> Msg {
        match self {
            AppError::BadRequest(_) => msg!("title-bad-request"),
            AppError::MalformedJson(_) => msg!("title-malformed-json"),
            AppError::InvalidParameter(_) => msg!("title-invalid-parameter"),
            AppError::Validation(_) => msg!("title-validation"),
            AppError::Unauthorized(_) => msg!("title-unauthorized"),
            AppError::Forbidden(_) => msg!("title-forbidden"),
            AppError::NotFound => msg!("title-not-found"),
            AppError::MethodNotAllowed => msg!("title-method-not-allowed"),
            AppError::Conflict(_) | AppError::EntriesConflict { .. } => msg!("title-conflict"),
            AppError::PreconditionFailed => msg!("title-precondition-failed"),
            AppError::PayloadTooLarge | AppError::TooLarge(_) => msg!("title-payload-too-large"),
            AppError::UriTooLong => msg!("title-uri-too-long"),
            AppError::UnsupportedMediaType(_) => msg!("title-unsupported-media-type"),
            AppError::PreconditionRequired => msg!("title-precondition-required"),
            AppError::TooManyRequests { .. } => msg!("title-too-many-requests"),
            AppError::Unavailable { .. } => msg!("title-service-unavailable"),
            AppError::Internal(_) => msg!("title-internal"),
        }
    }

    /// What happened, as the problem's `detail` says it.
    pub fn detail(&self) -> Msg {
        let located = |e: &FieldError| {
            msg!(
                "located",
                pointer = e.pointer.as_str(),
                detail = e.detail.clone()
            )
        };
        match self {
            AppError::Validation(errors) if errors.len() == 1 => located(&errors[0]),
            AppError::Validation(errors) => msg!("invalid-fields", count = errors.len()),
            AppError::InvalidParameter(errors) => match errors.as_slice() {
                [one] => located(one),
                _ => msg!("invalid-parameters", count = errors.len()),
            },
            AppError::BadRequest(m)
            | AppError::MalformedJson(m)
            | AppError::Unauthorized(m)
            | AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::UnsupportedMediaType(m)
            | AppError::TooLarge(m)
            | AppError::EntriesConflict { detail: m, .. }
            | AppError::Unavailable { detail: m, .. } => m.clone(),
            AppError::NotFound => msg!("not-found"),
            AppError::MethodNotAllowed => msg!("method-not-allowed"),
            AppError::PreconditionFailed => msg!("precondition-failed"),
            AppError::PayloadTooLarge => msg!("payload-too-large"),
            AppError::UriTooLong => msg!("uri-too-long", bytes = MAX_URI_BYTES),
            AppError::PreconditionRequired => msg!("precondition-required"),
            AppError::TooManyRequests { retry_after_secs } => {
                msg!("too-many-requests", seconds = *retry_after_secs)
            }
            // Internals never reach the client; the cause is logged.
            AppError::Internal(_) => msg!("internal"),
        }
    }

    /// The problem document, in `lang`.
    pub fn problem_in(&self, lang: Lang) -> Problem {
        Problem {
            problem_type: format!("/problems/{}", self.slug()),
            title: self.title().render(lang),
            status: self.status_code().as_u16(),
            detail: self.detail().render(lang),
            errors: match self {
                AppError::Validation(errors) | AppError::InvalidParameter(errors) => {
                    Some(errors.iter().map(|e| e.body(lang)).collect())
                }
                _ => None,
            },
            entry_ids: match self {
                AppError::EntriesConflict { entry_ids, .. } => Some(entry_ids.clone()),
                _ => None,
            },
            entry_count: match self {
                AppError::EntriesConflict { entry_count, .. } => Some(*entry_count),
                _ => None,
            },
        }
    }

    /// The problem document, in the language of the request being answered.
    pub fn problem(&self) -> Problem {
        self.problem_in(crate::i18n::current())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_)
            | AppError::MalformedJson(_)
            | AppError::InvalidParameter(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::EntriesConflict { .. } => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge | AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UriTooLong => StatusCode::URI_TOO_LONG,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            AppError::TooManyRequests { retry_after_secs }
            | AppError::Unavailable {
                retry_after_secs, ..
            } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        match serde_json::to_vec(&self.problem()) {
            Ok(body) => builder.body(body),
            Err(_) => builder.finish(),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound,
            E::DatabaseError(K::UniqueViolation, info) => {
                tracing::debug!(constraint = ?info.constraint_name(), "unique violation");
                AppError::Conflict(msg!("unique-violation"))
            }
            E::DatabaseError(K::ForeignKeyViolation, _) => {
                AppError::validation("", msg!("foreign-key-violation"))
            }
            E::DatabaseError(K::CheckViolation | K::NotNullViolation, info) => {
                tracing::debug!(message = info.message(), "constraint violation");
                AppError::validation("", msg!("check-violation"))
            }
            // statement_timeout or an administrator cancelled it: the database is stuck or busy
            E::DatabaseError(_, info)
                if info.message().starts_with("canceling statement due to") =>
            {
                tracing::warn!(message = info.message(), "statement cancelled");
                AppError::Unavailable {
                    detail: msg!("database-too-slow"),
                    retry_after_secs: 2,
                }
            }
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _) => {
                AppError::Unavailable {
                    detail: msg!("database-unavailable"),
                    retry_after_secs: 2,
                }
            }
            // two transactions each waited for a row the other holds (two reviews that share
            // a volunteer's month in `hour_totals`, say): PostgreSQL ended this one
            E::DatabaseError(_, info) if info.message() == "deadlock detected" => {
                tracing::warn!("deadlock detected");
                AppError::Unavailable {
                    detail: msg!("serialization-failure"),
                    retry_after_secs: 1,
                }
            }
            E::DatabaseError(K::SerializationFailure, _) => AppError::Unavailable {
                detail: msg!("serialization-failure"),
                retry_after_secs: 1,
            },
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(error = %e, "no database connection available");
        AppError::database_unavailable()
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn internal_errors_hide_their_cause() {
        let err = AppError::Internal(anyhow::anyhow!("password=hunter2 at db.internal"));
        let resp = err.error_response();
        assert_eq!(resp.status(), 500);
        let body = to_bytes(resp.into_body()).await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("/problems/internal"));
    }

    #[test]
    fn every_problem_type_is_listed() {
        // One error of each kind. A new variant fails to compile in the match below, so
        // whoever adds it is sent here to add it to `all`, and its slug to the list.
        let all = [
            AppError::BadRequest(msg!("internal")),
            AppError::MalformedJson(msg!("internal")),
            AppError::InvalidParameter(Vec::new()),
            AppError::Validation(Vec::new()),
            AppError::Unauthorized(msg!("internal")),
            AppError::Forbidden(msg!("internal")),
            AppError::NotFound,
            AppError::MethodNotAllowed,
            AppError::Conflict(msg!("internal")),
            AppError::PreconditionFailed,
            AppError::PayloadTooLarge,
            AppError::TooLarge(msg!("internal")),
            AppError::UriTooLong,
            AppError::UnsupportedMediaType(msg!("internal")),
            AppError::PreconditionRequired,
            AppError::TooManyRequests {
                retry_after_secs: 1,
            },
            AppError::Unavailable {
                detail: msg!("internal"),
                retry_after_secs: 1,
            },
            AppError::Internal(anyhow::anyhow!("x")),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for e in &all {
            let variant = match e {
                AppError::BadRequest(_) => 0,
                AppError::MalformedJson(_) => 1,
                AppError::InvalidParameter(_) => 2,
                AppError::Validation(_) => 3,
                AppError::Unauthorized(_) => 4,
                AppError::Forbidden(_) => 5,
                AppError::NotFound => 6,
                AppError::MethodNotAllowed => 7,
                AppError::Conflict(_) | AppError::EntriesConflict { .. } => 8,
                AppError::PreconditionFailed => 9,
                AppError::PayloadTooLarge | AppError::TooLarge(_) => 10,
                AppError::UriTooLong => 11,
                AppError::UnsupportedMediaType(_) => 12,
                AppError::PreconditionRequired => 13,
                AppError::TooManyRequests { .. } => 14,
                AppError::Unavailable { .. } => 15,
                AppError::Internal(_) => 16,
            };
            seen.insert(variant);
            assert!(
                PROBLEM_SLUGS.contains(&e.slug()),
                "{} is not listed",
                e.slug()
            );
        }
        assert_eq!(seen.len(), PROBLEM_SLUGS.len());
    }

    #[test]
    fn unavailable_carries_retry_after() {
        let resp = AppError::Unavailable {
            detail: msg!("database-busy"),
            retry_after_secs: 2,
        }
        .error_response();
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers().get(header::RETRY_AFTER).unwrap(), "2");
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
    }

    struct Info(&'static str);
    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    #[test]
    fn a_stuck_or_lost_database_is_503_not_500() {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        for (kind, message) in [
            (K::Unknown, "canceling statement due to statement timeout"),
            (K::Unknown, "canceling statement due to lock timeout"),
            (K::UnableToSendCommand, "no connection to the server"),
            (
                K::ClosedConnection,
                "server closed the connection unexpectedly",
            ),
        ] {
            let e = AppError::from(E::DatabaseError(kind, Box::new(Info(message))));
            assert_eq!(
                e.status_code(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{message}"
            );
            assert!(e
                .error_response()
                .headers()
                .contains_key(header::RETRY_AFTER));
        }
        let other = AppError::from(E::DatabaseError(K::Unknown, Box::new(Info("syntax error"))));
        assert_eq!(other.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
