//! Health, readiness, problem+json for requests the router cannot place, CORS, compression.

use crate::both_backends;
use crate::helpers::{assert_problem, TestApp};

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
    assert_problem(app.get("/no/such/route").await, 404, "/problems/not-found").await;
    assert_problem(
        app.get("/api/v1/nothing-here").await,
        404,
        "/problems/not-found",
    )
    .await;
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
        .client
        .get(app.url("/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
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
}

both_backends!(
    health_answers_without_touching_the_database,
    ready_names_the_backend,
    ready_fails_when_the_database_is_gone,
    unknown_routes_are_problems,
    every_response_carries_a_fresh_request_id,
    responses_are_compressed_when_asked,
    the_api_docs_are_served,
);

mod config_dependent {
    use crate::helpers::{assert_problem, TestApp};
    use volunteer_hours::db::Backend;

    #[actix_web::test]
    async fn docs_can_be_switched_off() {
        let app = TestApp::spawn_with(Backend::Sqlite, |c| c.api_docs = false)
            .await
            .unwrap();
        assert_problem(app.get("/docs/").await, 404, "/problems/not-found").await;
        assert_problem(app.get("/openapi.json").await, 404, "/problems/not-found").await;
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
            .client
            .get(app.url("/health"))
            .header("origin", "https://app.example.org")
            .send()
            .await
            .unwrap();
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
