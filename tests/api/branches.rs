//! Branches: create, read, rename with ETags, delete or archive, no cycles, the list's
//! filters, and only administrators write.

use std::collections::BTreeSet;

use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{branches, hour_entries, volunteers};

use crate::both_backends;
use crate::helpers::*;

/// Chinese text with full-width quotes, which must come back byte for byte.
const PAIRING: &str = "马厂社区“十个一”志愿服务";

/// The codes of a list answer.
async fn codes(app: &TestApp, token: &str, query: &str) -> BTreeSet<String> {
    listed(app, token, ("/api/v1/branches", query), "code").await
}

fn parent_of(app: &TestApp, id: i64) -> Option<i64> {
    branches::table
        .find(id)
        .select(branches::parent_id)
        .first(&mut app.conn())
        .unwrap()
}

async fn an_admin_creates_reads_renames_and_deletes_a_branch(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let before = app.count("branches");
    let (id, location, created) = create(
        &app,
        &admin.access,
        "/api/v1/branches",
        &json!({ "code": "MCSQ", "name": PAIRING, "parent_id": root }),
    )
    .await;
    assert_eq!(created["code"], "MCSQ");
    assert_eq!(
        created["name"].as_str().unwrap().as_bytes(),
        PAIRING.as_bytes()
    );
    assert_eq!(created["parent_id"], root);
    assert_eq!(created["archived"], false);
    for stamp in ["created_at", "updated_at"] {
        assert!(created[stamp].as_str().unwrap().ends_with('Z'), "{created}");
    }
    assert_eq!(app.count("branches"), before + 1);
    let stored: String = branches::table
        .find(id)
        .select(branches::name)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(stored.as_bytes(), PAIRING.as_bytes());

    // every role reads it
    let volunteer = app.login_as(Role::Volunteer).await;
    assert_eq!(
        read_tagged(&app, &location, &volunteer.access, "\"1\"").await,
        created
    );

    let change = json!({ "code": "MCSQ-2", "name": "马厂社区结对共建联络组" });
    assert_patch_needs_current_tag(&app, &location, &admin.access, "\"7\"", &change).await;
    let unchanged: (String, String) = branches::table
        .find(id)
        .select((branches::code, branches::name))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(unchanged, ("MCSQ".to_owned(), PAIRING.to_owned()));
    let updated = patched(&app, &location, &admin.access, ("\"1\"", "\"2\""), &change).await;
    assert_eq!(updated["code"], "MCSQ-2");
    assert_eq!(updated["name"], "马厂社区结对共建联络组");
    assert_eq!(
        updated["parent_id"], root,
        "a partial update keeps the rest"
    );
    // the old tag is stale now
    let rename = json!({ "name": "又改名" });
    assert_stale_patch(&app, &location, &admin.access, "\"1\"", &rename).await;
    let stored: (String, String) = branches::table
        .find(id)
        .select((branches::code, branches::name))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        stored,
        ("MCSQ-2".to_owned(), "马厂社区结对共建联络组".to_owned())
    );

    assert_deleted_only_with_current_tag(&app, &location, &admin.access, ("branches", before + 1))
        .await;
    assert_eq!(app.count("branches"), before);

    assert_eq!(
        app.audit_of("branch", id),
        audit_trail(admin.user_id, id, &["create", "update", "delete"])
    );
}

async fn bad_branches_are_refused_with_pointers_and_change_nothing(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let before = app.count("branches");
    let cases = [
        (json!({ "code": "mcsq", "name": "小写代码" }), "/code"),
        (json!({ "code": "MC SQ", "name": "有空格" }), "/code"),
        (json!({ "code": "MC.SQ", "name": "有句点" }), "/code"),
        (json!({ "code": "马厂", "name": "中文代码" }), "/code"),
        (json!({ "code": "", "name": "空代码" }), "/code"),
        (
            json!({ "code": "A".repeat(33), "name": "太长的代码" }),
            "/code",
        ),
        (json!({ "code": "MCSQ", "name": "" }), "/name"),
        (json!({ "code": "MCSQ", "name": "志".repeat(101) }), "/name"),
        (
            json!({ "code": "MCSQ", "name": "马厂社区", "parent_id": 999_999 }),
            "/parent_id",
        ),
        (json!({ "code": "MCSQ", "name": 5 }), "/name"),
    ];
    assert_each_names_its_pointer(&app, &admin.access, "/api/v1/branches", cases).await;
    let incomplete = vec![
        json!({ "code": "MCSQ", "name": "马厂社区", "colour": "red" }),
        json!({ "code": "MCSQ" }),
        json!({ "code": "MCSQ", "name": "马厂社区", "archived": "no" }),
    ];
    assert_each_invalid(&app, &admin.access, "/api/v1/branches", incomplete).await;
    let half = "{\"code\": \"MCSQ\",";
    assert_malformed_refused(&app, &admin.access, "/api/v1/branches", half).await;
    assert_conflict(
        app.post_as(
            "/api/v1/branches",
            Some(&admin.access),
            &json!({ "code": "NYC", "name": "另一个能源处", "parent_id": root }),
        )
        .await,
    )
    .await;
    assert_eq!(app.count("branches"), before);
    assert!(app.audit_rows("branch").is_empty());

    // the limits count characters, not bytes
    let code = format!("MC_SQ-{}", "9".repeat(26));
    let name = "志".repeat(100);
    let resp = app
        .post_as(
            "/api/v1/branches",
            Some(&admin.access),
            &json!({ "code": code, "name": name, "parent_id": root }),
        )
        .await;
    let created = expect_json(resp, 201).await;
    assert_eq!(created["code"], code.as_str());
    assert_eq!(created["name"], name.as_str());
    assert_eq!(app.count("branches"), before + 1);
}

async fn a_branch_cannot_move_under_itself_or_its_descendants(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let jgtw = app.branch_id("JGTW");
    let nyc = app.branch_id("NYC");
    let deep = app.insert_branch("JGTW-1", Some(jgtw));
    for (branch, parent) in [(root, jgtw), (root, root), (root, deep), (jgtw, deep)] {
        let problem = assert_validation(
            app.patch_any(
                &format!("/api/v1/branches/{branch}"),
                &admin.access,
                &json!({ "parent_id": parent }),
            )
            .await,
        )
        .await;
        assert_eq!(
            pointers(&problem),
            ["/parent_id"],
            "{branch} under {parent}"
        );
    }
    assert_eq!(parent_of(&app, root), None);
    assert_eq!(parent_of(&app, jgtw), Some(root));
    let resp = app
        .get_as(&format!("/api/v1/branches/{root}"), &admin.access)
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"1\"", "refusals change nothing");

    // a legal move, and back to the top
    let resp = app
        .patch_as(
            &format!("/api/v1/branches/{jgtw}"),
            &admin.access,
            Some("\"1\""),
            &json!({ "parent_id": nyc }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"2\"");
    assert_eq!(resp.json::<Value>().await.unwrap()["parent_id"], nyc);
    assert_eq!(parent_of(&app, jgtw), Some(nyc));
    assert_eq!(
        codes(&app, &admin.access, &format!("parent_id={nyc}")).await,
        set(&["JGTW"])
    );
    let moved = expect_json(
        app.patch_any(
            &format!("/api/v1/branches/{deep}"),
            &admin.access,
            &json!({ "parent_id": null }),
        )
        .await,
        200,
    )
    .await;
    assert!(moved["parent_id"].is_null(), "{moved}");
    assert_eq!(parent_of(&app, deep), None);

    app.assert_audited(
        "branch",
        &[
            ("update", admin.user_id, jgtw),
            ("update", admin.user_id, deep),
        ],
    );
}

async fn a_branch_with_anything_attached_is_not_deleted(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");

    // one branch for each kind of thing that holds a branch in place
    let with_child = app.insert_branch("HAS-CHILD", Some(root));
    app.insert_branch("THE-CHILD", Some(with_child));
    let with_volunteer = app.insert_branch("HAS-VOLUNTEER", Some(root));
    app.insert_volunteer("只在这里的志愿者", with_volunteer);
    let with_event = app.insert_branch("HAS-EVENT", Some(root));
    app.insert_event("只在这里的活动", with_event);
    let with_user = app.insert_branch("HAS-USER", Some(root));
    let resp = app
        .post_as(
            "/api/v1/users",
            Some(&admin.access),
            &json!({ "username": "has.user.sec", "password": "a long enough password", "role": "secretary", "branch_id": with_user }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let with_hours = app.insert_branch("HAS-HOURS", Some(root));
    let entry = app.insert_entry("approved");
    diesel::update(hour_entries::table.find(entry))
        .set(hour_entries::branch_id.eq(with_hours))
        .execute(&mut app.conn())
        .unwrap();
    // and the demo's own: the root, a branch with volunteers and hours, one with an event
    let demo = ["JGDW", "ZB01", "JGTW", "XFPC"].map(|c| app.branch_id(c));

    let before = app.count("branches");
    for id in [
        with_child,
        with_volunteer,
        with_event,
        with_user,
        with_hours,
    ]
    .into_iter()
    .chain(demo)
    {
        let path = format!("/api/v1/branches/{id}");
        assert_conflict(app.delete_any(&path, &admin.access).await).await;
        let still = app.get_ok(&path, &admin.access).await;
        assert_eq!(still["id"], id);
        assert_eq!(still["archived"], false);
    }
    assert_eq!(app.count("branches"), before);
    assert!(app.audit_rows("branch").is_empty());
}

async fn an_archived_branch_leaves_the_list_but_stays_readable(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let zb01 = app.branch_id("ZB01");
    let path = format!("/api/v1/branches/{zb01}");
    let all = app.count("branches");

    let archive = json!({ "archived": true });
    let body = patched(&app, &path, &admin.access, ("\"1\"", "\"2\""), &archive).await;
    assert_eq!(body["archived"], true);
    let archived: bool = branches::table
        .find(zb01)
        .select(branches::archived)
        .first(&mut app.conn())
        .unwrap();
    assert!(archived);
    // its volunteers stay where they are
    let members: i64 = volunteers::table
        .filter(volunteers::branch_id.eq(zb01))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(members, 4);

    let hr = app.login_as(Role::Hr).await;
    let shown = codes(&app, &hr.access, "").await;
    assert!(!shown.contains("ZB01"));
    assert_eq!(shown.len() as i64, all - 1);
    let everything = codes(&app, &hr.access, "include_archived=true").await;
    assert!(everything.contains("ZB01"));
    assert_eq!(everything.len() as i64, all);
    assert_eq!(
        codes(&app, &hr.access, "q=zb").await,
        set(&["ZB02", "ZB03"])
    );
    assert_eq!(
        codes(&app, &hr.access, "q=zb&include_archived=true").await,
        set(&["ZB01", "ZB02", "ZB03"])
    );
    let read = read_tagged(&app, &path, &hr.access, "\"2\"").await;
    assert_eq!(read["archived"], true);

    // and back
    let restore = json!({ "archived": false });
    patched(&app, &path, &admin.access, ("\"2\"", "\"3\""), &restore).await;
    assert!(codes(&app, &hr.access, "").await.contains("ZB01"));

    let audit = app.audit_rows("branch");
    assert_eq!(audit.len(), 2, "{audit:?}");
    for (action, actor, entity) in audit {
        assert!(action == "update" || action == "archive", "{action}");
        assert_eq!((actor, entity), (Some(admin.user_id), Some(zb01)));
    }
}

async fn the_branch_list_filters_searches_and_pages(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let root = app.branch_id("JGDW");
    let jgtw = app.branch_id("JGTW");
    let a = app.insert_branch("JGTW-A", Some(jgtw));
    app.insert_branch("JGTW-A-B", Some(a));
    let resp = app
        .post_as(
            "/api/v1/branches",
            Some(&admin.access),
            &json!({ "code": "YLO", "name": "Youth League Office 团委办公室", "parent_id": jgtw }),
        )
        .await;
    assert_eq!(resp.status(), 201);

    let volunteer = app.login_as(Role::Volunteer).await;
    assert_walk_serves_every_row(
        &app,
        &volunteer.access,
        ("/api/v1/branches", 3),
        ("branches", 14),
    )
    .await;

    let t = &volunteer.access;
    assert_eq!(
        codes(&app, t, &format!("parent_id={root}")).await,
        set(&["JGTW", "JGGH", "JGFWH", "JBGS", "NYC", "JNJCZX", "XFPC", "ZB01", "ZB02", "ZB03"])
    );
    assert_eq!(
        codes(&app, t, &format!("parent_id={jgtw}")).await,
        set(&["JGTW-A", "YLO"])
    );
    assert_eq!(
        codes(&app, t, &format!("under={jgtw}")).await,
        set(&["JGTW", "JGTW-A", "JGTW-A-B", "YLO"])
    );
    assert_eq!(codes(&app, t, &format!("under={root}")).await.len(), 14);
    assert!(
        codes(&app, t, "under=987654").await.is_empty(),
        "no such branch"
    );
    // Chinese and Latin search, on code or name
    assert_eq!(
        codes(&app, t, "q=党支部").await,
        set(&["ZB01", "ZB02", "ZB03"])
    );
    assert_eq!(codes(&app, t, "q=机关").await.len(), 7);
    assert_eq!(
        codes(&app, t, "q=zb0").await,
        set(&["ZB01", "ZB02", "ZB03"])
    );
    assert_eq!(
        codes(&app, t, "q=Jgtw-a").await,
        set(&["JGTW-A", "JGTW-A-B"])
    );
    assert_eq!(codes(&app, t, "q=youth%20LEAGUE").await, set(&["YLO"]));
    assert_eq!(codes(&app, t, "q=团委").await, set(&["JGTW", "YLO"]));
    assert!(
        codes(&app, t, "q=%25").await.is_empty(),
        "a % matches only itself"
    );

    assert_each_query_refused(&app, t, "/api/v1/branches", BAD_PAGING).await;
}

async fn only_administrators_write_branches(app: TestApp) {
    app.seed();
    let root = app.branch_id("JGDW");
    let nyc = app.branch_id("NYC");
    let leaf = app.insert_branch("LEAF", Some(root));
    let before = app.count("branches");
    for role in [Role::Secretary, Role::Hr, Role::Volunteer] {
        let s = app.login_as(role).await;
        assert_forbidden(
            app.post_as(
                "/api/v1/branches",
                Some(&s.access),
                &json!({ "code": "NEW", "name": "新支部", "parent_id": root }),
            )
            .await,
        )
        .await;
        assert_forbidden(
            app.patch_any(
                &format!("/api/v1/branches/{nyc}"),
                &s.access,
                &json!({ "name": "改名的能源处", "archived": true }),
            )
            .await,
        )
        .await;
        assert_forbidden(
            app.delete_any(&format!("/api/v1/branches/{leaf}"), &s.access)
                .await,
        )
        .await;
        let nyc_now = app
            .get_ok(&format!("/api/v1/branches/{nyc}"), &s.access)
            .await;
        assert_eq!(nyc_now["name"], "能源处", "{role}");
    }
    assert_eq!(app.count("branches"), before);
    let (name, archived): (String, bool) = branches::table
        .find(nyc)
        .select((branches::name, branches::archived))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((name.as_str(), archived), ("能源处", false));
    assert!(app.audit_rows("branch").is_empty());
}

both_backends!(
    an_admin_creates_reads_renames_and_deletes_a_branch,
    bad_branches_are_refused_with_pointers_and_change_nothing,
    a_branch_cannot_move_under_itself_or_its_descendants,
    a_branch_with_anything_attached_is_not_deleted,
    an_archived_branch_leaves_the_list_but_stays_readable,
    the_branch_list_filters_searches_and_pages,
    only_administrators_write_branches,
);
