//! The OpenAPI document, rendered from the routes themselves.

use actix_web::App;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Spec;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "volunteer-hours",
        description = "Records volunteer service: branches, volunteers, events tied to the \
items of an organisation's yearly work plan, and the hours each volunteer served.\n\n\
Conventions: JSON in snake_case; timestamps are RFC 3339 in UTC; durations are integer \
minutes. Every error is an RFC 9457 `application/problem+json` document whose `type` is \
stable (e.g. `/problems/validation`, `/problems/not-found`): switch on `type`, not on the text. \
Every response carries `X-Request-Id`; quote it when reporting a problem.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem, crate::error::FieldErrorBody)),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Log in with a username and password to get a short-lived \
access token (send it as `Authorization: Bearer …`) and a single-use refresh token. Refresh \
before the access token expires; a refresh token presented twice revokes its whole family."),
        (name = "plans", description = "The yearly work plans: sections and numbered items that \
events serve. Everyone reads them; administrators add a year's plan."),
        (name = "branches", description = "The tree of branches and units. Everyone reads it; \
administrators change it. A branch in use is archived, not deleted."),
        (name = "volunteers", description = "Volunteers. Secretaries work within their branch and \
its sub-branches; HR reads with phone and volunteer numbers masked; a volunteer sees itself. \
Objects outside the caller's scope answer 404."),
        (name = "events", description = "Events volunteers serve at, each tied to items of the \
plan of its year. Everyone reads them; administrators and the organising branch's secretaries \
change them."),
        (name = "hours", description = "Hours served. Secretaries submit rosters right after an \
event (with an Idempotency-Key, so retries on a bad network never double-count); \
administrators review; approved entries are locked and changed only by corrections, which are \
reviewed too. Every change is in the entry's history."),
        (name = "reports", description = "Totals for HR and appraisals, as JSON, CSV (Excel, \
Chinese locale) or XLSX. The same parameters give the same numbers in all three."),
        (name = "audit", description = "The append-only audit trail (administrators)."),
        (name = "users", description = "Accounts and their roles (administrators only). Roles: \
`admin` (everything), `secretary` (its branch and sub-branches), `hr` (reads everything, exports \
totals, writes nothing), `volunteer` (its own record)."),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Spec) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
    }
}

/// The spec as the running service serves it at `/openapi.json`.
pub fn spec() -> Spec {
    let (_, spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes)
        .split_for_parts();
    finish(spec)
}

/// Adds the answers every operation can give, so that each handler documents only its own:
/// 400, 413, 415 and 422 where a body or parameters are read, 401 where a token is needed,
/// 404 where a path names an object, 412 and 428 where `If-Match` is read, the optional
/// `Idempotency-Key` of every creating POST, and 503 (with Retry-After) everywhere the
/// database is used.
pub fn finish(mut spec: Spec) -> Spec {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, HeaderBuilder, RefOr, ResponseBuilder};
    let problem = |description: &str, retry: bool| {
        let mut b = ResponseBuilder::new().description(description).content(
            crate::error::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                .build(),
        );
        if retry {
            b = b.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::Integer),
                    )
                    .description(Some("Seconds to wait before retrying"))
                    .build(),
            );
        }
        RefOr::T(b.build())
    };
    for (path, item) in spec.paths.paths.iter_mut() {
        let database = path.starts_with("/api/");
        let creates = item.post.as_ref().is_some_and(|op| {
            op.responses.responses.contains_key("201")
                && !op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| p.name == crate::idempotency::HEADER_NAME)
        });
        if creates {
            if let Some(op) = item.post.as_mut() {
                op.parameters
                    .get_or_insert_with(Vec::new)
                    .push(idempotency_key_parameter());
            }
        }
        for op in operations_mut(item) {
            let responses = &mut op.responses.responses;
            let mut add = |code: &str, r: RefOr<utoipa::openapi::Response>| {
                responses.entry(code.to_owned()).or_insert(r);
            };
            if op.request_body.is_some() {
                add(
                    "400",
                    problem("Malformed JSON, or an unreadable request", false),
                );
                add(
                    "413",
                    problem("The body is larger than the server accepts", false),
                );
                add("415", problem("The body is not application/json", false));
                add(
                    "422",
                    problem(
                        "Invalid fields, each named by a JSON pointer in `errors`",
                        false,
                    ),
                );
            }
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add("401", problem("No valid access token", false));
            }
            if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                add(
                    "400",
                    problem(
                        "A path, query or header parameter has the wrong form",
                        false,
                    ),
                );
            }
            let has_param = |name: &str, place: ParameterIn| {
                op.parameters
                    .iter()
                    .flatten()
                    .any(|p| p.name == name && p.parameter_in == place)
            };
            if has_param("id", ParameterIn::Path) {
                add(
                    "404",
                    problem("No such object, or it is outside the caller's scope", false),
                );
            }
            if has_param("If-Match", ParameterIn::Header) {
                add("412", problem("Changed since it was read", false));
                add("428", problem("No If-Match header", false));
            }
            if database {
                add(
                    "503",
                    problem(
                        "The database is unavailable or busy; retry after Retry-After seconds",
                        true,
                    ),
                );
            }
            for parameter in op.parameters.iter_mut().flatten() {
                describe_header(parameter);
                if let Some(utoipa::openapi::RefOr::T(schema)) = parameter.schema.as_mut() {
                    no_nul_strings(schema);
                }
            }
            for (code, response) in responses.iter_mut() {
                if let RefOr::T(response) = response {
                    add_problem_examples(code, response);
                }
            }
        }
    }
    add_links(&mut spec);
    if let Some(components) = spec.components.as_mut() {
        for schema in components.schemas.values_mut() {
            if let utoipa::openapi::RefOr::T(schema) = schema {
                no_nul_strings(schema);
            }
        }
    }
    spec
}

/// The optional `Idempotency-Key` of a creating POST: a retry with the same key is answered
/// from the first request (see `idempotency`).
fn idempotency_key_parameter() -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::Required;
    ParameterBuilder::new()
        .name(crate::idempotency::HEADER_NAME)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Optional: a retry with the same key is answered from the first request, and creates nothing",
        ))
        .build()
}

/// Text that excludes U+0000, which the service refuses (no database text can hold it).
pub const NO_NUL_PATTERN: &str = "^[^\\u0000]*$";

/// States on every free-form string (no pattern, enum or format other than password) that
/// it excludes U+0000, as the service does.
fn no_nul_strings(schema: &mut utoipa::openapi::Schema) {
    use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat, SchemaType, Type};
    use utoipa::openapi::{RefOr, Schema};
    let mut each = |s: &mut RefOr<Schema>| {
        if let RefOr::T(s) = s {
            no_nul_strings(s);
        }
    };
    match schema {
        Schema::Object(o) => {
            let text = match &o.schema_type {
                SchemaType::Type(t) => *t == Type::String,
                SchemaType::Array(types) => types.contains(&Type::String),
                SchemaType::AnyValue => false,
            };
            let free = matches!(
                o.format,
                None | Some(SchemaFormat::KnownFormat(KnownFormat::Password))
            );
            if text && free && o.pattern.is_none() && o.enum_values.is_none() {
                o.pattern = Some(NO_NUL_PATTERN.to_owned());
            }
            o.properties.values_mut().for_each(&mut each);
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                each(items);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(&mut each),
        Schema::AllOf(x) => x.items.iter_mut().for_each(&mut each),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(&mut each),
        _ => {}
    }
}

/// The form of the headers the service reads, so that clients (and fuzzers) know what is
/// accepted: every value outside it is answered 400.
fn describe_header(parameter: &mut utoipa::openapi::path::Parameter) {
    use utoipa::openapi::{schema::Type, ObjectBuilder, RefOr};
    let schema = match parameter.name.as_str() {
        "If-Match" => ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(crate::http::IF_MATCH_PATTERN))
            .examples(["\"3\""]),
        "Idempotency-Key" => ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(crate::idempotency::KEY_PATTERN))
            .min_length(Some(1))
            .max_length(Some(255))
            .examples(["0b6f9a52-5c1e-4f7e-9d3a-2e8f1c7d4a90"]),
        _ => return,
    };
    parameter.schema = Some(RefOr::T(schema.into()));
}

/// A real problem document for each status a response can have, made by the same code that
/// answers it, so the examples cannot drift from what the service sends.
fn add_problem_examples(code: &str, response: &mut utoipa::openapi::Response) {
    use crate::error::{AppError, FieldError};
    use crate::msg;
    use utoipa::openapi::example::ExampleBuilder;
    let Some(content) = response.content.get_mut(crate::error::PROBLEM_JSON) else {
        return;
    };
    let examples: Vec<(&str, AppError)> = match code {
        "400" => vec![
            (
                "malformed-json",
                AppError::MalformedJson(msg!("json-eof", line = 1, column = 17)),
            ),
            (
                "invalid-parameter",
                AppError::InvalidParameter(vec![FieldError::new(
                    "/query/limit",
                    msg!("between", min = 1, max = 200),
                )]),
            ),
        ],
        "401" => vec![(
            "unauthorized",
            AppError::Unauthorized(msg!("invalid-access-token")),
        )],
        "403" => vec![(
            "forbidden",
            AppError::Forbidden(msg!("role-may-not", role = "hr")),
        )],
        "404" => vec![("not-found", AppError::NotFound)],
        "409" => vec![("conflict", AppError::Conflict(msg!("unique-violation")))],
        "412" => vec![("precondition-failed", AppError::PreconditionFailed)],
        "413" => vec![("payload-too-large", AppError::PayloadTooLarge)],
        "415" => vec![(
            "unsupported-media-type",
            AppError::UnsupportedMediaType(msg!("body-not-json")),
        )],
        "422" => vec![(
            "validation",
            AppError::Validation(vec![
                FieldError::new("/entries/3/minutes", msg!("between", min = 1, max = 1440)),
                FieldError::new(
                    "/entries/5/volunteer_id",
                    msg!("no-such-volunteer-in-scope"),
                ),
            ]),
        )],
        "428" => vec![("precondition-required", AppError::PreconditionRequired)],
        "429" => vec![(
            "too-many-requests",
            AppError::TooManyRequests {
                retry_after_secs: 12,
            },
        )],
        "503" => vec![(
            "service-unavailable",
            AppError::Unavailable {
                detail: msg!("database-unavailable"),
                retry_after_secs: 2,
            },
        )],
        _ => return,
    };
    for (name, error) in examples {
        // in English, whatever the default language: the spec is one document
        let value = serde_json::to_value(error.problem_in(crate::i18n::Lang::En)).ok();
        content.examples.entry(name.to_owned()).or_insert_with(|| {
            ExampleBuilder::new()
                .summary(format!("`/problems/{}`", error.slug()))
                .value(value)
                .into()
        });
    }
}

/// OpenAPI links: where a response carries an object's id, it leads to every operation on
/// that object, with its ETag as `If-Match` when the response has one. Clients and stateful
/// fuzzers follow them to chain calls (create, read, change, delete).
fn add_links(spec: &mut Spec) {
    use utoipa::openapi::extensions::Extensions;
    use utoipa::openapi::link::LinkBuilder;
    use utoipa::openapi::RefOr;
    // The object each response schema is, as the path of its operations.
    const OBJECTS: [(&str, &str); 6] = [
        ("BranchResponse", "/api/v1/branches/{id}"),
        ("VolunteerResponse", "/api/v1/volunteers/{id}"),
        ("EventResponse", "/api/v1/events/{id}"),
        ("HourEntryResponse", "/api/v1/hours/{id}"),
        ("PlanDetail", "/api/v1/plans/{id}"),
        ("UserResponse", "/api/v1/users/{id}"),
    ];
    // Every operation under an object's path: (operation id, whether it takes If-Match).
    let targets = |prefix: &str| -> Vec<(String, bool)> {
        spec.paths
            .paths
            .iter()
            .filter(|(path, _)| path.as_str() == prefix || path.starts_with(&format!("{prefix}/")))
            .flat_map(|(_, item)| operations(item))
            .filter_map(|op| {
                let if_match = op.parameters.iter().flatten().any(|p| p.name == "If-Match");
                op.operation_id.clone().map(|id| (id, if_match))
            })
            .collect()
    };
    let targets: Vec<(&str, Vec<(String, bool)>)> = OBJECTS
        .iter()
        .map(|(schema, prefix)| (*schema, targets(prefix)))
        .collect();
    let schema_ref = |content: &utoipa::openapi::Content| match &content.schema {
        Some(RefOr::Ref(r)) => r.ref_location.rsplit('/').next().map(str::to_owned),
        _ => None,
    };
    for item in spec.paths.paths.values_mut() {
        for op in operations_mut(item) {
            let own_id = op.operation_id.clone().unwrap_or_default();
            for (code, response) in op.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if !code.starts_with('2') {
                    continue;
                }
                let Some(schema) = response
                    .content
                    .get("application/json")
                    .and_then(schema_ref)
                else {
                    continue;
                };
                // A single object, the first of a page, or the first entry of a roster.
                let (object, id_at, has_etag) = match schema.as_str() {
                    "SubmissionResponse" => ("HourEntryResponse", "/entries/0/id", false),
                    s => match s.strip_prefix("Page_") {
                        Some(inner) => (inner, "/items/0/id", false),
                        None => (s, "/id", response.headers.contains_key("ETag")),
                    },
                };
                let Some((_, ops)) = targets.iter().find(|(s, _)| *s == object) else {
                    continue;
                };
                for (target, if_match) in ops {
                    if *target == own_id {
                        continue;
                    }
                    // utoipa 5.5 writes `Link::operation_id` as `operation_id`; OpenAPI's
                    // `operationId` goes in through the (unfiltered) extension map instead.
                    let mut link = LinkBuilder::new()
                        .extensions(Some(Extensions::from_iter([(
                            "operationId",
                            target.clone(),
                        )])))
                        .parameter("id", format!("$response.body#{id_at}"));
                    if *if_match && has_etag {
                        link = link.parameter("header.If-Match", "$response.header.ETag");
                    }
                    response
                        .links
                        .insert(target.clone(), RefOr::T(link.build()));
                }
            }
        }
    }
}

/// The operations of a path, whatever their method.
fn operations(item: &PathItem) -> impl Iterator<Item = &Operation> {
    [&item.get, &item.post, &item.patch, &item.delete, &item.put]
        .into_iter()
        .flatten()
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.patch,
        &mut item.delete,
        &mut item.put,
    ]
    .into_iter()
    .flatten()
}

/// The committed form of the spec: pretty JSON with a trailing newline.
pub fn render() -> String {
    let mut text = spec().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// Each documented path as a matcher, with the methods it answers.
pub fn route_methods() -> Vec<(actix_web::dev::ResourceDef, Vec<String>)> {
    spec()
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PUT", item.put.is_some()),
            ]
            .into_iter()
            .filter(|(_, on)| *on)
            .flat_map(|(m, _)| {
                // every GET route answers HEAD too
                let head = (m == "GET").then_some("HEAD");
                std::iter::once(m).chain(head).map(str::to_owned)
            })
            .collect();
            (actix_web::dev::ResourceDef::new(path.as_str()), methods)
        })
        .collect()
}
