//! What every resource's tests check the same way: creation with a Location, reads and
//! writes guarded by ETags, validation problems, and the audit trail of one row.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;

/// A POST to the collection `path` that must create: 201, ETag "1" and a Location naming
/// the new id under `path`. The id, the Location and the body.
pub async fn create(app: &TestApp, token: &str, path: &str, body: &Value) -> (i64, String, Value) {
    let resp = app.post_as(path, Some(token), body).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["etag"], "\"1\"");
    let location = header(&resp, "location");
    let body: Value = resp.json().await.unwrap();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(location, format!("{path}/{id}"));
    (id, location, body)
}

/// A GET that must answer 200 with ETag `tag`; the body.
pub async fn read_tagged(app: &TestApp, location: &str, token: &str, tag: &str) -> Value {
    ok_tagged(app.get_as(location, token).await, tag).await
}

/// A 200 with ETag `tag`; the body.
async fn ok_tagged(resp: reqwest::Response, tag: &str) -> Value {
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], tag);
    resp.json().await.unwrap()
}

/// A PATCH without If-Match is 428, one with the `stale` tag 412.
pub async fn assert_patch_needs_current_tag(
    app: &TestApp,
    location: &str,
    token: &str,
    stale: &str,
    change: &Value,
) {
    assert_precondition_required(app.patch_as(location, token, None, change).await).await;
    assert_precondition_failed(app.patch_as(location, token, Some(stale), change).await).await;
}

/// A PATCH with a `stale` tag is refused with 412.
pub async fn assert_stale_patch(
    app: &TestApp,
    location: &str,
    token: &str,
    stale: &str,
    change: &Value,
) {
    assert_precondition_failed(app.patch_as(location, token, Some(stale), change).await).await;
}

/// A PATCH with the current `tag` that must succeed with ETag `next`; the body.
pub async fn patched(
    app: &TestApp,
    location: &str,
    token: &str,
    (tag, next): (&str, &str),
    change: &Value,
) -> Value {
    ok_tagged(app.patch_as(location, token, Some(tag), change).await, next).await
}

/// A DELETE without If-Match is 428 and one with ETag "1" (stale) is 412, and `table`
/// still holds `rows` rows; then one with the current ETag "2" is 204 and the resource
/// is gone.
pub async fn assert_deleted_only_with_current_tag(
    app: &TestApp,
    location: &str,
    token: &str,
    (table, rows): (&str, i64),
) {
    assert_precondition_required(delete_as(app, location, token, None).await).await;
    assert_precondition_failed(delete_as(app, location, token, Some("\"1\"")).await).await;
    assert_eq!(app.count(table), rows);
    let resp = delete_as(app, location, token, Some("\"2\"")).await;
    assert_eq!(resp.status(), 204);
    assert_not_found(app.get_as(location, token).await).await;
}

/// Each POST of a case's body to `path` is a validation problem naming just its pointer.
pub async fn assert_each_names_its_pointer(
    app: &TestApp,
    token: &str,
    path: &str,
    cases: impl IntoIterator<Item = (Value, &str)>,
) {
    for (body, pointer) in cases {
        let problem = assert_validation(app.post_as(path, Some(token), &body).await).await;
        assert_eq!(pointers(&problem), [pointer], "{body}");
    }
}

/// Each POST of one of `bodies` to `path` is a validation problem.
pub async fn assert_each_invalid(
    app: &TestApp,
    token: &str,
    path: &str,
    bodies: impl IntoIterator<Item = Value>,
) {
    for body in bodies {
        assert_validation(app.post_as(path, Some(token), &body).await).await;
    }
}

/// A POST of `raw` (not JSON) to `path` is a 400 malformed-json problem.
pub async fn assert_malformed_refused(app: &TestApp, token: &str, path: &str, raw: &'static str) {
    let resp = app
        .request(reqwest::Method::POST, path, Some(token))
        .header("content-type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 400, "/problems/malformed-json").await;
}

/// Each GET of `path` with one of the `bad` queries is a 400 invalid-parameter problem.
pub async fn assert_each_query_refused(app: &TestApp, token: &str, path: &str, bad: &[&str]) {
    for query in bad {
        assert_invalid_parameter(app.get_as(&format!("{path}?{query}"), token).await).await;
    }
}

/// The `field` of every item the list at `path` serves under `query` (200 at most); the
/// total counts exactly these.
pub async fn listed(
    app: &TestApp,
    token: &str,
    (path, query): (&str, &str),
    field: &str,
) -> BTreeSet<String> {
    let path = if query.is_empty() {
        format!("{path}?limit=200")
    } else {
        format!("{path}?limit=200&{query}")
    };
    let body = ok_json(app.get_as(&path, token).await).await;
    let items = strs_of(&body["items"], field);
    assert_eq!(body["total"], items.len(), "{query}: {body}");
    items.into_iter().map(str::to_owned).collect()
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|i| (*i).to_owned()).collect()
}

/// The queries every list refuses: limits out of range and unknown parameters.
pub const BAD_PAGING: &[&str] = &["limit=0", "limit=201", "colour=red"];

/// Walking `path` `limit` at a time serves each of the `rows` rows of `table` once, in id
/// order, under a total of `rows`.
pub async fn assert_walk_serves_every_row(
    app: &TestApp,
    token: &str,
    (path, limit): (&str, i64),
    (table, rows): (&str, usize),
) {
    let all = app.all_ids(table);
    assert_eq!(all.len(), rows);
    let (ids, total) = walk(app, token, path, limit).await;
    assert_eq!(ids, all, "every row of {table} once, by id");
    assert_eq!(total, rows as i64);
}

/// The audit rows `actor` leaves on row `id` by `actions`, in order.
pub fn audit_trail(
    actor: i64,
    id: i64,
    actions: &[&str],
) -> Vec<(String, Option<i64>, Option<i64>)> {
    actions.iter().map(|a| audit(a, actor, id)).collect()
}

impl TestApp {
    /// The audit rows of one row of `entity`, oldest first.
    pub fn audit_of(&self, entity: &str, id: i64) -> Vec<(String, Option<i64>, Option<i64>)> {
        self.audit_rows(entity)
            .into_iter()
            .filter(|r| r.2 == Some(id))
            .collect()
    }

    /// The audit rows of `entity` that are not creations, oldest first.
    pub fn audit_after_create(&self, entity: &str) -> Vec<(String, Option<i64>, Option<i64>)> {
        let mut rows = self.audit_rows(entity);
        rows.retain(|r| r.0 != "create");
        rows
    }

    /// The audit rows of `entity` with `action`, oldest first.
    pub fn audit_of_action(
        &self,
        entity: &str,
        action: &str,
    ) -> Vec<(String, Option<i64>, Option<i64>)> {
        let mut rows = self.audit_rows(entity);
        rows.retain(|r| r.0 == action);
        rows
    }
}
