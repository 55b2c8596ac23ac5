//! Error reports by volunteers (更正申请): a missing entry and a wrong one reported, accepted
//! into the hours (then reviewed and counted), declined with a reason; an accept that would
//! break a rule of recording hours; scope; validation; idempotent resends; the audit rows.

use serde_json::{json, Value};
use volunteer_hours::auth::Role;

use crate::both_backends;
use crate::helpers::*;

const MINE: &str = "/api/v1/me/error-reports";

/// Branches ZB01 and ZB02 under the root, a volunteer account of its own (its volunteer in
/// the root branch, outside ZB01's scope: what counts is who organised the event), and an
/// event of ZB01 on 2022-03-05 01:00-04:00 UTC.
struct Scene {
    admin: Session,
    volunteer: Session,
    volunteer_id: i64,
    event: i64,
}

async fn scene(app: &TestApp) -> Scene {
    app.seed();
    let root = app.branch_id("JGDW");
    app.insert_branch("ZB01", Some(root));
    app.insert_branch("ZB02", Some(root));
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.session("reporter", Role::Volunteer).await;
    Scene {
        admin,
        volunteer_id: app.volunteer_of("reporter"),
        volunteer,
        event: app.insert_event("漏记的活动", app.branch_id("ZB01")),
    }
}

fn missing(event: i64) -> Value {
    json!({
        "kind": "missing",
        "event_id": event,
        "minutes": 90,
        "role": "引导员",
        "note": "地铁站引导",
        "explanation": "签到表漏记了我"
    })
}

async fn report_keyed(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.request(reqwest::Method::POST, MINE, Some(token))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn report(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.post_as(MINE, Some(token), body).await
}

async fn reported(app: &TestApp, token: &str, body: &Value) -> i64 {
    created_id(report(app, token, body).await).await
}

async fn decide(
    app: &TestApp,
    token: &str,
    id: i64,
    what: &str,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut req = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/error-reports/{id}/{what}"),
            Some(token),
        )
        .json(body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.expect("request")
}

async fn accept(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    decide(app, token, id, "accept", None, &json!({})).await
}

async fn decline(app: &TestApp, token: &str, id: i64, body: &Value) -> reqwest::Response {
    decide(app, token, id, "decline", None, body).await
}

/// (status, created_entry_id, decline_reason) as stored.
fn stored(app: &TestApp, id: i64) -> (String, Option<i64>, Option<String>) {
    use diesel::prelude::*;
    use volunteer_hours::db::schema::error_reports;
    error_reports::table
        .find(id)
        .select((
            error_reports::status,
            error_reports::created_entry_id,
            error_reports::decline_reason,
        ))
        .first(&mut app.conn())
        .expect("report")
}

fn source_of(app: &TestApp, entry: i64) -> String {
    use diesel::prelude::*;
    use volunteer_hours::db::schema::hour_entries;
    hour_entries::table
        .find(entry)
        .select(hour_entries::source)
        .first(&mut app.conn())
        .expect("entry")
}

async fn approved_minutes(app: &TestApp, volunteer: &Session) -> i64 {
    app.get_ok("/api/v1/me/hours", &volunteer.access).await["approved_minutes"]
        .as_i64()
        .expect("minutes")
}

async fn a_missing_entry_reported_and_accepted_is_recorded_reviewed_and_counted(app: TestApp) {
    let s = scene(&app).await;
    let secretary = secretary_of(&app, &s.admin, "ZB01").await;
    let k = key();

    let resp = report_keyed(&app, &s.volunteer.access, &k, &missing(s.event)).await;
    assert_eq!(resp.status(), 201);
    let location = header(&resp, "location");
    let body = expect_json(resp, 201).await;
    let id = id_of(&body);
    assert_eq!(location, format!("/api/v1/error-reports/{id}"));
    assert_eq!(body["kind"], "missing");
    assert_eq!(body["status"], "open");
    assert_eq!(body["volunteer_id"], s.volunteer_id);
    assert_eq!(body["event_id"], s.event);
    assert_eq!(body["service_date"], "2022-03-05");
    assert_eq!(body["minutes"], 90);
    assert_eq!(body["created_by"], s.volunteer.user_id);
    assert_eq!(body["created_entry_id"], Value::Null);

    // the resend is answered from the first answer, and writes nothing
    let again = report_keyed(&app, &s.volunteer.access, &k, &missing(s.event)).await;
    assert_eq!(header(&again, "idempotent-replayed"), "true");
    assert_eq!(expect_json(again, 201).await, body);
    assert_eq!(app.count("error_reports"), 1);

    let mine = app.get_ok(MINE, &s.volunteer.access).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(strs_of(&mine["items"], "status"), ["open"]);
    let open = app
        .get_ok("/api/v1/error-reports?status=open", &secretary.access)
        .await;
    assert_eq!(ints_of(&open["items"], "id"), [id]);

    let k = key();
    let resp = decide(&app, &secretary.access, id, "accept", Some(&k), &json!({})).await;
    assert_eq!(header(&resp, "etag"), "\"2\"");
    let accepted = expect_json(resp, 200).await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["decided_by"], secretary.user_id);
    assert!(accepted["decided_at"].is_string());
    let entry = accepted["created_entry_id"].as_i64().expect("entry id");
    let again = decide(&app, &secretary.access, id, "accept", Some(&k), &json!({})).await;
    assert_eq!(header(&again, "idempotent-replayed"), "true");
    assert_eq!(expect_json(again, 200).await, accepted);
    assert_eq!(app.count("hour_entries"), 1);
    assert_eq!(stored(&app, id), ("accepted".into(), Some(entry), None));

    let recorded = app
        .get_ok(&format!("/api/v1/hours/{entry}"), &s.admin.access)
        .await;
    assert_eq!(recorded["status"], "submitted");
    assert_eq!(recorded["source"], "error_report");
    assert_eq!(recorded["volunteer_id"], s.volunteer_id);
    assert_eq!(recorded["event_id"], s.event);
    assert_eq!(recorded["minutes"], 90);
    assert_eq!(recorded["role"], "引导员");
    assert_eq!(recorded["submitted_by"], secretary.user_id);
    assert_eq!(source_of(&app, entry), "error_report");
    let by_source = |source: &str| format!("/api/v1/hours?source={source}");
    let listed = app
        .get_ok(&by_source("error_report"), &s.admin.access)
        .await;
    assert_eq!(ints_of(&listed["items"], "id"), [entry]);
    assert_eq!(
        app.get_ok(&by_source("entered"), &s.admin.access).await["total"],
        0
    );

    // reviewed like any entry, then counted
    assert_eq!(approved_minutes(&app, &s.volunteer).await, 0);
    assert_eq!(approve(&app, &s.admin.access, entry).await.status(), 200);
    assert_eq!(approved_minutes(&app, &s.volunteer).await, 90);

    // the volunteer sees the outcome; a decided report is decided once
    let seen = app
        .get_ok(&format!("/api/v1/error-reports/{id}"), &s.volunteer.access)
        .await;
    assert_eq!(seen, accepted);
    assert_conflict(accept(&app, &secretary.access, id).await).await;
    assert_conflict(decline(&app, &secretary.access, id, &json!({ "reason": "迟了" })).await).await;
    app.assert_audited(
        "error_report",
        &[
            ("create", s.volunteer.user_id, id),
            ("accept", secretary.user_id, id),
        ],
    );
    app.assert_audited(
        "hour_entry",
        &[
            ("create", secretary.user_id, entry),
            ("approve", s.admin.user_id, entry),
        ],
    );
}

async fn a_wrong_entry_reported_and_accepted_is_corrected_to_what_the_report_says(app: TestApp) {
    let s = scene(&app).await;
    let body = json!({ "volunteer_id": s.volunteer_id, "minutes": 120 });
    let original = id_of(&submit_ok(&app, &s.admin.access, s.event, &body).await[0]);
    assert_eq!(approve(&app, &s.admin.access, original).await.status(), 200);
    let wrong = json!({
        "kind": "wrong", "hour_entry_id": original, "minutes": 150,
        "explanation": "实际服务两个半小时"
    });

    let resp = report(&app, &s.volunteer.access, &wrong).await;
    let body = expect_json(resp, 201).await;
    let id = id_of(&body);
    assert_eq!(body["kind"], "wrong");
    assert_eq!(body["hour_entry_id"], original);
    assert_eq!(body["event_id"], s.event);
    assert_eq!(body["service_date"], Value::Null);
    // one open report per entry
    let twice = assert_conflict(report(&app, &s.volunteer.access, &wrong).await).await;
    assert!(
        twice["detail"].as_str().unwrap().contains(&id.to_string()),
        "{twice}"
    );
    assert_eq!(app.count("error_reports"), 1);

    let accepted = expect_json(accept(&app, &s.admin.access, id).await, 200).await;
    let correction = accepted["created_entry_id"].as_i64().expect("correction");
    let c = app
        .get_ok(&format!("/api/v1/hours/{correction}"), &s.admin.access)
        .await;
    assert_eq!(c["corrects_id"], original);
    assert_eq!(c["minutes"], 30);
    assert_eq!(c["status"], "submitted");
    assert_eq!(c["source"], "error_report");
    assert_eq!(c["note"], "实际服务两个半小时");
    assert_eq!(
        app.minutes_of(original),
        120,
        "an approved entry never changes"
    );

    assert_eq!(
        approve(&app, &s.admin.access, correction).await.status(),
        200
    );
    assert_eq!(approved_minutes(&app, &s.volunteer).await, 150);
    // the entry counts what the report said: reporting it again changes nothing
    let same = assert_validation(report(&app, &s.volunteer.access, &wrong).await).await;
    assert_eq!(sorted_pointers(&same), ["/minutes"]);
    app.assert_audited(
        "error_report",
        &[
            ("create", s.volunteer.user_id, id),
            ("accept", s.admin.user_id, id),
        ],
    );
}

async fn a_declined_report_says_why_and_records_nothing(app: TestApp) {
    let s = scene(&app).await;
    let secretary = secretary_of(&app, &s.admin, "ZB01").await;
    let id = reported(&app, &s.volunteer.access, &missing(s.event)).await;

    for body in [json!({}), json!({ "reason": "" })] {
        let problem = assert_validation(decline(&app, &secretary.access, id, &body).await).await;
        assert_eq!(sorted_pointers(&problem), ["/reason"]);
    }
    assert_eq!(stored(&app, id), ("open".into(), None, None));

    let reason = "当天签到表上没有该志愿者";
    let k = key();
    let body = json!({ "reason": reason });
    let declined = expect_json(
        decide(&app, &secretary.access, id, "decline", Some(&k), &body).await,
        200,
    )
    .await;
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["decline_reason"], reason);
    assert_eq!(declined["decided_by"], secretary.user_id);
    assert_eq!(declined["created_entry_id"], Value::Null);
    let again = decide(&app, &secretary.access, id, "decline", Some(&k), &body).await;
    assert_eq!(header(&again, "idempotent-replayed"), "true");
    assert_eq!(expect_json(again, 200).await, declined);
    assert_eq!(
        stored(&app, id),
        ("declined".into(), None, Some(reason.into()))
    );
    assert_eq!(app.count("hour_entries"), 0);

    let mine = app
        .get_ok(&format!("{MINE}?status=declined"), &s.volunteer.access)
        .await;
    assert_eq!(mine["items"][0], declined);
    assert_conflict(accept(&app, &secretary.access, id).await).await;
    // no longer open: the day may be reported again, and only that report is open (what
    // the volunteer's record lists)
    let second = reported(&app, &s.volunteer.access, &missing(s.event)).await;
    let open =
        volunteer_hours::error_reports::model::open_of_volunteer(&mut app.conn(), s.volunteer_id)
            .expect("open reports");
    let open: Vec<i64> = open.into_iter().map(|r| r.id).collect();
    assert_eq!(open, [second]);
    app.assert_audited(
        "error_report",
        &[
            ("create", s.volunteer.user_id, id),
            ("decline", secretary.user_id, id),
            ("create", s.volunteer.user_id, second),
        ],
    );
}

/// Accepting `id` is a 422 naming a rule (its detail holds `rule`); the report stays open,
/// with no entry and no audit row of an accept.
async fn assert_breaks_rule(app: &TestApp, token: &str, id: i64, rule: &str) {
    let entries = app.count("hour_entries");
    let problem = assert_validation(accept(app, token, id).await).await;
    let detail = problem["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("would break a rule of recording hours"),
        "{problem}"
    );
    assert!(detail.contains(rule), "{problem}");
    assert_eq!(stored(app, id), ("open".into(), None, None));
    assert_eq!(app.count("hour_entries"), entries);
    assert!(
        app.audit_rows("error_report")
            .iter()
            .all(|(action, _, on)| action != "accept" || *on != Some(id)),
        "no accept audited"
    );
}

async fn an_accept_that_would_break_a_rule_is_422_naming_it_and_leaves_the_report_open(
    app: TestApp,
) {
    let s = scene(&app).await;
    let zb01 = app.branch_id("ZB01");
    // an overlap with service recorded meanwhile at another event
    let timed_report = json!({
        "kind": "missing", "event_id": s.event,
        "started_at": "2022-03-05T01:00:00Z", "ended_at": "2022-03-05T02:00:00Z",
        "explanation": "签到表漏记了我"
    });
    let overlapping = reported(&app, &s.volunteer.access, &timed_report).await;
    let other = app.insert_event("同时的活动", zb01);
    submit_ok(
        &app,
        &s.admin.access,
        other,
        &timed(
            s.volunteer_id,
            "2022-03-05T01:30:00Z",
            "2022-03-05T02:30:00Z",
        ),
    )
    .await;
    assert_breaks_rule(&app, &s.admin.access, overlapping, "overlaps").await;

    // the day recorded meanwhile at the same event: one entry per volunteer, event and day
    let third = app.insert_event("第三个活动", zb01);
    let duplicate = reported(&app, &s.volunteer.access, &missing(third)).await;
    let body = json!({ "volunteer_id": s.volunteer_id, "minutes": 10 });
    submit_ok(&app, &s.admin.access, third, &body).await;
    assert_breaks_rule(&app, &s.admin.access, duplicate, "duplicates hour entry").await;

    // the event cancelled meanwhile
    let fourth = app.insert_event("取消的活动", zb01);
    let cancelled = reported(&app, &s.volunteer.access, &missing(fourth)).await;
    app.set_event_status(fourth, "cancelled");
    assert_breaks_rule(&app, &s.admin.access, cancelled, "cancelled").await;

    // more than 24 hours on the day: the missing hours on top of a long day recorded since
    let long = app
        .event("整天的活动", zb01)
        .between("2022-03-04 16:00", "2022-03-05 15:59")
        .insert();
    let short = app
        .event("晚上的活动", zb01)
        .between("2022-03-05 12:00", "2022-03-05 15:00")
        .insert();
    let capped = reported(&app, &s.volunteer.access, &missing(short)).await;
    let body =
        json!({ "volunteer_id": s.volunteer_id, "minutes": 1300, "service_date": "2022-03-05" });
    submit_ok(&app, &s.admin.access, long, &body).await;
    let problem = assert_validation(accept(&app, &s.admin.access, capped).await).await;
    assert_eq!(sorted_pointers(&problem), ["/minutes"], "{problem}");
    assert_eq!(stored(&app, capped), ("open".into(), None, None));

    // what stays open can still be declined
    let resp = decline(
        &app,
        &s.admin.access,
        cancelled,
        &json!({ "reason": "活动已取消" }),
    )
    .await;
    assert_eq!(expect_json(resp, 200).await["status"], "declined");
}

async fn reports_are_seen_by_their_volunteer_and_the_organisers_only(app: TestApp) {
    let s = scene(&app).await;
    let own = secretary_of(&app, &s.admin, "ZB01").await;
    let stranger = secretary_of(&app, &s.admin, "ZB02").await;
    let other_volunteer = app.session("neighbour", Role::Volunteer).await;
    let hr = app.login_as(Role::Hr).await;
    let id = reported(&app, &s.volunteer.access, &missing(s.event)).await;
    let url = format!("/api/v1/error-reports/{id}");

    assert_eq!(app.get_ok(&url, &own.access).await["id"], id);
    assert_eq!(app.get_ok(&url, &s.admin.access).await["id"], id);
    assert_not_found(app.get_as(&url, &stranger.access).await).await;
    assert_not_found(app.get_as(&url, &other_volunteer.access).await).await;
    assert_eq!(
        app.get_ok("/api/v1/error-reports", &stranger.access).await["total"],
        0
    );
    assert_eq!(app.get_ok(MINE, &other_volunteer.access).await["total"], 0);
    assert_eq!(
        app.get_ok("/api/v1/error-reports?status=declined", &own.access)
            .await["total"],
        0
    );
    assert_not_found(accept(&app, &stranger.access, id).await).await;
    assert_not_found(
        decline(
            &app,
            &stranger.access,
            id,
            &json!({ "reason": "不是我们的" }),
        )
        .await,
    )
    .await;
    assert_forbidden(app.get_as("/api/v1/error-reports", &hr.access).await).await;
    assert_forbidden(app.get_as(&url, &hr.access).await).await;
    assert_forbidden(accept(&app, &s.volunteer.access, id).await).await;
    assert_forbidden(report(&app, &own.access, &missing(s.event)).await).await;
    assert_eq!(stored(&app, id), ("open".into(), None, None));
    app.assert_audited("error_report", &[("create", s.volunteer.user_id, id)]);
}

async fn a_report_is_checked_field_by_field_and_nothing_is_written(app: TestApp) {
    let s = scene(&app).await;
    let token = &s.volunteer.access;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({ "kind": "missing", "hour_entry_id": 1, "role": "", "explanation": "" }),
            vec!["/event_id", "/explanation", "/hour_entry_id", "/role"],
        ),
        (
            json!({ "kind": "missing", "event_id": 999_999, "minutes": 60, "explanation": "漏记" }),
            vec!["/event_id"],
        ),
        (
            json!({ "kind": "missing", "event_id": s.event, "minutes": 2000, "explanation": "漏记" }),
            vec!["/minutes"],
        ),
        (
            json!({ "kind": "missing", "event_id": s.event, "explanation": "漏记" }),
            vec!["/minutes"],
        ),
        (
            json!({ "kind": "wrong", "event_id": s.event, "role": "引导员", "minutes": -5, "explanation": " 有空格" }),
            vec![
                "/event_id",
                "/explanation",
                "/hour_entry_id",
                "/minutes",
                "/role",
            ],
        ),
    ];
    for (body, pointers) in cases {
        let problem = assert_validation(report(&app, token, &body).await).await;
        assert_eq!(sorted_pointers(&problem), pointers, "{body}");
    }

    // another volunteer's entry, and one still awaiting review, are not reported wrong
    let foreign = app.insert_entry("approved");
    let body = json!({ "volunteer_id": s.volunteer_id, "minutes": 60 });
    let pending = id_of(&submit_ok(&app, &s.admin.access, s.event, &body).await[0]);
    for entry in [foreign, pending, 999_999] {
        let body = json!({ "kind": "wrong", "hour_entry_id": entry, "minutes": 30, "explanation": "不对" });
        let problem = assert_validation(report(&app, token, &body).await).await;
        assert_eq!(sorted_pointers(&problem), ["/hour_entry_id"], "{body}");
    }
    // a missing day the record holds is reported as wrong instead
    let problem = assert_conflict(report(&app, token, &missing(s.event)).await).await;
    assert_eq!(problem["entry_ids"], json!([pending]));
    assert_eq!(app.count("error_reports"), 0);
    assert!(app.audit_rows("error_report").is_empty());
}

both_backends!(
    a_missing_entry_reported_and_accepted_is_recorded_reviewed_and_counted,
    a_wrong_entry_reported_and_accepted_is_corrected_to_what_the_report_says,
    a_declined_report_says_why_and_records_nothing,
    an_accept_that_would_break_a_rule_is_422_naming_it_and_leaves_the_report_open,
    reports_are_seen_by_their_volunteer_and_the_organisers_only,
    a_report_is_checked_field_by_field_and_nothing_is_written,
);
