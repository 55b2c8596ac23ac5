//! Health, readiness, problem+json for requests the router cannot place, CORS, compression.

use crate::both_backends;
use crate::helpers::*;
use serde_json::json;
use volunteer_hours::auth::Role;

async fn health_answers_without_touching_the_database(app: TestApp) {
    app.db.destroy();
    let resp = app.get("/health").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().contains_key("x-request-id"));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

async fn ready_names_the_backend(app: TestApp) {
    let resp = app.get("/ready").await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], app.db.backend.name());
}

async fn ready_fails_when_the_database_is_gone(app: TestApp) {
    assert_eq!(app.get("/ready").await.status(), 200);
    app.db.destroy();
    let resp = app.get("/ready").await;
    assert!(resp.headers().contains_key("retry-after"));
    let body = assert_problem(resp, 503, "/problems/service-unavailable").await;
    // the cause is logged, not sent
    let text = body.to_string();
    assert!(!text.contains("__diesel_schema_migrations"), "{text}");
    assert!(!text.contains("test.db"), "{text}");
}

async fn unknown_routes_are_problems(app: TestApp) {
    assert_not_found(app.get("/no/such/route").await).await;
    assert_not_found(app.get("/api/v1/nothing-here").await).await;
}

async fn a_wrong_method_on_a_known_path_is_405_with_allow(app: TestApp) {
    for (method, path, allow) in [
        (reqwest::Method::POST, "/health", "GET, HEAD"),
        (reqwest::Method::PUT, "/api/v1/users/12", "GET, HEAD, PATCH"),
        (reqwest::Method::TRACE, "/api/v1/events", "GET, HEAD, POST"),
    ] {
        let resp = app
            .client
            .request(method, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["allow"], allow);
        assert_problem(resp, 405, "/problems/method-not-allowed").await;
    }
}

async fn a_literal_route_is_not_taken_for_an_id(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    // `/hours/review` is a route of its own (POST), not the entry with id "review"
    let resp = app
        .patch_any("/api/v1/hours/review", &admin.access, &json!({}))
        .await;
    assert_eq!(resp.headers()["allow"], "POST");
    assert_problem(resp, 405, "/problems/method-not-allowed").await;
    // a non-numeric id elsewhere is still a bad parameter
    let body = assert_invalid_parameter(app.get_as("/api/v1/hours/abc", &admin.access).await).await;
    assert_eq!(body["errors"][0]["pointer"], "/path");
}

async fn whole_numbers_written_as_floats_are_integers(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let branch = app.branch_id("XFPC");
    // JSON Schema's `integer` includes 7.0; some JSON libraries write whole numbers so
    let body = json!({ "name": "陈小明", "branch_id": branch as f64 });
    assert!(body.to_string().contains(".0"), "{body}");
    let created = expect_json(
        app.post_as("/api/v1/volunteers", Some(&admin.access), &body)
            .await,
        201,
    )
    .await;
    assert_eq!(created["branch_id"], branch);
    assert_eq!(app.count("volunteers"), 1);
    // a fraction is still refused, and nothing is written
    let body = assert_validation(
        app.post_as(
            "/api/v1/volunteers",
            Some(&admin.access),
            &json!({ "name": "陈小红", "branch_id": branch as f64 + 0.5 }),
        )
        .await,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/branch_id");
    assert_eq!(app.count("volunteers"), 1);
}

/// PostgreSQL text cannot hold U+0000: such input is refused on both backends, never a 500.
async fn nul_characters_are_refused(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let branches = app.count("branches");
    let body = assert_validation(
        app.post_as(
            "/api/v1/branches",
            Some(&admin.access),
            &json!({ "code": "ZB09", "name": "第九\u{0}支部" }),
        )
        .await,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/name");
    assert_eq!(app.count("branches"), branches);
    // in a field name, the answer points at the object, never echoing the character
    let body = assert_validation(
        app.post_as(
            "/api/v1/branches",
            Some(&admin.access),
            &json!({ "code": "ZB09", "name": "第九支部", "extra": { "a\u{0}b": 1 } }),
        )
        .await,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/extra");
    assert!(!body.to_string().contains("\\u0000b"), "{body}");
    assert_eq!(app.count("branches"), branches);
    let body = assert_invalid_parameter(
        app.get_as("/api/v1/volunteers?q=a%00b", &admin.access)
            .await,
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/query");
    // the same request without it is fine
    assert_eq!(
        app.get_as("/api/v1/volunteers?q=ab", &admin.access)
            .await
            .status(),
        200
    );
}

async fn if_match_must_have_the_form_of_an_etag(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let path = format!("/api/v1/branches/{}", app.branch_id("XFPC"));
    let change = json!({ "name": "机关第二党支部（新）" });
    for bad in ["3", "\"3", "\"abc\"", "W/3", "\"1\", \"2\""] {
        let body =
            assert_invalid_parameter(app.patch_as(&path, &admin.access, Some(bad), &change).await)
                .await;
        assert_eq!(body["errors"][0]["pointer"], "/header/If-Match", "{bad}");
    }
    assert_precondition_failed(
        app.patch_as(&path, &admin.access, Some("\"9\""), &change)
            .await,
    )
    .await;
    let before = app.get_ok(&path, &admin.access).await;
    assert_ne!(before["name"], change["name"]);
    // weak and strong forms of the current tag both match
    let resp = app
        .patch_as(&path, &admin.access, Some("W/\"1\""), &change)
        .await;
    assert_eq!(resp.headers()["etag"], "\"2\"");
    let changed = expect_json(resp, 200).await;
    assert_eq!(changed["name"], change["name"]);
}

async fn every_response_carries_a_fresh_request_id(app: TestApp) {
    let a = app.get("/health").await;
    let b = app.get("/no/such/route").await;
    let a = a.headers()["x-request-id"].to_str().unwrap().to_owned();
    let b = b.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(a.len(), 36, "{a}");
    assert_ne!(a, b);
}

async fn responses_are_compressed_when_asked(app: TestApp) {
    let resp = app
        .get_with("/openapi.json", &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let plain = app.get("/openapi.json").await;
    assert!(!plain.headers().contains_key("content-encoding"));
}

async fn the_api_docs_are_served(app: TestApp) {
    let resp = app.get("/docs/").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("swagger"));
    let spec: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    // the document the workers share is the one committed (see tests/api/openapi.rs)
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    assert_eq!(spec, committed);
    let ui = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("\"/openapi.json\""));
}

async fn every_kind_of_bad_body_is_a_problem(app: TestApp) {
    let post = |body: &'static str, content_type: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let json = "application/json";
    let body = assert_problem(
        post("{\"username\": \"a\",", json).await.unwrap(),
        400,
        "/problems/malformed-json",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("EOF"), "{body}");
    assert_problem(
        post("", json).await.unwrap(),
        400,
        "/problems/malformed-json",
    )
    .await;
    assert_problem(
        post(r#"{"username": "a", "password": "b"} {}"#, json)
            .await
            .unwrap(),
        400,
        "/problems/malformed-json",
    )
    .await;

    let body = assert_validation(
        post(r#"{"username": "a", "password": 5}"#, json)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/password");
    assert_first_error_mentions(&body, "invalid type");
    let body = assert_validation(
        post(r#"{"username": "a", "password": "b", "admin": true}"#, json)
            .await
            .unwrap(),
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field `admin`"),
        "{body}"
    );
    let body = assert_validation(post(r#"{"username": "a"}"#, json).await.unwrap()).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("missing field `password`"),
        "{body}"
    );
    assert_validation(post(r#"["a", "b"]"#, json).await.unwrap()).await;

    assert_problem(
        post(r#"{"username": "a", "password": "b"}"#, "text/plain")
            .await
            .unwrap(),
        415,
        "/problems/unsupported-media-type",
    )
    .await;
    let no_type = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(no_type, 415, "/problems/unsupported-media-type").await;
}

/// RFC 9110: HEAD answers as GET would, headers and all, without the body.
async fn head_answers_like_get_without_a_body(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let path = format!("/api/v1/branches/{}", app.branch_id("JGDW"));
    let get = app.get_as(&path, &admin.access).await;
    assert_eq!(get.status(), 200);
    let etag = get.headers()["etag"].clone();
    let length = get.text().await.unwrap().len();
    let head = app
        .request(reqwest::Method::HEAD, &path, Some(&admin.access))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"], etag);
    assert_eq!(head.headers()["content-type"], "application/json");
    assert_eq!(
        head.headers()["content-length"],
        length.to_string().as_str()
    );
    assert!(head.headers().contains_key("x-request-id"));
    assert!(head.bytes().await.unwrap().is_empty());
    for path in ["/health", "/api/v1/plans", "/openapi.json"] {
        let head = app
            .request(reqwest::Method::HEAD, path, Some(&admin.access))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200, "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    // a HEAD's errors are a GET's, without the body
    let head = app
        .request(reqwest::Method::HEAD, &path, None)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 401);
    // HEAD where there is no GET is a wrong method
    let head = app
        .request(reqwest::Method::HEAD, "/api/v1/auth/login", None)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 405);
    assert_eq!(head.headers()["allow"], "POST");
    // preflight requests still answer for CORS
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/volunteers"))
        .header("origin", "https://app.example.org")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(
        preflight.status().is_success() || preflight.status() == 400,
        "{}",
        preflight.status()
    );
}

async fn the_docs_link_leads_to_the_docs(app: TestApp) {
    let resp = app.get("/docs").await;
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["location"], "/docs/");
    let resp = app.get("/docs/").await;
    assert_eq!(resp.status(), 200);
}

/// One object, one URL: ids in paths are canonical decimal.
async fn ids_in_paths_are_written_one_way(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let id = app.branch_id("JGDW");
    app.get_ok(&format!("/api/v1/branches/{id}"), &admin.access)
        .await;
    for bad in [
        format!("+{id}"),
        format!("0{id}"),
        format!("%2B{id}"),
        format!("%30{id}"),
        "-0".into(),
        "00".into(),
    ] {
        let resp = app
            .get_as(&format!("/api/v1/branches/{bad}"), &admin.access)
            .await;
        let body = assert_invalid_parameter(resp).await;
        assert_eq!(body["errors"][0]["pointer"], "/path", "{bad}");
    }
    let resp = app
        .patch_any(
            &format!("/api/v1/branches/0{id}"),
            &admin.access,
            &json!({ "name": "改名" }),
        )
        .await;
    assert_invalid_parameter(resp).await;
    assert_ne!(
        app.get_ok(&format!("/api/v1/branches/{id}"), &admin.access)
            .await["name"],
        "改名"
    );
    // canonical numbers that name nothing are simply not found
    assert_not_found(app.get_as("/api/v1/branches/0", &admin.access).await).await;
    assert_not_found(app.get_as("/api/v1/branches/-1", &admin.access).await).await;
}

async fn an_over_long_uri_is_414(app: TestApp) {
    let long = format!("/api/v1/volunteers?q={}", "a".repeat(9000));
    let resp = app.get(&long).await;
    assert_problem(resp, 414, "/problems/uri-too-long").await;
    let path = format!("/{}", "b".repeat(9000));
    assert_problem(app.get(&path).await, 414, "/problems/uri-too-long").await;
    // just under the limit is read as usual (and needs a token)
    let fits = format!("/api/v1/volunteers?q={}", "a".repeat(8000));
    assert_unauthorized(app.get(&fits).await).await;
}

/// If-Match on hour entries behaves as on every other resource: 428 only when absent.
async fn hour_entries_take_if_match_like_every_resource(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let id = app.insert_entry("submitted");
    let path = format!("/api/v1/hours/{id}");
    for bad in ["3", "\"abc\"", "W/3"] {
        let resp = app
            .patch_as(&path, &admin.access, Some(bad), &json!({ "minutes": 30 }))
            .await;
        let body = assert_invalid_parameter(resp).await;
        assert_eq!(body["errors"][0]["pointer"], "/header/If-Match");
        let resp = crate::helpers::delete_as(&app, &path, &admin.access, Some(bad)).await;
        assert_invalid_parameter(resp).await;
    }
    let resp = app
        .patch_as(&path, &admin.access, None, &json!({ "minutes": 30 }))
        .await;
    assert_precondition_required(resp).await;
    let resp = crate::helpers::delete_as(&app, &path, &admin.access, None).await;
    assert_precondition_required(resp).await;
    let entry = app.get_ok(&path, &admin.access).await;
    assert_eq!(
        (entry["minutes"].as_i64(), entry["status"].as_str()),
        (Some(60), Some("submitted"))
    );
}

both_backends!(
    head_answers_like_get_without_a_body,
    the_docs_link_leads_to_the_docs,
    ids_in_paths_are_written_one_way,
    an_over_long_uri_is_414,
    hour_entries_take_if_match_like_every_resource,
    every_kind_of_bad_body_is_a_problem,
    health_answers_without_touching_the_database,
    ready_names_the_backend,
    ready_fails_when_the_database_is_gone,
    unknown_routes_are_problems,
    a_wrong_method_on_a_known_path_is_405_with_allow,
    a_literal_route_is_not_taken_for_an_id,
    whole_numbers_written_as_floats_are_integers,
    if_match_must_have_the_form_of_an_etag,
    nul_characters_are_refused,
    every_response_carries_a_fresh_request_id,
    responses_are_compressed_when_asked,
    the_api_docs_are_served,
);

mod config_dependent {
    use crate::helpers::*;
    use volunteer_hours::db::Backend;

    #[actix_web::test]
    async fn docs_can_be_switched_off() {
        let app = TestApp::spawn_with(Backend::Sqlite, |c| {
            c.api_docs = false;
            c.console = false;
        })
        .await
        .unwrap();
        assert_not_found(app.get("/docs/").await).await;
        assert_not_found(app.get("/docs").await).await;
        assert_not_found(app.get("/openapi.json").await).await;
        // the address itself still says where things are
        let index: serde_json::Value = app.get("/").await.json().await.unwrap();
        assert_eq!(index["api"], "/api/v1");
        assert_eq!(index["health"], "/health");
    }

    #[actix_web::test]
    async fn oversized_bodies_are_refused_with_413() {
        let app = TestApp::spawn_with(Backend::Sqlite, |c| c.max_body_bytes = 1024)
            .await
            .unwrap();
        let big = format!(r#"{{"username": "{}", "password": "x"}}"#, "a".repeat(4096));
        let resp = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        assert_problem(resp, 413, "/problems/payload-too-large").await;
        // and the server keeps serving
        assert_eq!(app.get("/health").await.status(), 200);
    }

    #[actix_web::test]
    async fn cors_allows_only_configured_origins() {
        let app = TestApp::spawn_with(Backend::Sqlite, |c| {
            c.cors_allowed_origins = vec!["https://app.example.org".into()]
        })
        .await
        .unwrap();
        let preflight = |origin: &'static str| {
            app.client
                .request(reqwest::Method::OPTIONS, app.url("/health"))
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "authorization")
                .send()
        };
        let ok = preflight("https://app.example.org").await.unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(
            ok.headers()["access-control-allow-origin"],
            "https://app.example.org"
        );

        let denied = preflight("https://evil.example").await.unwrap();
        assert!(!denied.headers().contains_key("access-control-allow-origin"));

        let simple = app
            .get_with("/health", &[("origin", "https://app.example.org")])
            .await;
        assert_eq!(
            simple.headers()["access-control-allow-origin"],
            "https://app.example.org"
        );
        let exposed = simple.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_lowercase();
        for h in ["etag", "location", "retry-after", "x-request-id"] {
            assert!(exposed.contains(h), "{exposed}");
        }
    }
}
