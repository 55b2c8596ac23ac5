//! Totals and exports: every report equals a direct recomputation from the entries, and
//! the JSON, CSV and XLSX of one request hold the same numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use chrono::NaiveDate;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{event_plan_items, events, hour_entries, volunteers};
use volunteer_hours::db::{self, Backend};

use crate::helpers::*;

const CATEGORIES: [&str; 5] = [
    "lei_feng_day",
    "training",
    "garbage_sorting",
    "community_pairing",
    "energy_saving",
];

/// One generated entry, as the report should see it.
#[derive(Debug, Clone)]
struct Entry {
    volunteer: i64,
    branch: i64,
    event: i64,
    category: &'static str,
    items: Vec<i64>,
    date: NaiveDate,
    minutes: i64,
    status: &'static str,
    correction: bool,
}

/// Random branches, volunteers, events and entries (approved, rejected, submitted, and
/// corrections approved or rejected), written straight to the database.
fn generate(app: &TestApp, seed: u64) -> Vec<Entry> {
    let mut rng = StdRng::seed_from_u64(seed);
    app.seed();
    let root = app.branch_id("JGDW");
    let mut branches = vec![root];
    for i in 0..4 {
        let parent = branches[rng.gen_range(0..branches.len())];
        branches.push(app.insert_branch(&format!("P{seed}B{i}"), Some(parent)));
    }
    let people: Vec<(i64, i64)> = (0..12)
        .map(|i| {
            let b = branches[rng.gen_range(0..branches.len())];
            (app.insert_volunteer(&format!("人{seed}-{i}"), b), b)
        })
        .collect();
    let items: Vec<i64> = (1..=11).map(|n| app.plan_item_id(n)).collect();
    let conn = &mut app.conn();
    let now = db::now();
    let mut evs = Vec::new();
    for i in 0..6 {
        let day =
            NaiveDate::from_ymd_opt(2022, rng.gen_range(1..=12), rng.gen_range(1..=28)).unwrap();
        let category = CATEGORIES[rng.gen_range(0..CATEGORIES.len())];
        diesel::insert_into(events::table)
            .values((
                events::title.eq(format!("活动{seed}-{i}")),
                events::category.eq(category),
                events::organiser_branch_id.eq(root),
                events::starts_at.eq(day.and_hms_opt(0, 0, 0).unwrap()),
                events::ends_at.eq(day.and_hms_opt(12, 0, 0).unwrap()),
                events::created_at.eq(now),
                events::updated_at.eq(now),
            ))
            .execute(conn)
            .unwrap();
        let id: i64 = events::table
            .select(events::id)
            .order(events::id.desc())
            .first(conn)
            .unwrap();
        let mut linked = BTreeSet::new();
        for _ in 0..rng.gen_range(1..=2) {
            linked.insert(items[rng.gen_range(0..items.len())]);
        }
        for item in &linked {
            diesel::insert_into(event_plan_items::table)
                .values((
                    event_plan_items::event_id.eq(id),
                    event_plan_items::plan_item_id.eq(item),
                ))
                .execute(conn)
                .unwrap();
        }
        evs.push((id, category, linked.into_iter().collect::<Vec<_>>(), day));
    }
    let mut out = Vec::new();
    let mut used = BTreeSet::new();
    for _ in 0..40 {
        let (volunteer, branch) = people[rng.gen_range(0..people.len())];
        let (event, category, items, date) = evs[rng.gen_range(0..evs.len())].clone();
        if !used.insert((volunteer, event)) {
            continue;
        }
        let minutes = rng.gen_range(1..=300);
        let status =
            ["approved", "approved", "approved", "rejected", "submitted"][rng.gen_range(0..5)];
        let insert =
            |conn: &mut db::DbConn, minutes: i64, status: &str, corrects: Option<i64>| -> i64 {
                diesel::insert_into(hour_entries::table)
                    .values((
                        hour_entries::volunteer_id.eq(volunteer),
                        hour_entries::event_id.eq(event),
                        hour_entries::branch_id.eq(branch),
                        hour_entries::minutes.eq(minutes as i32),
                        hour_entries::service_date.eq(date),
                        hour_entries::status.eq(status),
                        hour_entries::corrects_id.eq(corrects),
                        hour_entries::reviewed_at.eq((status != "submitted").then_some(now)),
                        hour_entries::reason.eq((status == "rejected").then_some("不符")),
                        hour_entries::created_at.eq(now),
                        hour_entries::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .unwrap();
                hour_entries::table
                    .select(hour_entries::id)
                    .order(hour_entries::id.desc())
                    .first(conn)
                    .unwrap()
            };
        let id = insert(conn, minutes, status, None);
        let entry = Entry {
            volunteer,
            branch,
            event,
            category,
            items,
            date,
            minutes,
            status,
            correction: false,
        };
        out.push(entry.clone());
        if status == "approved" && rng.gen_bool(0.4) {
            let delta = rng.gen_range(-minutes + 1..=60);
            let delta = if delta == 0 { 5 } else { delta };
            let cstatus = if rng.gen_bool(0.7) {
                "approved"
            } else {
                "rejected"
            };
            insert(conn, delta, cstatus, Some(id));
            out.push(Entry {
                minutes: delta,
                status: cstatus,
                correction: true,
                ..entry
            });
        }
    }
    out
}

type Key = Vec<String>;

/// (minutes, entries, volunteers) by group key, computed from the generated entries.
fn expected(entries: &[Entry], groups: &[&str]) -> BTreeMap<Key, (i64, i64, BTreeSet<i64>)> {
    let mut out: BTreeMap<Key, (i64, i64, BTreeSet<i64>)> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.status == "approved") {
        let kind = if e.category == "training" {
            "training"
        } else {
            "service"
        };
        let item_keys: Vec<Option<i64>> = if groups.contains(&"plan_item") {
            e.items.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for item in item_keys {
            let mut key = Vec::new();
            for g in groups {
                key.push(match *g {
                    "volunteer" => e.volunteer.to_string(),
                    "branch" => e.branch.to_string(),
                    "event" => e.event.to_string(),
                    "category" => e.category.to_owned(),
                    "month" => e.date.format("%Y-%m").to_string(),
                    "plan_item" => item.map(|i| i.to_string()).unwrap_or_default(),
                    _ => unreachable!(),
                });
            }
            key.push(kind.to_owned());
            let slot = out.entry(key).or_default();
            slot.0 += e.minutes;
            slot.1 += i64::from(!e.correction);
            slot.2.insert(e.volunteer);
        }
    }
    out
}

fn key_of(row: &Value, groups: &[&str]) -> Key {
    let mut key: Key = groups
        .iter()
        .map(|g| match *g {
            "volunteer" => row["volunteer_id"].to_string(),
            "branch" => row["branch_id"].to_string(),
            "event" => row["event_id"].to_string(),
            "plan_item" => row["plan_item_id"].to_string(),
            "category" => row["category"].as_str().unwrap().to_owned(),
            "month" => row["month"].as_str().unwrap().to_owned(),
            _ => unreachable!(),
        })
        .collect();
    key.push(row["kind"].as_str().unwrap().to_owned());
    key
}

async fn totals(app: &TestApp, token: &str, query: &str) -> Value {
    let resp = app
        .get_as(&format!("/api/v1/reports/totals?{query}"), token)
        .await;
    assert_eq!(resp.status(), 200, "{query}");
    resp.json().await.unwrap()
}

async fn every_report_equals_a_recomputation(backend: Backend) {
    for seed in [1_u64, 2, 3] {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let entries = generate(&app, seed);
        let admin = app.login_as(Role::Admin).await;
        for groups in [
            vec!["volunteer"],
            vec!["branch"],
            vec!["plan_item"],
            vec!["event"],
            vec!["category"],
            vec!["month"],
            vec!["branch", "month"],
            vec!["plan_item", "volunteer"],
            vec!["volunteer", "branch", "event", "category"],
        ] {
            let body = totals(
                &app,
                &admin.access,
                &format!("group_by={}", groups.join(",")),
            )
            .await;
            let want = expected(&entries, &groups);
            let mut got = BTreeMap::new();
            for row in body["rows"].as_array().unwrap() {
                let minutes = row["total_minutes"].as_i64().unwrap();
                let hours: f64 = row["total_hours"].as_str().unwrap().parse().unwrap();
                assert!(
                    (hours - minutes as f64 / 60.0).abs() <= 0.005 + 1e-9,
                    "{row}"
                );
                got.insert(
                    key_of(row, &groups),
                    (
                        minutes,
                        row["entry_count"].as_i64().unwrap(),
                        row["volunteer_count"].as_i64().unwrap(),
                    ),
                );
            }
            assert!(!want.is_empty(), "seed {seed} produced no approved entries");
            let want: BTreeMap<Key, (i64, i64, i64)> = want
                .into_iter()
                .map(|(k, (m, n, v))| (k, (m, n, v.len() as i64)))
                .collect();
            assert_eq!(got, want, "seed {seed}, group_by {groups:?} on {backend:?}");

            // overall counts each entry once, whatever the grouping
            let approved: Vec<&Entry> = entries.iter().filter(|e| e.status == "approved").collect();
            let overall_minutes: i64 = body["overall"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["total_minutes"].as_i64().unwrap())
                .sum();
            assert_eq!(
                overall_minutes,
                approved.iter().map(|e| e.minutes).sum::<i64>()
            );
        }
    }
}

fn sheet_numbers(xlsx: &[u8]) -> (String, String) {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    (
        read("xl/worksheets/sheet1.xml"),
        read("xl/sharedStrings.xml"),
    )
}

async fn csv_xlsx_and_json_hold_the_same_numbers(app: TestApp) {
    generate(&app, 7);
    let admin = app.login_as(Role::Admin).await;
    let json = totals(&app, &admin.access, "group_by=volunteer").await;
    let rows = json["rows"].as_array().unwrap();
    assert!(!rows.is_empty());

    let csv = app
        .get_as(
            "/api/v1/exports/totals.csv?group_by=volunteer",
            &admin.access,
        )
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    let mut lines = csv.trim_start_matches('\u{feff}').split("\r\n");
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("志愿者ID volunteer_id,姓名 volunteer_name,"),
        "{header}"
    );
    let data: Vec<&str> = lines.by_ref().take_while(|l| !l.is_empty()).collect();
    assert_eq!(data.len(), rows.len());
    for (line, row) in data.iter().zip(rows) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], row["volunteer_id"].to_string());
        assert_eq!(cells[3], row["total_minutes"].to_string(), "{line}");
        assert_eq!(cells[4], row["total_hours"].as_str().unwrap(), "{line}");
    }
    let trailer: Vec<&str> = lines.collect();
    assert!(
        trailer
            .iter()
            .any(|l| l.starts_with("# 生成时间 generated_at,")),
        "{trailer:?}"
    );
    assert!(
        trailer
            .iter()
            .any(|l| l.contains("\"\"status\"\":\"\"approved\"\"")),
        "{trailer:?}"
    );

    let xlsx = app
        .get_as(
            "/api/v1/exports/totals.xlsx?group_by=volunteer",
            &admin.access,
        )
        .await;
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    let (sheet, strings) = sheet_numbers(&bytes);
    assert!(
        sheet.contains("<pane ") && sheet.contains("ySplit=\"1\""),
        "frozen header"
    );
    for row in rows {
        let minutes = row["total_minutes"].to_string();
        assert!(
            sheet.contains(&format!("<v>{minutes}</v>")),
            "minutes {minutes} as a number cell"
        );
    }
    assert!(
        strings.contains("software_version") && strings.contains("generated_by"),
        "an about sheet"
    );
    assert!(strings.contains("admin.user (admin)"));
}

async fn the_csv_neutralises_formulas(app: TestApp) {
    app.seed();
    let root = app.branch_id("JGDW");
    let id = app.insert_volunteer("=HYPERLINK(\"http://x\")", root);
    let entry = app.insert_entry("approved");
    diesel::update(hour_entries::table.find(entry))
        .set(hour_entries::volunteer_id.eq(id))
        .execute(&mut app.conn())
        .unwrap();
    let admin = app.login_as(Role::Admin).await;
    let csv = app
        .get_as(
            "/api/v1/exports/totals.csv?group_by=volunteer",
            &admin.access,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
}

async fn each_role_sees_its_own_scope(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let all = totals(&app, &admin.access, "group_by=branch").await;
    let branches: BTreeSet<i64> = ints_of(&all["rows"], "branch_id").into_iter().collect();
    assert!(branches.len() >= 3, "{all}");

    // a secretary of ZB01 sees ZB01 only
    let zb01 = app.branch_id("ZB01");
    let resp = app
        .post_as("/api/v1/users", Some(&admin.access), &serde_json::json!({ "username": "zb01.sec", "password": "a long enough password", "role": "secretary", "branch_id": zb01 }))
        .await;
    assert_eq!(resp.status(), 201);
    let token: Value = app
        .login("zb01.sec", "a long enough password")
        .await
        .json()
        .await
        .unwrap();
    let mine = totals(
        &app,
        token["access_token"].as_str().unwrap(),
        "group_by=branch",
    )
    .await;
    let seen: BTreeSet<i64> = ints_of(&mine["rows"], "branch_id").into_iter().collect();
    assert_eq!(seen, BTreeSet::from([zb01]));

    // a volunteer sees only itself
    let v = app.login_as(Role::Volunteer).await;
    let vid: i64 = volunteers::table
        .filter(volunteers::volunteer_number.eq("V-volunteer.user"))
        .select(volunteers::id)
        .first(&mut app.conn())
        .unwrap();
    let entry = app.insert_entry("approved");
    diesel::update(hour_entries::table.find(entry))
        .set(hour_entries::volunteer_id.eq(vid))
        .execute(&mut app.conn())
        .unwrap();
    let own = totals(&app, &v.access, "group_by=volunteer").await;
    let ids: Vec<i64> = ints_of(&own["rows"], "volunteer_id");
    assert_eq!(ids, vec![vid]);
}

/// The row of `volunteer` in a totals answer grouped by volunteer.
fn volunteer_row(totals: &Value, volunteer: i64) -> Value {
    let rows = totals["rows"].as_array().expect("rows");
    let row = rows.iter().find(|r| r["volunteer_id"] == volunteer);
    row.expect("the volunteer's row").clone()
}

async fn star_levels_follow_cumulative_approved_hours(app: TestApp) {
    let entry = app.insert_entry("approved");
    let (volunteer,): (i64,) = hour_entries::table
        .find(entry)
        .select((hour_entries::volunteer_id,))
        .first(&mut app.conn())
        .unwrap();
    // 100 hours exactly: one star
    diesel::update(hour_entries::table.find(entry))
        .set(hour_entries::minutes.eq(1440))
        .execute(&mut app.conn())
        .unwrap();
    let admin = app.login_as(Role::Admin).await;
    let body = totals(&app, &admin.access, "group_by=volunteer").await;
    let row = volunteer_row(&body, volunteer);
    assert_eq!(
        (
            row["cumulative_minutes"].as_i64(),
            row["star_level"].as_u64()
        ),
        (Some(1440), Some(0))
    );
    let now = db::now();
    for day in 6..10 {
        diesel::insert_into(hour_entries::table)
            .values((
                hour_entries::volunteer_id.eq(volunteer),
                hour_entries::event_id
                    .eq(app.insert_event(&format!("长活动 {day}"), app.branch_id("JGDW"))),
                hour_entries::branch_id.eq(app.branch_id("JGDW")),
                hour_entries::minutes.eq(1440),
                hour_entries::service_date.eq(NaiveDate::from_ymd_opt(2022, 3, day).unwrap()),
                hour_entries::status.eq("approved"),
                hour_entries::reviewed_at.eq(Some(now)),
                hour_entries::created_at.eq(now),
                hour_entries::updated_at.eq(now),
            ))
            .execute(&mut app.conn())
            .unwrap();
    }
    let body = totals(&app, &admin.access, "group_by=volunteer").await;
    let row = volunteer_row(&body, volunteer);
    assert_eq!(
        (
            row["cumulative_minutes"].as_i64(),
            row["star_level"].as_u64()
        ),
        (Some(6000 + 1200), Some(1))
    );
    assert_eq!(row["total_hours"], "120.00");
}

async fn training_is_kept_apart(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let both = totals(&app, &admin.access, "group_by=category").await;
    let training = totals(&app, &admin.access, "group_by=category&kind=training").await;
    let rows = training["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r["kind"] == "training" && r["category"] == "training"));
    let kinds: BTreeSet<&str> = strs_of(&both["rows"], "kind").into_iter().collect();
    assert_eq!(kinds, BTreeSet::from(["service", "training"]));
}

async fn bad_report_parameters_are_refused(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    for bad in [
        "group_by=colour",
        "group_by=branch,%20month",
        "group_by=branch,",
        "group_by=",
        "limit=5",
        "status=maybe",
        "from=yesterday",
    ] {
        for path in [
            "/api/v1/reports/totals",
            "/api/v1/exports/totals.csv",
            "/api/v1/exports/totals.xlsx",
        ] {
            let resp = app.get_as(&format!("{path}?{bad}"), &admin.access).await;
            assert_invalid_parameter(resp).await;
        }
    }
}

/// `from` after `to` is a range with no days: nothing is counted, as for any empty range.
async fn a_reversed_range_counts_nothing(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let entry = app.insert_entry("approved");
    assert_eq!(app.count("hour_entries"), 1);
    let all = totals(&app, &admin.access, "group_by=volunteer").await;
    assert_eq!(
        all["rows"].as_array().unwrap().len(),
        1,
        "{all}; entry {entry}"
    );
    let none = totals(&app, &admin.access, "from=2099-05-01&to=2000-04-01").await;
    assert_eq!(none["rows"], json!([]), "{none}");
    assert_eq!(none["meta"]["filters"]["from"], "2099-05-01");
    assert_eq!(none["overall"], json!([]), "{none}");
    let csv = app
        .get_as(
            "/api/v1/exports/totals.csv?from=2099-05-01&to=2000-04-01",
            &admin.access,
        )
        .await;
    assert_eq!(csv.status(), 200);
}

crate::both_backends!(
    a_reversed_range_counts_nothing,
    csv_xlsx_and_json_hold_the_same_numbers,
    the_csv_neutralises_formulas,
    each_role_sees_its_own_scope,
    star_levels_follow_cumulative_approved_hours,
    training_is_kept_apart,
    bad_report_parameters_are_refused,
);

mod property_sqlite {
    #[actix_web::test]
    async fn every_report_equals_a_recomputation() {
        super::every_report_equals_a_recomputation(volunteer_hours::db::Backend::Sqlite).await
    }
}

mod property_postgres {
    #[actix_web::test]
    async fn every_report_equals_a_recomputation() {
        super::every_report_equals_a_recomputation(volunteer_hours::db::Backend::Postgres).await
    }
}

/// The PostgreSQL export streams rows one at a time: a long one still holds every
/// volunteer once, in order, with the right sums, and the trailer after them.
#[actix_web::test]
async fn postgres_a_long_export_holds_every_row() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    app.seed();
    let branch = app.branch_id("JGDW");
    let event = app.insert_event("大型活动", branch);
    const N: i64 = 12_345;
    diesel::sql_query(format!(
        "INSERT INTO volunteers (name, branch_id, search_text) \
         SELECT '志愿者' || g, {branch}, '志愿者' || g FROM generate_series(1, {N}) g"
    ))
    .execute(&mut app.conn())
    .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO hour_entries (volunteer_id, event_id, branch_id, minutes, service_date, \
         status, reviewed_at) SELECT id, {event}, {branch}, 30 + id % 7, DATE '2022-03-05', \
         'approved', now() FROM volunteers"
    ))
    .execute(&mut app.conn())
    .unwrap();
    let hr = app.login_as(Role::Hr).await;
    let csv = app
        .get_as("/api/v1/exports/totals.csv?group_by=volunteer", &hr.access)
        .await;
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    let ids: Vec<i64> = csv
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids.len() as i64, N);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "each once, in order");
    let minutes: i64 = csv
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(',').nth(3).unwrap().parse::<i64>().unwrap())
        .sum();
    let stored: i64 = hour_entries::table
        .select(diesel::dsl::sum(hour_entries::minutes))
        .first::<Option<i64>>(&mut app.conn())
        .unwrap()
        .unwrap();
    assert_eq!(minutes, stored);
    assert!(csv.contains("\r\n# "), "the trailer after the last row");
}

/// `hour_totals` summed afresh from the approved entries (what the triggers must keep).
const TOTALS_FROM_ENTRIES: &str =
    "SELECT CAST(date_trunc('month', h.service_date) AS DATE) AS month, \
     h.branch_id, h.volunteer_id, e.category, h.source, CAST(SUM(h.minutes) AS BIGINT) AS minutes, \
     CAST(SUM(CASE WHEN h.corrects_id IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS entries, \
     CAST(COUNT(*) AS BIGINT) AS row_count \
     FROM hour_entries h JOIN events e ON e.id = h.event_id WHERE h.status = 'approved' \
     GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5";

#[derive(Debug, PartialEq, QueryableByName)]
struct TotalsKept {
    #[diesel(sql_type = diesel::sql_types::Date)]
    month: NaiveDate,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    branch_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    volunteer_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    category: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    source: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    minutes: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    entries: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    row_count: i64,
}

fn assert_totals_kept(app: &TestApp, when: &str) {
    let conn = &mut app.conn();
    let kept: Vec<TotalsKept> = diesel::sql_query(
        "SELECT month, branch_id, volunteer_id, category, source, \
         CAST(minutes AS BIGINT) AS minutes, CAST(entries AS BIGINT) AS entries, \
         CAST(row_count AS BIGINT) AS row_count FROM hour_totals ORDER BY 1, 2, 3, 4, 5",
    )
    .load(conn)
    .unwrap();
    let afresh: Vec<TotalsKept> = diesel::sql_query(TOTALS_FROM_ENTRIES).load(conn).unwrap();
    assert!(
        !afresh.is_empty(),
        "{when}: no approved entries to test with"
    );
    assert_eq!(kept, afresh, "{when}");
}

/// Every report the monthly totals serve equals the same report read from the entries.
fn assert_reports_agree(app: &TestApp, branch: i64, volunteer: i64) {
    use volunteer_hours::auth::Scope;
    use volunteer_hours::reports::model::{
        totals_sql_from, Filters, GroupBy as G, Kind, Source, TotalsRow,
    };
    let conn = &mut app.conn();
    let day = |m, d| NaiveDate::from_ymd_opt(2022, m, d);
    let approved = Filters {
        status: "approved",
        ..Filters::default()
    };
    let filters = [
        approved.clone(),
        Filters {
            from: day(1, 1),
            to: day(12, 31),
            ..approved.clone()
        },
        Filters {
            from: day(3, 1),
            to: day(6, 30),
            ..approved.clone()
        },
        Filters {
            branches: Some(vec![branch]),
            kind: Some(Kind::Service),
            ..approved.clone()
        },
        Filters {
            category: Some("training"),
            source: Some("entered"),
            ..approved.clone()
        },
    ];
    let groupings: [&[G]; 7] = [
        &[],
        &[G::Volunteer],
        &[G::Branch],
        &[G::Month],
        &[G::Category, G::Source],
        &[G::Branch, G::Month],
        &[G::Volunteer, G::Month, G::Category],
    ];
    let scopes = [
        Scope::All,
        Scope::Branches(vec![branch]),
        Scope::Volunteer(Some(volunteer)),
    ];
    let mut nonempty = 0;
    for f in &filters {
        for groups in groupings {
            assert_eq!(
                Source::for_report(Backend::Postgres, groups, f),
                Source::MonthlyTotals,
                "{groups:?} {f:?}"
            );
            for scope in &scopes {
                let mut read = |source| -> Vec<TotalsRow> {
                    let sql = totals_sql_from(source, Backend::Postgres, groups, f, scope);
                    diesel::sql_query(sql).load(conn).unwrap()
                };
                let (kept, entries) = (read(Source::MonthlyTotals), read(Source::Entries));
                nonempty += usize::from(!entries.is_empty());
                assert_eq!(kept, entries, "{groups:?} {f:?} {scope:?}");
            }
        }
    }
    assert!(nonempty > 50, "only {nonempty} reports had rows");
}

/// PostgreSQL keeps the approved minutes per month, branch, volunteer, category and source
/// beside the entries (`hour_totals`, by triggers): after entries are inserted, reviewed
/// through the API, corrected, rejected in bulk and moved to another event's category, it
/// equals the entries summed afresh, and every report it serves equals the same report read
/// from the entries.
#[actix_web::test]
async fn postgres_monthly_totals_follow_the_entries() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let entries = generate(&app, 4);
    assert_totals_kept(&app, "after the inserts");
    let (volunteer, branch) = (entries[0].volunteer, entries[0].branch);
    assert_reports_agree(&app, branch, volunteer);

    let submitted: Vec<i64> = hour_entries::table
        .filter(hour_entries::status.eq("submitted"))
        .select(hour_entries::id)
        .load(&mut app.conn())
        .unwrap();
    assert!(!submitted.is_empty());
    let admin = app.login_as(Role::Admin).await;
    let resp = app
        .post_as(
            "/api/v1/hours/review",
            Some(&admin.access),
            &json!({"action": "approve", "ids": submitted}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_totals_kept(&app, "after the review");

    let conn = &mut app.conn();
    for (what, sql) in [
        (
            "a statement touching every entry",
            "UPDATE hour_entries SET version = version + 1",
        ),
        (
            "a bulk rejection",
            "UPDATE hour_entries SET status = 'rejected', reason = '不符' \
             WHERE status = 'approved' AND corrects_id IS NULL AND id % 3 = 0 \
             AND NOT EXISTS (SELECT 1 FROM hour_entries c WHERE c.corrects_id = hour_entries.id)",
        ),
        (
            "a correction's status",
            "UPDATE hour_entries SET status = 'rejected', reason = '不符' \
             WHERE id = (SELECT min(id) FROM hour_entries WHERE corrects_id IS NOT NULL \
             AND status = 'approved')",
        ),
        (
            "an event's category",
            "UPDATE events SET category = CASE category WHEN 'training' THEN 'reading' \
             ELSE 'training' END WHERE id = (SELECT min(event_id) FROM hour_entries \
             WHERE status = 'approved')",
        ),
        (
            "an entry deleted by an operator",
            "DELETE FROM hour_entries WHERE id = (SELECT max(id) FROM hour_entries h \
             WHERE status = 'approved' AND NOT EXISTS (SELECT 1 FROM hour_entries c \
             WHERE c.corrects_id = h.id))",
        ),
    ] {
        assert!(diesel::sql_query(sql).execute(conn).unwrap() > 0, "{what}");
        assert_totals_kept(&app, what);
    }
    assert_reports_agree(&app, branch, volunteer);
}

/// Two transactions that each wait for a row the other holds (two reviews sharing two
/// volunteers' months in `hour_totals`, taken in opposite orders) end in a deadlock, which
/// PostgreSQL breaks by failing one: that one is a 503 to retry, not a 500.
#[actix_web::test]
async fn postgres_a_deadlock_is_unavailable_not_internal() {
    use volunteer_hours::error::AppError;
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    app.seed();
    let branch = app.branch_id("JGDW");
    let (a, b) = (
        app.insert_volunteer("甲", branch),
        app.insert_volunteer("乙", branch),
    );
    let touch = |conn: &mut db::DbConn, id: i64| {
        diesel::sql_query(format!("UPDATE volunteers SET name = name WHERE id = {id}"))
            .execute(conn)
    };
    let (mut one, mut two) = (app.conn(), app.conn());
    for conn in [&mut one, &mut two] {
        diesel::sql_query("BEGIN").execute(&mut **conn).unwrap();
    }
    touch(&mut one, a).unwrap();
    touch(&mut two, b).unwrap();
    let (first, second) = std::thread::scope(|s| {
        let waits = s.spawn(|| touch(&mut one, b));
        std::thread::sleep(std::time::Duration::from_millis(200));
        (touch(&mut two, a), waits.join().unwrap())
    });
    let failed: Vec<diesel::result::Error> = [first, second]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    assert_eq!(
        failed.len(),
        1,
        "PostgreSQL ends one of the two: {failed:?}"
    );
    for e in failed {
        let e = AppError::from(e);
        assert!(
            matches!(
                e,
                AppError::Unavailable {
                    retry_after_secs: 1,
                    ..
                }
            ),
            "{e:?}"
        );
    }
    for conn in [&mut one, &mut two] {
        diesel::sql_query("ROLLBACK").execute(&mut **conn).unwrap();
    }
}
