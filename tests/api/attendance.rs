//! Check-in and check-out (签到签退): the rotating code and its previous period, a replayed
//! old code, wrong codes and their limit; the check-in window; the organiser's scan of a
//! pass and its client time; idempotent resends; the entry a check-out makes, clipped to
//! the event; forgotten check-outs closed at the scheduled end; refused entries flagged,
//! not dropped; who sees what; the audit rows.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::attendance::codes::{self, AttendanceKey};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{attendance, hour_entries};

use crate::helpers::*;
use crate::{both_backends, per_backend};

const SECRET: &str = "a signing secret of the attendance tests, 32+ bytes";

/// A UTC time `d` from now, to the minute, as the event builder takes it.
fn at(d: Duration) -> String {
    (Utc::now() + d).format("%Y-%m-%d %H:%M").to_string()
}

/// Makes `event` serve an item of this year's plan (made if missing), as an event that is
/// edited through the API must.
pub fn serve_this_year(app: &TestApp, event: i64) {
    use volunteer_hours::db::schema::{event_plan_items, plan_items, plan_sections, plans};
    let conn = &mut app.conn();
    let year = chrono::Datelike::year(&Utc::now());
    let now = volunteer_hours::db::now();
    diesel::insert_into(plans::table)
        .values((
            plans::year.eq(year),
            plans::title.eq("本年度工作计划"),
            plans::issuer.eq("机关党委"),
            plans::created_at.eq(now),
            plans::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("plan");
    let plan: i64 = plans::table
        .filter(plans::year.eq(year))
        .select(plans::id)
        .first(conn)
        .expect("plan id");
    diesel::insert_into(plan_sections::table)
        .values((
            plan_sections::plan_id.eq(plan),
            plan_sections::number.eq(1),
            plan_sections::title.eq("志愿服务"),
        ))
        .execute(conn)
        .expect("section");
    let section: i64 = plan_sections::table
        .filter(plan_sections::plan_id.eq(plan))
        .select(plan_sections::id)
        .first(conn)
        .expect("section id");
    diesel::insert_into(plan_items::table)
        .values((
            plan_items::plan_id.eq(plan),
            plan_items::section_id.eq(section),
            plan_items::number.eq(8),
            plan_items::title.eq("志愿服务"),
            plan_items::body.eq("录入志愿服务系统"),
        ))
        .execute(conn)
        .expect("item");
    let item: i64 = plan_items::table
        .filter(plan_items::plan_id.eq(plan))
        .select(plan_items::id)
        .first(conn)
        .expect("item id");
    diesel::update(event_plan_items::table.filter(event_plan_items::event_id.eq(event)))
        .set(event_plan_items::plan_item_id.eq(item))
        .execute(conn)
        .expect("serve");
}

/// A UTC time `d` from now, as RFC 3339.
fn rfc(d: Duration) -> String {
    (Utc::now() + d).to_rfc3339()
}

/// An app whose signing secret (and so attendance key) the test knows, with `tolerance`
/// minutes around events' windows and `wrong` wrong codes allowed.
async fn app_with(
    backend: volunteer_hours::db::Backend,
    tolerance: u64,
    wrong: u32,
) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| {
        c.auth.jwt_keys = volunteer_hours::config::JwtKeys::Hs256 {
            secret: volunteer_hours::config::Secret::new(SECRET),
            previous: Vec::new(),
        };
        c.hours.window_tolerance = std::time::Duration::from_secs(tolerance * 60);
        c.attendance.max_wrong_codes = wrong;
    })
    .await
}

/// An administrator, a volunteer account (its volunteer in the root branch JGDW), and an
/// event of JGDW running from an hour ago for three hours.
struct Scene {
    admin: Session,
    walker: Session,
    walker_id: i64,
    event: i64,
}

async fn scene(app: &TestApp) -> Scene {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let walker = app.session("walker", Role::Volunteer).await;
    let event = app
        .event("社区签到活动", app.branch_id("JGDW"))
        .between(&at(Duration::hours(-1)), &at(Duration::hours(2)))
        .insert();
    Scene {
        admin,
        walker_id: app.volunteer_of("walker"),
        walker,
        event,
    }
}

async fn code_of(app: &TestApp, token: &str, event: i64) -> String {
    let body = app
        .get_ok(&format!("/api/v1/events/{event}/check-in-code"), token)
        .await;
    body["code"].as_str().expect("code").to_owned()
}

/// A volunteer's check-in or check-out (`what`) with `code` under `key`.
async fn with_code(
    app: &TestApp,
    token: &str,
    event: i64,
    what: &str,
    code: &str,
    key: &str,
) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/events/{event}/{what}"),
        Some(token),
    )
    .header("idempotency-key", key)
    .json(&json!({ "code": code }))
    .send()
    .await
    .expect("request")
}

/// The organiser's record of attendance.
async fn record(
    app: &TestApp,
    token: &str,
    event: i64,
    body: &Value,
    key: &str,
) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/events/{event}/attendance"),
        Some(token),
    )
    .header("idempotency-key", key)
    .json(body)
    .send()
    .await
    .expect("request")
}

async fn record_ok(app: &TestApp, token: &str, event: i64, body: &Value, status: u16) -> Value {
    expect_json(record(app, token, event, body, &key()).await, status).await
}

fn by_id(volunteer: i64, action: &str, when: Option<String>) -> Value {
    match when {
        Some(t) => json!({ "volunteer_id": volunteer, "action": action, "at": t }),
        None => json!({ "volunteer_id": volunteer, "action": action }),
    }
}

/// Moves an open attendance's check-in `minutes` into the past, as if the volunteer had
/// been there that long.
fn backdate_check_in(app: &TestApp, id: i64, minutes: i64) {
    let t = (Utc::now() - Duration::minutes(minutes)).naive_utc();
    diesel::update(attendance::table.find(id))
        .set(attendance::checked_in_at.eq(t))
        .execute(&mut app.conn())
        .expect("backdate");
}

fn entry_times(app: &TestApp, id: i64) -> (i32, String, bool) {
    let (minutes, source, auto): (i32, String, bool) = hour_entries::table
        .find(id)
        .select((
            hour_entries::minutes,
            hour_entries::source,
            hour_entries::auto_closed,
        ))
        .first(&mut app.conn())
        .expect("entry");
    (minutes, source, auto)
}

async fn a_volunteer_checks_in_and_out_with_the_code_and_its_entry_is_made(app: TestApp) {
    let s = scene(&app).await;
    let resp = app
        .get_as(
            &format!("/api/v1/events/{}/check-in-code", s.event),
            &s.admin.access,
        )
        .await;
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let shown = ok_json(resp).await;
    let code = shown["code"].as_str().unwrap().to_owned();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{shown}"
    );
    assert_eq!(shown["qr"], format!("VHC1.{}.{code}", s.event));
    assert_eq!(shown["period_secs"], 60);
    let expires: chrono::DateTime<Utc> = shown["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires > Utc::now() && expires <= Utc::now() + Duration::seconds(61));

    let checked_in = expect_json(
        with_code(&app, &s.walker.access, s.event, "check-in", &code, &key()).await,
        201,
    )
    .await;
    assert_eq!(checked_in["volunteer_id"], s.walker_id);
    assert_eq!(checked_in["check_in_method"], "code");
    assert!(checked_in["checked_out_at"].is_null() && checked_in["flag"].is_null());
    let id = checked_in["id"].as_i64().unwrap();
    backdate_check_in(&app, id, 95);

    // the QR payload works as well as the six digits
    let qr = format!(
        "VHC1.{}.{}",
        s.event,
        code_of(&app, &s.admin.access, s.event).await
    );
    let out = expect_json(
        with_code(&app, &s.walker.access, s.event, "check-out", &qr, &key()).await,
        200,
    )
    .await;
    assert_eq!(out["id"], id);
    assert_eq!(out["check_out_method"], "code");
    assert!(out["flag"].is_null(), "{out}");
    let entry = out["hour_entry_id"].as_i64().expect("an entry");
    let (minutes, source, auto) = entry_times(&app, entry);
    assert!((94..=95).contains(&minutes), "{minutes}");
    assert_eq!((source.as_str(), auto), ("check_in", false));
    let stored = app
        .get_ok(&format!("/api/v1/hours/{entry}"), &s.admin.access)
        .await;
    assert_eq!(stored["status"], "submitted");
    assert_eq!(stored["source"], "check_in");
    assert_eq!(stored["auto_closed"], false);
    assert_eq!(app.count("attendance"), 1);
    let rows = app.audit_rows("attendance");
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(actions, ["check_in", "check_out"]);
    assert!(rows
        .iter()
        .all(|r| r.1 == Some(s.walker.user_id) && r.2 == Some(id)));
}

async fn resending_a_check_in_or_check_out_never_makes_two(app: TestApp) {
    let s = scene(&app).await;
    let code = code_of(&app, &s.admin.access, s.event).await;
    let k = key();
    let first = with_code(&app, &s.walker.access, s.event, "check-in", &code, &k).await;
    let first = expect_json(first, 201).await;
    let again = with_code(&app, &s.walker.access, s.event, "check-in", &code, &k).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(expect_json(again, 201).await, first);
    assert_eq!(app.count("attendance"), 1);
    backdate_check_in(&app, first["id"].as_i64().unwrap(), 30);
    let k = key();
    let out = expect_json(
        with_code(&app, &s.walker.access, s.event, "check-out", &code, &k).await,
        200,
    )
    .await;
    let replay = expect_json(
        with_code(&app, &s.walker.access, s.event, "check-out", &code, &k).await,
        200,
    )
    .await;
    assert_eq!(replay, out);
    assert_eq!(app.count("hour_entries"), 1);
    assert_eq!(app.audit_rows("attendance").len(), 2);
}

async fn a_second_check_in_names_the_open_one_and_a_check_out_needs_a_check_in(app: TestApp) {
    let s = scene(&app).await;
    let code = code_of(&app, &s.admin.access, s.event).await;
    let resp = with_code(&app, &s.walker.access, s.event, "check-out", &code, &key()).await;
    let p = assert_problem(resp, 409, "/problems/conflict").await;
    assert_eq!(p["detail"], "the volunteer is not checked in at this event");
    let first = expect_json(
        with_code(&app, &s.walker.access, s.event, "check-in", &code, &key()).await,
        201,
    )
    .await;
    let resp = with_code(&app, &s.walker.access, s.event, "check-in", &code, &key()).await;
    let p = assert_problem(resp, 409, "/problems/conflict").await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("attendance {}", first["id"])),
        "{detail}"
    );
    assert_eq!(app.count("attendance"), 1);
}

async fn a_check_out_under_a_minute_is_flagged_not_dropped(app: TestApp) {
    let s = scene(&app).await;
    let code = code_of(&app, &s.admin.access, s.event).await;
    expect_json(
        with_code(&app, &s.walker.access, s.event, "check-in", &code, &key()).await,
        201,
    )
    .await;
    let out = expect_json(
        with_code(&app, &s.walker.access, s.event, "check-out", &code, &key()).await,
        200,
    )
    .await;
    assert_eq!(out["flag"], "too_short");
    assert!(out["flag_detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(out["hour_entry_id"].is_null());
    assert!(out["checked_out_at"].is_string());
    assert_eq!(app.count("hour_entries"), 0);
}

async fn a_refused_entry_leaves_the_attendance_closed_and_flagged(app: TestApp) {
    let s = scene(&app).await;
    // the secretary already typed in the walker's hours for today
    let day = (Utc::now() - Duration::minutes(50))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let typed =
        json!({ "volunteer_id": s.walker_id, "minutes": 60, "service_date": day.to_string() });
    let typed = id_of(&submit_ok(&app, &s.admin.access, s.event, &typed).await[0]);
    let checked_in = record_ok(
        &app,
        &s.admin.access,
        s.event,
        &by_id(s.walker_id, "check_in", Some(rfc(Duration::minutes(-50)))),
        201,
    )
    .await;
    let out = record_ok(
        &app,
        &s.admin.access,
        s.event,
        &by_id(s.walker_id, "check_out", None),
        200,
    )
    .await;
    assert_eq!(out["id"], checked_in["id"]);
    assert_eq!(out["flag"], "duplicate", "{out}");
    let detail = out["flag_detail"].as_str().unwrap();
    assert!(
        detail.contains(&typed.to_string()),
        "names the entry in the way: {detail}"
    );
    assert!(out["hour_entry_id"].is_null());
    assert_eq!(
        app.all_ids("hour_entries"),
        vec![typed],
        "nothing half-written"
    );
    let list = app
        .get_ok(
            &format!("/api/v1/events/{}/attendance", s.event),
            &s.admin.access,
        )
        .await;
    assert_eq!(list["summary"]["flagged"], 1);
}

async fn wrong_codes_are_refused_and_limited(backend: volunteer_hours::db::Backend) {
    let Some(app) = app_with(backend, 60, 2).await else {
        return;
    };
    let s = scene(&app).await;
    for _ in 0..2 {
        let resp = with_code(
            &app,
            &s.walker.access,
            s.event,
            "check-in",
            "000000",
            &key(),
        )
        .await;
        let resp = if resp.status() == 201 {
            // one in a million: 000000 was the code
            return;
        } else {
            resp
        };
        let p = assert_problem(resp, 422, "/problems/validation").await;
        assert_eq!(p["errors"][0]["pointer"], "/code");
    }
    let resp = with_code(
        &app,
        &s.walker.access,
        s.event,
        "check-in",
        "000000",
        &key(),
    )
    .await;
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_problem(resp, 429, "/problems/too-many-requests").await;
    // past the limit even the right code waits: guessing gains nothing
    let code = code_of(&app, &s.admin.access, s.event).await;
    let resp = with_code(&app, &s.walker.access, s.event, "check-in", &code, &key()).await;
    assert_problem(resp, 429, "/problems/too-many-requests").await;
    assert_eq!(app.count("attendance"), 0);
    // another volunteer has its own count
    let other = app.session("other-walker", Role::Volunteer).await;
    let resp = with_code(&app, &other.access, s.event, "check-in", &code, &key()).await;
    expect_json(resp, 201).await;
}

async fn the_previous_periods_code_works_and_an_older_one_does_not(
    backend: volunteer_hours::db::Backend,
) {
    let Some(app) = app_with(backend, 60, 10).await else {
        return;
    };
    let s = scene(&app).await;
    let key_ = AttendanceKey::derive(SECRET.as_bytes());
    let now = codes::counter(Utc::now(), 60);
    // the code shown is the one the key computes
    assert_eq!(
        code_of(&app, &s.admin.access, s.event).await,
        key_.code(s.event, now)
    );
    let old = key_.code(s.event, now - 2);
    if old != key_.code(s.event, now) && old != key_.code(s.event, now - 1) {
        let resp = with_code(&app, &s.walker.access, s.event, "check-in", &old, &key()).await;
        assert_problem(resp, 422, "/problems/validation").await;
    }
    let other_event = app
        .event("另一个活动", app.branch_id("JGDW"))
        .between(&at(Duration::hours(-1)), &at(Duration::hours(2)))
        .insert();
    let foreign = key_.code(other_event, now);
    if foreign != key_.code(s.event, now) && foreign != key_.code(s.event, now - 1) {
        let resp = with_code(
            &app,
            &s.walker.access,
            s.event,
            "check-in",
            &foreign,
            &key(),
        )
        .await;
        assert_problem(resp, 422, "/problems/validation").await;
    }
    let previous = key_.code(s.event, codes::counter(Utc::now(), 60) - 1);
    let resp = with_code(
        &app,
        &s.walker.access,
        s.event,
        "check-in",
        &previous,
        &key(),
    )
    .await;
    expect_json(resp, 201).await;
}

async fn check_in_opens_early_and_closes_after_the_event(app: TestApp) {
    let s = scene(&app).await;
    let root = app.branch_id("JGDW");
    let later = app
        .event("明天的活动", root)
        .between(&at(Duration::minutes(45)), &at(Duration::hours(3)))
        .insert();
    let code = code_of(&app, &s.admin.access, later).await;
    let resp = with_code(&app, &s.walker.access, later, "check-in", &code, &key()).await;
    let p = assert_problem(resp, 409, "/problems/conflict").await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .starts_with("check-in is open from"),
        "{p}"
    );
    let soon = app
        .event("半小时后的活动", root)
        .between(&at(Duration::minutes(25)), &at(Duration::hours(3)))
        .insert();
    let code = code_of(&app, &s.admin.access, soon).await;
    expect_json(
        with_code(&app, &s.walker.access, soon, "check-in", &code, &key()).await,
        201,
    )
    .await;
    let over = app
        .event("已经结束的活动", root)
        .between(&at(Duration::hours(-5)), &at(Duration::minutes(-61)))
        .insert();
    let code = code_of(&app, &s.admin.access, over).await;
    let resp = with_code(&app, &s.walker.access, over, "check-in", &code, &key()).await;
    assert_problem(resp, 409, "/problems/conflict").await;
    assert_eq!(app.count("attendance"), 1);
}

async fn an_organiser_scans_a_pass_with_the_time_its_phone_saw(
    backend: volunteer_hours::db::Backend,
) {
    let Some(app) = app_with(backend, 10, 5).await else {
        return;
    };
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let walker = app.session("walker", Role::Volunteer).await;
    let walker_id = app.volunteer_of("walker");
    // 3 to 1 hours ago; check-in opened 3.5 hours ago; entries may start 10 minutes early
    let event = app
        .event("离线签到的活动", app.branch_id("JGDW"))
        .between(&at(Duration::hours(-3)), &at(Duration::hours(-1)))
        .insert();
    let resp = app.get_as("/api/v1/me/pass", &walker.access).await;
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let pass = ok_json(resp).await;
    assert_eq!(pass["pass"], pass["qr"]);
    // the pass holds its expiry in whole seconds, and says so
    let expires: chrono::DateTime<Utc> = pass["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires.timestamp_subsec_nanos(), 0, "{pass}");
    assert!(expires > Utc::now() + Duration::minutes(119), "{pass}");
    let pass = pass["pass"].as_str().unwrap().to_owned();

    let arrived = rfc(Duration::minutes(-205));
    let body = json!({ "pass": pass, "action": "check_in", "at": arrived });
    let checked_in = record_ok(&app, &admin.access, event, &body, 201).await;
    assert_eq!(checked_in["volunteer_id"], walker_id);
    assert_eq!(checked_in["check_in_method"], "pass");
    assert_eq!(
        checked_in["checked_in_at"],
        checked_in["checked_in_client_at"]
    );
    let received: chrono::DateTime<Utc> = checked_in["checked_in_received_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        received > Utc::now() - Duration::minutes(1),
        "the server's time is kept beside"
    );

    // left 10 minutes ago, 50 minutes after the end: counted until 10 minutes after it
    let body = json!({ "pass": pass, "action": "check_out", "at": rfc(Duration::minutes(-10)) });
    let out = record_ok(&app, &admin.access, event, &body, 200).await;
    assert_eq!(out["check_out_method"], "pass");
    let entry = app
        .get_ok(
            &format!("/api/v1/hours/{}", out["hour_entry_id"]),
            &admin.access,
        )
        .await;
    // from 3h10m ago (clipped from 3h25m) to 50 minutes ago (clipped from 10)
    assert_eq!(entry["minutes"], 140, "{entry}");
    assert_eq!(entry["source"], "check_in");
    let started: chrono::DateTime<Utc> = entry["started_at"].as_str().unwrap().parse().unwrap();
    let ended: chrono::DateTime<Utc> = entry["ended_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(ended - started, Duration::minutes(140));
    assert_eq!(chrono::Timelike::second(&started), 0, "whole minutes");
}

async fn a_pass_or_a_stated_time_that_does_not_fit_is_refused(
    backend: volunteer_hours::db::Backend,
) {
    let Some(app) = app_with(backend, 60, 5).await else {
        return;
    };
    let s = scene(&app).await;
    let key_ = AttendanceKey::derive(SECRET.as_bytes());
    let expired = key_.pass(s.walker_id, Utc::now() - Duration::seconds(1));
    let forged = AttendanceKey::derive(b"another server's secret, 32 bytes long")
        .pass(s.walker_id, Utc::now() + Duration::hours(1));
    for (body, pointer) in [
        (json!({ "pass": expired, "action": "check_in" }), "/pass"),
        (json!({ "pass": forged, "action": "check_in" }), "/pass"),
        (
            json!({ "pass": "VHP1.garbage", "action": "check_in" }),
            "/pass",
        ),
        (json!({ "action": "check_in" }), ""),
        (
            json!({ "pass": expired, "volunteer_id": s.walker_id, "action": "check_in" }),
            "",
        ),
        (
            by_id(s.walker_id, "check_in", Some(rfc(Duration::hours(-3)))),
            "/at",
        ),
        (
            by_id(s.walker_id, "check_in", Some(rfc(Duration::minutes(10)))),
            "/at",
        ),
    ] {
        let resp = record(&app, &s.admin.access, s.event, &body, &key()).await;
        let p = assert_problem(resp, 422, "/problems/validation").await;
        assert_eq!(p["errors"][0]["pointer"], pointer, "{body}: {p}");
    }
    for body in [
        json!({ "volunteer_id": s.walker_id, "action": "arrive" }),
        json!({ "volunteer_id": s.walker_id, "action": "check_in", "extra": 1 }),
        json!({ "volunteer_id": "seven", "action": "check_in" }),
    ] {
        let resp = record(&app, &s.admin.access, s.event, &body, &key()).await;
        assert_eq!(resp.status(), 422, "{body}");
    }
    let resp = app
        .post_as(
            &format!("/api/v1/events/{}/attendance", s.event),
            Some(&s.admin.access),
            &by_id(s.walker_id, "check_in", None),
        )
        .await;
    assert_problem(resp, 400, "/problems/bad-request").await;
    // checked in at 10:00, a check-out stated at 9:59 is before it
    record_ok(
        &app,
        &s.admin.access,
        s.event,
        &by_id(s.walker_id, "check_in", Some(rfc(Duration::minutes(-30)))),
        201,
    )
    .await;
    let resp = record(
        &app,
        &s.admin.access,
        s.event,
        &by_id(s.walker_id, "check_out", Some(rfc(Duration::minutes(-31)))),
        &key(),
    )
    .await;
    let p = assert_problem(resp, 422, "/problems/validation").await;
    assert_eq!(p["errors"][0]["pointer"], "/at");
    assert_eq!(app.count("attendance"), 1);
    assert_eq!(app.count("hour_entries"), 0);
}

async fn closing_the_attendance_checks_out_the_forgotten_at_the_scheduled_end(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let event = app
        .event("忘记签退的活动", root)
        .between(&at(Duration::hours(-3)), &at(Duration::minutes(-30)))
        .insert();
    let (a, b) = (
        app.insert_volunteer("甲", root),
        app.insert_volunteer("乙", root),
    );
    for v in [a, b] {
        record_ok(
            &app,
            &admin.access,
            event,
            &by_id(v, "check_in", Some(rfc(Duration::minutes(-170)))),
            201,
        )
        .await;
    }
    record_ok(
        &app,
        &admin.access,
        event,
        &by_id(b, "check_out", Some(rfc(Duration::minutes(-40)))),
        200,
    )
    .await;
    let close = format!("/api/v1/events/{event}/attendance/close");
    let closed = ok_json(app.post_as(&close, Some(&admin.access), &json!(null)).await).await;
    let closed = closed["closed"].as_array().unwrap().clone();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0]["volunteer_id"], a);
    assert_eq!(closed[0]["auto_closed"], true);
    assert_eq!(closed[0]["check_out_method"], "auto");
    let entry = closed[0]["hour_entry_id"].as_i64().expect("entry");
    let (minutes, source, auto) = entry_times(&app, entry);
    // from 170 minutes ago to the scheduled end 30 minutes ago, never later
    assert!((139..=140).contains(&minutes), "{minutes}");
    assert_eq!((source.as_str(), auto), ("check_in", true));
    let listed = app
        .get_ok(
            &format!("/api/v1/hours?event_id={event}&source=check_in"),
            &admin.access,
        )
        .await;
    assert_eq!(listed["total"], 2);
    // the totals tell typed-in hours from check-ins, and filter by source
    let typed = app.insert_volunteer("丁", root);
    submit_ok(
        &app,
        &admin.access,
        event,
        &crate::helpers::entry(typed, 45),
    )
    .await;
    let report = app
        .get_ok(
            "/api/v1/reports/totals?group_by=source&status=submitted",
            &admin.access,
        )
        .await;
    let by_source: Vec<(String, i64)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_owned(),
                r["entry_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_source,
        [("check_in".to_owned(), 2), ("entered".to_owned(), 1)],
        "{report}"
    );
    let only = app
        .get_ok(
            "/api/v1/reports/totals?group_by=volunteer&status=submitted&source=entered",
            &admin.access,
        )
        .await;
    assert_eq!(only["rows"].as_array().map(Vec::len), Some(1));
    assert_eq!(only["rows"][0]["volunteer_id"], typed);
    let again = ok_json(app.post_as(&close, Some(&admin.access), &json!(null)).await).await;
    assert_eq!(again["closed"], json!([]));
    assert!(app
        .audit_rows("attendance")
        .iter()
        .any(|r| r.0 == "auto_close" && r.2 == Some(closed[0]["id"].as_i64().unwrap())));
}

async fn completing_the_event_closes_its_attendance(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let event = app
        .event("完成时签退", root)
        .between(&at(Duration::hours(-3)), &at(Duration::minutes(-30)))
        .insert();
    let v = app.insert_volunteer("丙", root);
    record_ok(
        &app,
        &admin.access,
        event,
        &by_id(v, "check_in", Some(rfc(Duration::minutes(-100)))),
        201,
    )
    .await;
    app.set_event_status(event, "open");
    serve_this_year(&app, event);
    let path = format!("/api/v1/events/{event}");
    let resp = app.get_as(&path, &admin.access).await;
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let resp = app
        .request(reqwest::Method::PATCH, &path, Some(&admin.access))
        .header("if-match", etag)
        .json(&json!({ "status": "completed" }))
        .send()
        .await
        .unwrap();
    expect_json(resp, 200).await;
    let list = app
        .get_ok(&format!("/api/v1/events/{event}/attendance"), &admin.access)
        .await;
    assert_eq!(list["summary"]["checked_in"], 0);
    assert_eq!(list["items"][0]["attendance"]["auto_closed"], true);
    let entry = list["items"][0]["attendance"]["hour_entry_id"]
        .as_i64()
        .unwrap();
    assert!(entry_times(&app, entry).2);
    // a completed event takes no more check-ins, and shows no code
    let resp = record(
        &app,
        &admin.access,
        event,
        &by_id(v, "check_in", None),
        &key(),
    )
    .await;
    assert_problem(resp, 409, "/problems/conflict").await;
    let resp = app
        .get_as(
            &format!("/api/v1/events/{event}/check-in-code"),
            &admin.access,
        )
        .await;
    assert_problem(resp, 409, "/problems/conflict").await;
}

async fn who_sees_and_takes_attendance(app: TestApp) {
    let s = scene(&app).await;
    let root = app.branch_id("JGDW");
    let zb01 = app.insert_branch("ZB01", Some(root));
    let zb02 = app.insert_branch("ZB02", Some(root));
    let own = app.insert_volunteer("一支部志愿者", zb01);
    let other = app.insert_volunteer("二支部志愿者", zb02);
    for v in [own, other, s.walker_id] {
        record_ok(
            &app,
            &s.admin.access,
            s.event,
            &by_id(v, "check_in", None),
            201,
        )
        .await;
    }
    record_ok(
        &app,
        &s.admin.access,
        s.event,
        &by_id(other, "check_out", None),
        200,
    )
    .await;
    let path = format!("/api/v1/events/{}/attendance", s.event);
    let all = app.get_ok(&path, &s.admin.access).await;
    assert_eq!(all["total"], 3);
    assert_eq!(
        all["summary"],
        json!({ "checked_in": 2, "checked_out": 1, "flagged": 1, "no_shows": 0 })
    );
    let only = app
        .get_ok(&format!("{path}?presence=checked_out"), &s.admin.access)
        .await;
    assert_eq!(only["total"], 1);
    assert_eq!(only["items"][0]["volunteer_id"], other);
    assert_eq!(only["items"][0]["volunteer_name"], "二支部志愿者");
    let paged = app
        .get_ok(&format!("{path}?limit=2&page=2"), &s.admin.access)
        .await;
    assert_eq!(
        (
            paged["total"].as_i64(),
            paged["items"].as_array().map(Vec::len)
        ),
        (Some(3), Some(1))
    );

    // a secretary of ZB01 sees its own volunteer at the root's event, and takes none
    app.create_user("zb01.sec", Role::Secretary);
    diesel::update(
        volunteer_hours::db::schema::users::table
            .filter(volunteer_hours::db::schema::users::username.eq("zb01.sec")),
    )
    .set(volunteer_hours::db::schema::users::branch_id.eq(zb01))
    .execute(&mut app.conn())
    .unwrap();
    let sec = app.session("zb01.sec", Role::Secretary).await;
    let seen = app.get_ok(&path, &sec.access).await;
    assert_eq!(seen["total"], 1);
    assert_eq!(seen["items"][0]["volunteer_id"], own);
    let resp = app
        .get_as(
            &format!("/api/v1/events/{}/check-in-code", s.event),
            &sec.access,
        )
        .await;
    assert_problem(resp, 404, "/problems/not-found").await;
    let resp = record(
        &app,
        &sec.access,
        s.event,
        &by_id(own, "check_out", None),
        &key(),
    )
    .await;
    assert_problem(resp, 404, "/problems/not-found").await;

    let hr = app.login_as(Role::Hr).await;
    for token in [&hr.access, &s.walker.access] {
        assert_problem(app.get_as(&path, token).await, 403, "/problems/forbidden").await;
        let resp = app
            .get_as(&format!("/api/v1/events/{}/check-in-code", s.event), token)
            .await;
        assert_problem(resp, 403, "/problems/forbidden").await;
    }
    let resp = with_code(&app, &s.admin.access, s.event, "check-in", "123456", &key()).await;
    assert_problem(resp, 403, "/problems/forbidden").await;
    let resp = app.get_as("/api/v1/me/pass", &s.admin.access).await;
    assert_problem(resp, 403, "/problems/forbidden").await;

    let mine = app.get_ok("/api/v1/me/attendance", &s.walker.access).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["volunteer_id"], s.walker_id);
}

async fn only_those_the_event_is_open_to_check_in(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let zb01 = app.insert_branch("ZB01", Some(root));
    let zb02 = app.insert_branch("ZB02", Some(root));
    let event = app
        .event("一支部的活动", zb01)
        .between(&at(Duration::hours(-1)), &at(Duration::hours(2)))
        .insert();
    let outsider = app.insert_volunteer("外支部", zb02);
    let resp = record(
        &app,
        &admin.access,
        event,
        &by_id(outsider, "check_in", None),
        &key(),
    )
    .await;
    let p = assert_problem(resp, 409, "/problems/conflict").await;
    assert_eq!(
        p["detail"],
        "this event is not open to the volunteer's branch"
    );
    let archived = app.insert_volunteer("已归档", zb01);
    app.set_volunteer_status(archived, "archived");
    let resp = record(
        &app,
        &admin.access,
        event,
        &by_id(archived, "check_in", None),
        &key(),
    )
    .await;
    assert_problem(resp, 409, "/problems/conflict").await;
    let resp = record(
        &app,
        &admin.access,
        event,
        &by_id(999_999, "check_in", None),
        &key(),
    )
    .await;
    assert_problem(resp, 404, "/problems/not-found").await;
    app.set_event_status(event, "cancelled");
    let resp = record(
        &app,
        &admin.access,
        event,
        &by_id(app.insert_volunteer("本支部", zb01), "check_in", None),
        &key(),
    )
    .await;
    assert_problem(resp, 409, "/problems/conflict").await;
    assert_eq!(app.count("attendance"), 0);
}

both_backends!(
    a_volunteer_checks_in_and_out_with_the_code_and_its_entry_is_made,
    resending_a_check_in_or_check_out_never_makes_two,
    a_second_check_in_names_the_open_one_and_a_check_out_needs_a_check_in,
    a_check_out_under_a_minute_is_flagged_not_dropped,
    a_refused_entry_leaves_the_attendance_closed_and_flagged,
    check_in_opens_early_and_closes_after_the_event,
    closing_the_attendance_checks_out_the_forgotten_at_the_scheduled_end,
    completing_the_event_closes_its_attendance,
    who_sees_and_takes_attendance,
    only_those_the_event_is_open_to_check_in,
);

per_backend!(
    wrong_codes_are_refused_and_limited,
    the_previous_periods_code_works_and_an_older_one_does_not,
    an_organiser_scans_a_pass_with_the_time_its_phone_saw,
    a_pass_or_a_stated_time_that_does_not_fit_is_refused,
);
