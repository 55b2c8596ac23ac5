//! Events: create, read, update with ETags, delete, validation, plan items of the event's
//! year, status transitions, a secretary's scope, and the list's filters.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate};
use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{event_plan_items, events, hour_entries};

use crate::both_backends;
use crate::helpers::*;

/// Chinese text with full-width quotes, which must come back byte for byte.
const PAIRING: &str = "马厂社区“十个一”志愿服务";

/// The demo events' titles.
const E01: &str = "“3·5”学雷锋日志愿服务";
const E03: &str = "2022年机关志愿者培训";
const E04: &str = "马厂社区“十个一”结对共建志愿服务";
const E05: &str = "节能宣传周进乡村";
const E06: &str = "垃圾分类宣传进社区";
const E07: &str = "“敬老爱老过重阳”走访慰问";
const E08: &str = "“12·5”国际志愿者日主题志愿服务";

/// The titles in a list answer (limit 200), checked against its total.
async fn titles(app: &TestApp, token: &str, query: &str) -> BTreeSet<String> {
    listed(app, token, ("/api/v1/events", query), "title").await
}

/// A valid 2022 event organised by `organiser` serving `items`.
fn event_body(organiser: i64, items: &[i64]) -> Value {
    json!({
        "title": "学雷锋志愿服务", "category": "lei_feng_day", "organiser_branch_id": organiser,
        "starts_at": "2022-03-05T01:00:00Z", "ends_at": "2022-03-05T04:00:00Z",
        "plan_item_ids": items
    })
}

fn event_titled(app: &TestApp, title: &str) -> i64 {
    events::table
        .filter(events::title.eq(title))
        .select(events::id)
        .first(&mut app.conn())
        .expect("event")
}

fn items_of(app: &TestApp, event: i64) -> Vec<i64> {
    event_plan_items::table
        .filter(event_plan_items::event_id.eq(event))
        .order(event_plan_items::plan_item_id)
        .select(event_plan_items::plan_item_id)
        .load(&mut app.conn())
        .unwrap()
}

fn stored_event(app: &TestApp, event: i64) -> (String, String, i64) {
    events::table
        .find(event)
        .select((events::title, events::status, events::organiser_branch_id))
        .first(&mut app.conn())
        .unwrap()
}

fn event_rows(app: &TestApp) -> (i64, i64) {
    (app.count("events"), app.count("event_plan_items"))
}

fn instant(value: &Value) -> DateTime<chrono::FixedOffset> {
    let text = value.as_str().expect("a timestamp");
    assert!(text.ends_with('Z'), "{text} is not UTC");
    DateTime::parse_from_rfc3339(text).expect("RFC 3339")
}

/// A 2023 plan with three items; returns their ids by number.
async fn plan_2023(app: &TestApp, admin: &Session) -> Vec<i64> {
    let resp = app
        .post_as(
            "/api/v1/plans",
            Some(&admin.access),
            &json!({
                "year": 2023, "title": "2023年精神文明创建工作要点", "issuer": "福州市工业和信息化局",
                "sections": [{ "number": 1, "title": "拓展文明实践", "items": [
                    { "number": 1, "title": "深化志愿服务“五化”建设", "body": "" },
                    { "number": 2, "title": "持续推动垃圾分类宣传活动", "body": "" },
                    { "number": 3, "title": "持续推进诚信建设", "body": "" }
                ]}]
            }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let items = app
        .get_ok("/api/v1/plan-items?year=2023", &admin.access)
        .await;
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn an_admin_creates_reads_updates_and_deletes_an_event(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let (item5, item8) = (app.plan_item_id(5), app.plan_item_id(8));
    let before = event_rows(&app);
    let (id, location, created) = create(
        &app,
        &admin.access,
        "/api/v1/events",
        &json!({
            "title": PAIRING,
            "description": "机关志愿者走进结对共建的马厂社区，开展环境整治和入户走访志愿服务。",
            "category": "community_pairing", "organiser_branch_id": root, "place": "马厂社区",
            "starts_at": "2022-05-21T00:30:00Z", "ends_at": "2022-05-21T03:30:00Z",
            "status": "open", "capacity": 25, "plan_item_ids": [item8, item5]
        }),
    )
    .await;
    assert_eq!(
        created["title"].as_str().unwrap().as_bytes(),
        PAIRING.as_bytes()
    );
    assert_eq!(created["category"], "community_pairing");
    assert_eq!(created["organiser_branch_id"], root);
    assert_eq!(created["place"], "马厂社区");
    assert_eq!(created["status"], "open");
    assert_eq!(created["capacity"], 25);
    let mut sorted = vec![item5, item8];
    sorted.sort();
    assert_eq!(created["plan_item_ids"], json!(sorted));
    assert_eq!(
        instant(&created["starts_at"]),
        DateTime::parse_from_rfc3339("2022-05-21T00:30:00Z").unwrap()
    );
    assert_eq!(
        instant(&created["ends_at"]),
        DateTime::parse_from_rfc3339("2022-05-21T03:30:00Z").unwrap()
    );
    assert!(instant(&created["created_at"]) <= instant(&created["updated_at"]));
    assert_eq!(event_rows(&app), (before.0 + 1, before.1 + 2));
    let (title, status, organiser) = stored_event(&app, id);
    assert_eq!(title.as_bytes(), PAIRING.as_bytes());
    assert_eq!((status.as_str(), organiser), ("open", root));
    let starts_at: chrono::NaiveDateTime = events::table
        .find(id)
        .select(events::starts_at)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        starts_at,
        NaiveDate::from_ymd_opt(2022, 5, 21)
            .unwrap()
            .and_hms_opt(0, 30, 0)
            .unwrap()
    );
    assert_eq!(items_of(&app, id), sorted);

    // every role reads it
    let volunteer = app.login_as(Role::Volunteer).await;
    assert_eq!(
        read_tagged(&app, &location, &volunteer.access, "\"1\"").await,
        created
    );

    let change =
        json!({ "place": null, "capacity": 30, "plan_item_ids": [item8], "status": "completed" });
    assert_patch_needs_current_tag(&app, &location, &admin.access, "\"3\"", &change).await;
    assert_eq!(items_of(&app, id), sorted, "refusals change nothing");
    let updated = patched(&app, &location, &admin.access, ("\"1\"", "\"2\""), &change).await;
    assert!(updated["place"].is_null(), "{updated}");
    assert_eq!(updated["capacity"], 30);
    assert_eq!(updated["plan_item_ids"], json!([item8]));
    assert_eq!(updated["status"], "completed");
    assert_eq!(updated["title"], PAIRING, "a partial update keeps the rest");
    assert_eq!(updated["starts_at"], created["starts_at"]);
    // the old tag is stale now
    let later = json!({ "capacity": 40 });
    assert_stale_patch(&app, &location, &admin.access, "\"1\"", &later).await;
    let (place, capacity): (Option<String>, Option<i32>) = events::table
        .find(id)
        .select((events::place, events::capacity))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((place, capacity), (None, Some(30)));
    assert_eq!(items_of(&app, id), [item8]);

    assert_deleted_only_with_current_tag(&app, &location, &admin.access, ("events", before.0 + 1))
        .await;
    assert_eq!(event_rows(&app), before);

    assert_eq!(
        app.audit_of("event", id),
        audit_trail(admin.user_id, id, &["create", "update", "delete"])
    );
}

async fn bad_events_are_refused_with_pointers_and_change_nothing(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let item8 = app.plan_item_id(8);
    let with = |field: &str, value: Value| {
        let mut body = event_body(root, &[item8]);
        body[field] = value;
        body
    };
    let before = event_rows(&app);
    let cases = [
        (with("category", json!("picnic")), "/category"),
        (with("ends_at", json!("2022-03-05T01:00:00Z")), "/ends_at"),
        (with("ends_at", json!("2022-03-04T23:00:00Z")), "/ends_at"),
        (with("capacity", json!(0)), "/capacity"),
        (with("capacity", json!(100_001)), "/capacity"),
        (with("status", json!("completed")), "/status"),
        (with("plan_item_ids", json!([])), "/plan_item_ids"),
        (with("plan_item_ids", json!([999_999])), "/plan_item_ids/0"),
        (
            with("plan_item_ids", json!([item8, 999_999])),
            "/plan_item_ids/1",
        ),
        (
            with("organiser_branch_id", json!(999_999)),
            "/organiser_branch_id",
        ),
        (with("starts_at", json!("2022-03-05 09:00")), "/starts_at"),
        (with("title", json!(7)), "/title"),
    ];
    assert_each_names_its_pointer(&app, &admin.access, "/api/v1/events", cases).await;
    let mut no_category = event_body(root, &[item8]);
    no_category.as_object_mut().unwrap().remove("category");
    let mut no_items = event_body(root, &[item8]);
    no_items.as_object_mut().unwrap().remove("plan_item_ids");
    let incomplete = [with("colour", json!("red")), no_category, no_items];
    assert_each_invalid(&app, &admin.access, "/api/v1/events", incomplete).await;
    let half = "{\"title\": \"学雷锋\", \"plan_item_ids\": [";
    assert_malformed_refused(&app, &admin.access, "/api/v1/events", half).await;
    assert_eq!(event_rows(&app), before);
    assert!(app.audit_rows("event").is_empty());

    // the capacity's bounds themselves are fine
    for capacity in [1, 100_000] {
        let created = expect_json(
            app.post_as(
                "/api/v1/events",
                Some(&admin.access),
                &with("capacity", json!(capacity)),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(created["capacity"], capacity);
        assert_eq!(created["status"], "planned", "the default status");
    }
    assert_eq!(event_rows(&app), (before.0 + 2, before.1 + 2));
}

async fn an_events_plan_items_come_from_the_plan_of_its_year(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let item_2022 = app.plan_item_id(8);
    let items_2023 = plan_2023(&app, &admin).await;
    assert_eq!(items_2023.len(), 3);
    let item_2023 = items_2023[0];
    let in_year = |year: i32, items: &[i64]| {
        let mut body = event_body(root, items);
        body["starts_at"] = json!(format!("{year}-03-05T01:00:00Z"));
        body["ends_at"] = json!(format!("{year}-03-05T04:00:00Z"));
        body
    };

    let before = event_rows(&app);
    let cases = [
        (in_year(2023, &[item_2022]), "/plan_item_ids/0"),
        (in_year(2023, &[item_2023, item_2022]), "/plan_item_ids/1"),
        (in_year(2022, &[item_2023]), "/plan_item_ids/0"),
        // no plan for 2024 at all
        (in_year(2024, &[item_2022]), "/plan_item_ids/0"),
    ];
    assert_each_names_its_pointer(&app, &admin.access, "/api/v1/events", cases).await;
    assert_eq!(event_rows(&app), before);

    let created = expect_json(
        app.post_as(
            "/api/v1/events",
            Some(&admin.access),
            &in_year(2023, &[item_2023, items_2023[2]]),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["plan_item_ids"], json!([item_2023, items_2023[2]]));
    assert_eq!(
        items_of(&app, created["id"].as_i64().unwrap()),
        [item_2023, items_2023[2]]
    );

    // a change of items is checked the same way
    let old = app.insert_event("2022年的活动", root);
    let problem = assert_validation(
        app.patch_any(
            &format!("/api/v1/events/{old}"),
            &admin.access,
            &json!({ "plan_item_ids": [item_2022, item_2023] }),
        )
        .await,
    )
    .await;
    assert_eq!(pointers(&problem), ["/plan_item_ids/1"]);
    assert_eq!(items_of(&app, old), [item_2022]);
}

async fn event_status_moves_forward_only(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let set_status = |event: i64, status: &'static str| {
        let app = &app;
        let token = admin.access.clone();
        async move {
            app.patch_any(
                &format!("/api/v1/events/{event}"),
                &token,
                &json!({ "status": status }),
            )
            .await
        }
    };

    // allowed: planned -> open -> completed, planned -> cancelled, open -> cancelled
    let completed = app.insert_event("走完的活动", root);
    let cancelled = app.insert_event("取消的活动", root);
    let cancelled_open = app.insert_event("开放后取消的活动", root);
    let open = app.insert_event("开放的活动", root);
    let planned = app.insert_event("计划中的活动", root);
    for (event, status) in [
        (completed, "open"),
        (completed, "completed"),
        (cancelled, "cancelled"),
        (cancelled_open, "open"),
        (cancelled_open, "cancelled"),
        (open, "open"),
    ] {
        let body = expect_json(set_status(event, status).await, 200).await;
        assert_eq!(body["status"], status);
        assert_eq!(stored_event(&app, event).1, status);
    }
    let allowed = app.audit_rows("event");
    assert_eq!(allowed.len(), 6);
    assert!(allowed
        .iter()
        .all(|(action, actor, _)| action == "update" && *actor == Some(admin.user_id)));

    // anything else is a conflict that changes nothing
    for (event, status) in [
        (completed, "open"),
        (completed, "planned"),
        (completed, "cancelled"),
        (cancelled, "open"),
        (cancelled, "planned"),
        (cancelled, "completed"),
        (open, "planned"),
        (planned, "completed"),
    ] {
        let path = format!("/api/v1/events/{event}");
        let tag_before = header(&app.get_as(&path, &admin.access).await, "etag");
        assert!(!tag_before.is_empty(), "an ETag");
        let stored_before = stored_event(&app, event).1;
        assert_conflict(set_status(event, status).await).await;
        assert_eq!(
            stored_event(&app, event).1,
            stored_before,
            "{stored_before} -> {status}"
        );
        assert_eq!(
            header(&app.get_as(&path, &admin.access).await, "etag"),
            tag_before
        );
    }
    assert_eq!(app.audit_rows("event").len(), 6);
}

async fn a_branch_secretary_changes_only_events_its_branches_organise(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let (zb01, zb02) = (app.branch_id("ZB01"), app.branch_id("ZB02"));
    let item8 = app.plan_item_id(8);
    let Session {
        user_id: secretary_id,
        access: secretary,
        ..
    } = secretary_of(&app, &admin, "ZB01").await;
    let e04 = event_titled(&app, E04);
    let elsewhere = app.insert_event("第二支部的活动", zb02);

    // reading is open to every role
    let seen = app
        .get_ok(&format!("/api/v1/events/{e04}"), &secretary)
        .await;
    assert_eq!(seen["organiser_branch_id"], zb02);
    assert_eq!(seen["title"].as_str().unwrap().as_bytes(), E04.as_bytes());

    // changing another branch's events is not found, and changes nothing
    let before = event_rows(&app);
    assert_not_found(
        app.patch_any(
            &format!("/api/v1/events/{e04}"),
            &secretary,
            &json!({ "title": "改名" }),
        )
        .await,
    )
    .await;
    assert_not_found(
        app.patch_any(
            &format!("/api/v1/events/{elsewhere}"),
            &secretary,
            &json!({ "status": "cancelled" }),
        )
        .await,
    )
    .await;
    assert_not_found(
        app.delete_any(&format!("/api/v1/events/{elsewhere}"), &secretary)
            .await,
    )
    .await;
    let problem = assert_validation(
        app.post_as(
            "/api/v1/events",
            Some(&secretary),
            &event_body(zb02, &[item8]),
        )
        .await,
    )
    .await;
    assert_eq!(pointers(&problem), ["/organiser_branch_id"]);
    assert_eq!(event_rows(&app), before);
    assert_eq!(stored_event(&app, e04).0, E04);
    assert_eq!(
        stored_event(&app, elsewhere),
        ("第二支部的活动".to_owned(), "planned".to_owned(), zb02)
    );
    assert!(app.audit_rows("event").is_empty());

    // its own branch's events it runs
    let resp = app
        .post_as(
            "/api/v1/events",
            Some(&secretary),
            &event_body(zb01, &[item8]),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let location = header(&resp, "location");
    let mine = resp.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let problem = assert_validation(
        app.patch_any(
            &location,
            &secretary,
            &json!({ "organiser_branch_id": zb02 }),
        )
        .await,
    )
    .await;
    assert_eq!(pointers(&problem), ["/organiser_branch_id"]);
    assert_eq!(stored_event(&app, mine).2, zb01);
    let resp = app
        .patch_as(
            &location,
            &secretary,
            Some("\"1\""),
            &json!({ "title": PAIRING }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"2\"");
    assert_eq!(stored_event(&app, mine).0, PAIRING);
    assert_eq!(
        delete_as(&app, &location, &secretary, Some("\"2\""))
            .await
            .status(),
        204
    );
    assert_eq!(event_rows(&app), before);
    app.assert_audited(
        "event",
        &[
            ("create", secretary_id, mine),
            ("update", secretary_id, mine),
            ("delete", secretary_id, mine),
        ],
    );
}

async fn an_event_with_hours_is_not_deleted(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let e01 = event_titled(&app, E01);
    let path = format!("/api/v1/events/{e01}");
    let hours: i64 = hour_entries::table
        .filter(hour_entries::event_id.eq(e01))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(hours, 6);
    let before = event_rows(&app);
    let items = items_of(&app, e01);

    let root_secretary = app.login_as(Role::Secretary).await;
    for token in [&admin.access, &root_secretary.access] {
        assert_conflict(app.delete_any(&path, token).await).await;
    }
    assert_eq!(event_rows(&app), before);
    assert_eq!(items_of(&app, e01), items);
    assert_eq!(app.count("hour_entries"), 30);
    let still = app.get_ok(&path, &admin.access).await;
    assert_eq!(still["title"], E01);
    assert_eq!(still["status"], "completed");
    assert!(app.audit_rows("event").is_empty());
}

async fn the_event_list_filters_searches_and_pages(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let item8 = app.plan_item_id(8);
    let resp = app
        .post_as(
            "/api/v1/events",
            Some(&admin.access),
            &json!({
                "title": "Metro Guidance Day", "category": "metro_guidance",
                "organiser_branch_id": app.branch_id("JGTW"), "place": "Dongjiekou Station",
                "starts_at": "2022-07-01T01:00:00Z", "ends_at": "2022-07-01T03:00:00Z",
                "plan_item_ids": [item8]
            }),
        )
        .await;
    assert_eq!(resp.status(), 201);

    let hr = app.login_as(Role::Hr).await;
    assert_walk_serves_every_row(&app, &hr.access, ("/api/v1/events", 3), ("events", 9)).await;

    let t = &hr.access;
    let branch = |code: &str| app.branch_id(code);
    assert_eq!(
        titles(&app, t, &format!("branch_id={}", branch("ZB02"))).await,
        set(&[E04])
    );
    assert_eq!(
        titles(&app, t, &format!("branch_id={}", branch("JGDW")))
            .await
            .len(),
        9,
        "an organiser includes its sub-branches"
    );
    assert_eq!(titles(&app, t, "status=open").await, set(&[E08]));
    assert_eq!(titles(&app, t, "category=energy_saving").await, set(&[E05]));
    assert_eq!(
        titles(&app, t, &format!("plan_item_id={item8}")).await,
        set(&[E01, E03, E04, E08, "Metro Guidance Day"])
    );
    // dates are inclusive, on the UTC date of starts_at
    assert_eq!(
        titles(&app, t, "from=2022-06-01&to=2022-06-30").await,
        set(&[E05, E06])
    );
    assert_eq!(
        titles(&app, t, "from=2022-06-18&to=2022-06-18").await,
        set(&[E06])
    );
    assert_eq!(titles(&app, t, "to=2022-03-05").await, set(&[E01]));
    assert_eq!(titles(&app, t, "from=2022-12-05").await, set(&[E08]));
    // title or place; Chinese, and Latin in any case
    assert_eq!(titles(&app, t, "q=马厂").await, set(&[E04, E06, E07]));
    assert_eq!(
        titles(&app, t, "q=metro").await,
        set(&["Metro Guidance Day"])
    );
    assert_eq!(
        titles(&app, t, "q=DONGJIEKOU").await,
        set(&["Metro Guidance Day"])
    );
    assert_eq!(titles(&app, t, "q=十个一").await, set(&[E04]));

    assert_each_query_refused(&app, t, "/api/v1/events", BAD_PAGING).await;
}

async fn hr_and_volunteers_cannot_write_events(app: TestApp) {
    app.seed();
    let root = app.branch_id("JGDW");
    let item8 = app.plan_item_id(8);
    let event = app.insert_event("只读的活动", root);
    let path = format!("/api/v1/events/{event}");
    for role in [Role::Hr, Role::Volunteer] {
        let s = app.login_as(role).await;
        let before = event_rows(&app);
        assert_forbidden(
            app.post_as(
                "/api/v1/events",
                Some(&s.access),
                &event_body(root, &[item8]),
            )
            .await,
        )
        .await;
        assert_forbidden(
            app.patch_any(
                &path,
                &s.access,
                &json!({ "title": "改名", "status": "open" }),
            )
            .await,
        )
        .await;
        assert_forbidden(app.delete_any(&path, &s.access).await).await;
        assert_eq!(event_rows(&app), before, "{role}");
        let seen = app.get_ok(&path, &s.access).await;
        assert_eq!(seen["title"], "只读的活动");
        let list = app.get_ok("/api/v1/events", &s.access).await;
        assert_eq!(list["total"], 1);
    }
    assert_eq!(
        stored_event(&app, event),
        ("只读的活动".to_owned(), "planned".to_owned(), root)
    );
    assert!(app.audit_rows("event").is_empty());
}

async fn an_events_plan_year_is_its_local_year(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let item = app.plan_item_id(8);
    let body = |starts: &str, ends: &str| {
        json!({
            "title": "跨年志愿服务", "category": "new_year_visits", "organiser_branch_id": root,
            "starts_at": starts, "ends_at": ends, "plan_item_ids": [item]
        })
    };
    let before = app.count("events");
    // 01:00 on 1 January 2023 in Fuzhou is still 2022 in UTC: the 2022 plan does not apply
    let resp = app
        .post_as(
            "/api/v1/events",
            Some(&admin.access),
            &body("2022-12-31T17:00:00Z", "2022-12-31T19:00:00Z"),
        )
        .await;
    let problem = assert_validation(resp).await;
    assert_eq!(pointers(&problem), ["/plan_item_ids/0"]);
    assert_eq!(app.count("events"), before);
    // 23:00 on 31 December in Fuzhou is the 2022 plan's
    let resp = app
        .post_as(
            "/api/v1/events",
            Some(&admin.access),
            &body("2022-12-31T15:00:00Z", "2022-12-31T16:00:00Z"),
        )
        .await;
    assert_eq!(resp.status(), 201);
    // and the day filters are local days too
    let listed: Value = app
        .get_as(
            "/api/v1/events?from=2022-12-31&to=2022-12-31",
            &admin.access,
        )
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = strs_of(&listed["items"], "title");
    assert_eq!(titles, ["跨年志愿服务"]);
}

both_backends!(
    an_events_plan_year_is_its_local_year,
    an_admin_creates_reads_updates_and_deletes_an_event,
    bad_events_are_refused_with_pointers_and_change_nothing,
    an_events_plan_items_come_from_the_plan_of_its_year,
    event_status_moves_forward_only,
    a_branch_secretary_changes_only_events_its_branches_organise,
    an_event_with_hours_is_not_deleted,
    the_event_list_filters_searches_and_pages,
    hr_and_volunteers_cannot_write_events,
);
