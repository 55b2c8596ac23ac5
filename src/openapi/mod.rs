//! The OpenAPI document, rendered from the routes themselves.
//!
//! Handlers and DTOs state their own facts (`#[utoipa::path]`, `ToSchema`: responses, limits,
//! enums, what is required); [`finish`] then adds what holds for every operation alike: the
//! common error answers, the headers the service sends and reads, bounds that follow from a
//! type's format, `$ref`s for the items of pages, examples and links.

mod bounds;
mod examples;
mod finish;
mod headers;
mod links;

pub use bounds::NO_NUL_PATTERN;
pub use finish::finish;
pub use headers::{ACCEPT_LANGUAGE_PATTERN, REQUEST_ID_PATTERN};

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
        contact(name = "volunteer-hours maintainers"),
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerAuth),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldErrorBody,
        // the imports answer through `ImportResponses`, which refers to them
        crate::imports::dto::ImportSummary,
        crate::imports::dto::ImportProblem,
    )),
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
        (name = "signups", description = "Sign-up for events (报名). An event takes sign-ups \
when its `signup_mode` is `open` (first come, first admitted up to `capacity`, then a waiting \
list admitted in arrival order as places free up) or `approval` (the organiser admits or \
declines), within its window, from the volunteers it is open to (`signup_scope`, \
`required_tags`). Volunteers sign themselves up; secretaries and administrators sign up \
volunteers of their scope and decide. Only admitted volunteers check in."),
        (name = "attendance", description = "Check-in and check-out at events (签到签退). The \
organiser's phone shows the event's rotating six-digit code (and its QR image); a volunteer \
checks in and out with it, or the organiser scans the volunteer's personal pass or names the \
volunteer, stating the time when its phone was offline. Every check-in and check-out takes an \
Idempotency-Key. A check-out makes the hour entry (source `check_in`, status `submitted`, \
reviewed as usual); one the hours rules refuse is flagged for the organiser. Closing the \
attendance (or completing the event) closes forgotten check-outs at the scheduled end."),
        (name = "imports", description = "Import from Excel and CSV (导入): volunteers, and \
past hours (`source: imported`, reviewed as usual), from the files a bureau already keeps. \
Fill in a template (`GET /imports/templates/...`), try it with `dry_run=true`, then import \
with an Idempotency-Key: every row lands or none, and a refusal names every bad row as Excel \
numbers it."),
        (name = "record", description = "The volunteer's record (State Council regulation on \
volunteer service, art. 19): the whole of it in one document (basic information, service, \
training, commendations and awards, evaluations), and the parts beside its hours: \
commendations, and the organiser's evaluation of a volunteer's service at an event. Read within \
the volunteer's scope (HR everything, a volunteer its own); written by administrators and the \
secretaries in scope. A volunteer reports a missing or wrong entry of its own (error reports); the \
event's organisers accept it, recording the entry through the hours rules, or decline it."),
        (name = "certificates", description = "Record certificates (志愿服务记录证明): a frozen, \
numbered snapshot of a volunteer's approved hours at events organised within the issuer's scope, \
as JSON and as an A4 PDF with a QR code. Administrators issue and revoke them (secretaries issue \
for their scope when the service allows it); they are read within the volunteer's scope. Anyone \
holding a certificate verifies it at the public `/verify/{number}?code=…`, which is rate limited \
and answers an unknown number and a wrong code alike."),
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
                    .description(Some(
                        "An access token from `POST /api/v1/auth/login` or `/refresh`: a JWT \
(RFC 7519) issued and verified as RFC8725 (JSON Web Token Best Current Practices) asks. Each key, named \
by the header's `kid`, has one algorithm (HS256, EdDSA or RS256; never `none`), and `iss`, \
`aud`, `exp`, `iat` and `typ` are checked on every request.",
                    ))
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

/// The operations of a path, whatever their method.
pub(crate) fn operations(item: &PathItem) -> impl Iterator<Item = &Operation> {
    [&item.get, &item.post, &item.patch, &item.delete, &item.put]
        .into_iter()
        .flatten()
}

pub(crate) fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
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
pub fn route_methods(spec: &Spec) -> Vec<(actix_web::dev::ResourceDef, Vec<String>)> {
    spec.paths
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
