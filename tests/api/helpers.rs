//! TestApp: a real server on a random port over a fresh database of either backend.
#![allow(dead_code)] // shared by every test module; not each uses every helper

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use diesel::{Connection, PgConnection};
use volunteer_hours::config::Config;
use volunteer_hours::db::{
    self, Backend, ConnectionManager, DatabaseUrl, Pool, PoolOptions, PooledConn,
};

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
            _dir: Some(dir),
        };
        test_db.migrate();
        test_db
    }

    pub fn postgres() -> Option<TestDb> {
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
        let db_url = DatabaseUrl::Postgres(url);
        let manager = ConnectionManager::new(db_url.clone(), Duration::from_secs(5))
            .with_init_sql(format!("SET search_path TO {schema}"));
        let pool = db::connect_with(manager, &opts()).expect("postgres pool");
        let mut test_db = TestDb {
            url: db_url,
            pool,
            backend: Backend::Postgres,
            schema: Some(schema),
            _dir: None,
        };
        test_db.migrate();
        Some(test_db)
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
        configure(&mut config);
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = volunteer_hours::build_server(config.clone(), db.pool.clone(), listener)
            .expect("server");
        actix_web::rt::spawn(server);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Some(TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client,
            db,
            config,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
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
