//! Volunteers: create, read, update with ETags, delete or archive, validation, masking per
//! role, a secretary's scope, moves that leave past hours alone, and the list's filters.

use std::collections::BTreeSet;

use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{hour_entries, volunteer_tags, volunteers};

use crate::both_backends;
use crate::helpers::*;

/// 林晓燕 of ZB01: phone 13805912301, tags trained and emergency_team, three hour entries.
const LIN: &str = "350100202103050001";
/// 王雅琴 of ZB02, with hours.
const WANG: &str = "350100202103050005";
/// The volunteer number `login_as(Role::Volunteer)` links its account to.
const OWN: &str = "V-volunteer.user";

/// The names in a list answer (limit 200), checked against its total.
async fn names(app: &TestApp, token: &str, query: &str) -> BTreeSet<String> {
    listed(app, token, ("/api/v1/volunteers", query), "name").await
}

fn volunteer_by_number(app: &TestApp, number: &str) -> i64 {
    volunteers::table
        .filter(volunteers::volunteer_number.eq(number))
        .select(volunteers::id)
        .first(&mut app.conn())
        .expect("volunteer")
}

fn branch_of(app: &TestApp, volunteer: i64) -> i64 {
    volunteers::table
        .find(volunteer)
        .select(volunteers::branch_id)
        .first(&mut app.conn())
        .unwrap()
}

fn tags_of(app: &TestApp, volunteer: i64) -> Vec<String> {
    volunteer_tags::table
        .filter(volunteer_tags::volunteer_id.eq(volunteer))
        .order(volunteer_tags::tag)
        .select(volunteer_tags::tag)
        .load(&mut app.conn())
        .unwrap()
}

/// (hour entry id, branch id) of a volunteer's entries.
fn hours_of(app: &TestApp, volunteer: i64) -> Vec<(i64, i64)> {
    hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .order(hour_entries::id)
        .select((hour_entries::id, hour_entries::branch_id))
        .load(&mut app.conn())
        .unwrap()
}

async fn an_admin_creates_reads_updates_and_deletes_a_volunteer(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let xfpc = app.branch_id("XFPC");
    let before = app.count("volunteers");
    let (id, location, created) = create(
        &app,
        &admin.access,
        "/api/v1/volunteers",
        &json!({
            "name": "欧阳·晓燕", "gender": "female", "phone": "+8613805912399",
            "volunteer_number": "350100202303050099", "branch_id": xfpc,
            "joined_on": "2023-03-05", "tags": ["trained", "driver", "first_aid"]
        }),
    )
    .await;
    assert_eq!(
        created["name"].as_str().unwrap().as_bytes(),
        "欧阳·晓燕".as_bytes()
    );
    assert_eq!(created["gender"], "female");
    assert_eq!(created["phone"], "+8613805912399");
    assert_eq!(created["volunteer_number"], "350100202303050099");
    assert_eq!(created["branch_id"], xfpc);
    assert_eq!(created["status"], "active");
    assert_eq!(created["joined_on"], "2023-03-05");
    assert_eq!(created["tags"], json!(["driver", "first_aid", "trained"]));
    for stamp in ["created_at", "updated_at"] {
        assert!(created[stamp].as_str().unwrap().ends_with('Z'), "{created}");
    }
    assert_eq!(app.count("volunteers"), before + 1);
    assert_eq!(tags_of(&app, id), ["driver", "first_aid", "trained"]);

    assert_eq!(
        read_tagged(&app, &location, &admin.access, "\"1\"").await,
        created
    );

    let change =
        json!({ "phone": null, "gender": null, "tags": ["emergency_team"], "status": "inactive" });
    assert_patch_needs_current_tag(&app, &location, &admin.access, "\"5\"", &change).await;
    let phone: Option<String> = volunteers::table
        .find(id)
        .select(volunteers::phone)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        phone.as_deref(),
        Some("+8613805912399"),
        "refusals change nothing"
    );
    let updated = patched(&app, &location, &admin.access, ("\"1\"", "\"2\""), &change).await;
    assert!(updated["phone"].is_null(), "{updated}");
    assert!(updated["gender"].is_null(), "{updated}");
    assert_eq!(updated["tags"], json!(["emergency_team"]));
    assert_eq!(updated["status"], "inactive");
    assert_eq!(
        updated["name"], "欧阳·晓燕",
        "a partial update keeps the rest"
    );
    assert_eq!(updated["volunteer_number"], "350100202303050099");
    // the old tag is stale now
    let later = json!({ "name": "又改名" });
    assert_stale_patch(&app, &location, &admin.access, "\"1\"", &later).await;
    let (phone, gender, status): (Option<String>, Option<String>, String) = volunteers::table
        .find(id)
        .select((volunteers::phone, volunteers::gender, volunteers::status))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((phone, gender, status.as_str()), (None, None, "inactive"));
    assert_eq!(tags_of(&app, id), ["emergency_team"]);

    assert_deleted_only_with_current_tag(
        &app,
        &location,
        &admin.access,
        ("volunteers", before + 1),
    )
    .await;
    assert_eq!(app.count("volunteers"), before);
    assert!(tags_of(&app, id).is_empty());

    assert_eq!(
        app.audit_of("volunteer", id),
        audit_trail(admin.user_id, id, &["create", "update", "delete"])
    );
}

async fn bad_volunteers_are_refused_with_pointers_and_change_nothing(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let zb01 = app.branch_id("ZB01");
    let with = |field: &str, value: Value| {
        let mut body = json!({ "name": "新志愿者", "branch_id": zb01 });
        body[field] = value;
        body
    };
    let before = (app.count("volunteers"), app.count("volunteer_tags"));
    let cases = [
        (with("name", json!("")), "/name"),
        (with("name", json!("志".repeat(51))), "/name"),
        (with("name", json!(5)), "/name"),
        (with("phone", json!("1234")), "/phone"),
        (with("phone", json!("1".repeat(21))), "/phone"),
        (with("phone", json!("138-0591-2301")), "/phone"),
        (with("phone", json!("++8613805912301")), "/phone"),
        (with("phone", json!("+")), "/phone"),
        (with("tags", json!(["Trained"])), "/tags/0"),
        (with("tags", json!(["trained", "first aid"])), "/tags/1"),
        (with("tags", json!(["x".repeat(41)])), "/tags/0"),
        (with("tags", json!(["driver", "trained", ""])), "/tags/2"),
        (with("tags", json!(["急救"])), "/tags/0"),
        (with("gender", json!("other")), "/gender"),
        (with("branch_id", json!(999_999)), "/branch_id"),
    ];
    assert_each_names_its_pointer(&app, &admin.access, "/api/v1/volunteers", cases).await;
    let incomplete = [
        with("colour", json!("red")),
        with("status", json!("archived")),
        json!({ "name": "没有支部的人" }),
    ];
    assert_each_invalid(&app, &admin.access, "/api/v1/volunteers", incomplete).await;
    let half = "{\"name\": \"半个";
    assert_malformed_refused(&app, &admin.access, "/api/v1/volunteers", half).await;
    assert_conflict(
        app.post_as(
            "/api/v1/volunteers",
            Some(&admin.access),
            &with("volunteer_number", json!(LIN)),
        )
        .await,
    )
    .await;
    assert_eq!(
        (app.count("volunteers"), app.count("volunteer_tags")),
        before
    );
    assert!(app.audit_rows("volunteer").is_empty());

    // the limits hold exactly: 50 characters (not bytes), 5 digits, 40-character tags
    let mut edge = with("name", json!("志".repeat(50)));
    edge["phone"] = json!("12345");
    edge["tags"] = json!(["a".repeat(40), "first_aid_2"]);
    let created = expect_json(
        app.post_as("/api/v1/volunteers", Some(&admin.access), &edge)
            .await,
        201,
    )
    .await;
    assert_eq!(created["name"], "志".repeat(50));
    assert_eq!(created["tags"], json!(["a".repeat(40), "first_aid_2"]));
    assert_eq!(app.count("volunteers"), before.0 + 1);
}

async fn each_role_sees_phone_and_volunteer_number_as_the_contract_says(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let zb01 = app.branch_id("ZB01");
    let lin = volunteer_by_number(&app, LIN);
    let path = format!("/api/v1/volunteers/{lin}");
    let root_secretary = app.login_as(Role::Secretary).await;
    let zb01_secretary = secretary_of(&app, &admin, "ZB01").await.access;

    // administrators and secretaries in scope see everything
    for token in [&admin.access, &root_secretary.access, &zb01_secretary] {
        let v = app.get_ok(&path, token).await;
        assert_eq!(v["name"], "林晓燕");
        assert_eq!(v["phone"], "13805912301");
        assert_eq!(v["volunteer_number"], LIN);
        assert_eq!(v["gender"], "female");
        assert_eq!(v["branch_id"], zb01);
        assert_eq!(v["status"], "active");
        assert_eq!(v["joined_on"], "2021-03-05");
        assert_eq!(v["tags"], json!(["emergency_team", "trained"]));
    }

    // hr reads everyone, masked
    let hr = app.login_as(Role::Hr).await;
    let v = app.get_ok(&path, &hr.access).await;
    assert_eq!(v["name"], "林晓燕");
    assert_eq!(v["phone"], "138****2301");
    assert_eq!(v["volunteer_number"], "3501************01");
    assert_eq!(v["tags"], json!(["emergency_team", "trained"]));
    let list = app.get_ok("/api/v1/volunteers?limit=200", &hr.access).await;
    assert_eq!(list["total"], 15);
    for item in list["items"].as_array().unwrap() {
        let phone = item["phone"].as_str().unwrap();
        let number = item["volunteer_number"].as_str().unwrap();
        assert_eq!(phone.len(), 11, "{item}");
        assert_eq!(&phone[3..7], "****", "{item}");
        assert_eq!(number.len(), 18, "{item}");
        assert_eq!(&number[4..16], "************", "{item}");
        if item["id"] == lin {
            assert_eq!((phone, number), ("138****2301", "3501************01"));
        }
    }
    let masked_wang = app
        .get_ok(
            &format!("/api/v1/volunteers/{}", volunteer_by_number(&app, WANG)),
            &hr.access,
        )
        .await;
    assert_eq!(masked_wang["phone"], "138****2315");
    assert_eq!(masked_wang["volunteer_number"], "3501************05");

    // a volunteer sees itself, in full, and nobody else
    let me = app.login_as(Role::Volunteer).await;
    let own = volunteer_by_number(&app, OWN);
    let list = app.get_ok("/api/v1/volunteers", &me.access).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], own);
    assert_eq!(list["items"][0]["volunteer_number"], OWN);
    let list = app
        .get_ok("/api/v1/volunteers?q=%E6%99%93%E7%87%95", &me.access)
        .await;
    assert_eq!(list["total"], 0);
    let mine = app
        .get_ok(&format!("/api/v1/volunteers/{own}"), &me.access)
        .await;
    assert_eq!(mine["volunteer_number"], OWN);
    assert_not_found(app.get_as(&path, &me.access).await).await;
}

async fn a_branch_secretary_sees_and_changes_only_its_own_volunteers(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let (zb01, zb02) = (app.branch_id("ZB01"), app.branch_id("ZB02"));
    let Session {
        user_id: secretary_id,
        access: secretary,
        ..
    } = secretary_of(&app, &admin, "ZB01").await;
    let lin = volunteer_by_number(&app, LIN);
    let wang = volunteer_by_number(&app, WANG);
    let wang_path = format!("/api/v1/volunteers/{wang}");

    // reads: ZB02 does not exist for it
    assert_not_found(app.get_as(&wang_path, &secretary).await).await;
    let own: Vec<i64> = volunteers::table
        .filter(volunteers::branch_id.eq(zb01))
        .order(volunteers::id)
        .select(volunteers::id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(own.len(), 4);
    let (ids, total) = walk(&app, &secretary, "/api/v1/volunteers", 3).await;
    assert_eq!((ids, total), (own, 4));

    // writes outside its scope are refused and change nothing
    let before = app.count("volunteers");
    let problem = assert_validation(
        app.post_as(
            "/api/v1/volunteers",
            Some(&secretary),
            &json!({ "name": "越界的志愿者", "branch_id": zb02 }),
        )
        .await,
    )
    .await;
    assert_eq!(pointers(&problem), ["/branch_id"]);
    assert_not_found(
        app.patch_any(&wang_path, &secretary, &json!({ "name": "改名" }))
            .await,
    )
    .await;
    assert_not_found(app.delete_any(&wang_path, &secretary).await).await;
    let problem = assert_validation(
        app.patch_any(
            &format!("/api/v1/volunteers/{lin}"),
            &secretary,
            &json!({ "branch_id": zb02 }),
        )
        .await,
    )
    .await;
    assert_eq!(pointers(&problem), ["/branch_id"]);
    assert_eq!(app.count("volunteers"), before);
    let wang_name: String = volunteers::table
        .find(wang)
        .select(volunteers::name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(wang_name, "王雅琴");
    assert_eq!(branch_of(&app, lin), zb01);
    assert!(app.audit_rows("volunteer").is_empty());

    // inside it, it works
    let created = expect_json(
        app.post_as(
            "/api/v1/volunteers",
            Some(&secretary),
            &json!({ "name": "第一支部新人", "branch_id": zb01 }),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["branch_id"], zb01);
    let new_id = created["id"].as_i64().unwrap();
    assert_eq!(app.count("volunteers"), before + 1);
    app.assert_audited("volunteer", &[("create", secretary_id, new_id)]);
}

async fn moving_a_volunteer_keeps_the_branch_of_past_hours(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let (zb01, zb03) = (app.branch_id("ZB01"), app.branch_id("ZB03"));
    let lin = volunteer_by_number(&app, LIN);
    let path = format!("/api/v1/volunteers/{lin}");
    let hours = hours_of(&app, lin);
    assert_eq!(hours.len(), 3);
    assert!(hours.iter().all(|(_, branch)| *branch == zb01), "{hours:?}");

    let resp = app
        .patch_as(
            &path,
            &admin.access,
            Some("\"1\""),
            &json!({ "branch_id": zb03 }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"2\"");
    assert_eq!(resp.json::<Value>().await.unwrap()["branch_id"], zb03);
    assert_eq!(branch_of(&app, lin), zb03);
    assert_eq!(
        hours_of(&app, lin),
        hours,
        "served in ZB01, counted for ZB01"
    );

    // a secretary whose scope holds both branches may move it back
    let root_secretary = app.login_as(Role::Secretary).await;
    let moved = expect_json(
        app.patch_as(
            &path,
            &root_secretary.access,
            Some("\"2\""),
            &json!({ "branch_id": zb01 }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["branch_id"], zb01);
    assert_eq!(branch_of(&app, lin), zb01);
    assert_eq!(hours_of(&app, lin), hours);
    app.assert_audited(
        "volunteer",
        &[
            ("update", admin.user_id, lin),
            ("update", root_secretary.user_id, lin),
        ],
    );
}

async fn a_volunteer_with_hours_is_archived_instead_of_deleted(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let lin = volunteer_by_number(&app, LIN);
    let path = format!("/api/v1/volunteers/{lin}");
    let (volunteers_before, hours_before) = (app.count("volunteers"), app.count("hour_entries"));

    assert_conflict(app.delete_any(&path, &admin.access).await).await;
    assert_eq!(app.count("volunteers"), volunteers_before);
    assert_eq!(app.count("hour_entries"), hours_before);
    let still = app.get_ok(&path, &admin.access).await;
    assert_eq!(still["status"], "active");

    let archived = expect_json(
        app.patch_as(
            &path,
            &admin.access,
            Some("\"1\""),
            &json!({ "status": "archived" }),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(archived["status"], "archived");
    let status: String = volunteers::table
        .find(lin)
        .select(volunteers::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "archived");
    assert!(names(&app, &admin.access, "q=晓燕").await.is_empty());
    assert_eq!(
        names(&app, &admin.access, "q=晓燕&include_archived=true").await,
        set(&["林晓燕"])
    );
    assert!(!names(&app, &admin.access, "").await.contains("林晓燕"));
    let resp = app.get_as(&path, &admin.access).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"2\"");
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "archived");

    let audit = app.audit_rows("volunteer");
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert!(
        audit[0].0 == "update" || audit[0].0 == "archive",
        "{audit:?}"
    );
    assert_eq!((audit[0].1, audit[0].2), (Some(admin.user_id), Some(lin)));

    // without hours a volunteer can go
    let fresh = app.insert_volunteer("没有工时的人", app.branch_id("ZB01"));
    let resp = app
        .delete_any(&format!("/api/v1/volunteers/{fresh}"), &admin.access)
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.count("volunteers"), volunteers_before);
}

async fn the_volunteer_list_searches_filters_and_pages(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    for name in ["Zhang Wei", "ZHANG San", "Li Wei"] {
        let resp = app
            .post_as(
                "/api/v1/volunteers",
                Some(&admin.access),
                &json!({ "name": name, "branch_id": root }),
            )
            .await;
        assert_eq!(resp.status(), 201, "{name}");
    }
    assert_walk_serves_every_row(
        &app,
        &admin.access,
        ("/api/v1/volunteers", 2),
        ("volunteers", 18),
    )
    .await;

    let t = &admin.access;
    // Latin search ignores case; Chinese search finds a part of a name
    assert_eq!(
        names(&app, t, "q=zhang").await,
        set(&["Zhang Wei", "ZHANG San"])
    );
    assert_eq!(
        names(&app, t, "q=ZHANG").await,
        set(&["Zhang Wei", "ZHANG San"])
    );
    assert_eq!(names(&app, t, "q=wEI").await, set(&["Zhang Wei", "Li Wei"]));
    assert_eq!(names(&app, t, "q=晓燕").await, set(&["林晓燕"]));
    assert_eq!(
        names(&app, t, "q=%25").await,
        set(&[]),
        "a % matches only itself"
    );
    assert_eq!(
        names(&app, t, "tag=emergency_team").await,
        set(&["林晓燕", "黄丽萍", "吴建平", "游俊杰"])
    );
    assert_eq!(names(&app, t, "status=inactive").await, set(&["郑国华"]));
    assert_eq!(
        names(&app, t, &format!("branch_id={}", app.branch_id("ZB02"))).await,
        set(&["王雅琴", "吴建平", "刘芳", "张明辉"])
    );
    assert_eq!(
        names(
            &app,
            t,
            &format!("branch_id={}&tag=trained", app.branch_id("ZB01"))
        )
        .await,
        set(&["林晓燕", "陈志强", "黄丽萍"])
    );
    // a branch includes its sub-branches
    assert_eq!(names(&app, t, &format!("branch_id={root}")).await.len(), 18);

    assert_each_query_refused(
        &app,
        t,
        "/api/v1/volunteers",
        &["limit=0", "limit=201", "colour=red", "status=retired"],
    )
    .await;
}

async fn hr_and_volunteers_cannot_write_volunteers(app: TestApp) {
    app.seed_demo();
    let root = app.branch_id("JGDW");
    let lin = volunteer_by_number(&app, LIN);
    let fresh = app.insert_volunteer("没有工时的人", root);
    for role in [Role::Hr, Role::Volunteer] {
        let s = app.login_as(role).await;
        let before = app.count("volunteers");
        assert_forbidden(
            app.post_as(
                "/api/v1/volunteers",
                Some(&s.access),
                &json!({ "name": "不该有的人", "branch_id": root }),
            )
            .await,
        )
        .await;
        assert_forbidden(
            app.patch_any(
                &format!("/api/v1/volunteers/{lin}"),
                &s.access,
                &json!({ "name": "改名" }),
            )
            .await,
        )
        .await;
        assert_forbidden(
            app.delete_any(&format!("/api/v1/volunteers/{fresh}"), &s.access)
                .await,
        )
        .await;
        assert_eq!(app.count("volunteers"), before, "{role}");
    }
    // not even its own record
    let me = app.login_as(Role::Volunteer).await;
    let own = volunteer_by_number(&app, OWN);
    assert_forbidden(
        app.patch_any(
            &format!("/api/v1/volunteers/{own}"),
            &me.access,
            &json!({ "phone": "13800000000" }),
        )
        .await,
    )
    .await;
    let lin_name: String = volunteers::table
        .find(lin)
        .select(volunteers::name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(lin_name, "林晓燕");
    let own_phone: Option<String> = volunteers::table
        .find(own)
        .select(volunteers::phone)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(own_phone, None);
    assert!(app.audit_rows("volunteer").is_empty());
}

both_backends!(
    an_admin_creates_reads_updates_and_deletes_a_volunteer,
    bad_volunteers_are_refused_with_pointers_and_change_nothing,
    each_role_sees_phone_and_volunteer_number_as_the_contract_says,
    a_branch_secretary_sees_and_changes_only_its_own_volunteers,
    moving_a_volunteer_keeps_the_branch_of_past_hours,
    a_volunteer_with_hours_is_archived_instead_of_deleted,
    the_volunteer_list_searches_filters_and_pages,
    hr_and_volunteers_cannot_write_volunteers,
);
