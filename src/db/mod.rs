//! The database: one connection type over PostgreSQL and SQLite, its pool and migrations.

pub mod pipelined;
pub mod replica;
pub mod schema;

use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A connection to either backend. Most queries run on it unchanged; the few that diesel's
/// multi-backend cannot express go through [`db_run!`](crate::db_run).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same diesel expression on whichever backend `conn` is, with `$c` bound to the
/// backend's own connection type. For upserts, multi-row inserts and `RETURNING`.
#[macro_export]
macro_rules! db_run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// One page of a filtered list, the way every list pages: counts the rows `$filtered()`
/// selects, then loads `$paging`'s page of them in `$order` as `$row`s. `$filtered` builds
/// the same boxed query each time it is called. Answers `(rows, total)`. The last
/// argument is the row type, or `SELECTION => TYPE` for a selection of columns.
#[macro_export]
macro_rules! page_of {
    ($conn:expr, $filtered:expr, $order:expr, $paging:expr, $selection:expr => $row:ty) => {{
        let total: i64 = $filtered().count().get_result($conn)?;
        let rows: Vec<$row> = $filtered()
            .order($order)
            .limit(i64::from($paging.limit))
            .offset($paging.offset)
            .select($selection)
            .load($conn)?;
        (rows, total)
    }};
    ($conn:expr, $filtered:expr, $order:expr, $paging:expr, $row:ty) => {
        $crate::page_of!($conn, $filtered, $order, $paging, <$row>::as_select() => $row)
    };
}

/// The connection pool, with what it remembers of the database's last failure.
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<ConnectionManager>,
    /// When the database last failed us (ms since the Unix epoch): a connection lost
    /// mid-request, or none within the pool timeout.
    failed_at_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// How a worker's pipelined connection reaches the same database (PostgreSQL only).
    pipelined: Option<pipelined::Settings>,
}

impl std::ops::Deref for Pool {
    type Target = r2d2::Pool<ConnectionManager>;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl Pool {
    fn new(inner: r2d2::Pool<ConnectionManager>, manager: &ConnectionManager) -> Pool {
        Pool {
            inner,
            failed_at_ms: Default::default(),
            pipelined: manager.pipelined(),
        }
    }

    /// The settings of a pipelined connection to this pool's database, where one can be
    /// made as the pool's are (see [`pipelined`]).
    pub fn pipelined_settings(&self) -> Option<pipelined::Settings> {
        self.pipelined.clone()
    }

    fn failed(&self) {
        self.failed_at_ms
            .store(now_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    /// A pooled connection: at once if one is idle; otherwise by waiting up to `wait`,
    /// unless the database failed within the last second.
    fn checkout(&self, wait: Duration) -> crate::error::AppResult<PooledConn> {
        let failed_at = self.failed_at_ms.load(std::sync::atomic::Ordering::Relaxed);
        if now_ms() - failed_at < FAIL_FAST_MS || wait.is_zero() {
            return self
                .inner
                .try_get()
                .ok_or_else(crate::error::AppError::database_unavailable);
        }
        self.inner.get_timeout(wait).map_err(|e| {
            self.failed();
            e.into()
        })
    }
}

/// The current time as stored: UTC, to the microsecond (what PostgreSQL keeps), so that a
/// value reads back the same from both backends.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now)
}

/// For this long after a failure, a request that finds no idle connection is answered 503 at
/// once instead of waiting the pool timeout too: during an outage or an overload, clients
/// learn it in a millisecond. Idle connections, as soon as there are any again, are used.
const FAIL_FAST_MS: i64 = 1000;

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Runs database work on the blocking pool with a pooled connection. Handlers call it
/// through [`AppState::db`](crate::AppState::db), which hands the work the request's id
/// for its audit rows.
///
/// The wait for a thread and then for a connection together last at most the pool timeout:
/// when every thread is busy (statements stuck on the database), the request is answered
/// 503 then, and its work, once a thread takes it up, is dropped undone. Work that has
/// started always runs to its end, so a write is never answered 503 after it committed.
pub async fn run<T, F>(pool: &Pool, f: F) -> crate::error::AppResult<T>
where
    F: FnOnce(&mut DbConn) -> crate::error::AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    use std::sync::atomic::{AtomicU8, Ordering};
    const WAITING: u8 = 0;
    const STARTED: u8 = 1;
    const ABANDONED: u8 = 2;
    let task_pool = pool.clone();
    let timeout = pool.connection_timeout();
    let queued = std::time::Instant::now();
    let state = std::sync::Arc::new(AtomicU8::new(WAITING));
    let (started, started_rx) = tokio::sync::oneshot::channel::<()>();
    let task_state = state.clone();
    let task = actix_web::web::block(move || {
        crate::sched::lower_this_thread_once(crate::sched::DATABASE);
        if task_state
            .compare_exchange(WAITING, STARTED, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return Err(crate::error::AppError::database_unavailable());
        }
        let _ = started.send(());
        let mut conn = task_pool.checkout(timeout.saturating_sub(queued.elapsed()))?;
        let result = f(&mut conn);
        if matches!(result, Err(crate::error::AppError::Internal(_))) && conn.ping().is_err() {
            // the connection is gone (the database restarted, or the network): not a fault
            // of this request; the pool replaces the connection
            tracing::warn!("the database connection was lost during a request");
            task_pool.failed();
            return Err(crate::error::AppError::database_unavailable());
        }
        result
    });
    let in_time = actix_web::rt::time::timeout(timeout, started_rx)
        .await
        .is_ok();
    if !in_time
        && state
            .compare_exchange(WAITING, ABANDONED, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    {
        tracing::warn!("no thread for database work within the pool timeout");
        pool.failed();
        return Err(crate::error::AppError::database_unavailable());
    }
    task.await?
}
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

mod url;

pub use url::{Backend, DatabaseUrl, DatabaseUrlError, DEFAULT_SQLITE_PATH};

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Pg(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Opens connections of exactly the backend the URL names (diesel's own `establish` on a
/// multi-connection tries each backend in turn and would open any string as a SQLite file).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    /// PostgreSQL: `connect_timeout`; SQLite: `busy_timeout`.
    timeout: Duration,
    /// Run after connecting (tests use it to pin a PostgreSQL schema).
    init_sql: Option<String>,
    /// PostgreSQL: cache prepared statements on the connection (diesel's default).
    prepared_statements: bool,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl, timeout: Duration) -> Self {
        Self {
            url,
            timeout,
            init_sql: None,
            prepared_statements: true,
        }
    }

    /// Without prepared statements each statement is sent with its parameters in one
    /// message (parse, bind and execute together), which a transaction-pooling PgBouncer
    /// can pass to any server connection; the cost is parsing and planning it every time.
    pub fn with_prepared_statements(mut self, on: bool) -> Self {
        self.prepared_statements = on;
        self
    }

    pub fn with_init_sql(mut self, sql: impl Into<String>) -> Self {
        self.init_sql = Some(sql.into());
        self
    }

    fn pipelined(&self) -> Option<pipelined::Settings> {
        match &self.url {
            DatabaseUrl::Postgres(url) => pipelined::Settings::new(
                url,
                self.timeout,
                self.init_sql.clone(),
                self.prepared_statements,
            ),
            _ => None,
        }
    }

    pub fn establish(&self) -> ConnectionResult<DbConn> {
        let secs = self.timeout.as_secs().max(1);
        let mut conn = match &self.url {
            DatabaseUrl::Postgres(url) => {
                let url = with_connect_timeout(url, secs);
                let mut pg = PgConnection::establish(&url)?;
                if !self.prepared_statements {
                    pg.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
                }
                DbConn::Pg(pg)
            }
            DatabaseUrl::SqliteFile(path) => {
                let path = path.to_str().ok_or_else(|| {
                    diesel::ConnectionError::InvalidConnectionUrl(
                        "the SQLite path is not valid UTF-8".into(),
                    )
                })?;
                let mut c = SqliteConnection::establish(path)?;
                let ms = self.timeout.as_millis();
                c.batch_execute(&format!(
                    "PRAGMA busy_timeout = {ms}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                DbConn::Sqlite(c)
            }
            DatabaseUrl::SqliteMemory => {
                let mut c = SqliteConnection::establish(":memory:")?;
                c.batch_execute("PRAGMA foreign_keys = ON;")
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                DbConn::Sqlite(c)
            }
        };
        if let Some(sql) = &self.init_sql {
            conn.batch_execute(sql)
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
        }
        Ok(conn)
    }
}

fn with_connect_timeout(url: &str, secs: u64) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout={secs}")
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.establish().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    /// How long a request waits for a connection before it is answered 503.
    pub acquire_timeout: Duration,
    /// How long start-up keeps retrying an unreachable database before giving up.
    pub startup_wait: Duration,
    /// PostgreSQL's `statement_timeout` on every connection, if any.
    pub statement_timeout: Option<Duration>,
    /// PostgreSQL: cache prepared statements (off behind PgBouncer in transaction mode).
    pub prepared_statements: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DbStartError {
    #[error("could not connect to the database at {url} within {} s: {cause}", waited.as_secs())]
    Unreachable {
        url: String,
        waited: Duration,
        cause: String,
    },
    #[error("could not build the connection pool: {0}")]
    Pool(String),
    #[error("could not apply migrations: {0}")]
    Migrations(String),
}

/// Connects (retrying with back-off up to `startup_wait`) and builds the pool.
pub fn connect(url: &DatabaseUrl, opts: &PoolOptions) -> Result<Pool, DbStartError> {
    let mut manager = ConnectionManager::new(url.clone(), opts.acquire_timeout)
        .with_prepared_statements(opts.prepared_statements);
    if let (DatabaseUrl::Postgres(_), Some(t)) = (url, opts.statement_timeout) {
        manager = manager.with_init_sql(format!("SET statement_timeout = {}", t.as_millis()));
    }
    connect_with(manager, opts)
}

/// A pool that connects when first used, for a server that may be down at start (the
/// replica): the service starts without it and its monitor finds it when it comes.
pub fn connect_lazy(url: &DatabaseUrl, opts: &PoolOptions) -> Pool {
    let mut manager = ConnectionManager::new(url.clone(), opts.acquire_timeout)
        .with_prepared_statements(opts.prepared_statements);
    if let Some(t) = opts.statement_timeout {
        manager = manager.with_init_sql(format!("SET statement_timeout = {}", t.as_millis()));
    }
    Pool::new(
        r2d2::Pool::builder()
            .max_size(opts.max_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(opts.acquire_timeout)
            .test_on_check_out(false)
            // connection failures are the monitor's to report, not r2d2's every try
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(manager.clone()),
        &manager,
    )
}

pub fn connect_with(manager: ConnectionManager, opts: &PoolOptions) -> Result<Pool, DbStartError> {
    let url = manager.url.clone();
    // In-memory SQLite is one database per connection: keep exactly one.
    let max_size = if url == DatabaseUrl::SqliteMemory {
        1
    } else {
        opts.max_size.max(1)
    };
    let started = Instant::now();
    let mut delay = Duration::from_millis(200);
    loop {
        match manager.establish() {
            Ok(_) => break,
            Err(e) => {
                let waited = started.elapsed();
                if waited >= opts.startup_wait {
                    return Err(DbStartError::Unreachable {
                        url: url.to_string(),
                        waited,
                        cause: e.to_string(),
                    });
                }
                tracing::warn!(database = %url, error = %e, retry_in = ?delay, "database not reachable yet");
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(opts.acquire_timeout)
        // A connection is checked (`SELECT 1`) as it leaves the pool and replaced if the
        // database restarted under it. The hottest read no longer takes a pooled
        // connection, so the pool may sit idle through a restart, and its first users after
        // it would otherwise each meet a dead connection (a 503 apiece).
        .test_on_check_out(true)
        .build(manager.clone())
        .map(|pool| Pool::new(pool, &manager))
        .map_err(|e| DbStartError::Pool(e.to_string()))
}

/// Applies every pending migration of the connection's backend; returns their names.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, DbStartError> {
    let applied = db_run!(conn, |c| {
        let source = match c_backend_marker(c) {
            Backend::Postgres => PG_MIGRATIONS,
            Backend::Sqlite => SQLITE_MIGRATIONS,
        };
        c.run_pending_migrations(source)
            .map(|v| v.iter().map(|m| m.to_string()).collect::<Vec<_>>())
    });
    applied.map_err(|e| DbStartError::Migrations(e.to_string()))
}

trait BackendMarker {
    fn backend_marker() -> Backend;
}
impl BackendMarker for PgConnection {
    fn backend_marker() -> Backend {
        Backend::Postgres
    }
}
impl BackendMarker for SqliteConnection {
    fn backend_marker() -> Backend {
        Backend::Sqlite
    }
}
fn c_backend_marker<C: BackendMarker>(_: &C) -> Backend {
    C::backend_marker()
}

/// Runs `f` in a transaction that writes. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`), so that two writers queue on the busy timeout instead of one failing
/// when it upgrades from reading to writing.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            let committed = db_run!(conn, |c| AnsiTransactionManager::commit_transaction(c));
            if let Err(e) = committed {
                let _ = db_run!(conn, |c| AnsiTransactionManager::rollback_transaction(c));
                return Err(e.into());
            }
            Ok(value)
        }
        Err(e) => {
            db_run!(conn, |c| AnsiTransactionManager::rollback_transaction(c))?;
            Err(e)
        }
    }
}

/// Runs `f` in a read-only transaction that sees one moment of the database throughout
/// (PostgreSQL `REPEATABLE READ`; SQLite's read transaction sees the data as of its first
/// read): a document made of several queries then adds up, whatever commits meanwhile.
pub fn snapshot_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let begin = match conn.backend() {
        Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        Backend::Sqlite => "BEGIN DEFERRED",
    };
    db_run!(conn, |c| AnsiTransactionManager::begin_transaction_sql(
        c, begin
    ))?;
    match f(conn) {
        Ok(value) => {
            db_run!(conn, |c| AnsiTransactionManager::commit_transaction(c))?;
            Ok(value)
        }
        Err(e) => {
            // Nothing was written; the error from `f` is the one to report.
            let _ = db_run!(conn, |c| AnsiTransactionManager::rollback_transaction(c));
            Err(e)
        }
    }
}

/// The table and column names of the connected database, sorted; migrations on both
/// backends must end with the same set.
pub fn table_columns(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
    }
    let sql = match conn.backend() {
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name <> '__diesel_schema_migrations' ORDER BY 1, 2"
        }
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '__diesel_schema_migrations' ORDER BY 1, 2"
        }
    };
    let rows: Vec<Row> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.table_name, r.column_name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_choose_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").unwrap(),
            DatabaseUrl::SqliteFile("data/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/x.db").unwrap(),
            DatabaseUrl::SqliteFile("/var/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:").unwrap(),
            DatabaseUrl::SqliteMemory
        );
    }

    #[test]
    fn anything_else_is_refused_without_echoing_secrets() {
        assert_eq!(DatabaseUrl::parse(""), Err(DatabaseUrlError::Empty));
        assert_eq!(
            DatabaseUrl::parse("sqlite://"),
            Err(DatabaseUrlError::EmptySqlitePath)
        );
        assert_eq!(
            DatabaseUrl::parse("mysql://root:hunter2@h/db"),
            Err(DatabaseUrlError::UnsupportedScheme("mysql".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("volunteer.db"),
            Err(DatabaseUrlError::MissingScheme)
        );
        assert_eq!(
            DatabaseUrl::parse("postgre://x"),
            Err(DatabaseUrlError::UnsupportedScheme("postgre".into()))
        );
        let msg = DatabaseUrl::parse("mysql://root:hunter2@h/db")
            .unwrap_err()
            .to_string();
        assert!(!msg.contains("hunter2"), "{msg}");
    }

    #[test]
    fn display_hides_passwords() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db:5432/vh?sslmode=require").unwrap();
        assert_eq!(
            url.to_string(),
            "postgres://app:***@db:5432/vh?sslmode=require"
        );
        let url = DatabaseUrl::parse("postgres://db/vh?user=a&password=s3cret").unwrap();
        assert!(!url.to_string().contains("s3cret"));
        assert!(!format!("{url:?}").contains("s3cret"));
    }

    #[test]
    fn connect_timeout_is_added_once() {
        assert_eq!(
            with_connect_timeout("postgres://h/db", 5),
            "postgres://h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?sslmode=disable", 5),
            "postgres://h/db?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?connect_timeout=9", 5),
            "postgres://h/db?connect_timeout=9"
        );
    }
}
