//! The role matrix: every endpoint the spec lists, each role's expected status. A new
//! endpoint without a row here fails this test.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use volunteer_hours::auth::Role;

use crate::both_backends;
use crate::helpers::TestApp;

/// Who calls: no token, then each role.
const CALLERS: [Option<Role>; 5] = [
    None,
    Some(Role::Admin),
    Some(Role::Secretary),
    Some(Role::Hr),
    Some(Role::Volunteer),
];

struct Row {
    method: &'static str,
    path: &'static str,
    /// anonymous, admin, secretary, hr, volunteer
    expect: [u16; 5],
}

const fn row(method: &'static str, path: &'static str, expect: [u16; 5]) -> Row {
    Row {
        method,
        path,
        expect,
    }
}

const MATRIX: &[Row] = &[
    row("GET", "/health", [200, 200, 200, 200, 200]),
    row("GET", "/ready", [200, 200, 200, 200, 200]),
    // login and refresh need no token; these bodies carry wrong credentials
    row("POST", "/api/v1/auth/login", [401, 401, 401, 401, 401]),
    row("POST", "/api/v1/auth/refresh", [401, 401, 401, 401, 401]),
    row("POST", "/api/v1/auth/logout", [401, 204, 204, 204, 204]),
    row("GET", "/api/v1/auth/me", [401, 200, 200, 200, 200]),
    // a wrong current password: past authentication, refused on content
    row("POST", "/api/v1/auth/password", [401, 422, 422, 422, 422]),
    row("GET", "/api/v1/users", [401, 200, 403, 403, 403]),
    row("POST", "/api/v1/users", [401, 201, 403, 403, 403]),
    row("GET", "/api/v1/users/{id}", [401, 200, 403, 403, 403]),
    row("PATCH", "/api/v1/users/{id}", [401, 200, 403, 403, 403]),
];

fn body_for(path: &str, caller: Option<Role>) -> Value {
    match path {
        "/api/v1/auth/login" => json!({ "username": "nobody", "password": "not a password" }),
        "/api/v1/auth/refresh" | "/api/v1/auth/logout" => json!({ "refresh_token": "not a token" }),
        "/api/v1/auth/password" => {
            json!({ "current_password": "wrong password", "new_password": "a new long password" })
        }
        "/api/v1/users" => json!({
            "username": format!("new.{}", caller.map_or("anon", |r| r.as_str())),
            "password": "a long enough password", "role": "hr"
        }),
        "/api/v1/users/{id}" => json!({ "disabled": false }),
        _ => json!({}),
    }
}

async fn every_endpoint_answers_each_role_as_specified(app: TestApp) {
    let spec: Value = serde_json::to_value(volunteer_hours::openapi::spec()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let tabled: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(
        documented, tabled,
        "every documented endpoint needs a row in the role matrix, and no more"
    );

    let target = app.create_user("matrix.target", Role::Hr);
    for r in MATRIX {
        for (caller, expected) in CALLERS.iter().zip(r.expect) {
            // a fresh session per request: logout and the like must not spoil the next row
            let token = match caller {
                Some(role) => Some(app.session(&format!("matrix.{role}"), *role).await.access),
                None => None,
            };
            let path = r.path.replace("{id}", &target.to_string());
            let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap();
            let mut req = app.request(method.clone(), &path, token.as_deref());
            if method != reqwest::Method::GET {
                req = req.json(&body_for(r.path, *caller)).header("if-match", "*");
            }
            let resp = req.send().await.unwrap();
            assert_eq!(
                resp.status().as_u16(),
                expected,
                "{} {} as {:?}: {}",
                r.method,
                r.path,
                caller,
                resp.text().await.unwrap_or_default()
            );
        }
    }
}

both_backends!(every_endpoint_answers_each_role_as_specified);
