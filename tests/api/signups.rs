//! Sign-ups (报名): places up to the capacity then a waiting list, exact under concurrency;
//! cancellation promoting the next; approval mode; eligibility and the window; who sees
//! what; only the admitted check in.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{events, signups};

use crate::both_backends;
use crate::helpers::*;

fn at(d: Duration) -> String {
    (Utc::now() + d).format("%Y-%m-%d %H:%M").to_string()
}

/// An event of JGDW tomorrow, taking sign-ups in `mode` with `capacity`.
fn event(app: &TestApp, mode: &str, capacity: Option<i32>) -> i64 {
    app.seed();
    let id = app
        .event("报名的活动", app.branch_id("JGDW"))
        .between(
            &at(Duration::days(1)),
            &at(Duration::days(1) + Duration::hours(3)),
        )
        .insert();
    diesel::update(events::table.find(id))
        .set((events::signup_mode.eq(mode), events::capacity.eq(capacity)))
        .execute(&mut app.conn())
        .expect("mode");
    id
}

async fn sign_up(app: &TestApp, token: &str, event: i64) -> reqwest::Response {
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/events/{event}/signups"),
        Some(token),
    )
    .send()
    .await
    .expect("request")
}

fn statuses(app: &TestApp, event: i64) -> Vec<(i64, String)> {
    signups::table
        .filter(signups::event_id.eq(event))
        .order(signups::id)
        .select((signups::volunteer_id, signups::status))
        .load(&mut app.conn())
        .expect("sign-ups")
}

async fn places_then_a_waiting_list_and_a_cancel_promotes_the_next(app: TestApp) {
    let ev = event(&app, "open", Some(2));
    let mut people = Vec::new();
    for name in ["a", "b", "c", "d"] {
        let s = app
            .session(&format!("signup.{name}"), Role::Volunteer)
            .await;
        let body = expect_json(sign_up(&app, &s.access, ev).await, 201).await;
        people.push((s, body));
    }
    let got: Vec<(&str, Option<i64>)> = people
        .iter()
        .map(|(_, b)| {
            (
                b["status"].as_str().unwrap(),
                b["waitlist_position"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("admitted", None),
            ("admitted", None),
            ("waitlisted", Some(1)),
            ("waitlisted", Some(2))
        ]
    );
    // signing up again names the existing sign-up
    let resp = sign_up(&app, &people[0].0.access, ev).await;
    let p = assert_problem(resp, 409, "/problems/conflict").await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("sign-up {}", people[0].1["id"])),
        "{p}"
    );
    // in Chinese, the status too
    let resp = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/events/{ev}/signups"),
            Some(&people[0].0.access),
        )
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    let p = assert_problem(resp, 409, "/problems/conflict").await;
    assert!(
        p["detail"].as_str().unwrap().ends_with("状态：已录用）"),
        "{p}"
    );

    // the first cancels: c is admitted, d moves up
    let first = people[0].1["id"].as_i64().unwrap();
    let resp = app
        .delete_any(&format!("/api/v1/signups/{first}"), &people[0].0.access)
        .await;
    assert_eq!(ok_json(resp).await["status"], "cancelled");
    let mine = app.get_ok("/api/v1/me/signups", &people[2].0.access).await;
    assert_eq!(mine["items"][0]["status"], "admitted");
    assert_eq!(mine["items"][0]["event"]["id"], ev);
    let d = app
        .get_ok(
            &format!("/api/v1/signups/{}", people[3].1["id"]),
            &people[3].0.access,
        )
        .await;
    assert_eq!(d["waitlist_position"], 1);
    let rows = app.audit_rows("signup");
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        ["create", "create", "create", "create", "cancel", "promote"]
    );

    // lowering the capacity below the admitted is refused
    let admin = app.login_as(Role::Admin).await;
    crate::attendance::serve_this_year(&app, ev);
    let path = format!("/api/v1/events/{ev}");
    let resp = app
        .request(reqwest::Method::PATCH, &path, Some(&admin.access))
        .header("if-match", "*")
        .json(&json!({ "capacity": 1 }))
        .send()
        .await
        .unwrap();
    let p = assert_problem(resp, 409, "/problems/conflict").await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("below the 2 volunteers already admitted"),
        "{p}"
    );
    // the organiser cancels d with a reason; without one it is refused
    let d_id = people[3].1["id"].as_i64().unwrap();
    let resp = app
        .delete_any(&format!("/api/v1/signups/{d_id}"), &admin.access)
        .await;
    assert_eq!(resp.status(), 400);
    let resp = app
        .delete_any(
            &format!("/api/v1/signups/{d_id}?reason=%E5%90%8D%E9%A2%9D%E8%B0%83%E6%95%B4"),
            &admin.access,
        )
        .await;
    let body = ok_json(resp).await;
    assert_eq!(
        (body["status"].as_str(), body["reason"].as_str()),
        (Some("cancelled"), Some("名额调整"))
    );
}

async fn fifty_at_once_for_ten_places(app: TestApp) {
    let ev = event(&app, "open", Some(10));
    let mut tokens = Vec::new();
    for i in 0..50 {
        tokens.push(
            app.session(&format!("rush.{i}"), Role::Volunteer)
                .await
                .access,
        );
    }
    let answers = futures_util::future::join_all(tokens.iter().map(|t| sign_up(&app, t, ev))).await;
    for a in answers {
        assert_eq!(a.status(), 201);
    }
    let rows = statuses(&app, ev);
    assert_eq!(rows.len(), 50);
    let admitted = rows.iter().filter(|r| r.1 == "admitted").count();
    let waitlisted = rows.iter().filter(|r| r.1 == "waitlisted").count();
    assert_eq!((admitted, waitlisted), (10, 40));
    // arrival order: the first ten rows hold the places
    assert!(rows[..10].iter().all(|r| r.1 == "admitted"), "{rows:?}");
    let admin = app.login_as(Role::Admin).await;
    let list = app
        .get_ok(
            &format!("/api/v1/events/{ev}/signups?status=waitlisted&limit=200"),
            &admin.access,
        )
        .await;
    let positions: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["waitlist_position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (1..=40).collect::<Vec<_>>());
}

async fn approval_mode_waits_for_the_organiser(app: TestApp) {
    let ev = event(&app, "approval", None);
    let v = app.session("applicant", Role::Volunteer).await;
    let w = app.session("applicant2", Role::Volunteer).await;
    let a = expect_json(sign_up(&app, &v.access, ev).await, 201).await;
    let b = expect_json(sign_up(&app, &w.access, ev).await, 201).await;
    assert_eq!(a["status"], "applied");
    let admin = app.login_as(Role::Admin).await;
    let admit = format!("/api/v1/signups/{}/admit", a["id"]);
    let resp = app.post_as(&admit, Some(&admin.access), &json!({})).await;
    assert_eq!(ok_json(resp).await["status"], "admitted");
    let resp = app.post_as(&admit, Some(&admin.access), &json!({})).await;
    assert_problem(resp, 409, "/problems/conflict").await;
    let decline = format!("/api/v1/signups/{}/decline", b["id"]);
    let resp = app
        .post_as(&decline, Some(&admin.access), &json!({ "reason": " " }))
        .await;
    assert_problem(resp, 422, "/problems/validation").await;
    let resp = app
        .post_as(
            &decline,
            Some(&admin.access),
            &json!({ "reason": "需持急救证" }),
        )
        .await;
    assert_eq!(ok_json(resp).await["status"], "declined");
    // a volunteer decides nothing
    let resp = app.post_as(&admit, Some(&v.access), &json!({})).await;
    assert_problem(resp, 403, "/problems/forbidden").await;
    assert_eq!(
        statuses(&app, ev)
            .iter()
            .map(|r| r.1.as_str())
            .collect::<Vec<_>>(),
        ["admitted", "declined"]
    );
}

async fn sign_up_refuses_with_the_rule(app: TestApp) {
    let v = app.session("picky", Role::Volunteer).await;
    let none = event(&app, "none", None);
    let p = assert_problem(
        sign_up(&app, &v.access, none).await,
        409,
        "/problems/conflict",
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("takes no sign-ups"),
        "{p}"
    );
    let tagged = event(&app, "open", None);
    app.conn();
    diesel::insert_into(volunteer_hours::db::schema::event_required_tags::table)
        .values((
            volunteer_hours::db::schema::event_required_tags::event_id.eq(tagged),
            volunteer_hours::db::schema::event_required_tags::tag.eq("trained"),
        ))
        .execute(&mut app.conn())
        .unwrap();
    let p = assert_problem(
        sign_up(&app, &v.access, tagged).await,
        409,
        "/problems/conflict",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("trained"), "{p}");
    let closed = event(&app, "open", None);
    diesel::update(events::table.find(closed))
        .set(events::signup_closes_at.eq(Some((Utc::now() - Duration::minutes(1)).naive_utc())))
        .execute(&mut app.conn())
        .unwrap();
    let p = assert_problem(
        sign_up(&app, &v.access, closed).await,
        409,
        "/problems/conflict",
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().starts_with("sign-up closed"),
        "{p}"
    );
    let cancelled = event(&app, "open", None);
    app.set_event_status(cancelled, "cancelled");
    assert_problem(
        sign_up(&app, &v.access, cancelled).await,
        409,
        "/problems/conflict",
    )
    .await;
    // another branch's event, open to its own subtree only
    let zb = app.insert_branch("ZB09", Some(app.branch_id("JGDW")));
    let other = event(&app, "open", None);
    diesel::update(events::table.find(other))
        .set(events::organiser_branch_id.eq(zb))
        .execute(&mut app.conn())
        .unwrap();
    assert_problem(
        sign_up(&app, &v.access, other).await,
        409,
        "/problems/conflict",
    )
    .await;
    // a volunteer names only itself; HR signs nobody up
    let ev = event(&app, "open", None);
    let stranger = app.insert_volunteer("别人", app.branch_id("JGDW"));
    let resp = app
        .post_as(
            &format!("/api/v1/events/{ev}/signups"),
            Some(&v.access),
            &json!({ "volunteer_id": stranger }),
        )
        .await;
    assert_problem(resp, 403, "/problems/forbidden").await;
    let hr = app.login_as(Role::Hr).await;
    assert_problem(
        sign_up(&app, &hr.access, ev).await,
        403,
        "/problems/forbidden",
    )
    .await;
    let resp = app
        .post_as(
            &format!("/api/v1/events/{ev}/signups"),
            Some(&v.access),
            &json!({ "extra": 1 }),
        )
        .await;
    assert_eq!(resp.status(), 422);
    assert_eq!(app.count("signups"), 0, "nothing written by any refusal");
    let mine = app.get_ok("/api/v1/me/events", &v.access).await;
    let ids: Vec<i64> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["event"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [ev], "only the event it may sign up for now");
    assert_eq!(mine["items"][0]["can_sign_up"], true);
}

async fn an_organiser_signs_up_a_volunteer_who_then_checks_in(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let ev = app
        .event("进行中的活动", app.branch_id("JGDW"))
        .between(&at(Duration::hours(-1)), &at(Duration::hours(2)))
        .insert();
    diesel::update(events::table.find(ev))
        .set(events::signup_mode.eq("open"))
        .execute(&mut app.conn())
        .unwrap();
    let v = app.insert_volunteer("现场报名", app.branch_id("JGDW"));
    let w = app.insert_volunteer("未报名", app.branch_id("JGDW"));
    let record = |v: i64| json!({ "volunteer_id": v, "action": "check_in" });
    let resp = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/events/{ev}/attendance"),
            Some(&admin.access),
        )
        .header("idempotency-key", key())
        .json(&record(w))
        .send()
        .await
        .unwrap();
    let p = assert_problem(resp, 409, "/problems/conflict").await;
    assert!(
        p["detail"].as_str().unwrap().contains("not admitted"),
        "{p}"
    );
    // the window has closed for volunteers (the event started), not for the organiser
    let resp = app
        .post_as(
            &format!("/api/v1/events/{ev}/signups"),
            Some(&admin.access),
            &json!({ "volunteer_id": v }),
        )
        .await;
    assert_eq!(expect_json(resp, 201).await["status"], "admitted");
    let resp = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/events/{ev}/attendance"),
            Some(&admin.access),
        )
        .header("idempotency-key", key())
        .json(&record(v))
        .send()
        .await
        .unwrap();
    expect_json(resp, 201).await;
    let list = app
        .get_ok(&format!("/api/v1/events/{ev}/attendance"), &admin.access)
        .await;
    assert_eq!(list["summary"]["checked_in"], 1);
    assert_eq!(list["summary"]["no_shows"], 0);
}

async fn an_admitted_volunteer_who_never_came_is_a_no_show(app: TestApp) {
    let ev = event(&app, "open", None);
    let v = app.session("absent", Role::Volunteer).await;
    expect_json(sign_up(&app, &v.access, ev).await, 201).await;
    let admin = app.login_as(Role::Admin).await;
    let list = app
        .get_ok(
            &format!("/api/v1/events/{ev}/attendance?presence=no_show"),
            &admin.access,
        )
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["volunteer_id"], app.volunteer_of("absent"));
    assert!(list["items"][0]["attendance"].is_null());
    let _: Value = list;
}

both_backends!(
    places_then_a_waiting_list_and_a_cancel_promotes_the_next,
    fifty_at_once_for_ten_places,
    approval_mode_waits_for_the_organiser,
    sign_up_refuses_with_the_rule,
    an_organiser_signs_up_a_volunteer_who_then_checks_in,
    an_admitted_volunteer_who_never_came_is_a_no_show,
);
