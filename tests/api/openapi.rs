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
