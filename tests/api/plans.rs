//! Plans: the seeded 2022 plan read back in order, a new year's plan checked whole and
//! created once, items listed by year, and only administrators write.

use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{plan_items, plans};

use crate::both_backends;
use crate::helpers::*;

/// Chinese text with full-width quotes, which must come back byte for byte.
const PAIRING: &str = "马厂社区“十个一”志愿服务";

/// The 2022 plan's section titles and item numbers per section, as seeded.
const SEEDED_SECTIONS: [(&str, &[i64]); 3] = [
    ("推进文明培育，树立文明新风", &[1, 2, 3, 4]),
    ("深化文明创建，树立良好形象", &[5, 6, 7]),
    ("拓展文明实践，助推文明典范城市创建", &[8, 9, 10, 11]),
];

/// A valid plan for `year` in the shape of seeds/plan-2022.json: two sections, three items.
fn plan_body(year: i32) -> Value {
    json!({
        "year": year,
        "title": format!("{year}年精神文明创建工作要点"),
        "title_en": format!("{year} Key Points of Spiritual-Civilization Work"),
        "issuer": "福州市工业和信息化局",
        "published_on": format!("{year}-02-20"),
        "preamble": "以习近平新时代中国特色社会主义思想为指导，持续深化文明培育、文明创建、文明实践。",
        "sections": [
            {
                "number": 1,
                "title": "推进文明培育，树立文明新风",
                "title_en": "Cultivate civility",
                "items": [
                    { "number": 1, "title": "持续开展“我们的节日”主题活动", "body": "春节、元宵、清明、端午、中秋、重阳。" },
                    { "number": 2, "title": PAIRING, "title_en": "Ten ones in Machang", "body": "机关志愿者走进结对共建的马厂社区。" }
                ]
            },
            {
                "number": 2,
                "title": "拓展文明实践",
                "items": [
                    { "number": 3, "title": "深化志愿服务“五化”建设", "body": "" }
                ]
            }
        ]
    })
}

/// (plans, plan_sections, plan_items)
fn plan_rows(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("plans"),
        app.count("plan_sections"),
        app.count("plan_items"),
    )
}

/// The year, titles and issuer of the work points of `year`, as the seed and
/// `plan_body` write them.
fn assert_plan_of_year(plan: &Value, year: i32) {
    assert_eq!(plan["year"], year);
    assert_eq!(plan["title"], format!("{year}年精神文明创建工作要点"));
    assert_eq!(
        plan["title_en"],
        format!("{year} Key Points of Spiritual-Civilization Work")
    );
    assert_eq!(plan["issuer"], "福州市工业和信息化局");
}

fn plan_id(app: &TestApp, year: i32) -> i64 {
    plans::table
        .filter(plans::year.eq(year))
        .select(plans::id)
        .first(&mut app.conn())
        .expect("plan")
}

async fn every_role_reads_the_seeded_plan_with_its_sections_and_items_in_order(app: TestApp) {
    app.seed();
    let id = plan_id(&app, 2022);
    for role in [Role::Admin, Role::Secretary, Role::Hr, Role::Volunteer] {
        let s = app.login_as(role).await;
        let list = app.get_ok("/api/v1/plans", &s.access).await;
        assert_eq!(list["total"], 1, "{role}: {list}");
        assert_eq!(
            (list["page"].as_i64(), list["limit"].as_i64()),
            (Some(1), Some(50))
        );
        let summary = &list["items"][0];
        assert_eq!(summary["id"], id);
        assert_plan_of_year(summary, 2022);
        assert_eq!(summary["item_count"], 11);
    }

    let hr = app.login_as(Role::Hr).await;
    let resp = app.get_as(&format!("/api/v1/plans/{id}"), &hr.access).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["etag"], "\"1\"");
    let plan: Value = resp.json().await.unwrap();
    assert_eq!(plan["id"], id);
    assert_eq!(plan["year"], 2022);
    assert!(
        plan["preamble"]
            .as_str()
            .unwrap()
            .starts_with("2022 年市工信局精神文明建设工作的总体要求是"),
        "{plan}"
    );
    for stamp in ["created_at", "updated_at"] {
        assert!(plan[stamp].as_str().unwrap().ends_with('Z'), "{plan}");
    }
    let sections = plan["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 3);
    for (i, (section, (title, numbers))) in sections.iter().zip(SEEDED_SECTIONS).enumerate() {
        assert_eq!(section["number"], i as i64 + 1);
        assert_eq!(section["title"], title);
        let got: Vec<i64> = section["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["number"].as_i64().unwrap())
            .collect();
        assert_eq!(got, numbers, "section {}", i + 1);
    }
    let item8 = &sections[2]["items"][0];
    assert_eq!(item8["number"], 8);
    assert_eq!(item8["id"], app.plan_item_id(8));
    assert_eq!(item8["title"], "深化志愿服务“五化”建设");
    assert!(item8["body"]
        .as_str()
        .unwrap()
        .contains("及时将志愿服务参加情况录入志愿服务系统"));

    assert_not_found(app.get_as("/api/v1/plans/999999", &hr.access).await).await;
}

async fn a_new_years_plan_is_checked_whole_created_once_and_read_back(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let before = plan_rows(&app);

    // item 1 again in the second section: refused whole, nothing written
    let mut duplicate = plan_body(2023);
    duplicate["sections"][1]["items"][0]["number"] = json!(1);
    let body = assert_validation(
        app.post_as("/api/v1/plans", Some(&admin.access), &duplicate)
            .await,
    )
    .await;
    assert_eq!(pointers(&body), ["/sections/1/items/0/number"]);
    assert_eq!(plan_rows(&app), before);
    assert!(app.audit_rows("plan").is_empty());

    let (id, location, created) =
        create(&app, &admin.access, "/api/v1/plans", &plan_body(2023)).await;
    assert_eq!(created["year"], 2023);
    assert_eq!(plan_rows(&app), (before.0 + 1, before.1 + 2, before.2 + 3));

    // read back by another role, sections and items in order
    let volunteer = app.login_as(Role::Volunteer).await;
    let plan = read_tagged(&app, &location, &volunteer.access, "\"1\"").await;
    assert_plan_of_year(&plan, 2023);
    assert_eq!(plan["published_on"], "2023-02-20");
    assert_eq!(plan["preamble"], plan_body(2023)["preamble"]);
    let sections = plan["sections"].as_array().unwrap();
    type Outline<'a> = Vec<(i64, &'a str, Vec<(i64, &'a str)>)>;
    let outline: Outline = sections
        .iter()
        .map(|s| {
            (
                s["number"].as_i64().unwrap(),
                s["title"].as_str().unwrap(),
                s["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| (i["number"].as_i64().unwrap(), i["title"].as_str().unwrap()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        outline,
        vec![
            (
                1,
                "推进文明培育，树立文明新风",
                vec![(1, "持续开展“我们的节日”主题活动"), (2, PAIRING)]
            ),
            (2, "拓展文明实践", vec![(3, "深化志愿服务“五化”建设")]),
        ]
    );
    assert_eq!(sections[0]["title_en"], "Cultivate civility");
    assert_eq!(sections[0]["items"][1]["title_en"], "Ten ones in Machang");
    assert_eq!(
        sections[0]["items"][0]["body"],
        "春节、元宵、清明、端午、中秋、重阳。"
    );
    assert_eq!(
        sections[0]["items"][1]["title"]
            .as_str()
            .unwrap()
            .as_bytes(),
        PAIRING.as_bytes()
    );
    let stored: String = plan_items::table
        .filter(plan_items::plan_id.eq(id))
        .filter(plan_items::number.eq(2))
        .select(plan_items::title)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(stored.as_bytes(), PAIRING.as_bytes());

    // the same year again, and the seeded year: conflicts that write nothing
    let after = plan_rows(&app);
    for year in [2023, 2022] {
        assert_conflict(
            app.post_as("/api/v1/plans", Some(&admin.access), &plan_body(year))
                .await,
        )
        .await;
    }
    assert_eq!(plan_rows(&app), after);
    app.assert_audited("plan", &[("create", admin.user_id, id)]);
}

async fn each_plan_rule_names_its_pointer_and_writes_nothing(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    let before = plan_rows(&app);
    let post = |body: Value| {
        let app = &app;
        let token = admin.access.clone();
        async move { app.post_as("/api/v1/plans", Some(&token), &body).await }
    };

    let mut no_sections = plan_body(2023);
    no_sections["sections"] = json!([]);
    let mut empty_section = plan_body(2023);
    empty_section["sections"][1]["items"] = json!([]);
    let mut wrong_type = plan_body(2023);
    wrong_type["year"] = json!("2023");
    // several faults at once are all reported
    let mut both = plan_body(2023);
    both["sections"][1]["items"][0]["number"] = json!(2);
    both["sections"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "number": 3, "title": "空的部分", "items": [] }));
    let cases = [
        (no_sections, vec!["/sections"]),
        (empty_section, vec!["/sections/1/items"]),
        (wrong_type, vec!["/year"]),
        (
            both,
            vec!["/sections/1/items/0/number", "/sections/2/items"],
        ),
    ];
    for (body, expected) in cases {
        let problem = assert_validation(post(body.clone()).await).await;
        let mut got = pointers(&problem);
        got.sort();
        assert_eq!(got, expected, "{body}");
    }

    let mut unknown_field = plan_body(2023);
    unknown_field["colour"] = json!("red");
    let mut missing_sections = plan_body(2023);
    missing_sections.as_object_mut().unwrap().remove("sections");
    let mut unknown_item_field = plan_body(2023);
    unknown_item_field["sections"][0]["items"][0]["owner"] = json!("机关党委");
    for body in [unknown_field, missing_sections, unknown_item_field] {
        assert_validation(post(body).await).await;
    }
    let half = "{\"year\": 2023, \"sections\": [";
    assert_malformed_refused(&app, &admin.access, "/api/v1/plans", half).await;

    assert_eq!(plan_rows(&app), before);
    assert!(app.audit_rows("plan").is_empty());
    let list = app.get_ok("/api/v1/plans?year=2023", &admin.access).await;
    assert_eq!(list["total"], 0);
}

async fn only_administrators_write_plans(app: TestApp) {
    app.seed();
    let before = plan_rows(&app);
    for role in [Role::Secretary, Role::Hr, Role::Volunteer] {
        let s = app.login_as(role).await;
        assert_forbidden(
            app.post_as("/api/v1/plans", Some(&s.access), &plan_body(2023))
                .await,
        )
        .await;
        // reading is fine
        let list = app.get_ok("/api/v1/plans", &s.access).await;
        assert_eq!(list["total"], 1, "{role}");
    }
    assert_unauthorized(app.post_as("/api/v1/plans", None, &plan_body(2023)).await).await;
    assert_eq!(plan_rows(&app), before);
    assert!(app.audit_rows("plan").is_empty());

    // nothing half-written stands in the way of the administrator
    let admin = app.login_as(Role::Admin).await;
    create(&app, &admin.access, "/api/v1/plans", &plan_body(2023)).await;
}

async fn the_plan_list_pages_and_filters_by_year(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    for year in [2023, 2024, 2025] {
        let resp = app
            .post_as("/api/v1/plans", Some(&admin.access), &plan_body(year))
            .await;
        assert_eq!(resp.status(), 201, "{year}");
    }
    let hr = app.login_as(Role::Hr).await;
    assert_walk_serves_every_row(&app, &hr.access, ("/api/v1/plans", 2), ("plans", 4)).await;

    let list = app.get_ok("/api/v1/plans?year=2024", &hr.access).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], plan_id(&app, 2024));
    assert_eq!(list["items"][0]["year"], 2024);
    assert_eq!(list["items"][0]["published_on"], "2024-02-20");
    assert_eq!(list["items"][0]["item_count"], 3);
    let list = app.get_ok("/api/v1/plans?year=1999", &hr.access).await;
    assert_eq!(list["total"], 0);
    assert_eq!(list["items"], json!([]));

    assert_each_query_refused(
        &app,
        &hr.access,
        "/api/v1/plans",
        &["limit=0", "limit=201", "page=0", "colour=red"],
    )
    .await;
}

async fn plan_items_are_listed_by_year_then_number(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    create(&app, &admin.access, "/api/v1/plans", &plan_body(2023)).await;
    let volunteer = app.login_as(Role::Volunteer).await;

    let all = app
        .get_ok("/api/v1/plan-items?limit=200", &volunteer.access)
        .await;
    assert_eq!(all["total"], 14);
    let order: Vec<(i64, i64)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["plan_year"].as_i64().unwrap(),
                i["number"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(i64, i64)> = (1..=11)
        .map(|n| (2022, n))
        .chain((1..=3).map(|n| (2023, n)))
        .collect();
    assert_eq!(order, expected);
    let item8 = &all["items"][7];
    assert_eq!(item8["id"], app.plan_item_id(8));
    assert_eq!(item8["plan_id"], plan_id(&app, 2022));
    assert_eq!(item8["section_number"], 3);
    assert_eq!(item8["title"], "深化志愿服务“五化”建设");
    assert_eq!(all["items"][12]["title"], PAIRING);
    assert_eq!(all["items"][12]["section_number"], 1);

    let by_year = app
        .get_ok("/api/v1/plan-items?year=2023", &volunteer.access)
        .await;
    assert_eq!(by_year["total"], 3);
    let by_plan = app
        .get_ok(
            &format!("/api/v1/plan-items?plan_id={}", plan_id(&app, 2023)),
            &volunteer.access,
        )
        .await;
    assert_eq!(by_plan["items"], by_year["items"]);
    assert!(by_plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["plan_year"] == 2023));

    // pages of three over the 2022 items: each once, in number order
    let ids_2022: Vec<i64> = plan_items::table
        .filter(plan_items::plan_id.eq(plan_id(&app, 2022)))
        .order(plan_items::number)
        .select(plan_items::id)
        .load(&mut app.conn())
        .unwrap();
    let (ids, total) = walk(&app, &volunteer.access, "/api/v1/plan-items?year=2022", 3).await;
    assert_eq!(ids, ids_2022);
    assert_eq!(total, 11);

    assert_each_query_refused(
        &app,
        &volunteer.access,
        "/api/v1/plan-items",
        &["limit=0", "limit=201", "section=1"],
    )
    .await;
}

both_backends!(
    every_role_reads_the_seeded_plan_with_its_sections_and_items_in_order,
    a_new_years_plan_is_checked_whole_created_once_and_read_back,
    each_plan_rule_names_its_pointer_and_writes_nothing,
    only_administrators_write_plans,
    the_plan_list_pages_and_filters_by_year,
    plan_items_are_listed_by_year_then_number,
);
