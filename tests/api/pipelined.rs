//! The pipelined read of one volunteer (PostgreSQL only): the same answer as the pool's for
//! every role and scope, served while every pooled connection is busy, and the same after
//! its connection is killed.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use serde_json::Value;
use volunteer_hours::auth::Role;
use volunteer_hours::config::{JwtKeys, Secret};
use volunteer_hours::db::schema::volunteers;

use crate::helpers::*;

/// Status, ETag and body of a GET.
async fn answer(app: &TestApp, path: &str, token: &str) -> (u16, Option<String>, Value) {
    let r = app.get_as(path, token).await;
    let status = r.status().as_u16();
    let etag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, etag, r.json().await.expect("json"))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    n: i32,
}

/// How many connections named `name` the server holds.
fn connections_named(app: &TestApp, name: &str) -> i32 {
    diesel::sql_query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1")
        .bind::<Text, _>(name)
        .get_result::<Count>(&mut app.conn())
        .expect("pg_stat_activity")
        .n
}

#[actix_web::test]
async fn a_pipelined_read_answers_as_the_pool_does_for_every_role() {
    let name = format!("vh_{:016x}", rand::random::<u64>());
    let Some(db) = TestDb::postgres_as(Some(&name)) else {
        return;
    };
    // one secret, so that one token works on both
    let app = TestApp::start_on(db, |c| {
        c.auth.jwt_keys = JwtKeys::Hs256 {
            secret: Secret::new("one secret for both instances"),
            previous: Vec::new(),
        }
    });
    let pool_only = app.another_instance_with(|c| c.pipelined_reads = false);
    app.seed_demo();
    let admin_session = app.login_as(Role::Admin).await;
    let admin = admin_session.access.clone();
    let hr = app.login_as(Role::Hr).await.access;
    let volunteer = app.login_as(Role::Volunteer).await.access;
    let secretary = secretary_of(&app, &admin_session, "ZB01").await.access;
    let mut ids: Vec<i64> = volunteers::table
        .select(volunteers::id)
        .load(&mut app.conn())
        .unwrap();
    ids.push(ids.iter().max().unwrap() + 1000);
    let callers = [
        ("admin", &admin),
        ("hr", &hr),
        ("volunteer", &volunteer),
        ("secretary", &secretary),
    ];
    for (_, token) in callers {
        // each account read once, so that the bearer check needs no pooled connection
        answer(&app, "/api/v1/volunteers/1", token).await;
    }
    // with every pooled connection taken, only the pipelined one can answer
    let held: Vec<_> = (0..4).map(|_| app.conn()).collect();
    let mut seen = std::collections::BTreeMap::new();
    for (who, token) in callers {
        for id in &ids {
            let path = format!("/api/v1/volunteers/{id}");
            let pipelined = answer(&app, &path, token).await;
            let pooled = answer(&pool_only, &path, token).await;
            assert_eq!(pipelined, pooled, "{who} reading {path}");
            *seen.entry((who, pipelined.0)).or_insert(0) += 1;
        }
    }
    drop(held);
    // every role saw what its scope holds and no more: a masked phone for HR, one
    // volunteer for a volunteer, ZB01's four for its secretary
    let all = ids.len() - 1;
    assert_eq!(seen[&("admin", 200)], all);
    assert_eq!(seen[&("hr", 200)], all);
    assert_eq!(seen[&("volunteer", 200)], 1);
    assert_eq!(seen[&("secretary", 200)], 4);
    assert_eq!(seen[&("secretary", 404)], all + 1 - 4);
    assert_eq!(connections_named(&app, &format!("{name}-pipelined")), 1);
}

#[actix_web::test]
async fn a_pipelined_read_needs_no_pooled_connection_and_survives_losing_its_own() {
    let name = format!("vh_{:016x}", rand::random::<u64>());
    let Some(db) = TestDb::postgres_as(Some(&name)) else {
        return;
    };
    let app = TestApp::start_on(db, |_| {});
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await.access;
    let id: i64 = volunteers::table
        .select(volunteers::id)
        .first(&mut app.conn())
        .unwrap();
    let path = format!("/api/v1/volunteers/{id}");
    let first = answer(&app, &path, &admin).await;
    assert_eq!(first.0, 200, "{:?}", first.2);
    let pipelined = format!("{name}-pipelined");
    assert_eq!(connections_named(&app, &pipelined), 1);

    // every pooled connection taken: the read is still answered, on its own connection
    let held: Vec<_> = (0..4).map(|_| app.conn()).collect();
    assert_eq!(answer(&app, &path, &admin).await, first);
    drop(held);

    // its connection killed under it: reads go on, the same, and a new one is made
    let killed = diesel::sql_query(
        // OFFSET 0 keeps the filter below the call: no other connection is touched
        "SELECT count(*)::int AS n FROM (SELECT pid FROM pg_stat_activity \
         WHERE application_name = $1 OFFSET 0) mine WHERE pg_terminate_backend(pid)",
    )
    .bind::<Text, _>(&pipelined)
    .get_result::<Count>(&mut app.conn())
    .expect("terminate")
    .n;
    assert_eq!(killed, 1);
    for _ in 0..50 {
        if connections_named(&app, &pipelined) == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(connections_named(&app, &pipelined), 0);
    for _ in 0..3 {
        assert_eq!(answer(&app, &path, &admin).await, first);
    }
    assert_eq!(connections_named(&app, &pipelined), 1);
}
