//! The spec follows the code: the committed file must equal what the code renders.
//! `UPDATE_OPENAPI=1 cargo test --test api openapi` rewrites it.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use volunteer_hours::db::Backend;

use crate::helpers::TestApp;

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

#[test]
fn the_committed_spec_matches_the_code() {
    let rendered = volunteer_hours::openapi::render();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(SPEC_PATH, &rendered).expect("write openapi/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(SPEC_PATH).unwrap_or_default();
    assert!(
        committed == rendered,
        "openapi/openapi.json differs from the code; review the change and run \
         `UPDATE_OPENAPI=1 cargo test --test api openapi` to rewrite it"
    );
}

#[actix_web::test]
async fn the_served_spec_is_the_rendered_one() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let served: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    let rendered: serde_json::Value =
        serde_json::from_str(&volunteer_hours::openapi::render()).unwrap();
    assert_eq!(served, rendered);
}

fn spec_json() -> Value {
    serde_json::from_str(&volunteer_hours::openapi::render()).unwrap()
}

/// Every operation with its method and path.
fn operations(spec: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

#[test]
fn every_problem_response_has_a_real_example_of_its_status() {
    let spec = spec_json();
    let mut checked = 0;
    for (method, path, op) in operations(&spec) {
        for (code, response) in op["responses"].as_object().unwrap() {
            let Some(content) = response["content"].get("application/problem+json") else {
                continue;
            };
            let examples = content["examples"].as_object();
            assert!(
                examples.is_some_and(|e| !e.is_empty()),
                "{method} {path} {code} has no example"
            );
            for (name, example) in examples.unwrap() {
                let value = &example["value"];
                assert_eq!(
                    value["status"].to_string(),
                    *code,
                    "{method} {path} {code} example {name}"
                );
                let kind = value["type"].as_str().unwrap();
                assert_eq!(kind, format!("/problems/{name}"), "{method} {path} {code}");
                assert!(
                    volunteer_hours::error::PROBLEM_SLUGS.contains(&name.as_str()),
                    "{name} is not a listed problem type"
                );
                assert!(value["title"].is_string() && value["detail"].is_string());
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "only {checked} examples");
}

#[test]
fn created_objects_link_to_the_operations_on_them() {
    let spec = spec_json();
    let links = &spec["paths"]["/api/v1/branches"]["post"]["responses"]["201"]["links"];
    assert_eq!(
        links["get_branch"],
        serde_json::json!({"operationId": "get_branch", "parameters": {"id": "$response.body#/id"}})
    );
    assert_eq!(
        links["update_branch"]["parameters"]["header.If-Match"],
        "$response.header.ETag"
    );
    // a roster leads to its first entry; a page to its first item
    let roster = &spec["paths"]["/api/v1/events/{id}/hours"]["post"]["responses"]["201"]["links"];
    assert_eq!(
        roster["approve_hours"]["parameters"]["id"],
        "$response.body#/entries/0/id"
    );
    let page = &spec["paths"]["/api/v1/volunteers"]["get"]["responses"]["200"]["links"];
    assert_eq!(
        page["get_volunteer"]["parameters"]["id"],
        "$response.body#/items/0/id"
    );
    // every link names an operation that exists, with parameters it has
    let ops = operations(&spec);
    let mut count = 0;
    for (_, _, op) in &ops {
        for response in op["responses"].as_object().unwrap().values() {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                let target = link["operationId"].as_str().unwrap();
                assert_eq!(name, target);
                let (_, _, target_op) = ops
                    .iter()
                    .find(|(_, _, o)| o["operationId"] == target)
                    .unwrap_or_else(|| panic!("no operation {target}"));
                for parameter in link["parameters"].as_object().unwrap().keys() {
                    let wanted = parameter.strip_prefix("header.").unwrap_or(parameter);
                    assert!(
                        target_op["parameters"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|p| p["name"] == wanted),
                        "{target} has no parameter {wanted}"
                    );
                }
                count += 1;
            }
        }
    }
    assert!(count > 50, "only {count} links");
}

#[test]
fn header_and_grouping_parameters_state_their_form() {
    let spec = spec_json();
    let mut seen = 0;
    for (method, path, op) in operations(&spec) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            let pattern = p["schema"]["pattern"].as_str();
            match p["name"].as_str().unwrap() {
                "If-Match" => {
                    assert_eq!(pattern, Some(volunteer_hours::http::IF_MATCH_PATTERN));
                    seen += 1;
                }
                "Idempotency-Key" => {
                    assert_eq!(pattern, Some(volunteer_hours::idempotency::KEY_PATTERN));
                    seen += 1;
                }
                "q" => {
                    assert_eq!(
                        pattern,
                        Some(volunteer_hours::openapi::NO_NUL_PATTERN),
                        "{method} {path}"
                    );
                    assert_eq!(
                        p["schema"]["maxLength"],
                        volunteer_hours::validate::MAX_SEARCH,
                        "{method} {path}"
                    );
                    seen += 1;
                }
                "tag" => {
                    assert_eq!(
                        pattern,
                        Some(volunteer_hours::volunteers::dto::TAG_PATTERN),
                        "{method} {path}"
                    );
                    seen += 1;
                }
                "entity" => {
                    assert_eq!(
                        p["schema"]["$ref"], "#/components/schemas/Entity",
                        "{method} {path}"
                    );
                    seen += 1;
                }
                "group_by" => {
                    assert_eq!(
                        pattern,
                        Some(volunteer_hours::reports::model::GROUP_BY_PATTERN),
                        "{method} {path}"
                    );
                    seen += 1;
                }
                _ => {}
            }
        }
    }
    assert!(seen >= 15, "{seen}");
}

// ---- what a generated client relies on ---------------------------------------------------------

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// Calls `f` with every schema within `schema` (itself, properties, items, members of
/// compositions), following each component once; `at` names where it is.
fn each_schema(
    spec: &Value,
    schema: &Value,
    at: &str,
    seen: &mut BTreeSet<String>,
    f: &mut dyn FnMut(&str, &Value),
) {
    if let Some(r) = schema["$ref"].as_str() {
        if seen.insert(r.to_owned()) {
            each_schema(spec, resolve(spec, schema), r, seen, f);
        }
        return;
    }
    f(at, schema);
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        each_schema(spec, property, &format!("{at}/{name}"), seen, f);
    }
    if schema["items"].is_object() {
        each_schema(spec, &schema["items"], &format!("{at}[]"), seen, f);
    }
    for key in ["oneOf", "allOf", "anyOf"] {
        for member in schema[key].as_array().into_iter().flatten() {
            each_schema(spec, member, at, seen, f);
        }
    }
}

fn has_type(schema: &Value, wanted: &str) -> bool {
    match &schema["type"] {
        Value::String(t) => t == wanted,
        Value::Array(types) => types.iter().any(|t| t == wanted),
        _ => false,
    }
}

/// What OWASP's resource-consumption rules ask of a schema: strings with a maxLength or an
/// enum, integers with both bounds, arrays with maxItems. `None` when it has them.
fn unbounded(schema: &Value) -> Option<&'static str> {
    if has_type(schema, "string") && schema["maxLength"].is_null() && schema["enum"].is_null() {
        return Some("a string without maxLength");
    }
    if has_type(schema, "integer") && (schema["minimum"].is_null() || schema["maximum"].is_null()) {
        return Some("an integer without minimum and maximum");
    }
    if has_type(schema, "array") && schema["maxItems"].is_null() {
        return Some("an array without maxItems");
    }
    None
}

#[test]
fn every_operation_answers_500_and_every_response_names_its_request() {
    let spec = spec_json();
    for (method, path, op) in operations(&spec) {
        let responses = op["responses"].as_object().unwrap();
        assert_eq!(
            responses["500"]["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem",
            "{method} {path}"
        );
        for (code, response) in responses {
            assert_eq!(
                response["headers"]["X-Request-Id"]["schema"]["pattern"],
                volunteer_hours::openapi::REQUEST_ID_PATTERN,
                "{method} {path} {code}"
            );
            assert_eq!(
                response["headers"]["Content-Language"]["schema"]["enum"],
                serde_json::json!(["zh-CN", "en"]),
                "{method} {path} {code}"
            );
            if let Some(retry) = response["headers"].get("Retry-After") {
                let schema = &retry["schema"];
                assert!(
                    schema["minimum"] == 1 && schema["maximum"].is_u64(),
                    "{path} {code}"
                );
            }
        }
        let language = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Accept-Language")
            .unwrap_or_else(|| panic!("{method} {path} has no Accept-Language"));
        assert_eq!(language["required"], false);
        assert_eq!(
            language["schema"]["pattern"],
            volunteer_hours::openapi::ACCEPT_LANGUAGE_PATTERN
        );
    }
}

#[test]
fn public_operations_need_no_token_and_every_other_one_does() {
    let spec = spec_json();
    let public = [
        "/health",
        "/ready",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/verify/{number}",
    ];
    for (method, path, op) in operations(&spec) {
        if public.contains(&path.as_str()) {
            assert_eq!(op["security"], json!([]), "{method} {path}");
        } else {
            assert_eq!(op["security"], json!([{ "bearer": [] }]), "{method} {path}");
            assert!(op["responses"].get("401").is_some(), "{method} {path}");
        }
    }
}

#[test]
fn ids_in_paths_and_queries_start_at_one() {
    let spec = spec_json();
    let mut seen = 0;
    for (method, path, op) in operations(&spec) {
        for p in op["parameters"].as_array().unwrap() {
            let name = p["name"].as_str().unwrap();
            if !(name == "id" || name.ends_with("_id") || name == "under") {
                continue;
            }
            let schema = &p["schema"];
            assert_eq!(schema["type"], "integer", "{method} {path} {name}");
            assert_eq!(schema["format"], "int64", "{method} {path} {name}");
            assert_eq!(schema["minimum"], 1, "{method} {path} {name}");
            assert_eq!(schema["maximum"], i64::MAX, "{method} {path} {name}");
            seen += 1;
        }
    }
    assert!(seen >= 40, "{seen}");
}

#[test]
fn pages_refer_to_their_items_and_every_component_is_used() {
    let spec = spec_json();
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut pages = 0;
    for (name, schema) in schemas {
        if let Some(item) = name.strip_prefix("Page_") {
            assert_eq!(
                schema["properties"]["items"]["items"],
                json!({ "$ref": format!("#/components/schemas/{item}") }),
                "{name}"
            );
            assert!(schemas.contains_key(item), "{name}");
            pages += 1;
        }
        assert!(
            text.contains(&format!("\"#/components/schemas/{name}\"")),
            "{name} is never used"
        );
    }
    assert!(pages >= 8, "{pages}");
}

#[test]
fn every_request_input_is_bounded() {
    let spec = spec_json();
    let mut found = Vec::new();
    let mut checked = 0;
    for (method, path, op) in operations(&spec) {
        let mut seen = BTreeSet::new();
        let mut check = |at: &str, schema: &Value| {
            checked += 1;
            if let Some(what) = unbounded(schema) {
                found.push(format!("{method} {path}: {at} is {what}"));
            }
        };
        for p in op["parameters"].as_array().unwrap() {
            let at = format!("{} {}", p["in"], p["name"]);
            each_schema(&spec, &p["schema"], &at, &mut seen, &mut check);
        }
        for content in op["requestBody"]["content"]
            .as_object()
            .into_iter()
            .flatten()
        {
            each_schema(&spec, &content.1["schema"], "body", &mut seen, &mut check);
        }
    }
    assert!(found.is_empty(), "{found:#?}");
    assert!(checked > 300, "{checked}");
}

/// The limits a property states (its own, and its items').
fn limits(schema: &Value) -> Value {
    let keys = [
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
    ];
    let mut out = serde_json::Map::new();
    for key in keys {
        if !schema[key].is_null() {
            out.insert(key.to_owned(), schema[key].clone());
        }
    }
    if schema["items"].is_object() {
        out.insert("items".to_owned(), limits(&schema["items"]));
    }
    out.into()
}

#[test]
fn changes_keep_the_limits_of_creation() {
    let spec = spec_json();
    let schemas = &spec["components"]["schemas"];
    let mut compared = 0;
    for (create, update) in [
        ("CreateBranch", "UpdateBranch"),
        ("CreateVolunteer", "UpdateVolunteer"),
        ("CreateEvent", "UpdateEvent"),
        ("CreateUser", "UpdateUser"),
        ("EntryInput", "UpdateEntry"),
        ("PlanFile", "PlanDetail"),
        ("CreateCommendation", "UpdateCommendation"),
    ] {
        let created = schemas[create]["properties"].as_object().unwrap();
        for (name, changed) in schemas[update]["properties"].as_object().unwrap() {
            let Some(original) = created.get(name) else {
                continue;
            };
            assert_eq!(
                limits(changed),
                limits(original),
                "{update}.{name} and {create}.{name}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 25, "{compared}");
}

#[test]
fn vocabularies_are_the_codes_own() {
    use volunteer_hours::audit::{Action, Entity};
    let spec = spec_json();
    let schemas = &spec["components"]["schemas"];
    let names = |schema: &Value| -> Vec<String> {
        schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&schemas["Action"]),
        Action::ALL.map(|a| a.as_str().to_owned())
    );
    assert_eq!(
        names(&schemas["Entity"]),
        Entity::ALL.map(|e| e.as_str().to_owned())
    );
    assert_eq!(
        schemas["AuditItem"]["properties"]["action"]["$ref"],
        "#/components/schemas/Action"
    );
    assert_eq!(
        names(&schemas["Problem"]["properties"]["type"]),
        volunteer_hours::error::PROBLEM_SLUGS.map(|s| format!("/problems/{s}"))
    );
    assert_eq!(names(&schemas["TokenType"]), ["Bearer"]);
    let category = &schemas["TotalsRowResponse"]["properties"]["category"];
    assert!(category
        .to_string()
        .contains("#/components/schemas/Category"));
    let month = &schemas["TotalsRowResponse"]["properties"]["month"];
    assert!(month["pattern"].is_string());
    for schema in ["MyHours", "TotalsRowResponse"] {
        let stars = &schemas[schema]["properties"]["star_level"];
        assert!(stars["minimum"] == 0 && stars["maximum"] == 5, "{schema}");
    }
}

// ---- the answers the running server gives agree with the spec -------------------------------------

/// Fields the server leaves out of an answer on purpose (`skip_serializing_if`): the only
/// optional properties a response schema may have.
const OMITTED: [(&str, &str); 19] = [
    ("VolunteerResponse", "phone"),
    ("VolunteerResponse", "volunteer_number"),
    ("TotalsRowResponse", "volunteer_id"),
    ("TotalsRowResponse", "volunteer_name"),
    ("TotalsRowResponse", "branch_id"),
    ("TotalsRowResponse", "branch_code"),
    ("TotalsRowResponse", "branch_name"),
    ("TotalsRowResponse", "plan_item_id"),
    ("TotalsRowResponse", "plan_item_number"),
    ("TotalsRowResponse", "plan_item_title"),
    ("TotalsRowResponse", "event_id"),
    ("TotalsRowResponse", "event_title"),
    ("TotalsRowResponse", "category"),
    ("TotalsRowResponse", "month"),
    ("TotalsRowResponse", "cumulative_minutes"),
    ("TotalsRowResponse", "star_level"),
    ("Problem", "errors"),
    ("Problem", "entry_ids"),
    ("Problem", "entry_count"),
];

/// Checks `value` against `schema` for what a generated client relies on: every property
/// sent is declared, every required one is sent, and one that is always sent is required.
fn check_answer(spec: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    let mut component = at.to_owned();
    let schema = match schema["$ref"].as_str() {
        Some(r) => {
            component = r.trim_start_matches("#/components/schemas/").to_owned();
            resolve(spec, schema)
        }
        None => schema,
    };
    for key in ["oneOf", "anyOf", "allOf"] {
        for member in schema[key].as_array().into_iter().flatten() {
            // the `null` of a nullable field says nothing of the value
            if member["type"] != "null" {
                check_answer(spec, member, value, &component, found);
            }
        }
    }
    match value {
        Value::Object(fields) if schema["properties"].is_object() => {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for name in &required {
                if !fields.contains_key(*name) {
                    found.push(format!("{component}.{name} is required but was not sent"));
                }
            }
            for (name, field) in fields {
                let Some(property) = schema["properties"].get(name) else {
                    found.push(format!("{component}.{name} was sent but is not declared"));
                    continue;
                };
                let omitted = OMITTED.contains(&(component.as_str(), name.as_str()));
                if !required.contains(&name.as_str()) && !omitted {
                    found.push(format!(
                        "{component}.{name} is always sent but not required"
                    ));
                }
                check_answer(spec, property, field, &format!("{component}.{name}"), found);
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for item in items {
                check_answer(spec, &schema["items"], item, at, found);
            }
        }
        _ => {}
    }
}

/// The schema of the answer `status` of `method path` (a path of the spec).
fn answer_schema<'a>(spec: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    let response = &spec["paths"][path][method]["responses"][status.to_string()];
    let content = response["content"]
        .as_object()
        .expect("an answer with a body");
    &content.values().next().expect("a media type")["schema"]
}

async fn answers_agree_with_the_spec(app: TestApp) {
    use volunteer_hours::auth::Role;
    app.seed_demo();
    let spec = spec_json();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.login_as(Role::Volunteer).await;
    let first = |page: &Value| page["items"][0]["id"].as_i64().expect("a first item");
    let mut found = Vec::new();
    let mut calls = vec![
        ("/api/v1/branches", "/api/v1/branches".to_owned(), 200),
        ("/api/v1/volunteers", "/api/v1/volunteers".into(), 200),
        ("/api/v1/events", "/api/v1/events".into(), 200),
        ("/api/v1/hours", "/api/v1/hours".into(), 200),
        ("/api/v1/plans", "/api/v1/plans".into(), 200),
        ("/api/v1/plan-items", "/api/v1/plan-items".into(), 200),
        ("/api/v1/users", "/api/v1/users".into(), 200),
        ("/api/v1/audit", "/api/v1/audit".into(), 200),
        ("/api/v1/auth/me", "/api/v1/auth/me".into(), 200),
        (
            "/api/v1/reports/totals",
            "/api/v1/reports/totals".into(),
            200,
        ),
        (
            "/api/v1/reports/totals",
            "/api/v1/reports/totals?group_by=branch,plan_item,event,category,month".into(),
            200,
        ),
        (
            "/api/v1/volunteers/{id}",
            "/api/v1/volunteers/999999".into(),
            404,
        ),
    ];
    for (list, one) in [
        ("/api/v1/branches", "/api/v1/branches/{id}"),
        ("/api/v1/volunteers", "/api/v1/volunteers/{id}"),
        ("/api/v1/events", "/api/v1/events/{id}"),
        ("/api/v1/hours", "/api/v1/hours/{id}"),
        ("/api/v1/hours", "/api/v1/hours/{id}/history"),
        ("/api/v1/plans", "/api/v1/plans/{id}"),
        ("/api/v1/users", "/api/v1/users/{id}"),
        (
            "/api/v1/volunteers",
            "/api/v1/volunteers/{id}/commendations",
        ),
        ("/api/v1/volunteers", "/api/v1/volunteers/{id}/evaluations"),
    ] {
        let page: Value = app.get_as(list, &admin.access).await.json().await.unwrap();
        calls.push((one, one.replace("{id}", &first(&page).to_string()), 200));
    }
    // one part of the record each, so that their answers are checked with content
    let entry = app.insert_entry("approved");
    let (event, served) = app.entry_parts(entry);
    let commendation = app.insert_commendation(served);
    app.insert_evaluation(event, served);
    calls.push((
        "/api/v1/commendations/{id}",
        format!("/api/v1/commendations/{commendation}"),
        200,
    ));
    calls.push((
        "/api/v1/volunteers/{id}/commendations",
        format!("/api/v1/volunteers/{served}/commendations"),
        200,
    ));
    calls.push((
        "/api/v1/volunteers/{id}/evaluations",
        format!("/api/v1/volunteers/{served}/evaluations"),
        200,
    ));
    calls.push((
        "/api/v1/events/{id}/evaluations/{volunteer_id}",
        format!("/api/v1/events/{event}/evaluations/{served}"),
        200,
    ));
    for (path, url, status) in calls {
        let resp = app.get_as(&url, &admin.access).await;
        assert_eq!(resp.status().as_u16(), status, "{url}");
        let body: Value = resp.json().await.unwrap();
        check_answer(
            &spec,
            answer_schema(&spec, "get", path, status),
            &body,
            &url,
            &mut found,
        );
    }
    let mine: Value = app
        .get_as("/api/v1/me/hours", &volunteer.access)
        .await
        .json()
        .await
        .unwrap();
    check_answer(
        &spec,
        answer_schema(&spec, "get", "/api/v1/me/hours", 200),
        &mine,
        "me",
        &mut found,
    );
    let login: Value = app
        .login(&admin.username, &admin.password)
        .await
        .json()
        .await
        .unwrap();
    check_answer(
        &spec,
        answer_schema(&spec, "post", "/api/v1/auth/login", 200),
        &login,
        "login",
        &mut found,
    );
    found.sort();
    found.dedup();
    assert!(found.is_empty(), "{found:#?}");
}

/// `s` has the form of `X-Request-Id` (a lowercase UUID).
fn is_request_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// The URL a `Location` pattern of the spec stands for, with `id` for its id.
fn location_for(pattern: &str, id: i64) -> String {
    pattern
        .trim_start_matches('^')
        .trim_end_matches('$')
        .replace("[1-9][0-9]{0,18}", &id.to_string())
        .replace("\\?", "?")
}

async fn created_objects_carry_the_headers_the_spec_declares(app: TestApp) {
    use volunteer_hours::auth::Role;
    app.seed_demo();
    let spec = spec_json();
    let admin = app.login_as(Role::Admin).await;
    let key = crate::helpers::key();
    let create = || {
        app.request(
            reqwest::Method::POST,
            "/api/v1/branches",
            Some(&admin.access),
        )
        .header("Idempotency-Key", &key)
        .header("Accept-Language", "en;q=0.9, zh-CN")
        .json(&json!({ "code": "SPEC01", "name": "规范支部" }))
        .send()
    };
    let first = create().await.unwrap();
    assert_eq!(first.status(), 201);
    let headers = &spec["paths"]["/api/v1/branches"]["post"]["responses"]["201"]["headers"];
    let id = first.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        first.headers()["location"],
        location_for(
            headers["Location"]["schema"]["pattern"].as_str().unwrap(),
            id
        )
        .as_str()
    );
    assert_eq!(first.headers()["etag"], "\"1\"");
    assert!(is_request_id(
        first.headers()["x-request-id"].to_str().unwrap()
    ));
    assert!(first.headers().get("idempotent-replayed").is_none());
    let again = create().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(
        headers["Idempotent-Replayed"]["schema"]["enum"],
        json!(["true"])
    );

    // a roster's Location is the list of the event's hours
    let event = app.event("规范活动", app.branch_id("JGDW")).insert();
    let volunteer = app.insert_volunteer("规范志愿者", app.branch_id("JGDW"));
    let resp = crate::helpers::submit(
        &app,
        &admin.access,
        event,
        &crate::helpers::entry(volunteer, 60),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let pattern = &spec["paths"]["/api/v1/events/{id}/hours"]["post"]["responses"]["201"]
        ["headers"]["Location"]["schema"]["pattern"];
    assert_eq!(
        resp.headers()["location"],
        location_for(pattern.as_str().unwrap(), event).as_str()
    );
    // and every answer, an error too, names its request
    let missing = app.get_as("/api/v1/branches/999999", &admin.access).await;
    assert_eq!(missing.status(), 404);
    assert!(is_request_id(
        missing.headers()["x-request-id"].to_str().unwrap()
    ));
}

async fn every_id_in_a_query_starts_at_one(app: TestApp) {
    use volunteer_hours::auth::Role;
    app.seed();
    let spec = spec_json();
    let admin = app.login_as(Role::Admin).await;
    let mut checked = 0;
    for (method, path, op) in operations(&spec) {
        if method != "GET" {
            continue;
        }
        for p in op["parameters"].as_array().unwrap() {
            let name = p["name"].as_str().unwrap();
            if p["in"] != "query" || !(name.ends_with("_id") || name == "under") {
                continue;
            }
            for bad in ["0", "-3"] {
                let resp = app
                    .get_as(&format!("{path}?{name}={bad}"), &admin.access)
                    .await;
                crate::helpers::assert_problem(resp, 400, "/problems/invalid-parameter").await;
            }
            let resp = app.get_as(&format!("{path}?{name}=1"), &admin.access).await;
            assert_eq!(resp.status(), 200, "{path}?{name}=1");
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked}");
}

crate::both_backends!(
    answers_agree_with_the_spec,
    created_objects_carry_the_headers_the_spec_declares,
    every_id_in_a_query_starts_at_one,
);
