//! OpenAPI links from the responses that carry an object's id to the operations on it.

use utoipa::openapi::OpenApi as Spec;

use super::{operations, operations_mut};

/// The object each response schema is, as the path of its operations.
pub const OBJECTS: [(&str, &str); 9] = [
    ("BranchResponse", "/api/v1/branches/{id}"),
    ("VolunteerResponse", "/api/v1/volunteers/{id}"),
    ("EventResponse", "/api/v1/events/{id}"),
    ("HourEntryResponse", "/api/v1/hours/{id}"),
    ("PlanDetail", "/api/v1/plans/{id}"),
    ("UserResponse", "/api/v1/users/{id}"),
    ("CommendationResponse", "/api/v1/commendations/{id}"),
    ("ErrorReportResponse", "/api/v1/error-reports/{id}"),
    ("SignupResponse", "/api/v1/signups/{id}"),
];

/// OpenAPI links: where a response carries an object's id, it leads to every operation on
/// that object, with its ETag as `If-Match` when the response has one. Clients and stateful
/// fuzzers follow them to chain calls (create, read, change, delete).
pub fn add_links(spec: &mut Spec) {
    use utoipa::openapi::extensions::Extensions;
    use utoipa::openapi::link::LinkBuilder;
    use utoipa::openapi::RefOr;
    // Every operation under an object's path: (operation id, whether it takes If-Match).
    let targets = |prefix: &str| -> Vec<(String, bool)> {
        spec.paths
            .paths
            .iter()
            .filter(|(path, _)| path.as_str() == prefix || path.starts_with(&format!("{prefix}/")))
            .flat_map(|(path, item)| {
                // under a path naming a second object (an event's evaluation of a volunteer),
                // the object's ETag is not that second object's version
                let own = path.matches('{').count() == 1;
                operations(item).map(move |op| (own, op))
            })
            .filter_map(|(own, op)| {
                let if_match = own && op.parameters.iter().flatten().any(|p| p.name == "If-Match");
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
