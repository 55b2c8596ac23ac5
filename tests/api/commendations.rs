//! Commendations (表彰奖励) in a volunteer's record: recording, reading by scope, changes with
//! ETags, removal, validation, roles, and the audit rows of every write.

use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::commendations;

use crate::both_backends;
use crate::helpers::*;

fn award() -> Value {
    json!({
        "title": "优秀志愿者",
        "awarded_by": "共青团福州市委员会",
        "awarded_on": "2022-12-05",
        "level": "city",
        "note": "2022年度"
    })
}

fn path(volunteer: i64) -> String {
    format!("/api/v1/volunteers/{volunteer}/commendations")
}

/// (title, level, note, version) as stored.
fn stored(app: &TestApp, id: i64) -> Option<(String, String, Option<String>, i64)> {
    commendations::table
        .find(id)
        .select((
            commendations::title,
            commendations::level,
            commendations::note,
            commendations::version,
        ))
        .first(&mut app.conn())
        .optional()
        .unwrap()
}

async fn record(app: &TestApp, token: &str, volunteer: i64, body: &Value) -> reqwest::Response {
    app.post_as(&path(volunteer), Some(token), body).await
}

async fn an_admin_records_reads_changes_and_removes_a_commendation(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.insert_volunteer("表彰者", app.branch_id("ZB01"));

    let resp = record(&app, &admin.access, volunteer, &award()).await;
    assert_eq!(resp.status(), 201);
    let etag = header(&resp, "etag");
    assert_eq!(etag, "\"1\"");
    let location = header(&resp, "location");
    let body = expect_json(resp, 201).await;
    let id = body["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/commendations/{id}"));
    assert_eq!(body["volunteer_id"], volunteer);
    assert_eq!(body["level"], "city");
    assert_eq!(body["awarded_on"], "2022-12-05");
    assert_eq!(body["created_by"], admin.user_id);
    assert_eq!(
        stored(&app, id),
        Some((
            "优秀志愿者".into(),
            "city".into(),
            Some("2022年度".into()),
            1
        ))
    );

    let one = app
        .get_ok(&format!("/api/v1/commendations/{id}"), &admin.access)
        .await;
    assert_eq!(one, body);
    let list = app.get_ok(&path(volunteer), &admin.access).await;
    assert_eq!(list["total"], 1);
    assert_eq!(ints_of(&list["items"], "id"), [id]);

    let resp = app
        .patch_as(
            &format!("/api/v1/commendations/{id}"),
            &admin.access,
            Some(&etag),
            &json!({ "level": "provincial", "note": null }),
        )
        .await;
    assert_eq!(header(&resp, "etag"), "\"2\"");
    let changed = ok_json(resp).await;
    assert_eq!(changed["level"], "provincial");
    assert_eq!(changed["note"], Value::Null);
    assert_eq!(changed["title"], "优秀志愿者");
    assert_eq!(
        stored(&app, id),
        Some(("优秀志愿者".into(), "provincial".into(), None, 2))
    );

    let resp = delete_as(
        &app,
        &format!("/api/v1/commendations/{id}"),
        &admin.access,
        Some("\"2\""),
    )
    .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(stored(&app, id), None);
    assert_not_found(
        app.get_as(&format!("/api/v1/commendations/{id}"), &admin.access)
            .await,
    )
    .await;
    app.assert_audited(
        "commendation",
        &[
            ("create", admin.user_id, id),
            ("update", admin.user_id, id),
            ("delete", admin.user_id, id),
        ],
    );
}

async fn a_list_pages_the_latest_first(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.insert_volunteer("多次表彰", app.branch_id("ZB01"));
    let mut ids = Vec::new();
    for day in ["2021-03-05", "2022-12-05", "2020-01-01"] {
        let mut body = award();
        body["awarded_on"] = json!(day);
        ids.push(created_id(record(&app, &admin.access, volunteer, &body).await).await);
    }
    let (listed, total) = walk(&app, &admin.access, &path(volunteer), 2).await;
    assert_eq!(total, 3);
    assert_eq!(listed, [ids[1], ids[0], ids[2]]);
    // another volunteer's list is empty
    let other = app.insert_volunteer("未表彰", app.branch_id("ZB01"));
    assert_eq!(app.get_ok(&path(other), &admin.access).await["total"], 0);
}

async fn every_bad_field_is_named_and_nothing_is_written(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.insert_volunteer("表彰者", app.branch_id("ZB01"));
    let bad = json!({
        "title": "",
        "awarded_by": " 市委 ",
        "awarded_on": "2999-01-01",
        "level": "city",
        "note": "注".repeat(501)
    });
    let problem = assert_validation(record(&app, &admin.access, volunteer, &bad).await).await;
    assert_eq!(
        pointers(&problem),
        ["/title", "/awarded_by", "/awarded_on", "/note"]
    );
    let mut unknown_level = award();
    unknown_level["level"] = json!("county");
    assert_validation(record(&app, &admin.access, volunteer, &unknown_level).await).await;
    let mut unknown_field = award();
    unknown_field["rank"] = json!(1);
    assert_validation(record(&app, &admin.access, volunteer, &unknown_field).await).await;
    let mut missing = award();
    missing.as_object_mut().unwrap().remove("awarded_on");
    assert_validation(record(&app, &admin.access, volunteer, &missing).await).await;
    let resp = app
        .request(reqwest::Method::POST, &path(volunteer), Some(&admin.access))
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_problem(resp, 400, "/problems/malformed-json").await;
    assert_not_found(record(&app, &admin.access, 999_999, &award()).await).await;
    assert_eq!(app.count("commendations"), 0);
    assert!(app.audit_rows("commendation").is_empty());

    // a change is checked the same way, and stays unwritten
    let id = app.insert_commendation(volunteer);
    let resp = app
        .patch_any(
            &format!("/api/v1/commendations/{id}"),
            &admin.access,
            &json!({ "title": "字".repeat(201), "awarded_on": "2999-01-01" }),
        )
        .await;
    assert_eq!(
        pointers(&assert_validation(resp).await),
        ["/title", "/awarded_on"]
    );
    assert_eq!(stored(&app, id).map(|s| s.3), Some(1));
}

async fn changes_need_the_current_etag(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.insert_volunteer("表彰者", app.branch_id("ZB01"));
    let id = app.insert_commendation(volunteer);
    let url = format!("/api/v1/commendations/{id}");
    let change = json!({ "title": "五星志愿者" });
    assert_precondition_required(app.patch_as(&url, &admin.access, None, &change).await).await;
    assert_precondition_failed(
        app.patch_as(&url, &admin.access, Some("\"7\""), &change)
            .await,
    )
    .await;
    assert_precondition_required(delete_as(&app, &url, &admin.access, None).await).await;
    assert_precondition_failed(delete_as(&app, &url, &admin.access, Some("\"7\"")).await).await;
    assert_eq!(
        stored(&app, id).map(|s| (s.0, s.3)),
        Some(("优秀志愿者".into(), 1))
    );
    assert!(app.audit_rows("commendation").is_empty());
}

async fn a_secretary_works_within_its_branches_only(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let secretary = secretary_of(&app, &admin, "ZB01").await;
    let own = app.insert_volunteer("本支部", app.branch_id("ZB01"));
    let other = app.insert_volunteer("外支部", app.branch_id("ZB02"));
    let theirs = app.insert_commendation(other);

    let id = created_id(record(&app, &secretary.access, own, &award()).await).await;
    assert_eq!(app.get_ok(&path(own), &secretary.access).await["total"], 1);

    // the other branch's volunteer and its commendation are not found, and stay as they were
    assert_not_found(record(&app, &secretary.access, other, &award()).await).await;
    assert_not_found(app.get_as(&path(other), &secretary.access).await).await;
    let url = format!("/api/v1/commendations/{theirs}");
    assert_not_found(app.get_as(&url, &secretary.access).await).await;
    assert_not_found(
        app.patch_any(&url, &secretary.access, &json!({ "title": "改" }))
            .await,
    )
    .await;
    assert_not_found(app.delete_any(&url, &secretary.access).await).await;
    assert_eq!(stored(&app, theirs).map(|s| s.3), Some(1));
    assert_eq!(app.count("commendations"), 2);
    app.assert_audited("commendation", &[("create", secretary.user_id, id)]);
}

async fn hr_reads_all_a_volunteer_its_own_and_neither_writes(app: TestApp) {
    app.seed_demo();
    let hr = app.login_as(Role::Hr).await;
    let me = app.login_as(Role::Volunteer).await;
    let mine = app.volunteer_of(&me.username);
    let other = app.insert_volunteer("别人", app.branch_id("ZB02"));
    let my_award = app.insert_commendation(mine);
    let theirs = app.insert_commendation(other);

    assert_eq!(app.get_ok(&path(other), &hr.access).await["total"], 1);
    app.get_ok(&format!("/api/v1/commendations/{theirs}"), &hr.access)
        .await;
    assert_eq!(
        ints_of(&app.get_ok(&path(mine), &me.access).await["items"], "id"),
        [my_award]
    );
    app.get_ok(&format!("/api/v1/commendations/{my_award}"), &me.access)
        .await;
    assert_not_found(app.get_as(&path(other), &me.access).await).await;
    assert_not_found(
        app.get_as(&format!("/api/v1/commendations/{theirs}"), &me.access)
            .await,
    )
    .await;

    for token in [&hr.access, &me.access] {
        assert_forbidden(record(&app, token, mine, &award()).await).await;
        let url = format!("/api/v1/commendations/{my_award}");
        assert_forbidden(app.patch_any(&url, token, &json!({ "title": "改" })).await).await;
        assert_forbidden(app.delete_any(&url, token).await).await;
    }
    assert_unauthorized(app.get(&path(mine)).await).await;
    assert_eq!(app.count("commendations"), 2);
    assert!(app.audit_rows("commendation").is_empty());
}

async fn a_retry_with_the_same_key_records_once(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.insert_volunteer("表彰者", app.branch_id("ZB01"));
    let key = key();
    let send = || {
        app.request(reqwest::Method::POST, &path(volunteer), Some(&admin.access))
            .header("idempotency-key", &key)
            .json(&award())
            .send()
    };
    let first = expect_json(send().await.unwrap(), 201).await;
    let again = send().await.unwrap();
    assert_eq!(header(&again, "idempotent-replayed"), "true");
    assert_eq!(expect_json(again, 201).await, first);
    assert_eq!(app.count("commendations"), 1);
    assert_eq!(app.audit_rows("commendation").len(), 1);
}

async fn a_volunteer_with_commendations_is_archived_not_deleted(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.insert_volunteer("表彰者", app.branch_id("ZB01"));
    app.insert_commendation(volunteer);
    assert_conflict(
        app.delete_any(&format!("/api/v1/volunteers/{volunteer}"), &admin.access)
            .await,
    )
    .await;
    assert_eq!(app.count("commendations"), 1);
}

both_backends!(
    an_admin_records_reads_changes_and_removes_a_commendation,
    a_list_pages_the_latest_first,
    every_bad_field_is_named_and_nothing_is_written,
    changes_need_the_current_etag,
    a_secretary_works_within_its_branches_only,
    hr_reads_all_a_volunteer_its_own_and_neither_writes,
    a_retry_with_the_same_key_records_once,
    a_volunteer_with_commendations_is_archived_not_deleted,
);
