//! The OpenAPI document, rendered from the routes themselves.

use actix_web::App;
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
    components(schemas(crate::error::Problem, crate::error::FieldError)),
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
/// and 503 (with Retry-After) everywhere the database is used.
pub fn finish(mut spec: Spec) -> Spec {
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
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
            &mut item.put,
        ]
        .into_iter()
        .flatten()
        {
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
            if database {
                add(
                    "503",
                    problem(
                        "The database is unavailable or busy; retry after Retry-After seconds",
                        true,
                    ),
                );
            }
        }
    }
    spec
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
            .map(|(m, _)| m.to_owned())
            .collect();
            (actix_web::dev::ResourceDef::new(path.as_str()), methods)
        })
        .collect()
}
