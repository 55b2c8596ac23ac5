//! Login, tokens and their negative suite, refresh rotation, lockout and rate limits.

use base64::Engine;
use diesel::prelude::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::config::{JwtKeys, Secret};
use volunteer_hours::db::schema::{refresh_tokens, users};
use volunteer_hours::db::Backend;

use crate::helpers::*;
use crate::{both_backends, per_backend};

/// A refresh with `token`, as a client without an access token sends it.
async fn refresh_with(app: &TestApp, token: &str) -> reqwest::Response {
    let body = json!({ "refresh_token": token });
    app.post_as("/api/v1/auth/refresh", None, &body).await
}

const SECRET: &str = "an HS256 secret of at least thirty-two bytes";

async fn app_with_secret(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| {
        c.auth.jwt_keys = JwtKeys::Hs256 {
            secret: Secret::new(SECRET),
            previous: vec![],
        }
    })
    .await
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let decode = |p: &str| -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap(),
        )
        .unwrap()
    };
    (decode(it.next().unwrap()), decode(it.next().unwrap()))
}

fn sign(header: &Value, claims: &Value, alg: Algorithm, key: &[u8]) -> String {
    let mut h = Header::new(alg);
    h.kid = header["kid"].as_str().map(str::to_owned);
    jsonwebtoken::encode(&h, claims, &EncodingKey::from_secret(key)).unwrap()
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.get_as("/api/v1/auth/me", token).await
}

async fn login_gives_tokens_that_work(app: TestApp) {
    app.create_user("alice", Role::Hr);
    let resp = app.login("alice", TEST_PASSWORD).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["refresh_expires_in"], 30 * 86400);
    assert_eq!(body["user"]["username"], "alice");
    assert!(body["user"].get("password_hash").is_none());
    let access = body["access_token"].as_str().unwrap();
    let (header, claims) = parts(access);
    assert_eq!(header["alg"], "HS256");
    assert!(header["kid"].is_string());
    for claim in [
        "iss", "aud", "sub", "exp", "iat", "jti", "typ", "role", "ver",
    ] {
        assert!(!claims[claim].is_null(), "missing {claim}");
    }
    assert_eq!(claims["typ"], "access");
    let resp = me(&app, access).await;
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(
        (me["username"].as_str(), me["role"].as_str()),
        (Some("alice"), Some("hr"))
    );
    // only the refresh token's hash is stored
    let hashes: Vec<String> = refresh_tokens::table
        .select(refresh_tokens::token_hash)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(hashes.len(), 1);
    assert_ne!(hashes[0], body["refresh_token"].as_str().unwrap());
}

async fn unknown_users_and_wrong_passwords_look_alike(app: TestApp) {
    app.create_user("bob", Role::Hr);
    let wrong = assert_unauthorized(app.login("bob", "not the password").await).await;
    let unknown = assert_unauthorized(app.login("nobody", "not the password").await).await;
    assert_eq!(wrong, unknown);
    let mut conn = app.conn();
    let disabled = diesel::update(users::table.filter(users::username.eq("bob")))
        .set(users::disabled.eq(true))
        .execute(&mut conn);
    assert_eq!(disabled.unwrap(), 1);
    let disabled = assert_unauthorized(app.login("bob", TEST_PASSWORD).await).await;
    assert_eq!(disabled, unknown);
}

async fn forged_and_stale_tokens_are_refused(backend: Backend) {
    let Some(app) = app_with_secret(backend).await else {
        return;
    };
    let session = app.login_as(Role::Admin).await;
    assert_eq!(me(&app, &session.access).await.status(), 200);
    let (header, claims) = parts(&session.access);
    let now = chrono::Utc::now().timestamp();
    let with = |k: &str, v: Value| {
        let mut c = claims.clone();
        c[k] = v;
        c
    };
    let without = |k: &str| {
        let mut c = claims.clone();
        c.as_object_mut().unwrap().remove(k);
        c
    };
    let good_key = SECRET.as_bytes();
    let mut tampered = session
        .access
        .split('.')
        .map(str::to_owned)
        .collect::<Vec<_>>();
    tampered[1] = b64(&with("sub", json!("999")));
    let cases: Vec<(&str, String)> = vec![
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "typ": "JWT", "kid": header["kid"]})),
                b64(&claims)
            ),
        ),
        (
            "wrong iss",
            sign(
                &header,
                &with("iss", json!("someone-else")),
                Algorithm::HS256,
                good_key,
            ),
        ),
        (
            "wrong aud",
            sign(
                &header,
                &with("aud", json!("another-api")),
                Algorithm::HS256,
                good_key,
            ),
        ),
        (
            "missing exp",
            sign(&header, &without("exp"), Algorithm::HS256, good_key),
        ),
        (
            "missing sub",
            sign(&header, &without("sub"), Algorithm::HS256, good_key),
        ),
        (
            "expired",
            sign(
                &header,
                &with("exp", json!(now - 3600)),
                Algorithm::HS256,
                good_key,
            ),
        ),
        (
            "iat in the future",
            sign(
                &header,
                &with("iat", json!(now + 3600)),
                Algorithm::HS256,
                good_key,
            ),
        ),
        ("tampered payload", tampered.join(".")),
        (
            "unknown kid",
            sign(
                &json!({"kid": "0000000000000000"}),
                &claims,
                Algorithm::HS256,
                good_key,
            ),
        ),
        (
            "no kid",
            sign(&json!({}), &claims, Algorithm::HS256, good_key),
        ),
        (
            "another secret",
            sign(
                &header,
                &claims,
                Algorithm::HS256,
                b"another secret of at least thirty-two bytes",
            ),
        ),
        ("HS512", {
            let mut h = Header::new(Algorithm::HS512);
            h.kid = header["kid"].as_str().map(str::to_owned);
            jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(good_key)).unwrap()
        }),
        (
            "refresh typ",
            sign(
                &header,
                &with("typ", json!("refresh")),
                Algorithm::HS256,
                good_key,
            ),
        ),
        ("refresh token as access token", session.refresh.clone()),
        ("garbage", "not.a.token".into()),
    ];
    for (what, token) in cases {
        let body = assert_unauthorized(me(&app, &token).await).await;
        assert!(!body.to_string().contains(SECRET), "{what}");
    }
    // the genuine token still works after all that
    assert_eq!(me(&app, &session.access).await.status(), 200);
    // and a missing or non-bearer Authorization header
    assert_unauthorized(app.get("/api/v1/auth/me").await).await;
    let basic = app
        .get_with("/api/v1/auth/me", &[("authorization", "Basic YTpi")])
        .await;
    assert_eq!(basic.headers()["www-authenticate"], "Bearer");
    assert_unauthorized(basic).await;
}

async fn forged_and_stale_tokens_are_refused_sqlite_app(app: TestApp) {
    // the same suite on the default (generated) key: a guessed secret does not verify
    let session = app.login_as(Role::Hr).await;
    let (header, claims) = parts(&session.access);
    let forged = sign(&header, &claims, Algorithm::HS256, SECRET.as_bytes());
    assert_unauthorized(me(&app, &forged).await).await;
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn asymmetric_keys_refuse_hs256_signed_with_the_public_key(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.auth.jwt_keys = JwtKeys::Asymmetric {
            algorithm: Algorithm::EdDSA,
            private_pem: Secret::new(fixture("ed25519-private.pem")),
            public_pem: fixture("ed25519-public.pem"),
            previous_public_pems: vec![],
        }
    })
    .await
    else {
        return;
    };
    let session = app.login_as(Role::Admin).await;
    let (header, claims) = parts(&session.access);
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(me(&app, &session.access).await.status(), 200);
    let confused = sign(
        &header,
        &claims,
        Algorithm::HS256,
        fixture("ed25519-public.pem").as_bytes(),
    );
    assert_unauthorized(me(&app, &confused).await).await;
    let confused = sign(
        &header,
        &claims,
        Algorithm::HS256,
        fixture("ed25519-public.pem").trim().as_bytes(),
    );
    assert_unauthorized(me(&app, &confused).await).await;
}

async fn refresh_rotates_and_a_reused_token_revokes_the_family(app: TestApp) {
    let s = app.login_as(Role::Secretary).await;
    let refresh = |token: String| {
        let app = &app;
        async move { refresh_with(app, &token).await }
    };
    let resp = refresh(s.refresh.clone()).await;
    assert_eq!(resp.status(), 200);
    let second: Value = resp.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r2, s.refresh);
    assert_eq!(
        me(&app, second["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );

    // the first token again: reuse, so the whole family goes
    assert_unauthorized(refresh(s.refresh.clone()).await).await;
    assert_unauthorized(refresh(r2).await).await;
    let live: i64 = refresh_tokens::table
        .filter(refresh_tokens::user_id.eq(s.user_id))
        .filter(refresh_tokens::revoked_at.is_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(live, 0);
    assert_unauthorized(refresh("never issued".into()).await).await;
}

/// Whoever copied a refresh token may also hold an access token issued from it: a reuse
/// ends those too, at their next use.
async fn a_reused_refresh_token_ends_the_access_tokens_of_its_login(app: TestApp) {
    let s = app.login_as(Role::Secretary).await;
    let resp = refresh_with(&app, &s.refresh).await;
    let second: Value = resp.json().await.unwrap();
    let second_access = second["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me(&app, &s.access).await.status(), 200);
    assert_eq!(me(&app, &second_access).await.status(), 200);
    let version = |app: &TestApp| -> i64 {
        users::table
            .find(s.user_id)
            .select(users::token_version)
            .first(&mut app.conn())
            .unwrap()
    };
    let before = version(&app);

    let reuse = refresh_with(&app, &s.refresh).await;
    assert_unauthorized(reuse).await;
    assert_unauthorized(me(&app, &s.access).await).await;
    assert_unauthorized(me(&app, &second_access).await).await;
    assert_eq!(version(&app), before + 1);
    // the owner logs in again and carries on
    let fresh = app.login_as(Role::Secretary).await;
    assert_eq!(me(&app, &fresh.access).await.status(), 200);
}

async fn logout_ends_the_session(app: TestApp) {
    let s = app.login_as(Role::Volunteer).await;
    let resp = app
        .post_as(
            "/api/v1/auth/logout",
            Some(&s.access),
            &json!({ "refresh_token": s.refresh }),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_unauthorized(me(&app, &s.access).await).await;
    // a token longer than any the service issues is refused as the spec says, changing nothing
    let fresh = app.login_as(Role::Volunteer).await;
    for path in ["/api/v1/auth/logout", "/api/v1/auth/refresh"] {
        let body = assert_validation(
            app.post_as(
                path,
                Some(&fresh.access),
                &json!({ "refresh_token": "x".repeat(101) }),
            )
            .await,
        )
        .await;
        assert_eq!(body["errors"][0]["pointer"], "/refresh_token");
    }
    assert_eq!(me(&app, &fresh.access).await.status(), 200);
    let resp = refresh_with(&app, &s.refresh).await;
    assert_unauthorized(resp).await;
    // logging in again works
    assert_eq!(app.login(&s.username, TEST_PASSWORD).await.status(), 200);
}

async fn changing_the_password_ends_every_session(app: TestApp) {
    let s = app.login_as(Role::Hr).await;
    let other_device = app.session(&s.username, Role::Hr).await;
    let change = |current: &str, new: &str| {
        let body = json!({ "current_password": current, "new_password": new });
        let app = &app;
        let token = s.access.clone();
        async move {
            app.post_as("/api/v1/auth/password", Some(&token), &body)
                .await
        }
    };
    let body = assert_validation(change("wrong current pw", "a brand new password").await).await;
    assert_eq!(body["errors"][0]["pointer"], "/current_password");
    let body = assert_validation(change(TEST_PASSWORD, "short").await).await;
    assert_eq!(body["errors"][0]["pointer"], "/new_password");
    let body = assert_validation(change(TEST_PASSWORD, &s.username).await).await;
    assert_eq!(body["errors"][0]["pointer"], "/new_password");
    assert_eq!(
        me(&app, &s.access).await.status(),
        200,
        "failed attempts change nothing"
    );

    assert_eq!(
        change(TEST_PASSWORD, "a brand new password").await.status(),
        204
    );
    for token in [&s.access, &other_device.access] {
        assert_unauthorized(me(&app, token).await).await;
    }
    for refresh in [&s.refresh, &other_device.refresh] {
        let resp = refresh_with(&app, refresh).await;
        assert_unauthorized(resp).await;
    }
    assert_eq!(app.login(&s.username, TEST_PASSWORD).await.status(), 401);
    assert_eq!(
        app.login(&s.username, "a brand new password")
            .await
            .status(),
        200
    );
    assert_eq!(app.audit_rows("user").last().unwrap().0, "change_password");
}

async fn an_account_locks_after_repeated_failures(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.auth.lockout_failures = 3;
        c.auth.lockout_duration = std::time::Duration::from_secs(2);
    })
    .await
    else {
        return;
    };
    app.create_user("carol", Role::Hr);
    let wrong = assert_unauthorized(app.login("carol", "wrong password!").await).await;
    for _ in 0..2 {
        assert_eq!(app.login("carol", "wrong password!").await.status(), 401);
    }
    // locked: even the right password answers exactly like a wrong one
    let locked = assert_unauthorized(app.login("carol", TEST_PASSWORD).await).await;
    assert_eq!(locked, wrong);
    let until: Option<chrono::NaiveDateTime> = users::table
        .filter(users::username.eq("carol"))
        .select(users::locked_until)
        .first(&mut app.conn())
        .unwrap();
    assert!(until.is_some());
    tokio_sleep(2200).await;
    assert_eq!(app.login("carol", TEST_PASSWORD).await.status(), 200);
    let (failures, until): (i32, Option<chrono::NaiveDateTime>) = users::table
        .filter(users::username.eq("carol"))
        .select((users::failed_logins, users::locked_until))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((failures, until), (0, None));
}

async fn concurrent_failures_all_count(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.auth.lockout_failures = 5;
        c.workers = Some(4);
    })
    .await
    else {
        return;
    };
    app.create_user("dora", Role::Hr);
    let attempts = (0..5).map(|_| app.login("dora", "wrong password!"));
    for resp in futures_util::future::join_all(attempts).await {
        assert_eq!(resp.status(), 401);
    }
    // every failure counted, though they raced: the account is locked
    assert_unauthorized(app.login("dora", TEST_PASSWORD).await).await;
    let locked: Option<chrono::NaiveDateTime> = users::table
        .filter(users::username.eq("dora"))
        .select(users::locked_until)
        .first(&mut app.conn())
        .unwrap();
    assert!(locked.is_some());
    let actions: Vec<String> = app.audit_rows("user").into_iter().map(|r| r.0).collect();

    assert_eq!(
        actions.iter().filter(|a| *a == "lock").count(),
        1,
        "{actions:?}"
    );
}

async fn tokio_sleep(ms: u64) {
    actix_web::rt::time::sleep(std::time::Duration::from_millis(ms)).await;
}

async fn logins_are_rate_limited_per_client_address(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.auth.login_rate_per_minute = 1;
        c.auth.login_rate_burst = 3;
    })
    .await
    else {
        return;
    };
    for _ in 0..3 {
        assert_eq!(app.login("nobody", "whatever password").await.status(), 401);
    }
    let resp = app.login("nobody", "whatever password").await;
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_problem(resp, 429, "/problems/too-many-requests").await;
    // refresh shares the budget; X-Forwarded-For from an untrusted peer changes nothing
    let resp = app
        .request(reqwest::Method::POST, "/api/v1/auth/refresh", None)
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({ "refresh_token": "x" }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 429, "/problems/too-many-requests").await;
    // other endpoints are not limited
    assert_eq!(app.get("/health").await.status(), 200);
}

async fn forwarded_addresses_count_only_behind_trusted_proxies(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.auth.login_rate_per_minute = 1;
        c.auth.login_rate_burst = 1;
        c.auth.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await
    else {
        return;
    };
    let from = |ip: &'static str| {
        app.request(reqwest::Method::POST, "/api/v1/auth/login", None)
            .header("x-forwarded-for", ip)
            .json(&json!({ "username": "nobody", "password": "whatever password" }))
            .send()
    };
    assert_eq!(from("198.51.100.1").await.unwrap().status(), 401);
    assert_eq!(from("198.51.100.1").await.unwrap().status(), 429);
    // a different client behind the same proxy has its own budget
    assert_eq!(from("198.51.100.2").await.unwrap().status(), 401);
}

async fn disabling_or_changing_a_user_ends_its_tokens_at_once(app: TestApp) {
    let admin = app.login_as(Role::Admin).await;
    for (who, change) in [
        ("dave.sec", json!({ "disabled": true })),
        ("erin.sec", json!({ "role": "hr", "branch_id": null })),
        ("fred.sec", json!({ "branch_id": app_branch(&app, "NYC") })),
        ("gina.sec", json!({ "password": "reset by the admin" })),
    ] {
        let s = app.session(who, Role::Secretary).await;
        assert_eq!(me(&app, &s.access).await.status(), 200);
        let resp = app
            .patch_any(
                &format!("/api/v1/users/{}", s.user_id),
                &admin.access,
                &change,
            )
            .await;
        assert_eq!(resp.status(), 200, "{who}");
        assert_unauthorized(me(&app, &s.access).await).await;
    }
    // a change that touches no access right leaves tokens alone
    let s = app.session("hank.sec", Role::Secretary).await;
    let resp = app
        .patch_any(
            &format!("/api/v1/users/{}", s.user_id),
            &admin.access,
            &json!({ "disabled": false }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(me(&app, &s.access).await.status(), 200);
}

fn app_branch(app: &TestApp, code: &str) -> i64 {
    app.branch_id(code)
}

both_backends!(
    login_gives_tokens_that_work,
    a_reused_refresh_token_ends_the_access_tokens_of_its_login,
    unknown_users_and_wrong_passwords_look_alike,
    forged_and_stale_tokens_are_refused_sqlite_app,
    refresh_rotates_and_a_reused_token_revokes_the_family,
    logout_ends_the_session,
    changing_the_password_ends_every_session,
    disabling_or_changing_a_user_ends_its_tokens_at_once,
);

per_backend!(
    concurrent_failures_all_count,
    forged_and_stale_tokens_are_refused,
    asymmetric_keys_refuse_hs256_signed_with_the_public_key,
    an_account_locks_after_repeated_failures,
    logins_are_rate_limited_per_client_address,
    forwarded_addresses_count_only_behind_trusted_proxies
);
