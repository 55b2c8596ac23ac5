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
    spec
}

/// The committed form of the spec: pretty JSON with a trailing newline.
pub fn render() -> String {
    let mut text = spec().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
