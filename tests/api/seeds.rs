//! Seeding: the plan exactly as written, idempotent, and all-or-nothing on bad files.

use diesel::prelude::*;
use volunteer_hours::db::schema::{plan_items, plan_sections, plans};
use volunteer_hours::db::Backend;
use volunteer_hours::seed::{self, SeedFailure, Source};

use crate::helpers::{count, TestDb};

/// The plan's 11 item titles, as the source document writes them.
const ITEM_TITLES: [&str; 11] = [
    "持续开展“我们的节日”主题活动",
    "持续打造“读书月”活动",
    "做强壮大精神文明宣传阵地",
    "着力加强网络精神文明建设",
    "发挥文明单位示范作用",
    "推进机关道德建设",
    "培育文明生活方式",
    "深化志愿服务“五化”建设",
    "持续推动垃圾分类宣传活动",
    "持续开展节能宣传周活动",
    "持续推进诚信建设",
];

const SECTION_TITLES: [&str; 3] = [
    "推进文明培育，树立文明新风",
    "深化文明创建，树立良好形象",
    "拓展文明实践，助推文明典范城市创建",
];

fn the_plan_is_seeded_exactly(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let conn = &mut test_db.conn();
    let report = seed::run(conn, &Source::Embedded, false).unwrap();
    assert_eq!(
        (report.plans, report.plan_items, report.branches),
        (1, 11, 8)
    );
    assert_eq!(report.volunteers + report.events + report.hour_entries, 0);

    let (year, title, issuer): (i32, String, String) = plans::table
        .select((plans::year, plans::title, plans::issuer))
        .first(conn)
        .unwrap();
    assert_eq!((year, title.as_str()), (2022, "2022年精神文明创建工作要点"));
    assert_eq!(issuer, "福州市工业和信息化局");

    let sections: Vec<String> = plan_sections::table
        .order(plan_sections::number)
        .select(plan_sections::title)
        .load(conn)
        .unwrap();
    assert_eq!(sections, SECTION_TITLES);

    let items: Vec<(i32, String, i32)> = plan_items::table
        .inner_join(plan_sections::table)
        .order(plan_items::number)
        .select((plan_items::number, plan_items::title, plan_sections::number))
        .load(conn)
        .unwrap();
    let numbers: Vec<i32> = items.iter().map(|i| i.0).collect();
    assert_eq!(numbers, (1..=11).collect::<Vec<_>>());
    let titles: Vec<&str> = items.iter().map(|i| i.1.as_str()).collect();
    assert_eq!(titles, ITEM_TITLES);
    let section_of: Vec<i32> = items.iter().map(|i| i.2).collect();
    assert_eq!(section_of, [1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]);

    // item 8 carries the text that asks for this very system
    let body: String = plan_items::table
        .filter(plan_items::number.eq(8))
        .select(plan_items::body)
        .first(conn)
        .unwrap();
    assert!(
        body.contains("及时将志愿服务参加情况录入志愿服务系统"),
        "{body}"
    );
}

fn seeding_twice_changes_nothing(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let conn = &mut test_db.conn();
    let first = seed::run(conn, &Source::Embedded, true).unwrap();
    assert_eq!(
        (
            first.branches,
            first.volunteers,
            first.events,
            first.hour_entries
        ),
        (11, 15, 8, 30)
    );
    let tables = [
        "plans",
        "plan_sections",
        "plan_items",
        "branches",
        "volunteers",
        "volunteer_tags",
        "events",
        "event_plan_items",
        "hour_entries",
        "audit_log",
    ];
    let before: Vec<i64> = tables.iter().map(|t| count(conn, t)).collect();
    let second = seed::run(conn, &Source::Embedded, true).unwrap();
    assert!(second.is_empty(), "{second:?}");
    let after: Vec<i64> = tables.iter().map(|t| count(conn, t)).collect();
    assert_eq!(before, after);
    // one audit row for the run that changed something
    assert_eq!(count(conn, "audit_log"), 1);
    // the demo links one event to two plan items
    assert!(count(conn, "event_plan_items") > 8);
}

fn copy_seeds(dir: &std::path::Path) {
    for name in [seed::PLAN_FILE, seed::BRANCHES_FILE, seed::DEMO_FILE] {
        let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seeds")
            .join(name);
        std::fs::copy(from, dir.join(name)).unwrap();
    }
}

fn a_bad_seed_file_writes_nothing(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let conn = &mut test_db.conn();
    let dir = tempfile::tempdir().unwrap();
    copy_seeds(dir.path());
    let demo_path = dir.path().join(seed::DEMO_FILE);
    let demo = std::fs::read_to_string(&demo_path).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&demo).unwrap();
    value["hours"][2]["volunteer"] = "no-such-volunteer".into();
    value["hours"][5]["minutes"] = 2000.into();
    std::fs::write(&demo_path, serde_json::to_string_pretty(&value).unwrap()).unwrap();

    let err = seed::run(conn, &Source::Dir(dir.path()), true).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, SeedFailure::Invalid(ref e) if e.len() == 2),
        "{text}"
    );
    assert!(
        text.contains("demo.json: /hours/2/volunteer: no volunteer `no-such-volunteer`"),
        "{text}"
    );
    assert!(
        text.contains("demo.json: /hours/5/minutes: must be between 1 and 1440"),
        "{text}"
    );
    // the plan and branches were fine, but nothing at all was written
    for table in [
        "plans",
        "branches",
        "volunteers",
        "hour_entries",
        "audit_log",
    ] {
        assert_eq!(count(conn, table), 0, "{table}");
    }
}

fn a_syntax_error_names_file_and_line(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let conn = &mut test_db.conn();
    let dir = tempfile::tempdir().unwrap();
    copy_seeds(dir.path());
    std::fs::write(
        dir.path().join(seed::BRANCHES_FILE),
        "{\n  \"branches\": [\n    {\"code\": \"A\", \"name\": \"x\", \"parent\": null, \"colour\": \"red\"}\n  ]\n}\n",
    )
    .unwrap();
    let text = seed::run(conn, &Source::Dir(dir.path()), false)
        .unwrap_err()
        .to_string();
    assert!(text.contains("branches.json"), "{text}");
    assert!(text.contains("line 3"), "{text}");
    assert!(text.contains("unknown field `colour`"), "{text}");
    assert_eq!(count(conn, "plans"), 0);
}

macro_rules! per_backend {
    ($($name:ident),*) => {
        mod sqlite { $( #[test] fn $name() { super::$name(volunteer_hours::db::Backend::Sqlite) } )* }
        mod postgres { $( #[test] fn $name() { super::$name(volunteer_hours::db::Backend::Postgres) } )* }
    };
}

per_backend!(
    the_plan_is_seeded_exactly,
    seeding_twice_changes_nothing,
    a_bad_seed_file_writes_nothing,
    a_syntax_error_names_file_and_line
);
