//! Recording and reviewing hours through the API, as the hours and integrity tests do.

use serde_json::{json, Value};

use super::*;

/// A fresh Idempotency-Key.
pub fn key() -> String {
    format!("test-{:032x}", rand::random::<u128>())
}

/// One entry of `minutes` for `volunteer`.
pub fn entry(volunteer: i64, minutes: i32) -> Value {
    json!({ "volunteer_id": volunteer, "minutes": minutes })
}

/// One entry of timed service for `volunteer`, between two RFC 3339 times.
pub fn timed(volunteer: i64, started_at: &str, ended_at: &str) -> Value {
    json!({ "volunteer_id": volunteer, "started_at": started_at, "ended_at": ended_at })
}

pub fn roster(entries: Vec<Value>) -> Value {
    json!({ "entries": entries })
}

pub fn id_of(entry: &Value) -> i64 {
    entry["id"].as_i64().expect("id")
}

/// A submission to `event` under Idempotency-Key `key`.
pub async fn submit_keyed(
    app: &TestApp,
    token: &str,
    event: i64,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/events/{event}/hours"),
        Some(token),
    )
    .header("idempotency-key", key)
    .json(body)
    .send()
    .await
    .expect("request")
}

/// A submission with a fresh key.
pub async fn submit(app: &TestApp, token: &str, event: i64, body: &Value) -> reqwest::Response {
    submit_keyed(app, token, event, &key(), body).await
}

/// A roster of `entries`, with a fresh key.
pub async fn submit_roster(
    app: &TestApp,
    token: &str,
    event: i64,
    entries: Vec<Value>,
) -> reqwest::Response {
    submit(app, token, event, &roster(entries)).await
}

/// A submission that must succeed; its entries.
pub async fn submit_ok(app: &TestApp, token: &str, event: i64, body: &Value) -> Vec<Value> {
    let body = expect_json(submit(app, token, event, body).await, 201).await;
    body["entries"].as_array().expect("entries").clone()
}

/// One entry that must be accepted; its id.
pub async fn submit_one(
    app: &TestApp,
    token: &str,
    event: i64,
    volunteer: i64,
    minutes: i32,
) -> i64 {
    let entries = submit_ok(app, token, event, &entry(volunteer, minutes)).await;
    assert_eq!(entries.len(), 1);
    id_of(&entries[0])
}

/// A roster that must be accepted; the ids of its entries in the order given.
pub async fn recorded(app: &TestApp, token: &str, event: i64, entries: Vec<Value>) -> Vec<i64> {
    let entries = submit_ok(app, token, event, &roster(entries)).await;
    entries.iter().map(id_of).collect()
}

pub async fn approve(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/hours/{id}/approve"),
        Some(token),
    )
    .send()
    .await
    .expect("request")
}

pub async fn reject(app: &TestApp, token: &str, id: i64, reason: &str) -> reqwest::Response {
    app.post_as(
        &format!("/api/v1/hours/{id}/reject"),
        Some(token),
        &json!({ "reason": reason }),
    )
    .await
}

pub async fn review_many(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.post_as("/api/v1/hours/review", Some(token), body).await
}

/// Approves `ids` in one bulk review that must succeed.
pub async fn approve_all(app: &TestApp, token: &str, ids: &[i64]) {
    let body = json!({ "action": "approve", "ids": ids });
    expect_json(review_many(app, token, &body).await, 200).await;
}

pub async fn correct(app: &TestApp, token: &str, id: i64, body: &Value) -> reqwest::Response {
    app.post_as(
        &format!("/api/v1/hours/{id}/corrections"),
        Some(token),
        body,
    )
    .await
}

pub async fn withdraw(
    app: &TestApp,
    token: &str,
    id: i64,
    if_match: Option<&str>,
) -> reqwest::Response {
    super::delete_as(app, &format!("/api/v1/hours/{id}"), token, if_match).await
}

pub async fn edit(
    app: &TestApp,
    token: &str,
    id: i64,
    if_match: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    app.patch_as(&format!("/api/v1/hours/{id}"), token, if_match, body)
        .await
}

/// The entry's current ETag, read through the API.
pub async fn etag(app: &TestApp, token: &str, id: i64) -> String {
    let resp = app.get_as(&format!("/api/v1/hours/{id}"), token).await;
    assert_eq!(resp.status(), 200);
    resp.headers()["etag"].to_str().expect("etag").to_owned()
}

/// The pointers of a validation problem, sorted; none when it has no `errors`.
pub fn sorted_pointers(problem: &Value) -> Vec<String> {
    let mut out: Vec<String> = problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// A 422 naming exactly `expected` (in any order).
pub async fn assert_invalid(resp: reqwest::Response, expected: &[&str]) -> Value {
    let body = assert_validation(resp).await;
    let mut want: Vec<String> = expected.iter().map(|p| (*p).to_owned()).collect();
    want.sort();
    assert_eq!(sorted_pointers(&body), want, "{body}");
    body
}

/// A submission refused with a 422 naming exactly `expected` (in any order).
pub async fn assert_submission_invalid(
    app: &TestApp,
    token: &str,
    event: i64,
    body: &Value,
    expected: &[&str],
) -> Value {
    assert_invalid(submit(app, token, event, body).await, expected).await
}
