//! A streaming replica (`DATABASE_REPLICA_URL`): lists, reports and exports read there while
//! it is caught up; a user who has just written reads the primary; a replica further behind
//! than `REPLICA_MAX_LAG_SECS`, unreachable, or not a standby at all is not read from; and
//! `/ready` says which. PostgreSQL only. The test with a real replica needs
//! `TEST_REPLICA_URL` (a hot standby of `TEST_DATABASE_URL`, as `.ci/run` starts with
//! `pg_basebackup -R`); it pauses the replica's replay to make it fall behind on purpose.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::Connection;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::config::Config;

use crate::helpers::*;

/// Set in CI: the replica test fails instead of passing silently when no replica is given.
const REQUIRE_REPLICA: &str = "REQUIRE_REPLICA_TESTS";

fn replica_url() -> Option<String> {
    let url = std::env::var("TEST_REPLICA_URL")
        .ok()
        .filter(|u| !u.is_empty());
    assert!(
        url.is_some() || std::env::var(REQUIRE_REPLICA).is_err(),
        "{REQUIRE_REPLICA} is set but TEST_REPLICA_URL is not"
    );
    url
}

/// Three seconds of lag allowed, and the same read-after-write window (it may not be
/// shorter).
fn tight(c: &mut Config) {
    c.replica.max_lag = Duration::from_secs(3);
    c.replica.read_after_write = Duration::from_secs(3);
}

async fn ready(app: &TestApp) -> Value {
    expect_json(app.get("/ready").await, 200).await
}

/// Polls `/ready` (for at most 15 s) until its `replica.state` is `state`; that answer.
async fn replica_becomes(app: &TestApp, state: &str) -> Value {
    let start = Instant::now();
    loop {
        let body = ready(app).await;
        if body["replica"]["state"] == state {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "never {state}: {body}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The names on the first page of volunteers as `token` lists them.
async fn names(app: &TestApp, token: &str) -> Vec<String> {
    let body = expect_json(app.get_as("/api/v1/volunteers?limit=100", token).await, 200).await;
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Approved entries in the totals report, as `token` reads it.
async fn approved_entries(app: &TestApp, token: &str) -> i64 {
    let resp = app
        .get_as("/api/v1/reports/totals?group_by=branch", token)
        .await;
    let body = expect_json(resp, 200).await;
    body["overall"]
        .as_array()
        .expect("overall")
        .iter()
        .map(|o| o["entry_count"].as_i64().expect("entry_count"))
        .sum()
}

/// Data lines of the CSV export as `token` downloads it.
async fn exported_rows(app: &TestApp, token: &str) -> usize {
    let resp = app
        .get_as("/api/v1/exports/totals.csv?group_by=volunteer", token)
        .await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("csv");
    text.split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count()
}

/// On the replica itself, as its superuser: pause or resume replaying the primary's WAL.
fn replay(replica: &str, pause: bool) {
    let mut conn = diesel::PgConnection::establish(replica).expect("connect to the replica");
    let f = if pause {
        "pg_wal_replay_pause"
    } else {
        "pg_wal_replay_resume"
    };
    diesel::sql_query(format!("SELECT {f}()"))
        .execute(&mut conn)
        .expect("replay control");
}

/// Waits (at most 10 s) until the replica holds a volunteer named `name` in `app`'s schema.
fn replica_has(replica: &str, app: &TestApp, name: &str) {
    let mut conn = diesel::PgConnection::establish(replica).expect("connect to the replica");
    let schema = app.db.schema.as_deref().expect("schema");
    let start = Instant::now();
    loop {
        let n: i64 = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM {schema}.volunteers WHERE name = $1"
        ))
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Count>(&mut conn)
        .expect("count on the replica")
        .n;
        if n > 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{name} never replayed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn volunteers_on_primary(app: &TestApp) -> i64 {
    app.count("volunteers")
}

/// Resumes the replica's replay even when an assertion fails half-way.
struct Resume<'a>(&'a str);
impl Drop for Resume<'_> {
    fn drop(&mut self) {
        replay(self.0, false);
    }
}

#[actix_web::test]
async fn postgres_lists_reports_and_exports_read_the_replica_unless_stale_or_just_written() {
    let Some(replica) = replica_url() else {
        return;
    };
    let Some(app) = TestApp::spawn_with_replica(&replica, tight).await else {
        return;
    };
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let hr = app.login_as(Role::Hr).await;
    let branch = app.branch_id("JGDW");
    app.insert_volunteer("甲", branch);
    app.insert_entry("approved");
    let body = replica_becomes(&app, "streaming").await;
    assert_eq!(body["replica"]["reads"], "replica", "{body}");
    assert_eq!(body["replica"]["max_lag_secs"], 3, "{body}");
    assert!(
        body["replica"]["lag_secs"].as_f64().expect("lag") < 3.0,
        "{body}"
    );
    // caught up: HR's reads, from the replica, hold what was written before
    let start = Instant::now();
    while !names(&app, &hr.access).await.contains(&"甲".to_owned()) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the replica never caught up"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let entries = approved_entries(&app, &hr.access).await;
    assert_eq!(entries, 1);
    let rows = exported_rows(&app, &hr.access).await;
    assert_eq!(rows, 1);

    // The replica stops replaying just after a write it has replayed (its lag is measured
    // from the last transaction it replayed): what is written now reaches only the primary.
    app.insert_volunteer("丁", branch);
    replica_has(&replica, &app, "丁");
    replay(&replica, true);
    let before = volunteers_on_primary(&app);
    let _resume = Resume(&replica);
    let created = app
        .post_as(
            "/api/v1/volunteers",
            Some(&admin.access),
            &json!({ "name": "乙", "branch_id": branch }),
        )
        .await;
    expect_json(created, 201).await;
    app.insert_entry("approved");
    assert_eq!(
        volunteers_on_primary(&app),
        before + 2,
        "乙 and the new entry's volunteer"
    );
    // HR has written nothing: its list, report and export come from the replica, without 乙
    let seen_by_hr = names(&app, &hr.access).await;
    assert!(!seen_by_hr.contains(&"乙".to_owned()), "{seen_by_hr:?}");
    assert_eq!(approved_entries(&app, &hr.access).await, 1);
    assert_eq!(exported_rows(&app, &hr.access).await, 1);
    // the administrator has just written: its reads go to the primary and hold its write
    assert!(names(&app, &admin.access).await.contains(&"乙".to_owned()));
    assert_eq!(approved_entries(&app, &admin.access).await, 2);

    // Once the replica is further behind than REPLICA_MAX_LAG_SECS, nobody reads it.
    let body = replica_becomes(&app, "lagging").await;
    assert_eq!(body["replica"]["reads"], "primary", "{body}");
    // lagging once the lag last measured plus the time since passes 3 s (checked every 0.5 s)
    assert!(
        body["replica"]["lag_secs"].as_f64().expect("lag") > 2.0,
        "{body}"
    );
    assert!(names(&app, &hr.access).await.contains(&"乙".to_owned()));
    assert_eq!(approved_entries(&app, &hr.access).await, 2);
    assert_eq!(exported_rows(&app, &hr.access).await, 2);

    // Replaying again, it catches up and is read from again.
    drop(_resume);
    let body = replica_becomes(&app, "streaming").await;
    assert_eq!(body["replica"]["reads"], "replica", "{body}");
    assert!(names(&app, &hr.access).await.contains(&"乙".to_owned()));
}

/// An instance whose replica is `url` (no schema of the test's: nothing is read there).
async fn with_replica_at(url: &str) -> Option<TestApp> {
    TestApp::spawn_with_replica(url, tight).await
}

#[actix_web::test]
async fn postgres_a_replica_that_cannot_be_reached_leaves_every_read_on_the_primary() {
    // nothing listens on port 1; the service starts anyway and says so in /ready
    let Some(app) = with_replica_at("postgres://postgres@127.0.0.1:1/test?connect_timeout=1").await
    else {
        return;
    };
    app.seed();
    let hr = app.login_as(Role::Hr).await;
    app.insert_volunteer("丙", app.branch_id("JGDW"));
    let body = replica_becomes(&app, "unreachable").await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["replica"]["reads"], "primary", "{body}");
    assert_eq!(body["replica"]["lag_secs"], Value::Null, "{body}");
    assert!(names(&app, &hr.access).await.contains(&"丙".to_owned()));
    assert_eq!(exported_rows(&app, &hr.access).await, 0);
}

#[actix_web::test]
async fn postgres_a_replica_url_that_names_a_primary_is_not_read_from() {
    // the primary itself: not in recovery, so not a copy of anything it could be trusted as
    let Some(primary) = postgres_url() else {
        return;
    };
    let Some(app) = with_replica_at(&primary).await else {
        return;
    };
    let body = replica_becomes(&app, "not_standby").await;
    assert_eq!(body["replica"]["reads"], "primary", "{body}");
    let hr = app.login_as(Role::Hr).await;
    assert_eq!(names(&app, &hr.access).await, Vec::<String>::new());
}

#[actix_web::test]
async fn without_a_replica_ready_says_nothing_of_one() {
    let Some(app) = TestApp::spawn(volunteer_hours::db::Backend::Sqlite).await else {
        return;
    };
    let body = ready(&app).await;
    assert_eq!(body["status"], "ready");
    assert!(body.get("replica").is_none(), "{body}");
}
