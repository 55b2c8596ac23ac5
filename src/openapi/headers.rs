//! The headers the service reads (their accepted forms) and the ones it sends (their forms),
//! so that generated clients type them and fuzzers check them.

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
use utoipa::openapi::{ObjectBuilder, RefOr, Required, Response};

/// `X-Request-Id`: the id of the request, a lowercase UUID, also in every log line of it.
pub const REQUEST_ID_PATTERN: &str =
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// An `Accept-Language` value (RFC 9110, section 12.5.4): language ranges, each with an
/// optional weight, separated by commas.
pub const ACCEPT_LANGUAGE_PATTERN: &str = "^ *(\\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)( *; *[qQ]=(0(\\.[0-9]{0,3})?|1(\\.0{0,3})?))?( *, *(\\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)( *; *[qQ]=(0(\\.[0-9]{0,3})?|1(\\.0{0,3})?))?)* *$";

/// The ETags the service writes: an object's version (from 1), quoted.
const ETAG_PATTERN: &str = "^\"[1-9][0-9]{0,18}\"$";

/// An id in a URL the service writes.
const ID_IN_URL: &str = "[1-9][0-9]{0,18}";

/// The longest `Retry-After` of a 503: the database is unreachable or busy (1-2 s), or not
/// ready (5 s); see `error::AppError::Unavailable` and `health::ready`.
pub const RETRY_AFTER_503_MAX: i32 = 5;
/// The longest `Retry-After` of a 429: the login limiter lets one more attempt in at least
/// once a minute (`LOGIN_RATE_PER_MINUTE` is at least 1).
pub const RETRY_AFTER_429_MAX: i32 = 60;

fn text(max_length: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max_length))
}

/// The optional `Accept-Language` of every operation: the server answers in `zh-CN`
/// (without one) or `en`, and says which in `Content-Language`.
pub fn accept_language() -> Parameter {
    ParameterBuilder::new()
        .name("Accept-Language")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Optional: the languages the caller reads, e.g. `en` or `zh-CN,zh;q=0.9,en;q=0.8`. \
The texts of answers are in `zh-CN` or `en`, as `Content-Language` says.",
        ))
        .schema(Some(
            text(255)
                .pattern(Some(ACCEPT_LANGUAGE_PATTERN))
                .default(Some("zh-CN".into()))
                .examples(["zh-CN,zh;q=0.9,en;q=0.8"]),
        ))
        .build()
}

/// The optional `Idempotency-Key` of a creating POST: a retry with the same key is answered
/// from the first request (see `idempotency`).
pub fn idempotency_key() -> Parameter {
    ParameterBuilder::new()
        .name(crate::idempotency::HEADER_NAME)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Optional: a retry with the same key is answered from the first request, and creates nothing",
        ))
        .build()
}

/// The form of the headers the service reads, so that clients (and fuzzers) know what is
/// accepted: every value outside it is answered 400.
pub fn describe_parameter(parameter: &mut Parameter) {
    let schema = match parameter.name.as_str() {
        "If-Match" => text(22)
            .pattern(Some(crate::http::IF_MATCH_PATTERN))
            .examples(["\"3\""]),
        "Idempotency-Key" => text(255)
            .pattern(Some(crate::idempotency::KEY_PATTERN))
            .min_length(Some(1))
            .examples(["0b6f9a52-5c1e-4f7e-9d3a-2e8f1c7d4a90"]),
        _ => return,
    };
    parameter.schema = Some(RefOr::T(schema.into()));
}

/// Where the `Location` of a created object points, by the schema of the 201's body: the
/// object's own path, or for a roster the list of the event's hours.
fn location_pattern(body_schema: &str) -> Option<String> {
    let path = match body_schema {
        "SubmissionResponse" => "/api/v1/hours?event_id={id}",
        "EvaluationResponse" => "/api/v1/events/{id}/evaluations/{volunteer_id}",
        "CertificateResponse" => "/api/v1/certificates/{number}",
        "AttendanceResponse" => "/api/v1/events/{id}/attendance",
        schema => super::links::OBJECTS
            .iter()
            .find(|(s, _)| *s == schema)
            .map(|(_, path)| *path)?,
    };
    Some(format!(
        "^{}$",
        path.replace('?', "\\?")
            .replace("{id}", ID_IN_URL)
            .replace("{volunteer_id}", ID_IN_URL)
            .replace("{number}", "[0-9A-Z]{1,16}-[0-9]{4}-[0-9]{6,}")
    ))
}

/// The name of the schema a response's JSON body refers to.
fn body_schema(response: &Response) -> Option<String> {
    match &response.content.get("application/json")?.schema {
        Some(RefOr::Ref(r)) => r.ref_location.rsplit('/').next().map(str::to_owned),
        _ => None,
    }
}

/// Describes every header the responses of `op` carry: `X-Request-Id` and
/// `Content-Language` on all of them, the
/// forms of `ETag`, `Location`, `Retry-After` and `Content-Disposition` where a response
/// declares them, and `Idempotent-Replayed` on the 201 of an operation that takes an
/// `Idempotency-Key`.
pub fn describe_responses(op: &mut Operation) {
    let idempotent = op
        .parameters
        .iter()
        .flatten()
        .any(|p| p.name == crate::idempotency::HEADER_NAME);
    for (code, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        response.headers.insert("X-Request-Id".into(), request_id());
        response
            .headers
            .insert("Content-Language".into(), content_language());
        if idempotent && code == "201" {
            response
                .headers
                .insert("Idempotent-Replayed".into(), idempotent_replayed());
        }
        let body = body_schema(response);
        for (name, header) in response.headers.iter_mut() {
            let described = match name.as_str() {
                "ETag" => Some(text(20).min_length(Some(3)).pattern(Some(ETAG_PATTERN))),
                "Location" => body
                    .as_deref()
                    .and_then(location_pattern)
                    .map(|pattern| text(200).pattern(Some(pattern))),
                "Retry-After" => {
                    let max = if code == "429" {
                        RETRY_AFTER_429_MAX
                    } else {
                        RETRY_AFTER_503_MAX
                    };
                    Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                            .minimum(Some(1))
                            .maximum(Some(max)),
                    )
                }
                "Content-Disposition" => Some(text(128).pattern(Some(
                    "^(attachment|inline); filename=\"[A-Za-z0-9._-]{1,100}\"$",
                ))),
                "Content-Security-Policy" => {
                    Some(text(64).pattern(Some("^default-src 'none'; style-src 'unsafe-inline'$")))
                }
                _ => None,
            };
            if let Some(schema) = described {
                header.schema = RefOr::T(schema.into());
            }
        }
    }
}

fn request_id() -> Header {
    HeaderBuilder::new()
        .schema(
            text(36)
                .min_length(Some(36))
                .format(Some(SchemaFormat::Custom("uuid".into())))
                .pattern(Some(REQUEST_ID_PATTERN)),
        )
        .description(Some(
            "The id of this request, also in every log line of it: quote it when reporting a problem",
        ))
        .build()
}

/// The language the answer's texts are in (see `i18n`).
fn content_language() -> Header {
    let tags = crate::i18n::Lang::ALL.map(crate::i18n::Lang::tag);
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(tags)),
        )
        .description(Some(
            "The language of the answer's texts, as negotiated from Accept-Language \
(DEFAULT_LANGUAGE when it names neither); answers vary by Accept-Language",
        ))
        .build()
}

fn idempotent_replayed() -> Header {
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["true"])),
        )
        .description(Some(
            "`true` when this is the stored answer to an earlier request with the same \
Idempotency-Key (nothing was written this time); absent otherwise",
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_the_paths_the_handlers_write() {
        let re = |p: &str| location_pattern(p).unwrap_or_default();
        assert_eq!(re("BranchResponse"), "^/api/v1/branches/[1-9][0-9]{0,18}$");
        assert_eq!(
            re("SubmissionResponse"),
            "^/api/v1/hours\\?event_id=[1-9][0-9]{0,18}$"
        );
        assert_eq!(location_pattern("Problem"), None);
    }
}
