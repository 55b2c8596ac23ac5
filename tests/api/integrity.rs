//! Approved hours stay true: an event is not rewritten under its hours (or only by an
//! amendment that leaves a trace), a cancelled event approves nothing more, one person is in
//! one place at a time, and nobody reviews what it submitted itself.

use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{audit_log, event_plan_items, events, hour_entries};
use volunteer_hours::db::Backend;

use crate::helpers::*;
use crate::{both_backends, on_each_backend};

/// Who acts in these scenarios: an administrator, the secretary of JGDW, and two items of
/// the 2022 plan.
struct World {
    admin: Session,
    secretary: String,
    branch: i64,
    item8: i64,
    item9: i64,
}

async fn world(app: &TestApp) -> World {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    World {
        secretary: secretary_of(app, &admin, "JGDW").await.access,
        branch: app.branch_id("JGDW"),
        item8: app.plan_item_id(8),
        item9: app.plan_item_id(9),
        admin,
    }
}

/// An event of JGDW between two UTC times ("YYYY-MM-DD HH:MM"), serving plan item 8.
fn event(app: &TestApp, w: &World, start: &str, end: &str) -> i64 {
    app.event("学雷锋志愿服务", w.branch)
        .between(start, end)
        .insert()
}

/// 林晓燕, 陈建国 and 王芳, volunteers of JGDW.
fn three_volunteers(app: &TestApp, w: &World) -> [i64; 3] {
    ["林晓燕", "陈建国", "王芳"].map(|name| app.insert_volunteer(name, w.branch))
}

/// 09:00-12:00 local time on 2022-03-05 (01:00-04:00 UTC).
fn morning_event(app: &TestApp, w: &World) -> i64 {
    event(app, w, "2022-03-05 01:00", "2022-03-05 04:00")
}

/// Timed service on 2022-03-05 between two UTC clock times ("HH:MM").
fn served(volunteer: i64, from: &str, to: &str) -> Value {
    timed(
        volunteer,
        &format!("2022-03-05T{from}:00Z"),
        &format!("2022-03-05T{to}:00Z"),
    )
}

async fn event_etag(app: &TestApp, token: &str, event: i64) -> String {
    let resp = app.get_as(&format!("/api/v1/events/{event}"), token).await;
    assert_eq!(resp.status(), 200);
    header(&resp, "etag")
}

/// A PATCH of the event with its current ETag.
async fn edit_event(app: &TestApp, token: &str, event: i64, change: Value) -> reqwest::Response {
    let tag = event_etag(app, token, event).await;
    app.patch_as(
        &format!("/api/v1/events/{event}"),
        token,
        Some(&tag),
        &change,
    )
    .await
}

async fn amend(app: &TestApp, token: &str, event: i64, body: Value) -> reqwest::Response {
    let tag = event_etag(app, token, event).await;
    app.request(
        reqwest::Method::POST,
        &format!("/api/v1/events/{event}/amendments"),
        Some(token),
    )
    .header("if-match", tag)
    .json(&body)
    .send()
    .await
    .expect("request")
}

/// A 409 naming exactly `ids` (in id order) as the entries in the way.
async fn assert_names_entries(resp: reqwest::Response, ids: &[i64]) -> Value {
    let body = assert_conflict(resp).await;
    let mut want = ids.to_vec();
    want.sort_unstable();
    assert_eq!(body["entry_ids"], json!(want), "{body}");
    assert_eq!(body["entry_count"], ids.len(), "{body}");
    body
}

/// The event as stored: (category, plan items, starts_at, ends_at, version).
fn stored_event(app: &TestApp, event: i64) -> (String, Vec<i64>, String, String, i64) {
    let conn = &mut app.conn();
    let (category, starts, ends, version): (
        String,
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        i64,
    ) = events::table
        .find(event)
        .select((
            events::category,
            events::starts_at,
            events::ends_at,
            events::version,
        ))
        .first(conn)
        .expect("event");
    let items: Vec<i64> = event_plan_items::table
        .filter(event_plan_items::event_id.eq(event))
        .order(event_plan_items::plan_item_id)
        .select(event_plan_items::plan_item_id)
        .load(conn)
        .expect("items");
    (
        category,
        items,
        starts.format("%H:%M").to_string(),
        ends.format("%H:%M").to_string(),
        version,
    )
}

// ---------------------------------------------------------------------------------------
// 1. an event cannot be rewritten under its hours

async fn an_event_with_hours_keeps_what_its_entries_were_accepted_under(app: TestApp) {
    let w = world(&app).await;
    let ev = morning_event(&app, &w);
    let (a, b) = (
        app.insert_volunteer("林晓燕", w.branch),
        app.insert_volunteer("陈建国", w.branch),
    );
    let ids = recorded(
        &app,
        &w.secretary,
        ev,
        vec![entry(a, 200), served(b, "01:00", "04:00")],
    )
    .await;
    let (long, timed_entry) = (ids[0], ids[1]);
    let admin = &w.admin.access;

    // while nothing is approved, the category and plan items may change
    expect_json(
        edit_event(&app, admin, ev, json!({ "category": "tree_planting" })).await,
        200,
    )
    .await;
    expect_json(
        edit_event(&app, admin, ev, json!({ "plan_item_ids": [w.item9] })).await,
        200,
    )
    .await;
    // but not times that some submitted entry would no longer fit
    let shorter = json!({ "ends_at": "2022-03-05T02:00:00Z" }); // 180 minutes with tolerance
    assert_names_entries(
        edit_event(&app, admin, ev, shorter).await,
        &[long, timed_entry],
    )
    .await;
    let later = json!({ "starts_at": "2022-03-05T03:00:00Z", "ends_at": "2022-03-05T06:00:00Z" });
    assert_names_entries(
        edit_event(&app, &w.secretary, ev, later).await,
        &[timed_entry],
    )
    .await;
    let next_day =
        json!({ "starts_at": "2022-03-06T01:00:00Z", "ends_at": "2022-03-06T04:00:00Z" });
    assert_names_entries(
        edit_event(&app, admin, ev, next_day).await,
        &[long, timed_entry],
    )
    .await;
    let (category, items, starts, ends, _) = stored_event(&app, ev);
    assert_eq!(
        (category.as_str(), items, starts.as_str(), ends.as_str()),
        ("tree_planting", vec![w.item9], "01:00", "04:00"),
        "a refused change changes nothing"
    );
    // times that every entry still fits are fine
    expect_json(
        edit_event(
            &app,
            admin,
            ev,
            json!({ "ends_at": "2022-03-05T05:00:00Z" }),
        )
        .await,
        200,
    )
    .await;

    // once an entry is approved, the category and plan items are fixed
    expect_json(approve(&app, admin, long).await, 200).await;
    let body = assert_names_entries(
        edit_event(
            &app,
            &w.secretary,
            ev,
            json!({ "category": "lei_feng_day" }),
        )
        .await,
        &[long],
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("amendments"),
        "{body}"
    );
    assert_names_entries(
        edit_event(
            &app,
            admin,
            ev,
            json!({ "plan_item_ids": [w.item8, w.item9] }),
        )
        .await,
        &[long],
    )
    .await;
    // naming the values it has is no change
    expect_json(
        edit_event(
            &app,
            admin,
            ev,
            json!({ "category": "tree_planting", "plan_item_ids": [w.item9] }),
        )
        .await,
        200,
    )
    .await;
    // what does not alter the hours stays editable
    let other = json!({
        "title": "学雷锋日（更正）", "description": "说明", "place": "马厂社区",
        "capacity": 30, "status": "open"
    });
    let changed = expect_json(edit_event(&app, &w.secretary, ev, other).await, 200).await;
    assert_eq!(changed["title"], "学雷锋日（更正）");
    assert_eq!(changed["status"], "open");
    let (category, items, _, ends, _) = stored_event(&app, ev);
    assert_eq!(
        (category.as_str(), items, ends.as_str()),
        ("tree_planting", vec![w.item9], "05:00")
    );
}

async fn a_conflict_names_twenty_entries_and_counts_them_all(app: TestApp) {
    let w = world(&app).await;
    let ev = morning_event(&app, &w);
    let people: Vec<i64> = (0..25)
        .map(|i| app.insert_volunteer(&format!("志愿者{i}"), w.branch))
        .collect();
    let ids = recorded(
        &app,
        &w.secretary,
        ev,
        people.iter().map(|v| entry(*v, 60)).collect(),
    )
    .await;
    approve_all(&app, &w.admin.access, &ids).await;
    let resp = edit_event(&app, &w.admin.access, ev, json!({ "category": "other" })).await;
    let body = assert_conflict(resp).await;
    let mut first: Vec<i64> = ids.clone();
    first.sort_unstable();
    first.truncate(20);
    assert_eq!(body["entry_ids"], json!(first), "{body}");
    assert_eq!(body["entry_count"], 25);
    assert!(
        body["detail"].as_str().unwrap().ends_with("and 5 more"),
        "{body}"
    );
}

async fn an_administrator_amends_an_event_and_every_entry_history_shows_it(app: TestApp) {
    let w = world(&app).await;
    let ev = morning_event(&app, &w);
    let [a, b, c] = three_volunteers(&app, &w);
    let ids = recorded(
        &app,
        &w.secretary,
        ev,
        vec![entry(a, 120), served(b, "01:00", "02:00"), entry(c, 30)],
    )
    .await;
    approve_all(&app, &w.admin.access, &ids[..2]).await;
    let admin = &w.admin.access;
    let by_item = |token: String| {
        let app = &app;
        async move {
            let body = app
                .get_ok("/api/v1/reports/totals?group_by=plan_item,category", &token)
                .await;
            body["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| {
                    (
                        r["plan_item_number"].as_i64().unwrap(),
                        r["category"].as_str().unwrap().to_owned(),
                        r["total_minutes"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        by_item(admin.clone()).await,
        vec![(8, "lei_feng_day".to_owned(), 180)]
    );

    let change = json!({ "category": "tree_planting", "plan_item_ids": [w.item9], "reason": "类别录入错误" });
    // only administrators amend, with If-Match, a reason, and something to change
    assert_forbidden(amend(&app, &w.secretary, ev, change.clone()).await).await;
    let bare = app
        .post_as(
            &format!("/api/v1/events/{ev}/amendments"),
            Some(admin),
            &change,
        )
        .await;
    assert_precondition_required(bare).await;
    let no_reason = json!({ "category": "tree_planting" });
    assert_validation(amend(&app, admin, ev, no_reason).await).await;
    let empty = json!({ "category": "tree_planting", "reason": "" });
    let body = assert_validation(amend(&app, admin, ev, empty).await).await;
    assert_eq!(pointers(&body), vec!["/reason"]);
    let same = json!({ "category": "lei_feng_day", "reason": "无变化" });
    assert_validation(amend(&app, admin, ev, same).await).await;
    // times only where every live entry still fits
    let squeeze = json!({ "starts_at": "2022-03-05T03:30:00Z", "ends_at": "2022-03-05T04:00:00Z", "reason": "时间有误" });
    assert_names_entries(amend(&app, admin, ev, squeeze).await, &[ids[1]]).await;
    assert_eq!(stored_event(&app, ev).4, 1, "refusals change nothing");
    assert_eq!(
        by_item(admin.clone()).await,
        vec![(8, "lei_feng_day".to_owned(), 180)]
    );

    let resp = amend(&app, admin, ev, change).await;
    assert_eq!(header(&resp, "etag"), "\"2\"");
    let body = expect_json(resp, 200).await;
    assert_eq!(body["changed"], json!(["category", "plan_item_ids"]));
    assert_eq!(body["affected_entry_ids"], json!(ids));
    assert_eq!(body["moved_minutes"], 180, "the two approved entries move");
    assert_eq!(body["event"]["category"], "tree_planting");
    assert_eq!(body["reason"], "类别录入错误");
    assert_eq!(stored_event(&app, ev).0, "tree_planting");
    assert_eq!(stored_event(&app, ev).1, vec![w.item9]);
    // the totals moved by exactly what the amendment says
    assert_eq!(
        by_item(admin.clone()).await,
        vec![(9, "tree_planting".to_owned(), 180)]
    );

    // the audit log keeps the event before and after, with the reason
    let (before, after, reason): (Option<String>, Option<String>, Option<String>) =
        audit_log::table
            .filter(audit_log::entity.eq("event"))
            .filter(audit_log::entity_id.eq(ev))
            .filter(audit_log::action.eq("amend"))
            .select((
                audit_log::before_json,
                audit_log::after_json,
                audit_log::reason,
            ))
            .first(&mut app.conn())
            .expect("the amendment's audit row");
    let before: Value = serde_json::from_str(&before.unwrap()).unwrap();
    let after: Value = serde_json::from_str(&after.unwrap()).unwrap();
    assert_eq!(before["category"], "lei_feng_day");
    assert_eq!(after["event"]["category"], "tree_planting");
    assert_eq!(after["moved_minutes"], 180);
    assert_eq!(reason.as_deref(), Some("类别录入错误"));
    // and the history of every affected entry shows it
    for id in &ids {
        let history = app
            .get_ok(&format!("/api/v1/hours/{id}/history"), admin)
            .await;
        let last = history.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "event_amended", "{history}");
        assert_eq!(last["reason"], "类别录入错误");
        assert_eq!(last["before"]["category"], "lei_feng_day", "{last}");
        assert_eq!(last["after"]["plan_item_ids"], json!([w.item9]), "{last}");
    }
    // times that fit every entry are amended too
    let wider = json!({ "ends_at": "2022-03-05T05:00:00Z", "reason": "实际延长一小时" });
    let body = expect_json(amend(&app, admin, ev, wider).await, 200).await;
    assert_eq!(body["changed"], json!(["ends_at"]));
    assert_eq!(body["moved_minutes"], 0);
}

async fn a_cancelled_event_approves_nothing_more_and_keeps_what_was_approved(app: TestApp) {
    let w = world(&app).await;
    let ev = morning_event(&app, &w);
    let [a, b, c] = three_volunteers(&app, &w);
    let ids = recorded(
        &app,
        &w.secretary,
        ev,
        vec![entry(a, 60), entry(b, 90), entry(c, 30)],
    )
    .await;
    let admin = &w.admin.access;
    expect_json(approve(&app, admin, ids[0]).await, 200).await;
    expect_json(
        edit_event(&app, &w.secretary, ev, json!({ "status": "cancelled" })).await,
        200,
    )
    .await;

    assert_conflict(approve(&app, admin, ids[1]).await).await;
    let bulk = app
        .post_as(
            "/api/v1/hours/review",
            Some(admin),
            &json!({ "action": "approve", "ids": [ids[1], ids[2]] }),
        )
        .await;
    let body = assert_validation(bulk).await;
    assert_eq!(pointers(&body), vec!["/ids/0", "/ids/1"]);
    let correction = app
        .post_as(
            &format!("/api/v1/hours/{}/corrections", ids[0]),
            Some(&w.secretary),
            &json!({ "minutes": -10, "reason": "多记" }),
        )
        .await;
    assert_conflict(correction).await;
    assert_eq!(app.status_of(ids[1]), "submitted");
    // rejected or withdrawn, as ever
    let reject = app
        .post_as(
            &format!("/api/v1/hours/{}/reject", ids[1]),
            Some(admin),
            &json!({ "reason": "活动取消" }),
        )
        .await;
    expect_json(reject, 200).await;
    assert_eq!(app.status_of(ids[1]), "rejected");
    // the approved entry stays counted
    let totals = app
        .get_ok("/api/v1/reports/totals?group_by=event", admin)
        .await;
    assert_eq!(totals["rows"][0]["total_minutes"], 60, "{totals}");
    // and the cancellation's audit row lists what stays counted and what cannot be approved
    let (after, reason): (Option<String>, Option<String>) = audit_log::table
        .filter(audit_log::entity.eq("event"))
        .filter(audit_log::entity_id.eq(ev))
        .order(audit_log::id.desc())
        .select((audit_log::after_json, audit_log::reason))
        .first(&mut app.conn())
        .expect("audit row");
    let after: Value = serde_json::from_str(&after.unwrap()).unwrap();
    assert_eq!(after["status"], "cancelled");
    assert_eq!(after["approved_entry_ids"], json!([ids[0]]));
    assert_eq!(after["submitted_entry_ids"], json!([ids[1], ids[2]]));
    assert!(reason.unwrap().contains("1 approved"));
}

// ---------------------------------------------------------------------------------------
// 2. one person, one place at a time

fn entries_of(app: &TestApp, volunteer: i64) -> i64 {
    hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .count()
        .get_result(&mut app.conn())
        .expect("count")
}

async fn timed_service_of_one_volunteer_never_overlaps(app: TestApp) {
    let w = world(&app).await;
    let first = morning_event(&app, &w);
    let second = event(&app, &w, "2022-03-05 02:00", "2022-03-05 05:00");
    let third = event(&app, &w, "2022-03-05 02:00", "2022-03-05 05:00");
    let v = app.insert_volunteer("林晓燕", w.branch);
    let s = &w.secretary;
    let a = recorded(&app, s, first, vec![served(v, "01:00", "04:00")]).await[0];

    // full and partial overlaps at another event are refused, naming the entry
    assert_names_entries(
        submit_roster(&app, s, second, vec![served(v, "02:00", "03:00")]).await,
        &[a],
    )
    .await;
    assert_names_entries(
        submit_roster(&app, s, second, vec![served(v, "03:30", "04:30")]).await,
        &[a],
    )
    .await;
    assert_names_entries(
        submit_roster(&app, s, second, vec![served(v, "01:00", "05:00")]).await,
        &[a],
    )
    .await;
    assert_eq!(entries_of(&app, v), 1, "refusals write nothing");
    // touching ends are fine
    let b = recorded(&app, s, second, vec![served(v, "04:00", "05:00")]).await[0];
    // minutes alone carry no clock time: only the daily cap guards them
    recorded(&app, s, third, vec![entry(v, 60)]).await;

    // an edit that would overlap is refused too, and changes nothing
    let tag = header(&app.get_as(&format!("/api/v1/hours/{b}"), s).await, "etag");
    let earlier =
        json!({ "started_at": "2022-03-05T03:00:00Z", "ended_at": "2022-03-05T05:00:00Z" });
    assert_names_entries(
        app.patch_as(&format!("/api/v1/hours/{b}"), s, Some(&tag), &earlier)
            .await,
        &[a],
    )
    .await;
    // a withdrawn entry no longer holds the time
    let tag_a = header(&app.get_as(&format!("/api/v1/hours/{a}"), s).await, "etag");
    let resp =
        crate::helpers::delete_as(&app, &format!("/api/v1/hours/{a}"), s, Some(&tag_a)).await;
    assert_eq!(resp.status(), 204);
    let edited = expect_json(
        app.patch_as(&format!("/api/v1/hours/{b}"), s, Some(&tag), &earlier)
            .await,
        200,
    )
    .await;
    assert_eq!(edited["minutes"], 120);
    assert_eq!(entries_of(&app, v), 3);
}

async fn two_overlapping_entries_in_one_roster_name_each_other(app: TestApp) {
    let w = world(&app).await;
    // through the night: 22:00 on 5 March to 10:00 on 6 March, local time
    let night = event(&app, &w, "2022-03-05 14:00", "2022-03-06 02:00");
    let v = app.insert_volunteer("林晓燕", w.branch);
    let other = app.insert_volunteer("陈建国", w.branch);
    let entries = vec![
        json!({ "volunteer_id": v, "started_at": "2022-03-05T15:00:00Z", "ended_at": "2022-03-05T17:00:00Z", "service_date": "2022-03-05" }),
        json!({ "volunteer_id": other, "started_at": "2022-03-05T15:00:00Z", "ended_at": "2022-03-05T17:00:00Z" }),
        json!({ "volunteer_id": v, "started_at": "2022-03-05T16:00:00Z", "ended_at": "2022-03-05T18:00:00Z", "service_date": "2022-03-06" }),
    ];
    let body = assert_validation(submit_roster(&app, &w.secretary, night, entries).await).await;
    assert_eq!(
        pointers(&body),
        vec!["/entries/0/started_at", "/entries/2/started_at"]
    );
    assert_first_error_mentions(&body, "/entries/2");
    assert_eq!(entries_of(&app, v) + entries_of(&app, other), 0);
}

/// Two rosters for one volunteer at two events, overlapping, posted at the same moment:
/// never both land.
async fn concurrent_overlapping_rosters(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = world(&app).await;
    let first = morning_event(&app, &w);
    let second = event(&app, &w, "2022-03-05 02:00", "2022-03-05 05:00");
    for round in 0..6 {
        let v = app.insert_volunteer(&format!("并发{round}"), w.branch);
        let posts = [
            submit_roster(&app, &w.secretary, first, vec![served(v, "01:00", "03:00")]),
            submit_roster(
                &app,
                &w.secretary,
                second,
                vec![served(v, "02:00", "04:00")],
            ),
        ];
        let mut statuses: Vec<u16> = join_all(posts)
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![201, 409], "round {round}");
        assert_eq!(entries_of(&app, v), 1, "round {round}");
    }
}

// ---------------------------------------------------------------------------------------
// 4. four eyes

async fn nobody_reviews_what_it_submitted(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.hours.review_own_submissions = false).await
    else {
        return;
    };
    let w = world(&app).await;
    let ev = morning_event(&app, &w);
    let second = app.session("second.admin", Role::Admin).await;
    let (a, b) = (
        app.insert_volunteer("林晓燕", w.branch),
        app.insert_volunteer("陈建国", w.branch),
    );
    let own = recorded(&app, &w.admin.access, ev, vec![entry(a, 60)]).await[0];
    let theirs = recorded(&app, &w.secretary, ev, vec![entry(b, 60)]).await[0];

    let body = assert_forbidden(approve(&app, &w.admin.access, own).await).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("REVIEW_OWN_SUBMISSIONS"),
        "{body}"
    );
    assert_forbidden(reject(&app, &w.admin.access, own, "不符").await).await;
    // in bulk, the own entry is named like any unreviewable id, and nothing is approved
    let bulk = review_many(
        &app,
        &w.admin.access,
        &json!({ "action": "approve", "ids": [theirs, own] }),
    )
    .await;
    let body = assert_validation(bulk).await;
    assert_eq!(pointers(&body), vec!["/ids/1"]);
    assert_eq!(
        (app.status_of(own), app.status_of(theirs)),
        ("submitted".into(), "submitted".into())
    );

    // another administrator reviews it
    expect_json(approve(&app, &second.access, own).await, 200).await;
    // a correction is its corrector's submission
    let fix = json!({ "minutes": -15, "reason": "多记一刻钟" });
    let correction = created_id(correct(&app, &second.access, own, &fix).await).await;
    assert_forbidden(approve(&app, &second.access, correction).await).await;
    expect_json(approve(&app, &w.admin.access, correction).await, 200).await;
}

/// With REVIEW_OWN_SUBMISSIONS=true (an installation with one administrator), the
/// administrator approves its own entries.
async fn a_single_administrator_may_review_its_own_when_configured(app: TestApp) {
    assert!(app.config.hours.review_own_submissions);
    let w = world(&app).await;
    let ev = morning_event(&app, &w);
    let a = app.insert_volunteer("林晓燕", w.branch);
    let own = recorded(&app, &w.admin.access, ev, vec![entry(a, 60)]).await[0];
    expect_json(approve(&app, &w.admin.access, own).await, 200).await;
    assert_eq!(app.status_of(own), "approved");
}

both_backends!(
    an_event_with_hours_keeps_what_its_entries_were_accepted_under,
    a_conflict_names_twenty_entries_and_counts_them_all,
    an_administrator_amends_an_event_and_every_entry_history_shows_it,
    a_cancelled_event_approves_nothing_more_and_keeps_what_was_approved,
    timed_service_of_one_volunteer_never_overlaps,
    two_overlapping_entries_in_one_roster_name_each_other,
    a_single_administrator_may_review_its_own_when_configured,
);

on_each_backend! {
    concurrent_overlapping_rosters: concurrent_overlapping_rosters_on_sqlite, concurrent_overlapping_rosters_on_postgres;
    nobody_reviews_what_it_submitted: nobody_reviews_what_it_submitted_on_sqlite, nobody_reviews_what_it_submitted_on_postgres;
}
