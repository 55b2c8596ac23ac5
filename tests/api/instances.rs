//! Two instances of the service over one PostgreSQL database, as behind a load balancer:
//! each with its own pool, account cache and rate limiters on a port of its own. A token
//! issued by one works on the other; an account disabled or logged out through one is
//! refused by the other within `AUTH_CACHE_SECS`; one Idempotency-Key sent to both at once
//! records once and gets one answer; failed logins at both count toward one lockout;
//! certificate numbers issued by both at once stay gapless. PostgreSQL only: SQLite is one
//! process's file.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::config::{Config, JwtKeys, Secret};
use volunteer_hours::db::schema::{hour_entries, users, volunteers};
use volunteer_hours::db::Backend;

use crate::helpers::*;

/// Instances A and B, or `None` when no PostgreSQL is configured. They share `JWT_SECRET`,
/// as instances must: without it each makes a random one and refuses the other's tokens.
async fn pair(configure: impl FnOnce(&mut Config)) -> Option<(TestApp, TestApp)> {
    let a = TestApp::spawn_with(Backend::Postgres, |c| {
        c.auth.jwt_keys = JwtKeys::Hs256 {
            secret: Secret::new("one secret for every instance of the service"),
            previous: Vec::new(),
        };
        configure(c);
    })
    .await?;
    let b = a.another_instance();
    Some((a, b))
}

async fn me(app: &TestApp, token: &str) -> reqwest::StatusCode {
    app.request(reqwest::Method::GET, "/api/v1/auth/me", Some(token))
        .send()
        .await
        .expect("request")
        .status()
}

/// How long `app` goes on accepting `token` (checked every 50 ms, for at most `limit`).
async fn accepted_for(app: &TestApp, token: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    while me(app, token).await == 200 {
        assert!(start.elapsed() < limit, "still accepted after {limit:?}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

#[actix_web::test]
async fn a_token_issued_by_one_instance_works_on_the_other() {
    let Some((a, b)) = pair(|_| {}).await else {
        return;
    };
    let hr = a.login_as(Role::Hr).await;
    let resp = b
        .request(reqwest::Method::GET, "/api/v1/auth/me", Some(&hr.access))
        .send()
        .await
        .unwrap();
    let body = expect_json(resp, 200).await;
    assert_eq!(body["username"], hr.username);
    // the refresh token too: B rotates what A issued, and A then refuses the old one
    let rotated = refresh(&b, &hr.refresh).await;
    let rotated = expect_json(rotated, 200).await;
    assert_ne!(rotated["refresh_token"], hr.refresh.as_str());
    let replayed = refresh(&a, &hr.refresh).await;
    assert_eq!(replayed.status(), 401);
}

#[actix_web::test]
async fn an_account_disabled_or_logged_out_through_one_is_refused_by_the_other_in_time() {
    const CACHE: Duration = Duration::from_secs(2);
    let Some((a, b)) = pair(|c| c.auth.principal_cache_ttl = CACHE).await else {
        return;
    };
    let admin = a.login_as(Role::Admin).await;
    let hr = a.login_as(Role::Hr).await;
    // B has just checked the account, and keeps what it read for up to CACHE
    assert_eq!(me(&b, &hr.access).await, 200);
    let tag = etag_of(&a, &admin.access, &format!("/api/v1/users/{}", hr.user_id)).await;
    let disabled = a
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{}", hr.user_id),
            Some(&admin.access),
        )
        .header("if-match", tag)
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);
    // the instance that made the change refuses at once, the other within its cache time
    assert_eq!(me(&a, &hr.access).await, 401);
    let took = accepted_for(&b, &hr.access, CACHE + Duration::from_secs(1)).await;
    assert!(took <= CACHE + Duration::from_millis(500), "{took:?}");

    // a logout through A: the access token is refused by B in time, the refresh token at once
    let volunteer = a.login_as(Role::Volunteer).await;
    assert_eq!(me(&b, &volunteer.access).await, 200);
    let out = a
        .post_as(
            "/api/v1/auth/logout",
            Some(&volunteer.access),
            &json!({ "refresh_token": volunteer.refresh }),
        )
        .await;
    assert_eq!(out.status(), 204);
    let refreshed = refresh(&b, &volunteer.refresh).await;
    assert_eq!(refreshed.status(), 401);
    let took = accepted_for(&b, &volunteer.access, CACHE + Duration::from_secs(1)).await;
    assert!(took <= CACHE + Duration::from_millis(500), "{took:?}");
}

/// `POST /auth/refresh` at `app` with `token`.
async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_as(
        "/api/v1/auth/refresh",
        None,
        &json!({ "refresh_token": token }),
    )
    .await
}

async fn etag_of(app: &TestApp, token: &str, path: &str) -> String {
    let resp = app
        .request(reqwest::Method::GET, path, Some(token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.headers()["etag"].to_str().unwrap().to_owned()
}

#[actix_web::test]
async fn one_idempotency_key_sent_to_both_at_once_records_once_and_answers_alike() {
    let Some((a, b)) = pair(|_| {}).await else {
        return;
    };
    a.seed();
    let admin = a.login_as(Role::Admin).await;
    let branch = a.branch_id("JGDW");
    let event = a.insert_event("两台实例同时收到的登记", branch);
    let people: Vec<i64> = (0..3)
        .map(|n| a.insert_volunteer(&format!("实例志愿者 {n}"), branch))
        .collect();
    let body = roster(people.iter().map(|v| entry(*v, 90)).collect());
    let key = key();
    for round in 0..3 {
        let (from_a, from_b) = futures_util::future::join(
            submit_keyed(&a, &admin.access, event, &key, &body),
            submit_keyed(&b, &admin.access, event, &key, &body),
        )
        .await;
        let (from_a, from_b): (Value, Value) = (
            expect_json(from_a, 201).await,
            expect_json(from_b, 201).await,
        );
        assert_eq!(from_a, from_b, "round {round}");
    }
    let recorded: i64 = hour_entries::table
        .filter(hour_entries::event_id.eq(event))
        .count()
        .get_result(&mut a.conn())
        .unwrap();
    assert_eq!(recorded, 3);
    assert_eq!(a.count("idempotency_keys"), 1);
}

#[actix_web::test]
async fn failed_logins_at_both_instances_count_toward_one_lockout() {
    let Some((a, b)) = pair(|c| c.auth.lockout_failures = 4).await else {
        return;
    };
    a.create_user("erin", Role::Hr);
    for (n, instance) in [&a, &b, &a, &b].into_iter().enumerate() {
        let resp = instance.login("erin", "wrong password!").await;
        assert_eq!(resp.status(), 401, "attempt {n}");
    }
    // four failures, two at each: locked on both, even with the right password
    assert_eq!(a.login("erin", TEST_PASSWORD).await.status(), 401);
    assert_eq!(b.login("erin", TEST_PASSWORD).await.status(), 401);
    let until: Option<chrono::NaiveDateTime> = users::table
        .filter(users::username.eq("erin"))
        .select(users::locked_until)
        .first(&mut a.conn())
        .unwrap();
    assert!(until.is_some());
}

#[actix_web::test]
async fn certificate_numbers_issued_by_both_at_once_stay_gapless() {
    let Some((a, b)) = pair(|_| {}).await else {
        return;
    };
    a.seed_demo();
    let admin = a.login_as(Role::Admin).await;
    let volunteer = a.insert_volunteer("两处开证明的志愿者", a.branch_id("ZB01"));
    diesel::update(volunteers::table.find(volunteer))
        .set(volunteers::volunteer_number.eq(format!("3501002022{volunteer:08}")))
        .execute(&mut a.conn())
        .unwrap();
    let path = format!("/api/v1/volunteers/{volunteer}/certificates");
    let empty = json!({});
    let requests = (0..20).map(|n| {
        let instance = if n % 2 == 0 { &a } else { &b };
        instance.post_as(&path, Some(&admin.access), &empty)
    });
    let mut numbers = Vec::new();
    for resp in futures_util::future::join_all(requests).await {
        let body = expect_json(resp, 201).await;
        let number = body["number"].as_str().unwrap().to_owned();
        let sequence: i64 = number.rsplit('-').next().unwrap().parse().unwrap();
        numbers.push(sequence);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>());
    assert_eq!(a.count("certificates"), 20);
}
