//! Evaluations (评价): the organiser rates a volunteer's approved service at an event; one per
//! volunteer and event, replaced by a second PUT; scope, roles, conditions and audit rows.

use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::evaluations;

use crate::both_backends;
use crate::helpers::*;

/// An event organised by ZB01 at which a volunteer of ZB02 served 60 approved minutes
/// (submitted by the root branch's secretary, approved by an administrator).
struct Served {
    admin: Session,
    event: i64,
    volunteer: i64,
}

async fn served(app: &TestApp) -> Served {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let root_secretary = app.login_as(Role::Secretary).await;
    let event = app.insert_event("评价活动", app.branch_id("ZB01"));
    let volunteer = app.insert_volunteer("跨支部志愿者", app.branch_id("ZB02"));
    let entry = submit_one(app, &root_secretary.access, event, volunteer, 60).await;
    ok_json(approve(app, &admin.access, entry).await).await;
    Served {
        admin,
        event,
        volunteer,
    }
}

fn url(event: i64, volunteer: i64) -> String {
    format!("/api/v1/events/{event}/evaluations/{volunteer}")
}

async fn put(
    app: &TestApp,
    token: &str,
    event: i64,
    volunteer: i64,
    if_match: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut req = app
        .request(reqwest::Method::PUT, &url(event, volunteer), Some(token))
        .json(body);
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    req.send().await.expect("request")
}

/// (rating, comment, version) of each stored evaluation of the volunteer at the event.
fn stored(app: &TestApp, event: i64, volunteer: i64) -> Vec<(String, Option<String>, i64)> {
    evaluations::table
        .filter(evaluations::event_id.eq(event))
        .filter(evaluations::volunteer_id.eq(volunteer))
        .select((
            evaluations::rating,
            evaluations::comment,
            evaluations::version,
        ))
        .load(&mut app.conn())
        .unwrap()
}

async fn the_organisers_secretary_rates_and_a_second_put_replaces(app: TestApp) {
    let s = served(&app).await;
    let secretary = secretary_of(&app, &s.admin, "ZB01").await;
    let excellent = json!({ "rating": "excellent", "comment": "引导有序，耐心细致" });

    let resp = put(
        &app,
        &secretary.access,
        s.event,
        s.volunteer,
        None,
        &excellent,
    )
    .await;
    assert_eq!(header(&resp, "etag"), "\"1\"");
    assert_eq!(header(&resp, "location"), url(s.event, s.volunteer));
    let first = expect_json(resp, 201).await;
    let id = first["id"].as_i64().unwrap();
    assert_eq!(first["rating"], "excellent");
    assert_eq!(first["created_by"], secretary.user_id);
    assert_eq!(
        stored(&app, s.event, s.volunteer),
        [("excellent".into(), Some("引导有序，耐心细致".into()), 1)]
    );

    // a second PUT replaces the one evaluation
    let good = json!({ "rating": "good" });
    let resp = put(&app, &s.admin.access, s.event, s.volunteer, None, &good).await;
    assert_eq!(header(&resp, "etag"), "\"2\"");
    let second = ok_json(resp).await;
    assert_eq!(second["id"], id);
    assert_eq!(second["comment"], Value::Null);
    assert_eq!(second["created_by"], secretary.user_id);
    assert_eq!(second["updated_by"], s.admin.user_id);
    assert_eq!(
        stored(&app, s.event, s.volunteer),
        [("good".into(), None, 2)]
    );

    // the same content again writes nothing
    let resp = put(&app, &s.admin.access, s.event, s.volunteer, None, &good).await;
    assert_eq!(header(&resp, "etag"), "\"2\"");
    assert_eq!(ok_json(resp).await, second);
    app.assert_audited(
        "evaluation",
        &[
            ("create", secretary.user_id, id),
            ("update", s.admin.user_id, id),
        ],
    );

    let one = app
        .get_as(&url(s.event, s.volunteer), &secretary.access)
        .await;
    assert_eq!(header(&one, "etag"), "\"2\"");
    assert_eq!(ok_json(one).await, second);
    let list = app
        .get_ok(
            &format!("/api/v1/volunteers/{}/evaluations", s.volunteer),
            &s.admin.access,
        )
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(ints_of(&list["items"], "id"), [id]);
}

async fn only_approved_service_at_the_event_is_evaluated(app: TestApp) {
    let s = served(&app).await;
    let root_secretary = app.login_as(Role::Secretary).await;
    let body = json!({ "rating": "good" });
    // a volunteer who did not serve there
    let absent = app.insert_volunteer("未参加", app.branch_id("ZB01"));
    let problem =
        assert_conflict(put(&app, &s.admin.access, s.event, absent, None, &body).await).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&absent.to_string()),
        "{problem}"
    );
    // one whose entry awaits review
    let waiting = app.insert_volunteer("待审核", app.branch_id("ZB01"));
    submit_one(&app, &root_secretary.access, s.event, waiting, 30).await;
    assert_conflict(put(&app, &s.admin.access, s.event, waiting, None, &body).await).await;
    // no such volunteer, no such event
    assert_not_found(put(&app, &s.admin.access, s.event, 999_999, None, &body).await).await;
    assert_not_found(put(&app, &s.admin.access, 999_999, s.volunteer, None, &body).await).await;
    assert_eq!(app.count("evaluations"), 0);
    assert!(app.audit_rows("evaluation").is_empty());
}

async fn if_match_replaces_only_the_version_named(app: TestApp) {
    let s = served(&app).await;
    let body = json!({ "rating": "satisfactory" });
    let (e, v, token) = (s.event, s.volunteer, s.admin.access.as_str());
    // `*` and an ETag name an existing evaluation: there is none yet
    assert_precondition_failed(put(&app, token, e, v, Some("*"), &body).await).await;
    assert_precondition_failed(put(&app, token, e, v, Some("\"1\""), &body).await).await;
    assert_eq!(app.count("evaluations"), 0);
    expect_json(put(&app, token, e, v, None, &body).await, 201).await;
    let other = json!({ "rating": "unsatisfactory", "comment": "迟到一小时" });
    assert_precondition_failed(put(&app, token, e, v, Some("\"7\""), &other).await).await;
    assert_invalid_parameter(put(&app, token, e, v, Some("seven"), &other).await).await;
    assert_eq!(stored(&app, e, v), [("satisfactory".into(), None, 1)]);
    let resp = put(&app, token, e, v, Some("\"1\""), &other).await;
    assert_eq!(ok_json(resp).await["rating"], "unsatisfactory");
    let resp = put(&app, token, e, v, Some("*"), &body).await;
    assert_eq!(ok_json(resp).await["rating"], "satisfactory");
    assert_eq!(app.audit_rows("evaluation").len(), 3);
}

async fn bad_bodies_are_refused_and_change_nothing(app: TestApp) {
    let s = served(&app).await;
    let (e, v, token) = (s.event, s.volunteer, s.admin.access.as_str());
    for bad in [
        json!({ "rating": "great" }),
        json!({ "rating": "good", "stars": 5 }),
        json!({ "comment": "没有评级" }),
        json!({ "rating": 1 }),
    ] {
        assert_validation(put(&app, token, e, v, None, &bad).await).await;
    }
    for comment in [String::new(), "评".repeat(501), " 前后空格 ".into()] {
        let bad = json!({ "rating": "good", "comment": comment });
        let problem = assert_validation(put(&app, token, e, v, None, &bad).await).await;
        assert_eq!(pointers(&problem), ["/comment"]);
    }
    let resp = app
        .request(reqwest::Method::PUT, &url(e, v), Some(token))
        .header("content-type", "application/json")
        .body("{\"rating\": ")
        .send()
        .await
        .unwrap();
    assert_problem(resp, 400, "/problems/malformed-json").await;
    assert_eq!(app.count("evaluations"), 0);
    assert!(app.audit_rows("evaluation").is_empty());
}

async fn who_rates_and_who_reads(app: TestApp) {
    let s = served(&app).await;
    let body = json!({ "rating": "good" });
    // the volunteer's own secretary reads it but does not rate another branch's event
    let theirs = secretary_of(&app, &s.admin, "ZB02").await;
    assert_not_found(put(&app, &theirs.access, s.event, s.volunteer, None, &body).await).await;
    assert_eq!(app.count("evaluations"), 0);
    let id = app.insert_evaluation(s.event, s.volunteer);
    app.get_ok(&url(s.event, s.volunteer), &theirs.access).await;
    let list = format!("/api/v1/volunteers/{}/evaluations", s.volunteer);
    assert_eq!(app.get_ok(&list, &theirs.access).await["total"], 1);
    // a third branch sees neither
    let third = secretary_of(&app, &s.admin, "ZB03").await;
    assert_not_found(app.get_as(&url(s.event, s.volunteer), &third.access).await).await;
    assert_not_found(app.get_as(&list, &third.access).await).await;
    // HR reads everything and rates nothing; a volunteer reads its own only
    let hr = app.login_as(Role::Hr).await;
    app.get_ok(&url(s.event, s.volunteer), &hr.access).await;
    assert_eq!(app.get_ok(&list, &hr.access).await["total"], 1);
    let me = app.login_as(Role::Volunteer).await;
    let mine = app.volunteer_of(&me.username);
    app.insert_evaluation(s.event, mine);
    app.get_ok(&url(s.event, mine), &me.access).await;
    assert_not_found(app.get_as(&url(s.event, s.volunteer), &me.access).await).await;
    assert_not_found(app.get_as(&list, &me.access).await).await;
    for token in [&hr.access, &me.access] {
        assert_forbidden(put(&app, token, s.event, s.volunteer, None, &body).await).await;
    }
    assert_unauthorized(app.get(&url(s.event, s.volunteer)).await).await;
    let rows: Vec<(i64, String)> = evaluations::table
        .order(evaluations::id)
        .select((evaluations::id, evaluations::rating))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(rows[0], (id, "good".to_owned()));
    assert_eq!(rows.len(), 2);
    assert!(app.audit_rows("evaluation").is_empty());
}

async fn an_events_list_shows_each_caller_its_scope(app: TestApp) {
    let s = served(&app).await;
    let mine_branch = app.insert_volunteer("本支部", app.branch_id("ZB01"));
    let list = format!("/api/v1/events/{}/evaluations", s.event);
    let theirs = app.insert_evaluation(s.event, s.volunteer);
    let ours = app.insert_evaluation(s.event, mine_branch);
    let organiser = secretary_of(&app, &s.admin, "ZB01").await;
    let volunteers_own = secretary_of(&app, &s.admin, "ZB02").await;
    let third = secretary_of(&app, &s.admin, "ZB03").await;
    let hr = app.login_as(Role::Hr).await;
    let by_volunteer = {
        let mut ids = [(s.volunteer, theirs), (mine_branch, ours)];
        ids.sort();
        ids.map(|(_, id)| id)
    };
    for token in [&s.admin.access, &hr.access, &organiser.access] {
        let page = app.get_ok(&list, token).await;
        assert_eq!(page["total"], 2);
        assert_eq!(ints_of(&page["items"], "id"), by_volunteer);
    }
    let page = app.get_ok(&list, &volunteers_own.access).await;
    assert_eq!(ints_of(&page["items"], "id"), [theirs]);
    assert_eq!(app.get_ok(&list, &third.access).await["total"], 0);
    let me = app.login_as(Role::Volunteer).await;
    assert_eq!(app.get_ok(&list, &me.access).await["total"], 0);
    assert_not_found(
        app.get_as("/api/v1/events/999999/evaluations", &s.admin.access)
            .await,
    )
    .await;
}

both_backends!(
    an_events_list_shows_each_caller_its_scope,
    the_organisers_secretary_rates_and_a_second_put_replaces,
    only_approved_service_at_the_event_is_evaluated,
    if_match_replaces_only_the_version_named,
    bad_bodies_are_refused_and_change_nothing,
    who_rates_and_who_reads,
);
