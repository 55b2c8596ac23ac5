//! The spec follows the code: the committed file must equal what the code renders.
//! `UPDATE_OPENAPI=1 cargo test --test api openapi` rewrites it.

use crate::helpers::TestApp;
use volunteer_hours::db::Backend;

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

fn spec_json() -> serde_json::Value {
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
