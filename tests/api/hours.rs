//! Hours: submission (one entry or a roster, all or none, idempotent), the rules of an
//! entry, review and its lock, corrections and totals, branch scope, listing, history and
//! the audit trail.

use std::time::Duration;

use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{hour_entries, idempotency_keys};
use volunteer_hours::db::{self, Backend};
use volunteer_hours::hours::model::LIVE;

use crate::helpers::*;
use crate::{both_backends, per_backend};

// ---------------------------------------------------------------------------------------
// helpers

async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let resp = app.get_as(&format!("/api/v1/hours?{query}"), token).await;
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("page");
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn item_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect()
}

async fn audit_page(app: &TestApp, token: &str, query: &str) -> Value {
    ok_json(app.get_as(&format!("/api/v1/audit?{query}"), token).await).await
}

async fn my_hours(app: &TestApp, token: &str) -> Value {
    ok_json(app.get_as("/api/v1/me/hours", token).await).await
}

async fn assert_totals(app: &TestApp, token: &str, minutes: i64, hours: &str, stars: u64) {
    let mine = my_hours(app, token).await;
    assert_eq!(mine["approved_minutes"], minutes, "{mine}");
    assert_eq!(mine["approved_hours"], hours, "{mine}");
    assert_eq!(mine["star_level"], stars, "{mine}");
}

/// Minutes of a volunteer's live (submitted or approved) entries.
fn live_minutes(app: &TestApp, volunteer: i64) -> i32 {
    let minutes: Vec<i32> = hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::status.eq_any(LIVE))
        .select(hour_entries::minutes)
        .load(&mut app.conn())
        .expect("minutes");
    minutes.into_iter().sum()
}

/// 2022-03-05 00:00-15:00 UTC (08:00-23:00 at +08:00): long enough for 900 minutes.
fn long_event(app: &TestApp, title: &str) -> i64 {
    app.event(title, app.branch_id("JGDW"))
        .between("2022-03-05 00:00:00", "2022-03-05 15:00:00")
        .insert()
}

/// Records a claim on `key` as a request still running would leave it.
fn hold_key(app: &TestApp, user: i64, key: &str, path: &str, body: &Value) {
    let now = db::now();
    let day = chrono::Duration::from_std(Duration::from_secs(86_400)).expect("duration");
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user),
            idempotency_keys::key.eq(key),
            idempotency_keys::method.eq("POST"),
            idempotency_keys::path.eq(path),
            idempotency_keys::request_hash.eq(volunteer_hours::idempotency::request_hash(
                "POST", path, body,
            )),
            idempotency_keys::state.eq("in_progress"),
            idempotency_keys::created_at.eq(now),
            idempotency_keys::expires_at.eq(now + day),
        ))
        .execute(&mut app.conn())
        .expect("held key");
}

// ---------------------------------------------------------------------------------------
// submission

/// On PostgreSQL a roster is written as one array per column: empty and given values of
/// every optional field land in the right rows, and each row's audit document is its own.
async fn a_roster_mixing_empty_and_given_fields_stores_each_row_as_sent(app: TestApp) {
    use volunteer_hours::db::schema::audit_log;
    let sec = app.login_as(Role::Secretary).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("混合名册", root);
    let v: Vec<i64> = (0..4)
        .map(|i| app.insert_volunteer(&format!("混合名册志愿者 {i}"), root))
        .collect();
    let note = "带 \"引号\"、反斜杠 \\ 与换行\n的备注";
    let sent = roster(vec![
        json!({ "volunteer_id": v[0], "minutes": 30 }),
        json!({ "volunteer_id": v[1], "started_at": "2022-03-05T01:00:00Z", "ended_at": "2022-03-05T02:30:00Z", "role": "摄影" }),
        json!({ "volunteer_id": v[2], "minutes": 45, "note": note }),
        json!({ "volunteer_id": v[3], "minutes": 60, "role": "引导员", "note": "准时" }),
    ]);
    let resp = submit(&app, &sec.access, event, &sent).await;
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    let got = body["entries"].as_array().unwrap();
    assert_eq!(got.len(), 4);

    type Stored = (
        i64,
        i64,
        i32,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        Option<String>,
        Option<String>,
    );
    let stored: Vec<Stored> = hour_entries::table
        .filter(hour_entries::event_id.eq(event))
        .order(hour_entries::volunteer_id)
        .select((
            hour_entries::id,
            hour_entries::volunteer_id,
            hour_entries::minutes,
            hour_entries::started_at,
            hour_entries::ended_at,
            hour_entries::role,
            hour_entries::note,
        ))
        .load(&mut app.conn())
        .unwrap();
    let at = |h: u32, m: u32| {
        chrono::NaiveDate::from_ymd_opt(2022, 3, 5).and_then(|d| d.and_hms_opt(h, m, 0))
    };
    let shape: Vec<_> = stored
        .iter()
        .map(|(_, vol, min, s, e, r, n)| (*vol, *min, *s, *e, r.as_deref(), n.as_deref()))
        .collect();
    assert_eq!(
        shape,
        vec![
            (v[0], 30, None, None, None, None),
            (v[1], 90, at(1, 0), at(2, 30), Some("摄影"), None),
            (v[2], 45, None, None, None, Some(note)),
            (v[3], 60, None, None, Some("引导员"), Some("准时")),
        ]
    );
    for (e, row) in got.iter().zip(&stored) {
        assert_eq!(
            e["id"], row.0,
            "the answer lists the rows in the order sent"
        );
    }

    let audited: Vec<(Option<i64>, Option<String>, Option<String>)> = audit_log::table
        .filter(audit_log::entity.eq("hour_entry"))
        .order(audit_log::entity_id)
        .select((
            audit_log::entity_id,
            audit_log::after_json,
            audit_log::request_id,
        ))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(audited.len(), 4);
    for ((id, after, request_id), row) in audited.iter().zip(&stored) {
        assert_eq!(*id, Some(row.0));
        assert!(request_id.as_deref().is_some_and(|r| !r.is_empty()));
        let after: Value = serde_json::from_str(after.as_deref().unwrap()).unwrap();
        assert_eq!(after["id"], row.0);
        assert_eq!(after["volunteer_id"], row.1);
        assert_eq!(after["minutes"], row.2);
        assert_eq!(after["started_at"].is_null(), row.3.is_none());
        assert_eq!(after["role"].as_str(), row.5.as_deref());
        assert_eq!(after["note"].as_str(), row.6.as_deref());
        assert_eq!(after["status"], "submitted");
        assert_eq!(after["submitted_by"], sec.user_id);
    }
}

async fn a_roster_of_500_entries_is_recorded_whole(app: TestApp) {
    let sec = app.login_as(Role::Secretary).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("五百人名册", root);
    let people: Vec<i64> = (0..500)
        .map(|i| app.insert_volunteer(&format!("名册志愿者 {i}"), root))
        .collect();
    let entries: Vec<Value> = people
        .iter()
        .enumerate()
        .map(|(i, v)| json!({ "volunteer_id": v, "minutes": 60 + (i % 120), "role": "引导员" }))
        .collect();
    let resp = submit(&app, &sec.access, event, &roster(entries)).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(
        resp.headers()["location"].to_str().unwrap(),
        format!("/api/v1/hours?event_id={event}")
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["event_id"], event);
    let got = body["entries"].as_array().unwrap();
    assert_eq!(got.len(), 500);
    for (i, (e, v)) in got.iter().zip(&people).enumerate() {
        assert_eq!(e["volunteer_id"], *v, "in the order submitted");
        assert_eq!(e["minutes"], (60 + i % 120) as i64);
        assert_eq!(e["status"], "submitted");
        assert_eq!(
            e["service_date"], "2022-03-05",
            "the local day of the event"
        );
        assert_eq!(e["event_id"], event);
        assert_eq!(e["branch_id"], root);
        assert_eq!(e["submitted_by"], sec.user_id);
        assert_eq!(e["role"], "引导员");
        assert!(
            e["corrects_id"].is_null() && e["reviewed_by"].is_null(),
            "{e}"
        );
    }
    assert_eq!(app.count("hour_entries"), 500);
    let statuses: Vec<String> = hour_entries::table
        .select(hour_entries::status)
        .load(&mut app.conn())
        .unwrap();
    assert!(statuses.iter().all(|s| s == "submitted"));
    let rows = app.audit_rows("hour_entry");
    assert_eq!(rows.len(), 500);
    let mut audited: Vec<i64> = rows
        .iter()
        .map(|(action, actor, id)| {
            assert_eq!((action.as_str(), *actor), ("create", Some(sec.user_id)));
            id.unwrap()
        })
        .collect();
    let mut ids: Vec<i64> = got.iter().map(id_of).collect();
    audited.sort();
    ids.sort();
    assert_eq!(audited, ids, "one audit row per entry");

    // 501 entries are too many, none too few
    let extra = app.insert_volunteer("第五百零一名", root);
    let other = app.insert_event("名册上限", root);
    let too_many: Vec<Value> = (0..501).map(|_| entry(extra, 60)).collect();
    assert_submission_invalid(&app, &sec.access, other, &roster(too_many), &["/entries"]).await;
    assert_submission_invalid(&app, &sec.access, other, &roster(vec![]), &["/entries"]).await;
    assert_eq!(app.count("hour_entries"), 500);
    assert_eq!(app.audit_rows("hour_entry").len(), 500);
}

async fn a_roster_with_three_bad_entries_names_exactly_those_and_writes_nothing(app: TestApp) {
    let sec = app.login_as(Role::Secretary).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("名册校验", root);
    let people: Vec<i64> = (0..10)
        .map(|i| app.insert_volunteer(&format!("校验志愿者 {i}"), root))
        .collect();
    let mut entries: Vec<Value> = people.iter().map(|v| entry(*v, 120)).collect();
    entries[2] = entry(people[2], 0);
    entries[5] = entry(9_999_999, 120);
    entries[8] = json!({ "volunteer_id": people[8], "minutes": 120, "service_date": "2022-03-09" });
    let body = assert_submission_invalid(
        &app,
        &sec.access,
        event,
        &roster(entries.clone()),
        &[
            "/entries/2/minutes",
            "/entries/5/volunteer_id",
            "/entries/8/service_date",
        ],
    )
    .await;
    for e in body["errors"].as_array().unwrap() {
        assert!(
            e["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
    }
    assert_eq!(app.count("hour_entries"), 0, "nothing written");
    assert!(app.audit_rows("hour_entry").is_empty());

    // put right, the roster goes in whole
    entries[2] = entry(people[2], 1);
    entries[5] = entry(people[5], 120);
    entries[8] = entry(people[8], 120);
    let created = submit_ok(&app, &sec.access, event, &roster(entries)).await;
    assert_eq!(created.len(), 10);
    assert_eq!(app.count("hour_entries"), 10);
    assert_eq!(app.audit_rows("hour_entry").len(), 10);
}

async fn each_rule_is_refused_with_its_pointer_and_nothing_is_written(app: TestApp) {
    let sec = app.login_as(Role::Secretary).await;
    let root = app.branch_id("JGDW");
    // 2022-03-05 01:00-04:00 UTC; the default tolerance is an hour each side
    let event = app.insert_event("规则", root);
    let v = app.insert_volunteer("规则志愿者", root);
    let inactive = app.insert_volunteer("已离开的志愿者", root);
    app.set_volunteer_status(inactive, "inactive");
    let cases: Vec<(Value, &str)> = vec![
        (entry(v, 0), "/minutes"),
        (entry(v, -5), "/minutes"),
        (entry(v, 1441), "/minutes"),
        // 180 minutes of event and 2 × 60 of tolerance
        (entry(v, 301), "/minutes"),
        (json!({ "volunteer_id": v }), "/minutes"),
        (
            timed(v, "2022-03-04T23:30:00Z", "2022-03-05T02:00:00Z"),
            "/started_at",
        ),
        (
            timed(v, "2022-03-05T02:00:00Z", "2022-03-05T05:30:00Z"),
            "/started_at",
        ),
        (
            timed(v, "2022-03-05T03:00:00Z", "2022-03-05T02:00:00Z"),
            "/ended_at",
        ),
        (
            json!({ "volunteer_id": v, "started_at": "2022-03-05T01:00:00Z" }),
            "/ended_at",
        ),
        (
            json!({ "volunteer_id": v, "minutes": 100, "started_at": "2022-03-05T01:00:00Z", "ended_at": "2022-03-05T03:00:00Z" }),
            "/minutes",
        ),
        (
            json!({ "volunteer_id": v, "minutes": 60, "service_date": "2022-03-07" }),
            "/service_date",
        ),
        (
            json!({ "volunteer_id": v, "minutes": 60, "service_date": "2022-03-04" }),
            "/service_date",
        ),
        (entry(9_999_999, 60), "/volunteer_id"),
        (entry(inactive, 60), "/volunteer_id"),
        (
            json!({ "volunteer_id": v, "minutes": 60, "role": "长".repeat(51) }),
            "/role",
        ),
        (
            json!({ "volunteer_id": v, "minutes": 60, "note": "长".repeat(501) }),
            "/note",
        ),
        // one volunteer twice on one day in one roster
        (roster(vec![entry(v, 60), entry(v, 30)]), "/entries/1"),
    ];
    for (body, pointer) in cases {
        let resp = submit(&app, &sec.access, event, &body).await;
        let problem = assert_validation(resp).await;
        assert_eq!(
            sorted_pointers(&problem),
            vec![pointer.to_owned()],
            "{body} -> {problem}"
        );
    }
    // unknown fields are refused too
    assert_validation(
        submit(
            &app,
            &sec.access,
            event,
            &json!({ "volunteer_id": v, "minutes": 60, "hours": 1 }),
        )
        .await,
    )
    .await;
    // a cancelled event takes no hours; an unknown one is not found
    let cancelled = app.insert_event("取消的活动", root);
    app.set_event_status(cancelled, "cancelled");
    assert_conflict(submit(&app, &sec.access, cancelled, &entry(v, 60)).await).await;
    assert_not_found(submit(&app, &sec.access, 9_999_999, &entry(v, 60)).await).await;
    // no key, or a malformed one
    let path = format!("/api/v1/events/{event}/hours");
    let resp = app
        .request(reqwest::Method::POST, &path, Some(&sec.access))
        .json(&entry(v, 60))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 400, "/problems/bad-request").await;
    for bad in ["with space".to_owned(), "k".repeat(256)] {
        assert_problem(
            submit_keyed(&app, &sec.access, event, &bad, &entry(v, 60)).await,
            400,
            "/problems/bad-request",
        )
        .await;
    }
    assert_eq!(app.count("hour_entries"), 0);
    assert!(app.audit_rows("hour_entry").is_empty());

    // the limits themselves are allowed
    let edge: Vec<i64> = (0..4)
        .map(|i| app.insert_volunteer(&format!("边界 {i}"), root))
        .collect();
    assert_eq!(
        submit_ok(&app, &sec.access, event, &entry(edge[0], 1)).await[0]["minutes"],
        1
    );
    assert_eq!(
        submit_ok(&app, &sec.access, event, &entry(edge[1], 300)).await[0]["minutes"],
        300
    );
    let by_time = submit_ok(
        &app,
        &sec.access,
        event,
        &timed(edge[2], "2022-03-05T00:00:00Z", "2022-03-05T05:00:00Z"),
    )
    .await;
    assert_eq!(by_time[0]["minutes"], 300, "minutes follow the times");
    assert_eq!(by_time[0]["started_at"], "2022-03-05T00:00:00Z");
    assert_eq!(by_time[0]["ended_at"], "2022-03-05T05:00:00Z");
    assert_eq!(by_time[0]["service_date"], "2022-03-05");
    let dated = submit_ok(
        &app,
        &sec.access,
        event,
        &json!({ "volunteer_id": edge[3], "minutes": 180, "service_date": "2022-03-05", "role": "引导员", "note": "准时到岗" }),
    )
    .await;
    assert_eq!(
        (dated[0]["role"].as_str(), dated[0]["note"].as_str()),
        (Some("引导员"), Some("准时到岗"))
    );
    assert_eq!(app.count("hour_entries"), 4);
    let statuses: Vec<String> = hour_entries::table
        .select(hour_entries::status)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(statuses, vec!["submitted"; 4]);
}

async fn a_second_entry_for_the_same_volunteer_event_and_day_is_a_conflict_naming_the_first(
    app: TestApp,
) {
    let sec = app.login_as(Role::Secretary).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("重复登记", root);
    let v = app.insert_volunteer("重复者", root);
    let w = app.insert_volunteer("旁人", root);
    let first = submit_one(&app, &sec.access, event, v, 60).await;
    let named = format!("hour entry {first}");

    let body = assert_conflict(submit(&app, &sec.access, event, &entry(v, 30)).await).await;
    assert!(body["detail"].as_str().unwrap().contains(&named), "{body}");
    let body = assert_conflict(
        submit(
            &app,
            &sec.access,
            event,
            &json!({ "volunteer_id": v, "minutes": 30, "service_date": "2022-03-05" }),
        )
        .await,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains(&named), "{body}");
    // in a roster, the whole roster is refused and the duplicate is named
    let body = assert_conflict(
        submit(
            &app,
            &sec.access,
            event,
            &roster(vec![entry(w, 60), entry(v, 30)]),
        )
        .await,
    )
    .await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains(&named) && detail.contains("/entries/1"),
        "{body}"
    );
    assert_eq!(app.count("hour_entries"), 1);
    assert_eq!(app.audit_rows("hour_entry").len(), 1);

    // another event on the same day is not a duplicate
    let other = app.insert_event("同日另一场", root);
    submit_one(&app, &sec.access, other, v, 60).await;
    // once the first is withdrawn, the day is free again
    assert_eq!(
        withdraw(&app, &sec.access, first, Some("*")).await.status(),
        204
    );
    let again = submit_one(&app, &sec.access, event, v, 45).await;
    assert_ne!(again, first);
    assert_eq!(app.status_of(first), "withdrawn");
    assert_eq!(app.count("hour_entries"), 3);
}

async fn the_daily_cap_of_24_hours_holds_across_requests(app: TestApp) {
    let sec = app.login_as(Role::Secretary).await;
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let (a, b, c) = (
        long_event(&app, "长活动甲"),
        long_event(&app, "长活动乙"),
        long_event(&app, "长活动丙"),
    );
    let v = app.insert_volunteer("连轴转", root);
    let w = app.insert_volunteer("另一位", root);

    let first = submit_one(&app, &sec.access, a, v, 900).await;
    let body = assert_submission_invalid(&app, &sec.access, b, &entry(v, 600), &["/minutes"]).await;
    assert_first_error_mentions(&body, "1500");
    // in a roster only the entry over the cap is named, and nothing is written
    assert_submission_invalid(
        &app,
        &sec.access,
        b,
        &roster(vec![entry(w, 600), entry(v, 600)]),
        &["/entries/1/minutes"],
    )
    .await;
    assert_eq!(app.count("hour_entries"), 1);

    // exactly 24 hours is allowed; a minute more is not, however it is given
    let second = submit_one(&app, &sec.access, b, v, 540).await;
    assert_submission_invalid(&app, &sec.access, c, &entry(v, 1), &["/minutes"]).await;
    assert_submission_invalid(
        &app,
        &sec.access,
        c,
        &timed(v, "2022-03-05T14:00:00Z", "2022-03-05T15:00:00Z"),
        &["/minutes"],
    )
    .await;
    // the cap holds for edits too
    let tag = etag(&app, &sec.access, second).await;
    assert_invalid(
        edit(
            &app,
            &sec.access,
            second,
            Some(&tag),
            &json!({ "minutes": 541 }),
        )
        .await,
        &["/minutes"],
    )
    .await;
    assert_eq!(app.minutes_of(second), 540);
    assert_eq!(live_minutes(&app, v), 1440);
    assert_eq!(app.count("hour_entries"), 2);

    // a rejected entry no longer counts
    assert_eq!(
        reject(&app, &admin.access, first, "签到表上没有此人")
            .await
            .status(),
        200
    );
    submit_one(&app, &sec.access, c, v, 600).await;
    // another volunteer's day is their own
    submit_one(&app, &sec.access, a, w, 900).await;
    assert_eq!(live_minutes(&app, v), 1140);
    assert_eq!(app.count("hour_entries"), 4);
}

async fn idempotent_replays_answer_the_first_response_and_write_once(app: TestApp) {
    let sec = app.login_as(Role::Secretary).await;
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("重试", root);
    let people: Vec<i64> = (0..3)
        .map(|i| app.insert_volunteer(&format!("重试志愿者 {i}"), root))
        .collect();
    let body = roster(people.iter().map(|v| entry(*v, 90)).collect());
    let key = "roster-2022-03-05-retry";

    let first = submit_keyed(&app, &sec.access, event, key, &body).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let first_body = first.text().await.unwrap();
    for _ in 0..9 {
        let again = submit_keyed(&app, &sec.access, event, key, &body).await;
        assert_eq!(again.status(), 201);
        assert_eq!(
            again.headers()["idempotent-replayed"].to_str().unwrap(),
            "true"
        );
        assert_eq!(again.headers()["location"].to_str().unwrap(), location);
        assert_eq!(
            again.text().await.unwrap(),
            first_body,
            "the first answer, replayed"
        );
    }
    assert_eq!(app.count("hour_entries"), 3, "one set of rows");
    assert_eq!(app.audit_rows("hour_entry").len(), 3);
    assert_eq!(app.count("idempotency_keys"), 1);

    // the same key with another body, or for another event, is refused
    let changed = roster(people.iter().map(|v| entry(*v, 91)).collect());
    assert_invalid(
        submit_keyed(&app, &sec.access, event, key, &changed).await,
        &["/header/idempotency-key"],
    )
    .await;
    let other_event = app.insert_event("重试二", root);
    assert_invalid(
        submit_keyed(&app, &sec.access, other_event, key, &body).await,
        &["/header/idempotency-key"],
    )
    .await;
    // keys belong to their user: another's same key and body is a new request (a duplicate)
    let resp = submit_keyed(&app, &admin.access, event, key, &body).await;
    assert!(resp.headers().get("idempotent-replayed").is_none());
    assert_conflict(resp).await;
    assert_eq!(app.count("hour_entries"), 3);

    // while the first request with a key is still running, a retry is told so
    let w = app.insert_volunteer("晚到者", root);
    let path = format!("/api/v1/events/{event}/hours");
    let held = entry(w, 60);
    hold_key(&app, sec.user_id, "held-key", &path, &held);
    assert_conflict(submit_keyed(&app, &sec.access, event, "held-key", &held).await).await;
    assert_eq!(app.count("hour_entries"), 3);
    // a claim whose request died lapses after the lease, and a retry takes it over
    let lapsed = db::now() - chrono::Duration::from_std(Duration::from_secs(120)).unwrap();
    diesel::update(idempotency_keys::table.filter(idempotency_keys::key.eq("held-key")))
        .set(idempotency_keys::created_at.eq(lapsed))
        .execute(&mut app.conn())
        .unwrap();
    let resp = submit_keyed(&app, &sec.access, event, "held-key", &held).await;
    assert_eq!(resp.status(), 201);
    assert!(resp.headers().get("idempotent-replayed").is_none());
    let taken_over = resp.text().await.unwrap();
    let resp = submit_keyed(&app, &sec.access, event, "held-key", &held).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.headers()["idempotent-replayed"], "true");
    assert_eq!(resp.text().await.unwrap(), taken_over);
    assert_eq!(app.count("hour_entries"), 4);
}

/// Eight identical submissions at once: one set of rows, each answer the original, a replay
/// or "still in progress". Real concurrency needs PostgreSQL.
#[actix_web::test]
async fn concurrent_duplicates_on_postgres() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let sec = app.login_as(Role::Secretary).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("并发提交", root);
    let people: Vec<i64> = (0..3)
        .map(|i| app.insert_volunteer(&format!("并发志愿者 {i}"), root))
        .collect();
    let body = roster(people.iter().map(|v| entry(*v, 60)).collect());

    let responses =
        join_all((0..8).map(|_| submit_keyed(&app, &sec.access, event, "concurrent-key", &body)))
            .await;
    let mut answers = Vec::new();
    for resp in responses {
        match resp.status().as_u16() {
            201 => answers.push(resp.text().await.unwrap()),
            409 => {
                assert_conflict(resp).await;
            }
            other => {
                let text = resp.text().await.unwrap_or_default();
                panic!("unexpected {other}: {text}");
            }
        }
    }
    assert!(!answers.is_empty(), "at least one submission succeeds");
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "replays carry the first answer"
    );
    assert_eq!(app.count("hour_entries"), 3, "exactly one set of rows");
    assert_eq!(app.audit_rows("hour_entry").len(), 3);
    assert_eq!(app.count("idempotency_keys"), 1);
    let again = submit_keyed(&app, &sec.access, event, "concurrent-key", &body).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.text().await.unwrap(), answers[0]);

    // different keys for the same entries: the one-per-day rule still lets one through
    let other = app.insert_event("并发提交二", root);
    let keys: Vec<String> = (0..8).map(|i| format!("distinct-{i}")).collect();
    let responses = join_all(
        keys.iter()
            .map(|k| submit_keyed(&app, &sec.access, other, k, &body)),
    )
    .await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(app.count("hour_entries"), 6);
    assert_eq!(app.audit_rows("hour_entry").len(), 6);
}

/// Four 900-minute submissions for one volunteer at four events of one day, at once: the
/// daily cap must let only one through.
#[actix_web::test]
async fn concurrent_day_cap_on_postgres() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let sec = app.login_as(Role::Secretary).await;
    let root = app.branch_id("JGDW");
    let v = app.insert_volunteer("同日并发", root);
    let events: Vec<i64> = (0..4)
        .map(|i| long_event(&app, &format!("同日长活动 {i}")))
        .collect();
    let body = entry(v, 900);
    let responses = join_all(events.iter().map(|e| submit(&app, &sec.access, *e, &body))).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    assert!(
        statuses.iter().all(|s| matches!(s, 201 | 409 | 422 | 503)),
        "{statuses:?}"
    );
    let live = live_minutes(&app, v);
    assert!(
        live <= 1440,
        "{live} minutes recorded for one day: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
}

// ---------------------------------------------------------------------------------------
// review, editing, corrections

async fn approved_entries_are_locked_and_reviews_need_a_reason(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let sec = app.login_as(Role::Secretary).await;
    let hr = app.login_as(Role::Hr).await;
    let volunteer = app.login_as(Role::Volunteer).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("审核", root);
    let v1 = app.insert_volunteer("审核一", root);
    let v2 = app.insert_volunteer("审核二", root);
    let a = submit_one(&app, &sec.access, event, v1, 60).await;
    let b = submit_one(&app, &sec.access, event, v2, 60).await;

    // only administrators review (by default)
    for token in [&sec.access, &hr.access, &volunteer.access] {
        assert_forbidden(approve(&app, token, a).await).await;
    }
    assert_eq!(app.status_of(a), "submitted");
    assert_not_found(approve(&app, &admin.access, 9_999_999).await).await;

    let resp = approve(&app, &admin.access, a).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"2\"");
    let approved: Value = resp.json().await.unwrap();
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["reviewed_by"], admin.user_id);
    assert!(approved["reviewed_at"].is_string(), "{approved}");

    // approved entries are locked, whoever asks and whatever the tag
    let tag = etag(&app, &sec.access, a).await;
    assert_eq!(tag, "\"2\"");
    for (token, if_match) in [(&sec.access, tag.as_str()), (&admin.access, "*")] {
        assert_conflict(edit(&app, token, a, Some(if_match), &json!({ "minutes": 30 })).await)
            .await;
        assert_conflict(withdraw(&app, token, a, Some(if_match)).await).await;
    }
    // without any precondition the request itself is incomplete: 428 comes first
    assert_precondition_required(
        edit(&app, &admin.access, a, None, &json!({ "minutes": 30 })).await,
    )
    .await;
    assert_precondition_required(withdraw(&app, &admin.access, a, None).await).await;
    assert_conflict(approve(&app, &admin.access, a).await).await;
    assert_conflict(reject(&app, &admin.access, a, "太晚了").await).await;
    assert_eq!(
        (app.status_of(a).as_str(), app.minutes_of(a)),
        ("approved", 60)
    );

    // a rejection needs a reason
    assert_validation(
        app.post_as(
            &format!("/api/v1/hours/{b}/reject"),
            Some(&admin.access),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_invalid(reject(&app, &admin.access, b, "").await, &["/reason"]).await;
    assert_invalid(
        reject(&app, &admin.access, b, &"长".repeat(501)).await,
        &["/reason"],
    )
    .await;
    assert_eq!(app.status_of(b), "submitted");
    let rejected = ok_json(reject(&app, &admin.access, b, "与签到表不符").await).await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "与签到表不符");
    assert_eq!(rejected["reviewed_by"], admin.user_id);
    // a rejection is final too
    assert_conflict(approve(&app, &admin.access, b).await).await;
    assert_conflict(edit(&app, &sec.access, b, Some("*"), &json!({ "minutes": 30 })).await).await;

    app.assert_audited(
        "hour_entry",
        &[
            ("create", sec.user_id, a),
            ("create", sec.user_id, b),
            ("approve", admin.user_id, a),
            ("reject", admin.user_id, b),
        ],
    );
}

async fn submitters_edit_and_withdraw_unreviewed_entries_with_if_match(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let sec = app.login_as(Role::Secretary).await;
    let other = app.session("other.secretary", Role::Secretary).await;
    let hr = app.login_as(Role::Hr).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("修改与撤回", root);
    let v = app.insert_volunteer("待修改", root);
    let id = submit_one(&app, &sec.access, event, v, 60).await;
    assert_eq!(etag(&app, &sec.access, id).await, "\"1\"");

    let change = json!({ "minutes": 90, "role": "摄影", "note": "补录签到" });
    assert_precondition_required(edit(&app, &sec.access, id, None, &change).await).await;
    assert_precondition_failed(edit(&app, &sec.access, id, Some("\"7\""), &change).await).await;
    // only the submitter (or an administrator); hr writes nothing
    assert_forbidden(edit(&app, &other.access, id, Some("\"1\""), &change).await).await;
    assert_forbidden(edit(&app, &hr.access, id, Some("\"1\""), &change).await).await;
    // the rules of a submission hold for an edit
    for (bad, pointer) in [
        (json!({ "minutes": 0 }), "/minutes"),
        (json!({ "minutes": 301 }), "/minutes"),
        (json!({ "service_date": "2022-03-09" }), "/service_date"),
    ] {
        let resp = edit(&app, &sec.access, id, Some("\"1\""), &bad).await;
        assert_invalid(resp, &[pointer]).await;
    }
    assert_eq!(app.minutes_of(id), 60);

    let resp = edit(&app, &sec.access, id, Some("\"1\""), &change).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"2\"");
    let edited: Value = resp.json().await.unwrap();
    assert_eq!(
        (
            edited["minutes"].as_i64(),
            edited["role"].as_str(),
            edited["note"].as_str(),
            edited["status"].as_str()
        ),
        (Some(90), Some("摄影"), Some("补录签到"), Some("submitted"))
    );
    // new times without minutes: the minutes follow the times
    let resp = edit(
        &app,
        &sec.access,
        id,
        Some("\"2\""),
        &json!({ "started_at": "2022-03-05T01:00:00Z", "ended_at": "2022-03-05T03:30:00Z" }),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"3\"");
    let edited: Value = resp.json().await.unwrap();
    assert_eq!(edited["minutes"], 150);
    assert_eq!(app.minutes_of(id), 150);

    // withdrawal: the submitter, with If-Match; the row stays, withdrawn
    assert_precondition_required(withdraw(&app, &sec.access, id, None).await).await;
    assert_precondition_failed(withdraw(&app, &sec.access, id, Some("\"2\"")).await).await;
    assert_forbidden(withdraw(&app, &other.access, id, Some("\"3\"")).await).await;
    assert_eq!(app.status_of(id), "submitted");
    assert_eq!(
        withdraw(&app, &sec.access, id, Some("\"3\""))
            .await
            .status(),
        204
    );
    assert_eq!(app.count("hour_entries"), 1);
    assert_eq!(app.status_of(id), "withdrawn");
    let read = ok_json(
        app.get_as(&format!("/api/v1/hours/{id}"), &sec.access)
            .await,
    )
    .await;
    assert_eq!(read["status"], "withdrawn");
    // and is no longer changed, withdrawn or reviewed
    assert_conflict(withdraw(&app, &sec.access, id, Some("*")).await).await;
    assert_conflict(edit(&app, &sec.access, id, Some("*"), &json!({ "minutes": 30 })).await).await;
    assert_conflict(approve(&app, &admin.access, id).await).await;

    app.assert_audited(
        "hour_entry",
        &[
            ("create", sec.user_id, id),
            ("update", sec.user_id, id),
            ("update", sec.user_id, id),
            ("withdraw", sec.user_id, id),
        ],
    );
}

async fn bulk_review_is_all_or_nothing_with_an_error_per_id(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let sec = app.login_as(Role::Secretary).await;
    let hr = app.login_as(Role::Hr).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("批量审核", root);
    let people: Vec<i64> = (0..4)
        .map(|i| app.insert_volunteer(&format!("批量 {i}"), root))
        .collect();
    let ids: Vec<i64> = submit_ok(
        &app,
        &sec.access,
        event,
        &roster(people.iter().map(|v| entry(*v, 60)).collect()),
    )
    .await
    .iter()
    .map(id_of)
    .collect();

    let done = ok_json(
        review_many(
            &app,
            &admin.access,
            &json!({ "action": "approve", "ids": [ids[0], ids[1]] }),
        )
        .await,
    )
    .await;
    let entries = done["entries"].as_array().unwrap();
    assert_eq!(
        entries.iter().map(id_of).collect::<Vec<_>>(),
        ids[..2].to_vec()
    );
    assert!(entries.iter().all(|e| e["status"] == "approved"));

    // one bad id refuses the lot, and every bad id is named
    assert_invalid(
        review_many(
            &app,
            &admin.access,
            &json!({ "action": "approve", "ids": [ids[2], ids[0], 9_999_999, ids[2]] }),
        )
        .await,
        &["/ids/1", "/ids/2", "/ids/3"],
    )
    .await;
    assert_eq!(app.status_of(ids[2]), "submitted", "nothing changed");
    assert_invalid(
        review_many(
            &app,
            &admin.access,
            &json!({ "action": "reject", "ids": [ids[2], ids[3]] }),
        )
        .await,
        &["/reason"],
    )
    .await;
    assert_invalid(
        review_many(
            &app,
            &admin.access,
            &json!({ "action": "approve", "ids": [] }),
        )
        .await,
        &["/ids"],
    )
    .await;
    let too_many: Vec<i64> = (1..=501).collect();
    assert_invalid(
        review_many(
            &app,
            &admin.access,
            &json!({ "action": "approve", "ids": too_many }),
        )
        .await,
        &["/ids"],
    )
    .await;
    // those who may not review change nothing
    assert_forbidden(
        review_many(
            &app,
            &hr.access,
            &json!({ "action": "approve", "ids": [ids[2]] }),
        )
        .await,
    )
    .await;
    let resp = review_many(
        &app,
        &sec.access,
        &json!({ "action": "approve", "ids": [ids[2], ids[3]] }),
    )
    .await;
    assert!(
        matches!(resp.status().as_u16(), 403 | 422),
        "{}",
        resp.status()
    );
    assert_eq!(
        (app.status_of(ids[2]), app.status_of(ids[3])),
        ("submitted".to_owned(), "submitted".to_owned())
    );

    let done = ok_json(
        review_many(
            &app,
            &admin.access,
            &json!({ "action": "reject", "ids": [ids[2], ids[3]], "reason": "重复登记" }),
        )
        .await,
    )
    .await;
    assert!(done["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["status"] == "rejected" && e["reason"] == "重复登记"));
    let stored: Vec<(String, Option<String>)> = hour_entries::table
        .order(hour_entries::id)
        .select((hour_entries::status, hour_entries::reason))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        stored,
        vec![
            ("approved".to_owned(), None),
            ("approved".to_owned(), None),
            ("rejected".to_owned(), Some("重复登记".to_owned())),
            ("rejected".to_owned(), Some("重复登记".to_owned())),
        ]
    );
    assert_eq!(
        app.audit_after_create("hour_entry"),
        [
            audit("approve", admin.user_id, ids[0]),
            audit("approve", admin.user_id, ids[1]),
            audit("reject", admin.user_id, ids[2]),
            audit("reject", admin.user_id, ids[3]),
        ]
    );
}

/// Stars at 1 to 5 hours make the star level visible with a few entries.
async fn corrections_are_reviewed_and_net_into_totals_and_stars(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |c| c.hours.star_thresholds_hours = [1, 2, 3, 4, 5]).await
    else {
        return;
    };
    let admin = app.login_as(Role::Admin).await;
    let sec = app.login_as(Role::Secretary).await;
    let hr = app.login_as(Role::Hr).await;
    let me = app.login_as(Role::Volunteer).await;
    let vol = app.volunteer_of("volunteer.user");
    let event = app.insert_event("更正", app.branch_id("JGDW"));
    let fix = |minutes: i32, reason: &str| json!({ "minutes": minutes, "reason": reason });
    let original = submit_one(&app, &sec.access, event, vol, 120).await;

    // only an approved entry is corrected
    assert_conflict(correct(&app, &sec.access, original, &fix(-30, "多记了")).await).await;
    assert_totals(&app, &me.access, 0, "0.00", 0).await;
    assert_eq!(approve(&app, &admin.access, original).await.status(), 200);
    assert_totals(&app, &me.access, 120, "2.00", 2).await;

    // bad corrections
    assert_invalid(
        correct(&app, &sec.access, original, &fix(0, "零")).await,
        &["/minutes"],
    )
    .await;
    assert_invalid(
        correct(&app, &sec.access, original, &fix(1441, "太多")).await,
        &["/minutes"],
    )
    .await;
    assert_invalid(
        correct(&app, &sec.access, original, &fix(-30, "")).await,
        &["/reason"],
    )
    .await;
    assert_validation(correct(&app, &sec.access, original, &json!({ "minutes": -30 })).await).await;
    assert_invalid(
        correct(&app, &sec.access, original, &fix(-121, "超过原值")).await,
        &["/minutes"],
    )
    .await;
    assert_forbidden(correct(&app, &hr.access, original, &fix(-30, "人事改")).await).await;
    assert_eq!(app.count("hour_entries"), 1);

    // a correction is an entry of its own, awaiting review
    let resp = correct(&app, &sec.access, original, &fix(-30, "签到表记录有误")).await;
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let c1: Value = resp.json().await.unwrap();
    let c1_id = id_of(&c1);
    assert_eq!(location, format!("/api/v1/hours/{c1_id}"));
    assert_eq!(c1["corrects_id"], original);
    assert_eq!(c1["minutes"], -30);
    assert_eq!(c1["status"], "submitted");
    assert_eq!(c1["submitted_by"], sec.user_id);
    assert_eq!(
        (c1["volunteer_id"].as_i64(), c1["event_id"].as_i64()),
        (Some(vol), Some(event))
    );
    // pending, it does not count, but bounds the next correction
    assert_totals(&app, &me.access, 120, "2.00", 2).await;
    assert_invalid(
        correct(&app, &sec.access, original, &fix(-91, "再减")).await,
        &["/minutes"],
    )
    .await;
    // the original stays locked
    let tag = etag(&app, &sec.access, original).await;
    assert_conflict(
        edit(
            &app,
            &sec.access,
            original,
            Some(&tag),
            &json!({ "minutes": 90 }),
        )
        .await,
    )
    .await;
    assert_eq!(app.minutes_of(original), 120);

    assert_eq!(approve(&app, &admin.access, c1_id).await.status(), 200);
    assert_totals(&app, &me.access, 90, "1.50", 1).await;
    // a correction is not itself corrected
    assert_conflict(correct(&app, &sec.access, c1_id, &fix(10, "再改")).await).await;

    // a retried correction with its key is made once
    let send = || {
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/hours/{original}/corrections"),
            Some(&sec.access),
        )
        .header("idempotency-key", "correction-plus-60")
        .json(&fix(60, "漏记一小时"))
        .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first_body = first.text().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.text().await.unwrap(), first_body);
    let c2_id = id_of(&serde_json::from_str::<Value>(&first_body).unwrap());
    assert_eq!(app.count("hour_entries"), 3);
    assert_eq!(approve(&app, &admin.access, c2_id).await.status(), 200);
    assert_totals(&app, &me.access, 150, "2.50", 2).await;

    // a rejected correction changes nothing
    let c3_id =
        created_id(correct(&app, &sec.access, original, &fix(30, "再补半小时")).await).await;
    assert_eq!(
        reject(&app, &admin.access, c3_id, "无依据").await.status(),
        200
    );
    assert_totals(&app, &me.access, 150, "2.50", 2).await;

    let mine = my_hours(&app, &me.access).await;
    assert_eq!(mine["volunteer_id"], vol);
    assert_eq!(mine["star_thresholds_hours"], json!([1, 2, 3, 4, 5]));
    assert_eq!(mine["entries"]["total"], 4, "{mine}");
    let mut listed = item_ids(&mine["entries"]);
    listed.sort();
    assert_eq!(listed, vec![original, c1_id, c2_id, c3_id]);
    assert_eq!(
        list(&app, &admin.access, &format!("volunteer_id={vol}")).await["total"],
        4
    );
    // an account without a volunteer has no hours of its own
    assert_not_found(app.get_as("/api/v1/me/hours", &hr.access).await).await;

    assert_eq!(
        app.audit_of_action("hour_entry", "correct"),
        [
            audit("correct", sec.user_id, c1_id),
            audit("correct", sec.user_id, c2_id),
            audit("correct", sec.user_id, c3_id),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// scope

async fn secretaries_act_only_within_their_branch_scope(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root_sec = app.login_as(Role::Secretary).await;
    let hr = app.login_as(Role::Hr).await;
    let volunteer = app.login_as(Role::Volunteer).await;
    let sec_x = secretary_of(&app, &admin, "XFPC").await;
    let sec_n = secretary_of(&app, &admin, "NYC").await;
    let (xfpc, nyc) = (app.branch_id("XFPC"), app.branch_id("NYC"));
    let event = app.insert_event("联合活动", app.branch_id("JGDW"));
    let vx = app.insert_volunteer("消费品处志愿者", xfpc);
    let vn = app.insert_volunteer("能源处志愿者", nyc);

    // A cannot submit for B's volunteer, alone or in a roster
    assert_submission_invalid(
        &app,
        &sec_x.access,
        event,
        &entry(vn, 60),
        &["/volunteer_id"],
    )
    .await;
    assert_submission_invalid(
        &app,
        &sec_x.access,
        event,
        &roster(vec![entry(vx, 60), entry(vn, 60)]),
        &["/entries/1/volunteer_id"],
    )
    .await;
    // hr and volunteers never submit
    for token in [&hr.access, &volunteer.access] {
        assert_forbidden(submit(&app, token, event, &entry(vx, 60)).await).await;
    }
    assert_eq!(app.count("hour_entries"), 0);

    let ex = submit_one(&app, &sec_x.access, event, vx, 60).await;
    let en = submit_one(&app, &sec_n.access, event, vn, 60).await;
    let read = ok_json(
        app.get_as(&format!("/api/v1/hours/{ex}"), &sec_x.access)
            .await,
    )
    .await;
    assert_eq!(read["branch_id"], xfpc, "the volunteer's branch");

    // A cannot read B's entries
    assert_not_found(
        app.get_as(&format!("/api/v1/hours/{en}"), &sec_x.access)
            .await,
    )
    .await;
    assert_not_found(
        app.get_as(&format!("/api/v1/hours/{en}/history"), &sec_x.access)
            .await,
    )
    .await;
    let page = list(&app, &sec_x.access, "").await;
    assert_eq!(
        (page["total"].as_i64(), item_ids(&page)),
        (Some(1), vec![ex])
    );
    for query in [
        format!("branch_id={nyc}"),
        format!("volunteer_id={vn}"),
        format!("event_id={event}&branch_id={nyc}"),
    ] {
        assert_eq!(
            list(&app, &sec_x.access, &query).await["total"],
            0,
            "{query}"
        );
    }
    assert_eq!(
        list(&app, &sec_x.access, &format!("event_id={event}")).await["total"],
        1
    );
    // nor change or review them
    assert_not_found(
        edit(
            &app,
            &sec_x.access,
            en,
            Some("*"),
            &json!({ "minutes": 30 }),
        )
        .await,
    )
    .await;
    assert_not_found(withdraw(&app, &sec_x.access, en, Some("*")).await).await;
    assert_not_found(approve(&app, &sec_x.access, en).await).await;
    assert_not_found(reject(&app, &sec_x.access, en, "不对").await).await;
    assert_not_found(
        correct(
            &app,
            &sec_x.access,
            en,
            &json!({ "minutes": -10, "reason": "不对" }),
        )
        .await,
    )
    .await;
    // nor review its own
    assert_forbidden(approve(&app, &sec_x.access, ex).await).await;
    assert_forbidden(reject(&app, &sec_x.access, ex, "自己审自己").await).await;
    assert_eq!(
        (app.status_of(ex), app.status_of(en), app.minutes_of(en)),
        ("submitted".to_owned(), "submitted".to_owned(), 60)
    );

    // the root branch's secretary and hr read both; a volunteer only its own
    assert_eq!(list(&app, &root_sec.access, "").await["total"], 2);
    assert_eq!(list(&app, &hr.access, "").await["total"], 2);
    assert_eq!(list(&app, &volunteer.access, "").await["total"], 0);
    assert_not_found(
        app.get_as(&format!("/api/v1/hours/{ex}"), &volunteer.access)
            .await,
    )
    .await;
    // administrators submit for any branch
    let vn2 = app.insert_volunteer("能源处新人", nyc);
    let by_admin = submit_ok(&app, &admin.access, event, &entry(vn2, 60)).await;
    assert_eq!(by_admin[0]["submitted_by"], admin.user_id);
    assert_eq!(by_admin[0]["branch_id"], nyc);
    assert_eq!(app.count("hour_entries"), 3);
    assert_eq!(
        app.audit_rows("hour_entry"),
        vec![
            audit("create", sec_x.user_id, ex),
            audit("create", sec_n.user_id, en),
            audit("create", admin.user_id, id_of(&by_admin[0])),
        ]
    );
}

async fn a_parent_branch_secretary_reviews_when_enabled_but_never_its_own(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.hours.parent_secretary_reviews = true).await
    else {
        return;
    };
    let admin = app.login_as(Role::Admin).await;
    // both secretaries of the root branch JGDW, the parent of XFPC
    let root_sec = app.login_as(Role::Secretary).await;
    let peer = app.session("peer.secretary", Role::Secretary).await;
    let sec_x = secretary_of(&app, &admin, "XFPC").await;
    let (root, xfpc) = (app.branch_id("JGDW"), app.branch_id("XFPC"));
    let event = app.insert_event("上级审核", root);
    let vx1 = app.insert_volunteer("消费品处一", xfpc);
    let vx2 = app.insert_volunteer("消费品处二", xfpc);
    let vr = app.insert_volunteer("机关党委一", root);
    let by_x = submit_one(&app, &sec_x.access, event, vx1, 60).await;
    let by_root = submit_one(&app, &root_sec.access, event, vx2, 60).await;
    let at_root = submit_one(&app, &peer.access, event, vr, 60).await;

    // a branch's own secretary does not review its branch's hours
    assert_forbidden(approve(&app, &sec_x.access, by_x).await).await;
    assert_forbidden(approve(&app, &sec_x.access, by_root).await).await;
    assert_forbidden(approve(&app, &peer.access, at_root).await).await;
    // the parent's secretary reviews others' submissions below it...
    let approved = ok_json(approve(&app, &root_sec.access, by_x).await).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["reviewed_by"], root_sec.user_id);
    // ...but never its own
    assert_forbidden(approve(&app, &root_sec.access, by_root).await).await;
    assert_forbidden(reject(&app, &root_sec.access, by_root, "自己的").await).await;
    assert_eq!(
        (app.status_of(by_root), app.status_of(at_root)),
        ("submitted".to_owned(), "submitted".to_owned())
    );
    // an administrator may
    assert_eq!(approve(&app, &admin.access, by_root).await.status(), 200);

    assert_eq!(
        app.audit_after_create("hour_entry"),
        [
            audit("approve", root_sec.user_id, by_x),
            audit("approve", admin.user_id, by_root),
        ]
    );
}

async fn the_window_tolerance_is_configurable(backend: Backend) {
    let Some(strict) =
        TestApp::spawn_with(backend, |c| c.hours.window_tolerance = Duration::ZERO).await
    else {
        return;
    };
    let sec = strict.login_as(Role::Secretary).await;
    let root = strict.branch_id("JGDW");
    let event = strict.insert_event("无容差", root); // 01:00-04:00 UTC
    let v1 = strict.insert_volunteer("准点一", root);
    let v2 = strict.insert_volunteer("准点二", root);
    assert_submission_invalid(&strict, &sec.access, event, &entry(v1, 181), &["/minutes"]).await;
    assert_submission_invalid(
        &strict,
        &sec.access,
        event,
        &timed(v1, "2022-03-05T00:30:00Z", "2022-03-05T03:00:00Z"),
        &["/started_at"],
    )
    .await;
    assert_submission_invalid(
        &strict,
        &sec.access,
        event,
        &timed(v1, "2022-03-05T02:00:00Z", "2022-03-05T04:01:00Z"),
        &["/started_at"],
    )
    .await;
    assert_eq!(strict.count("hour_entries"), 0);
    submit_one(&strict, &sec.access, event, v1, 180).await;
    let exact = submit_ok(
        &strict,
        &sec.access,
        event,
        &timed(v2, "2022-03-05T01:00:00Z", "2022-03-05T04:00:00Z"),
    )
    .await;
    assert_eq!(exact[0]["minutes"], 180);
    drop(strict);

    let Some(lenient) = TestApp::spawn_with(backend, |c| {
        c.hours.window_tolerance = Duration::from_secs(2 * 3600)
    })
    .await
    else {
        return;
    };
    let sec = lenient.login_as(Role::Secretary).await;
    let root = lenient.branch_id("JGDW");
    let event = lenient.insert_event("两小时容差", root);
    let v1 = lenient.insert_volunteer("早到一", root);
    let v2 = lenient.insert_volunteer("早到二", root);
    assert_submission_invalid(&lenient, &sec.access, event, &entry(v1, 421), &["/minutes"]).await;
    submit_one(&lenient, &sec.access, event, v1, 420).await;
    let early = submit_ok(
        &lenient,
        &sec.access,
        event,
        &timed(v2, "2022-03-04T23:00:00Z", "2022-03-05T06:00:00Z"),
    )
    .await;
    assert_eq!(early[0]["minutes"], 420);
    assert_eq!(
        early[0]["service_date"], "2022-03-05",
        "07:00 local on the 5th"
    );
}

// ---------------------------------------------------------------------------------------
// reading: list, history, audit

async fn the_hours_list_filters_and_pages(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let hr = app.login_as(Role::Hr).await;
    let (root, xfpc, nyc) = (
        app.branch_id("JGDW"),
        app.branch_id("XFPC"),
        app.branch_id("NYC"),
    );
    let e1 = app.insert_event("三月五日", root); // item 8
    let e2 = app
        .event("三月十二日", root)
        .between("2022-03-12 01:00:00", "2022-03-12 04:00:00")
        .serving(1)
        .insert();
    let v1 = app.insert_volunteer("一号", xfpc);
    let v2 = app.insert_volunteer("二号", xfpc);
    let v3 = app.insert_volunteer("三号", nyc);
    let at_e1 = submit_ok(
        &app,
        &admin.access,
        e1,
        &roster(vec![entry(v1, 60), entry(v2, 60), entry(v3, 60)]),
    )
    .await;
    let at_e2 = submit_ok(
        &app,
        &admin.access,
        e2,
        &roster(vec![entry(v1, 90), entry(v3, 90)]),
    )
    .await;
    assert_eq!(at_e2[0]["service_date"], "2022-03-12");
    assert_eq!(
        approve(&app, &admin.access, id_of(&at_e1[0]))
            .await
            .status(),
        200
    );
    let (item8, item1) = (app.plan_item_id(8), app.plan_item_id(1));

    let cases: Vec<(String, i64)> = vec![
        (String::new(), 5),
        (format!("event_id={e1}"), 3),
        (format!("volunteer_id={v1}"), 2),
        (format!("branch_id={xfpc}"), 3),
        (format!("branch_id={root}"), 5),
        (format!("branch_id={nyc}&event_id={e2}"), 1),
        ("status=approved".to_owned(), 1),
        ("status=submitted".to_owned(), 4),
        ("status=rejected".to_owned(), 0),
        ("from=2022-03-06".to_owned(), 2),
        ("to=2022-03-05".to_owned(), 3),
        ("from=2022-03-05&to=2022-03-05".to_owned(), 3),
        (format!("plan_item_id={item8}"), 3),
        (format!("plan_item_id={item1}"), 2),
        (format!("volunteer_id={v1}&status=approved"), 1),
    ];
    for (query, expected) in cases {
        let page = list(&app, &hr.access, &query).await;
        assert_eq!(page["total"], expected, "{query}: {page}");
        assert_eq!(item_ids(&page).len() as i64, expected, "{query}");
    }
    // newest service first
    let all = item_ids(&list(&app, &hr.access, "").await);
    assert_eq!(
        all,
        vec![
            id_of(&at_e2[1]),
            id_of(&at_e2[0]),
            id_of(&at_e1[2]),
            id_of(&at_e1[1]),
            id_of(&at_e1[0]),
        ]
    );
    // pages without gaps or repeats
    let mut paged = Vec::new();
    for page in 1..=3 {
        let body = list(&app, &hr.access, &format!("limit=2&page={page}")).await;
        assert_eq!(body["total"], 5);
        assert_eq!(
            (body["page"].as_i64(), body["limit"].as_i64()),
            (Some(page), Some(2))
        );
        paged.extend(item_ids(&body));
    }
    assert_eq!(paged, all);
    assert!(item_ids(&list(&app, &hr.access, "limit=2&page=4").await).is_empty());

    assert_each_query_refused(
        &app,
        &hr.access,
        "/api/v1/hours",
        &[
            "limit=0",
            "limit=201",
            "page=0",
            "status=bogus",
            "from=yesterday",
            "volunteer_id=abc",
            "colour=red",
        ],
    )
    .await;
}

async fn the_history_shows_every_change_with_actor_time_and_reason(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let sec = app.login_as(Role::Secretary).await;
    let hr = app.login_as(Role::Hr).await;
    let me = app.login_as(Role::Volunteer).await;
    let stranger = app.session("stranger.volunteer", Role::Volunteer).await;
    let vol = app.volunteer_of("volunteer.user");
    let event = app.insert_event("履历", app.branch_id("JGDW"));

    let id = submit_one(&app, &sec.access, event, vol, 60).await;
    assert_eq!(
        edit(
            &app,
            &sec.access,
            id,
            Some("\"1\""),
            &json!({ "minutes": 90 })
        )
        .await
        .status(),
        200
    );
    assert_eq!(approve(&app, &admin.access, id).await.status(), 200);
    let c1 = created_id(
        correct(
            &app,
            &sec.access,
            id,
            &json!({ "minutes": -30, "reason": "提前离场半小时" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        reject(&app, &admin.access, c1, "离场时间无记录")
            .await
            .status(),
        200
    );
    let c2 = created_id(
        correct(
            &app,
            &sec.access,
            id,
            &json!({ "minutes": -15, "reason": "签退表显示提前十五分钟" }),
        )
        .await,
    )
    .await;
    assert_eq!(approve(&app, &admin.access, c2).await.status(), 200);

    let resp = app
        .get_as(&format!("/api/v1/hours/{id}/history"), &admin.access)
        .await;
    let items: Vec<Value> = ok_json(resp).await.as_array().unwrap().clone();
    type Step = (String, Option<i64>, Option<i64>, Option<String>);
    let summary: Vec<Step> = items
        .iter()
        .map(|i| {
            assert_eq!(i["entity"], "hour_entry");
            (
                i["action"].as_str().unwrap().to_owned(),
                i["actor_id"].as_i64(),
                i["entity_id"].as_i64(),
                i["reason"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let (s, a) = (Some(sec.user_id), Some(admin.user_id));
    let because = |r: &str| Some(r.to_owned());
    assert_eq!(
        summary,
        vec![
            ("create".to_owned(), s, Some(id), None),
            ("update".to_owned(), s, Some(id), None),
            ("approve".to_owned(), a, Some(id), None),
            ("correct".to_owned(), s, Some(c1), because("提前离场半小时")),
            ("reject".to_owned(), a, Some(c1), because("离场时间无记录")),
            (
                "correct".to_owned(),
                s,
                Some(c2),
                because("签退表显示提前十五分钟")
            ),
            ("approve".to_owned(), a, Some(c2), None),
        ]
    );
    // every change has its time, oldest first, and what changed
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = items
        .iter()
        .map(|i| chrono::DateTime::parse_from_rfc3339(i["occurred_at"].as_str().unwrap()).unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(
        (
            items[1]["before"]["minutes"].as_i64(),
            items[1]["after"]["minutes"].as_i64()
        ),
        (Some(60), Some(90))
    );
    assert_eq!(items[2]["before"]["status"], "submitted");
    assert_eq!(items[2]["after"]["status"], "approved");
    assert!(items[0]["before"].is_null() && items[0]["after"]["id"] == id);

    // who may read it: anyone whose scope holds the entry, the volunteer included
    for token in [&sec.access, &hr.access, &me.access] {
        let resp = app
            .get_as(&format!("/api/v1/hours/{id}/history"), token)
            .await;
        assert_eq!(ok_json(resp).await.as_array().unwrap().len(), 7);
    }
    assert_not_found(
        app.get_as(&format!("/api/v1/hours/{id}/history"), &stranger.access)
            .await,
    )
    .await;
    assert_not_found(
        app.get_as("/api/v1/hours/9999999/history", &admin.access)
            .await,
    )
    .await;
    // 90 minutes less the approved 15; the rejected correction does not count
    assert_totals(&app, &me.access, 75, "1.25", 0).await;
}

async fn every_hours_action_is_audited_and_the_audit_log_filters(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let sec = app.login_as(Role::Secretary).await;
    let hr = app.login_as(Role::Hr).await;
    let root = app.branch_id("JGDW");
    let event = app.insert_event("审计", root);
    let v1 = app.insert_volunteer("审计一", root);
    let v2 = app.insert_volunteer("审计二", root);
    let created = submit_ok(
        &app,
        &sec.access,
        event,
        &roster(vec![entry(v1, 60), entry(v2, 60)]),
    )
    .await;
    let (a, b) = (id_of(&created[0]), id_of(&created[1]));
    assert_eq!(
        withdraw(&app, &sec.access, a, Some("\"1\"")).await.status(),
        204
    );
    ok_json(
        review_many(
            &app,
            &admin.access,
            &json!({ "action": "approve", "ids": [b] }),
        )
        .await,
    )
    .await;
    let c = created_id(
        correct(
            &app,
            &sec.access,
            b,
            &json!({ "minutes": 30, "reason": "漏记半小时" }),
        )
        .await,
    )
    .await;
    assert_eq!(reject(&app, &admin.access, c, "无佐证").await.status(), 200);
    let expected = vec![
        audit("create", sec.user_id, a),
        audit("create", sec.user_id, b),
        audit("withdraw", sec.user_id, a),
        audit("approve", admin.user_id, b),
        audit("correct", sec.user_id, c),
        audit("reject", admin.user_id, c),
    ];
    assert_eq!(app.audit_rows("hour_entry"), expected);

    // refused actions leave no trace
    assert_eq!(
        edit(&app, &sec.access, b, Some("*"), &json!({ "minutes": 30 }))
            .await
            .status(),
        409
    );
    assert_eq!(
        withdraw(&app, &sec.access, a, Some("*")).await.status(),
        409
    );
    assert_eq!(approve(&app, &admin.access, b).await.status(), 409);
    assert_eq!(
        correct(
            &app,
            &sec.access,
            a,
            &json!({ "minutes": 10, "reason": "撤回的" })
        )
        .await
        .status(),
        409
    );
    assert_eq!(
        submit(&app, &sec.access, event, &entry(v2, 0))
            .await
            .status(),
        422
    );
    assert_eq!(app.audit_rows("hour_entry"), expected);

    // GET /api/v1/audit: administrators only, filtered by actor, entity and time
    let page = audit_page(&app, &admin.access, "entity=hour_entry").await;
    assert_eq!(page["total"], 6);
    let newest_first: Vec<&str> = strs_of(&page["items"], "action");
    assert_eq!(
        newest_first,
        ["reject", "correct", "approve", "withdraw", "create", "create"]
    );
    let reject_row = &page["items"][0];
    assert_eq!(reject_row["reason"], "无佐证");
    assert_eq!(reject_row["after"]["status"], "rejected");
    assert_eq!(reject_row["actor_id"], admin.user_id);
    assert!(reject_row["occurred_at"].is_string());

    let today = chrono::Utc::now().date_naive();
    let (yesterday, tomorrow) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
    for (query, expected) in [
        (format!("entity=hour_entry&actor_id={}", sec.user_id), 4),
        (format!("entity=hour_entry&actor_id={}", admin.user_id), 2),
        (format!("entity=hour_entry&entity_id={b}"), 2),
        (format!("entity=hour_entry&entity_id={c}"), 2),
        (
            format!("entity=hour_entry&from={yesterday}&to={tomorrow}"),
            6,
        ),
        ("entity=hour_entry&to=2000-01-01".to_owned(), 0),
        ("entity=hour_entry&from=2999-01-01".to_owned(), 0),
        (format!("actor_id={}&entity=volunteer", sec.user_id), 0),
    ] {
        assert_eq!(
            audit_page(&app, &admin.access, &query).await["total"],
            expected,
            "{query}"
        );
    }
    for token in [&sec.access, &hr.access] {
        assert_forbidden(app.get_as("/api/v1/audit?entity=hour_entry", token).await).await;
    }
}

both_backends!(
    a_roster_of_500_entries_is_recorded_whole,
    a_roster_mixing_empty_and_given_fields_stores_each_row_as_sent,
    a_roster_with_three_bad_entries_names_exactly_those_and_writes_nothing,
    each_rule_is_refused_with_its_pointer_and_nothing_is_written,
    a_second_entry_for_the_same_volunteer_event_and_day_is_a_conflict_naming_the_first,
    the_daily_cap_of_24_hours_holds_across_requests,
    idempotent_replays_answer_the_first_response_and_write_once,
    approved_entries_are_locked_and_reviews_need_a_reason,
    submitters_edit_and_withdraw_unreviewed_entries_with_if_match,
    bulk_review_is_all_or_nothing_with_an_error_per_id,
    secretaries_act_only_within_their_branch_scope,
    the_hours_list_filters_and_pages,
    the_history_shows_every_change_with_actor_time_and_reason,
    every_hours_action_is_audited_and_the_audit_log_filters,
);

per_backend!(
    corrections_are_reviewed_and_net_into_totals_and_stars,
    a_parent_branch_secretary_reviews_when_enabled_but_never_its_own,
    the_window_tolerance_is_configurable,
);
