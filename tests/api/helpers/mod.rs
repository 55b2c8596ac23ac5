//! TestApp: a real server on a random port over a fresh database of either backend.
#![allow(dead_code)] // shared by every test module; not each uses every helper

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};
use volunteer_hours::config::Config;
use volunteer_hours::db::{
    self, Backend, ConnectionManager, DatabaseUrl, Pool, PoolOptions, PooledConn,
};

mod builders;
mod hours;
mod resources;

pub use hours::*;
pub use resources::*;

/// Set in CI: a PostgreSQL test that cannot run fails instead of passing silently.
pub const REQUIRE_POSTGRES: &str = "REQUIRE_POSTGRES_TESTS";

/// An isolated, migrated database: a temporary SQLite file, or a PostgreSQL schema of its
/// own that is dropped afterwards.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub pool: Pool,
    pub backend: Backend,
    /// For PostgreSQL: the schema name; connections pin their search_path to it.
    pub schema: Option<String>,
    /// Whether dropping this drops the schema (not for a second pool over it).
    owns_schema: bool,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres(),
        }
    }

    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::SqliteFile(dir.path().join("test.db"));
        let pool = db::connect_with(
            ConnectionManager::new(url.clone(), Duration::from_secs(5)),
            &opts(),
        )
        .expect("sqlite pool");
        let mut test_db = TestDb {
            url,
            pool,
            backend: Backend::Sqlite,
            schema: None,
            owns_schema: false,
            _dir: Some(dir),
        };
        test_db.migrate();
        test_db
    }

    pub fn postgres() -> Option<TestDb> {
        Self::postgres_as(None)
    }

    /// A PostgreSQL test database whose connections call themselves `application_name` in
    /// `pg_stat_activity` (so that a test can find its own among the suite's).
    pub fn postgres_as(application_name: Option<&str>) -> Option<TestDb> {
        let Some(url) = postgres_url() else {
            assert!(
                std::env::var(REQUIRE_POSTGRES).is_err(),
                "{REQUIRE_POSTGRES} is set but TEST_DATABASE_URL is not"
            );
            return None;
        };
        let schema = format!("t_{:016x}", rand::random::<u64>());
        let mut admin = PgConnection::establish(&url).expect("connect to TEST_DATABASE_URL");
        diesel::sql_query(format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .expect("create schema");
        let url = match application_name {
            Some(name) => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}application_name={name}")
            }
            None => url,
        };
        let mut test_db = Self::postgres_pool(url, schema, true);
        test_db.migrate();
        Some(test_db)
    }

    fn postgres_pool(url: String, schema: String, owns_schema: bool) -> TestDb {
        let db_url = DatabaseUrl::Postgres(url);
        let manager = ConnectionManager::new(db_url.clone(), Duration::from_secs(5))
            .with_init_sql(format!("SET search_path TO {schema}"));
        let pool = db::connect_with(manager, &opts()).expect("postgres pool");
        TestDb {
            url: db_url,
            pool,
            backend: Backend::Postgres,
            schema: Some(schema),
            owns_schema,
            _dir: None,
        }
    }

    /// A pool of its own over this PostgreSQL database, as a second process would open.
    pub fn another_pool(&self) -> TestDb {
        match (&self.url, &self.schema) {
            (DatabaseUrl::Postgres(url), Some(schema)) => {
                Self::postgres_pool(url.clone(), schema.clone(), false)
            }
            _ => panic!("a second instance needs a database server: PostgreSQL"),
        }
    }

    fn migrate(&mut self) {
        let mut conn = self.pool.get().expect("connection");
        db::run_migrations(&mut conn).expect("migrations");
    }

    pub fn conn(&self) -> PooledConn {
        self.pool.get().expect("connection")
    }

    /// Simulates the database going away under a running server.
    pub fn destroy(&self) {
        match (&self.url, &self.schema) {
            (DatabaseUrl::SqliteFile(path), _) => {
                std::fs::remove_file(path).expect("remove sqlite file");
            }
            (DatabaseUrl::Postgres(url), Some(schema)) => drop_schema(url, schema),
            _ => unreachable!(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.owns_schema {
            return;
        }
        if let (DatabaseUrl::Postgres(url), Some(schema)) = (&self.url, &self.schema) {
            drop_schema(url, schema);
        }
    }
}

fn drop_schema(url: &str, schema: &str) {
    if let Ok(mut admin) = PgConnection::establish(url) {
        let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .execute(&mut admin);
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn opts() -> PoolOptions {
    PoolOptions {
        max_size: 4,
        acquire_timeout: Duration::from_secs(5),
        startup_wait: Duration::from_secs(5),
        statement_timeout: Some(Duration::from_secs(30)),
        prepared_statements: true,
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    pub config: Arc<Config>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let db = TestDb::new(backend)?;
        let mut config = Self::config(&db);
        configure(&mut config);
        Some(Self::start(db, Arc::new(config)))
    }

    /// An instance on PostgreSQL whose lists, reports and exports may read from the
    /// streaming replica at `replica` (the test's schema is pinned on its connections too).
    pub async fn spawn_with_replica(
        replica: &str,
        configure: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let db = TestDb::postgres()?;
        let mut config = Self::config(&db);
        let schema = db.schema.as_deref().expect("a PostgreSQL schema");
        let sep = if replica.contains('?') { '&' } else { '?' };
        config.replica.url = Some(DatabaseUrl::Postgres(format!(
            "{replica}{sep}options=-csearch_path%3D{schema}"
        )));
        configure(&mut config);
        Some(Self::start(db, Arc::new(config)))
    }

    /// The suite's configuration over `db`.
    fn config(db: &TestDb) -> Config {
        let mut config = Config {
            database_url: db.url.clone(),
            workers: Some(1),
            ..Config::default()
        };
        // Cheap hashing keeps the suite fast; production uses OWASP's parameters.
        config.password_hash = volunteer_hours::auth::password::HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        // Tests log in often from one address; the rate-limit tests set their own budget.
        config.auth.login_rate_per_minute = 10_000;
        config.auth.login_rate_burst = 1_000;
        // the same for the public certificate verification; its own test sets a budget
        config.certificates.verify_rate_per_minute = 10_000;
        config.certificates.verify_rate_burst = 1_000;
        // Most tests record and review as one administrator, as an installation with a
        // single administrator does; the four-eyes tests switch this back off (the default).
        config.hours.review_own_submissions = true;
        config
    }

    /// Another instance of the service over this one's PostgreSQL database, with the same
    /// configuration (and so the same token secret) but a pool, caches and rate limiters of
    /// its own, on a port of its own: as a second process behind a load balancer.
    pub fn another_instance(&self) -> TestApp {
        Self::start(self.db.another_pool(), self.config.clone())
    }

    /// [`another_instance`](Self::another_instance) with its configuration changed.
    pub fn another_instance_with(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = (*self.config).clone();
        configure(&mut config);
        Self::start(self.db.another_pool(), Arc::new(config))
    }

    /// An instance over `db` with the suite's configuration, changed by `configure`.
    pub fn start_on(db: TestDb, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Self::config(&db);
        configure(&mut config);
        Self::start(db, Arc::new(config))
    }

    fn start(db: TestDb, config: Arc<Config>) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = volunteer_hours::build_server(config.clone(), db.pool.clone(), listener)
            .expect("server");
        actix_web::rt::spawn(server);
        // The suite compares English texts; tests/api/i18n.rs covers Chinese and the default.
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            reqwest::header::HeaderValue::from_static("en"),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client,
            db,
            config,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A GET with the given headers (and no token).
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self.client.get(self.url(path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.send().await.expect("request")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub fn conn(&self) -> PooledConn {
        self.db.conn()
    }

    pub fn count(&self, table: &str) -> i64 {
        count(&mut self.conn(), table)
    }
}

pub fn count(conn: &mut db::DbConn, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<N>(conn)
        .expect("count")
        .n
}

/// Asserts an RFC 9457 problem with the given status and `type`; returns its body.
pub async fn assert_problem(
    resp: reqwest::Response,
    status: u16,
    problem_type: &str,
) -> serde_json::Value {
    assert_eq!(resp.status().as_u16(), status, "unexpected status");
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = resp.json().await.expect("problem body");
    assert_eq!(body["type"], problem_type, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert!(body["title"].is_string(), "{body}");
    assert!(body["detail"].is_string(), "{body}");
    body
}

/// Generates one test per backend for each named `async fn(TestApp)`: `sqlite::NAME` always
/// runs; `postgres::NAME` runs when TEST_DATABASE_URL is set.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn(volunteer_hours::db::Backend::Sqlite)
                        .await
                        .expect("sqlite test app");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(app) =
                        $crate::helpers::TestApp::spawn(volunteer_hours::db::Backend::Postgres).await
                    {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

/// One test per backend for an `async fn(Backend)`, under names of its own:
/// `on_each_backend!(NAME: NAME_ON_SQLITE, NAME_ON_POSTGRES);`.
#[macro_export]
macro_rules! on_each_backend {
    ($($name:ident: $sqlite:ident, $postgres:ident;)*) => {
        $(
            #[actix_web::test]
            async fn $sqlite() {
                $name(volunteer_hours::db::Backend::Sqlite).await;
            }

            #[actix_web::test]
            async fn $postgres() {
                $name(volunteer_hours::db::Backend::Postgres).await;
            }
        )*
    };
}

/// Generates one test per backend for each named `async fn(Backend)` that spawns its own,
/// differently configured app: `configured_sqlite::NAME` and `configured_postgres::NAME`.
#[macro_export]
macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {
        mod configured_sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name(volunteer_hours::db::Backend::Sqlite).await
                }
            )*
        }
        mod configured_postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name(volunteer_hours::db::Backend::Postgres).await
                }
            )*
        }
    };
}

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub username: String,
    pub password: String,
    pub access: String,
    pub refresh: String,
}

pub const TEST_PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// The plan and its branches (idempotent).
    pub fn seed(&self) {
        self.seed_with(false);
    }

    /// The plan, its branches and the demo volunteers and events.
    pub fn seed_demo(&self) {
        self.seed_with(true);
    }

    fn seed_with(&self, demo: bool) {
        let source = volunteer_hours::seed::Source::Embedded;
        volunteer_hours::seed::run(&mut self.conn(), &source, demo).expect("seed");
    }

    pub fn branch_id(&self, code: &str) -> i64 {
        volunteer_hours::branches::model::id_by_code(&mut self.conn(), code)
            .expect("query")
            .expect("branch")
    }

    /// Creates an account directly; a secretary works for branch JGDW, a volunteer account
    /// gets a volunteer of its own.
    pub fn create_user(&self, username: &str, role: volunteer_hours::auth::Role) -> i64 {
        use volunteer_hours::auth::Role;
        self.seed();
        let conn = &mut self.conn();
        let volunteer_number = format!("V-{username}");
        if role == Role::Volunteer {
            use volunteer_hours::db::schema::volunteers;
            let branch = self.branch_id("JGDW");
            diesel::insert_into(volunteers::table)
                .values((
                    volunteers::name.eq(format!("志愿者 {username}")),
                    volunteers::volunteer_number.eq(&volunteer_number),
                    volunteers::branch_id.eq(branch),
                    volunteers::status.eq("active"),
                    volunteers::created_at.eq(db::now()),
                    volunteers::updated_at.eq(db::now()),
                    volunteers::search_text.eq(format!("志愿者 {username}")),
                ))
                .execute(conn)
                .expect("volunteer");
        }
        volunteer_hours::cli::create_user(
            conn,
            &self.config,
            username,
            role,
            (role == Role::Secretary).then_some("JGDW"),
            (role == Role::Volunteer).then_some(volunteer_number.as_str()),
            TEST_PASSWORD,
        )
        .expect("create user")
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("request")
    }

    /// Creates (once) and logs in `username` with `role`.
    pub async fn session(&self, username: &str, role: volunteer_hours::auth::Role) -> Session {
        use volunteer_hours::db::schema::users;
        let existing: Option<i64> = users::table
            .filter(users::username.eq(username))
            .select(users::id)
            .first(&mut self.conn())
            .optional()
            .expect("query");
        let user_id = existing.unwrap_or_else(|| self.create_user(username, role));
        let resp = self.login(username, TEST_PASSWORD).await;
        assert_eq!(resp.status(), 200, "login of {username}");
        let body: serde_json::Value = resp.json().await.expect("token body");
        Session {
            user_id,
            username: username.to_owned(),
            password: TEST_PASSWORD.to_owned(),
            access: body["access_token"].as_str().expect("access").to_owned(),
            refresh: body["refresh_token"].as_str().expect("refresh").to_owned(),
        }
    }

    pub async fn login_as(&self, role: volunteer_hours::auth::Role) -> Session {
        self.session(&format!("{role}.user"), role).await
    }

    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req
    }

    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path, Some(token))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_as(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.request(reqwest::Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_as(
        &self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let mut req = self
            .request(reqwest::Method::PATCH, path, Some(token))
            .json(body);
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        req.send().await.expect("request")
    }

    /// A GET that must answer 200; the JSON body.
    pub async fn get_ok(&self, path: &str, token: &str) -> Value {
        ok_json(self.get_as(path, token).await).await
    }

    /// A PATCH with `If-Match: *`: whatever the current version.
    pub async fn patch_any(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.patch_as(path, token, Some("*"), body).await
    }

    /// A DELETE with `If-Match: *`: whatever the current version.
    pub async fn delete_any(&self, path: &str, token: &str) -> reqwest::Response {
        delete_as(self, path, token, Some("*")).await
    }

    /// Asserts the audit rows of an entity, oldest first: (action, actor, entity id).
    pub fn assert_audited(&self, entity: &str, want: &[(&str, i64, i64)]) {
        let want: Vec<_> = want
            .iter()
            .map(|(a, actor, id)| audit(a, *actor, *id))
            .collect();
        assert_eq!(self.audit_rows(entity), want, "audit rows of {entity}");
    }

    /// Audit rows for an entity, oldest first: (action, actor_id, entity_id).
    pub fn audit_rows(&self, entity: &str) -> Vec<(String, Option<i64>, Option<i64>)> {
        use volunteer_hours::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity.eq(entity))
            .order(audit_log::id)
            .select((audit_log::action, audit_log::actor_id, audit_log::entity_id))
            .load(&mut self.conn())
            .expect("audit rows")
    }
}

// Assertions and walkers shared by the resource tests.

/// Asserts the status and returns the JSON body; a mismatch shows the body.
pub async fn expect_json(resp: reqwest::Response, status: u16) -> Value {
    let got = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).expect("a JSON body")
}

/// A 200 with a JSON body; the body.
pub async fn ok_json(resp: reqwest::Response) -> Value {
    expect_json(resp, 200).await
}

/// A 201 with a JSON body; the new resource's id.
pub async fn created_id(resp: reqwest::Response) -> i64 {
    expect_json(resp, 201).await["id"].as_i64().expect("id")
}

pub fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The string `field` of each element of the array `list`, in order.
pub fn strs_of<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    let items = list.as_array().expect("an array");
    items
        .iter()
        .map(|i| i[field].as_str().expect(field))
        .collect()
}

/// The integer `field` of each element of the array `list`, in order.
pub fn ints_of(list: &Value, field: &str) -> Vec<i64> {
    let items = list.as_array().expect("an array");
    items
        .iter()
        .map(|i| i[field].as_i64().expect(field))
        .collect()
}

/// Asserts that the detail of a problem's first error mentions `text`.
pub fn assert_first_error_mentions(problem: &Value, text: &str) {
    let detail = problem["errors"][0]["detail"].as_str().expect("a detail");
    assert!(detail.contains(text), "{problem}");
}

/// The pointers of a validation problem, in the order given.
pub fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["pointer"].as_str().expect("pointer").to_owned())
        .collect()
}

pub async fn delete_as(
    app: &TestApp,
    path: &str,
    token: &str,
    if_match: Option<&str>,
) -> reqwest::Response {
    let mut req = app.request(reqwest::Method::DELETE, path, Some(token));
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    req.send().await.expect("request")
}

/// Walks a list page by page; returns the ids in the order served and the total.
pub async fn walk(app: &TestApp, token: &str, path: &str, limit: i64) -> (Vec<i64>, i64) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut ids = Vec::new();
    let mut total = None;
    for page in 1.. {
        let body = expect_json(
            app.get_as(&format!("{path}{sep}limit={limit}&page={page}"), token)
                .await,
            200,
        )
        .await;
        assert_eq!(
            (body["page"].as_i64(), body["limit"].as_i64()),
            (Some(page), Some(limit))
        );
        let this_total = body["total"].as_i64().expect("total");
        assert_eq!(
            *total.get_or_insert(this_total),
            this_total,
            "the total is the same on every page"
        );
        let items = body["items"].as_array().expect("items");
        ids.extend(items.iter().map(|i| i["id"].as_i64().expect("id")));
        if page * limit >= this_total {
            assert_eq!(
                items.len() as i64,
                this_total - (page - 1) * limit,
                "last page"
            );
            break;
        }
        assert_eq!(items.len() as i64, limit, "a full page before the last");
        assert!(page < 100, "too many pages");
    }
    (ids, total.expect("a page"))
}

/// A secretary of branch `code` (`{code}.secretary`, in lower case), made through the admin
/// API and logged in.
pub async fn secretary_of(app: &TestApp, admin: &Session, code: &str) -> Session {
    let username = format!("{}.secretary", code.to_lowercase());
    let resp = app
        .post_as(
            "/api/v1/users",
            Some(&admin.access),
            &json!({
                "username": username,
                "password": TEST_PASSWORD,
                "role": "secretary",
                "branch_id": app.branch_id(code),
            }),
        )
        .await;
    expect_json(resp, 201).await;
    app.session(&username, volunteer_hours::auth::Role::Secretary)
        .await
}

/// An audit row as `TestApp::audit_rows` reads it.
pub fn audit(action: &str, actor: i64, id: i64) -> (String, Option<i64>, Option<i64>) {
    (action.to_owned(), Some(actor), Some(id))
}

/// One assertion per problem type the tests meet often; each checks the status and the
/// type, and returns the problem.
macro_rules! problem_assertions {
    ($($(#[$doc:meta])* $name:ident => $status:literal $problem_type:literal;)*) => {
        $(
            $(#[$doc])*
            pub async fn $name(resp: reqwest::Response) -> Value {
                assert_problem(resp, $status, $problem_type).await
            }
        )*
    };
}

problem_assertions! {
    assert_unauthorized => 401 "/problems/unauthorized";
    assert_forbidden => 403 "/problems/forbidden";
    assert_not_found => 404 "/problems/not-found";
    assert_conflict => 409 "/problems/conflict";
    assert_precondition_required => 428 "/problems/precondition-required";
    assert_precondition_failed => 412 "/problems/precondition-failed";
    /// A 422 validation problem, whatever it names.
    assert_validation => 422 "/problems/validation";
    /// A 400 for a bad query or path parameter.
    assert_invalid_parameter => 400 "/problems/invalid-parameter";
}
