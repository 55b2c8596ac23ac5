//! Account administration: create, read, list, update with ETags, validation, audit.

use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::users;

use crate::both_backends;
use crate::helpers::*;

async fn an_admin_creates_reads_and_updates_an_account(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let branch = app.branch_id("XFPC");
    let (id, location, created) = create(&app, &admin.access, "/api/v1/users", &json!({
        "username": "xfpc.secretary", "password": "消费品处的密码很长很长很长", "role": "secretary", "branch_id": branch
    }))
    .await;
    assert_eq!(created["branch_id"], branch);
    assert!(created.get("password_hash").is_none());

    read_tagged(&app, &location, &admin.access, "\"1\"").await;

    // the new account can log in with its (Chinese) password
    assert_eq!(
        app.login("xfpc.secretary", "消费品处的密码很长很长很长")
            .await
            .status(),
        200
    );

    let change = json!({ "role": "hr", "branch_id": null });
    assert_patch_needs_current_tag(&app, &location, &admin.access, "\"7\"", &change).await;
    let updated = patched(&app, &location, &admin.access, ("\"1\"", "\"2\""), &change).await;
    assert_eq!(
        (updated["role"].as_str(), updated["branch_id"].is_null()),
        (Some("hr"), true)
    );
    // the old tag is stale now
    let later = json!({ "disabled": true });
    assert_stale_patch(&app, &location, &admin.access, "\"1\"", &later).await;

    let (role, branch_id, disabled): (String, Option<i64>, bool) = users::table
        .find(id)
        .select((users::role, users::branch_id, users::disabled))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((role.as_str(), branch_id, disabled), ("hr", None, false));
    assert_eq!(
        app.audit_of("user", id),
        audit_trail(admin.user_id, id, &["create", "update"])
    );
}

async fn bad_accounts_are_refused_whole_and_change_nothing(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let before = app.count("users");
    let post = |body: Value| {
        let (app, token) = (&app, &admin.access);
        async move { assert_validation(app.post_as("/api/v1/users", Some(token), &body).await).await }
    };
    let body =
        post(json!({ "username": "Bad Name", "password": "short", "role": "secretary" })).await;
    let pointers: Vec<&str> = strs_of(&body["errors"], "pointer");
    assert_eq!(pointers, ["/username", "/password"]);

    let body = post(
        json!({ "username": "lonely.sec", "password": "long enough pw", "role": "secretary" }),
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/branch_id");

    let cases = [
        (
            json!({ "username": "x.y.z", "password": "long enough pw", "role": "hr", "colour": "red" }),
            422,
            "/problems/validation",
        ),
        (
            json!({ "username": "x.y.z", "password": "long enough pw", "role": "boss" }),
            422,
            "/problems/validation",
        ),
        (
            json!({ "username": "x.y.z", "password": 1234567890, "role": "hr" }),
            422,
            "/problems/validation",
        ),
        (
            json!({ "username": "x.y.z", "password": "long enough pw", "role": "hr", "branch_id": 999999 }),
            422,
            "/problems/validation",
        ),
        (
            json!({ "username": "admin.user", "password": "long enough pw", "role": "hr" }),
            409,
            "/problems/conflict",
        ),
    ];
    for (body, status, problem) in cases {
        assert_problem(
            app.post_as("/api/v1/users", Some(&admin.access), &body)
                .await,
            status,
            problem,
        )
        .await;
    }
    assert_eq!(app.count("users"), before);
    assert_eq!(
        app.audit_rows("user").len() as i64,
        before,
        "only the creations of the setup are audited"
    );
}

async fn administrators_cannot_lock_themselves_out(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let path = format!("/api/v1/users/{}", admin.user_id);
    assert_conflict(
        app.patch_any(&path, &admin.access, &json!({ "disabled": true }))
            .await,
    )
    .await;
    assert_conflict(
        app.patch_any(&path, &admin.access, &json!({ "role": "hr" }))
            .await,
    )
    .await;
    assert_eq!(
        app.get_as("/api/v1/auth/me", &admin.access).await.status(),
        200
    );
}

async fn the_user_list_pages_without_gaps_or_duplicates(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    for i in 0..6 {
        app.create_user(&format!("user{i}"), Role::Hr);
    }
    let total = app.count("users");
    let mut seen = Vec::new();
    for page in 1..=4 {
        let resp = app
            .get_as(&format!("/api/v1/users?limit=2&page={page}"), &admin.access)
            .await;
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["total"], total);
        assert_eq!(
            (body["page"].as_i64(), body["limit"].as_i64()),
            (Some(page), Some(2))
        );
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].as_i64().unwrap()),
        );
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "ordered, without duplicates");
    assert_eq!(seen.len() as i64, total);

    let body: Value = app
        .get_as("/api/v1/users?role=hr&q=USER", &admin.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["total"], 6);
    let body: Value = app
        .get_as("/api/v1/users?q=%25", &admin.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["total"], 0, "a % in the search matches only itself");

    for bad in [
        "limit=0",
        "limit=201",
        "page=0",
        "limit=ten",
        "role=boss",
        "sort=name",
    ] {
        let resp = app
            .get_as(&format!("/api/v1/users?{bad}"), &admin.access)
            .await;
        assert_invalid_parameter(resp).await;
    }
}

async fn unknown_and_malformed_ids(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    assert_not_found(app.get_as("/api/v1/users/999999", &admin.access).await).await;
    assert_not_found(
        app.patch_any("/api/v1/users/999999", &admin.access, &json!({}))
            .await,
    )
    .await;
    assert_invalid_parameter(app.get_as("/api/v1/users/abc", &admin.access).await).await;
}

async fn audit_rows_name_the_request_that_caused_them(app: TestApp) {
    use volunteer_hours::db::schema::audit_log;
    let admin = app.login_as(Role::Admin).await;
    let resp = app
        .post_as(
            "/api/v1/users",
            Some(&admin.access),
            &json!({ "username": "traced", "password": "a long enough password", "role": "hr" }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let request_id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let id = resp.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let stored: Option<String> = audit_log::table
        .filter(audit_log::entity.eq("user"))
        .filter(audit_log::entity_id.eq(id))
        .select(audit_log::request_id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(stored.as_deref(), Some(request_id.as_str()));
}

async fn a_create_retried_with_its_idempotency_key_creates_once(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let body = json!({ "username": "retried", "password": "a long enough password", "role": "hr" });
    let send = |body: Value| {
        app.request(reqwest::Method::POST, "/api/v1/users", Some(&admin.access))
            .header("idempotency-key", "create-retried-1")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let (location, etag) = (
        first.headers()["location"].clone(),
        first.headers()["etag"].clone(),
    );
    let first: Value = first.json().await.unwrap();
    let users_after_first = app.count("users");
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(
        (
            again.headers()["location"].clone(),
            again.headers()["etag"].clone()
        ),
        (location, etag)
    );
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(app.count("users"), users_after_first);
    // the same key for something else is refused
    let other =
        send(json!({ "username": "other", "password": "a long enough password", "role": "hr" }))
            .await
            .unwrap();
    assert_validation(other).await;
    assert_eq!(app.count("users"), users_after_first);
}

both_backends!(
    a_create_retried_with_its_idempotency_key_creates_once,
    audit_rows_name_the_request_that_caused_them,
    an_admin_creates_reads_and_updates_an_account,
    bad_accounts_are_refused_whole_and_change_nothing,
    administrators_cannot_lock_themselves_out,
    the_user_list_pages_without_gaps_or_duplicates,
    unknown_and_malformed_ids,
);
