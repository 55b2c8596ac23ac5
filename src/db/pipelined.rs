//! One pipelined PostgreSQL connection per worker, for the hottest single-object reads.
//!
//! A read on the pool is a hop to a blocking thread and one synchronous round trip on a
//! connection of its own. Here the worker's event loop sends the query on a connection it
//! shares with every request it serves at the moment: concurrent queries travel together
//! and no thread is woken for them. The SQL is the text diesel writes for the same query
//! that the blocking path runs ([`sql_of`]), so there is one definition of what is read.
//!
//! Where the connection cannot answer (none, a lost one, a statement the server refused)
//! the caller runs the same read on the pool, which gives the error its usual answer; a
//! database too slow for it (no answer within `DATABASE_TIMEOUT_SECS`, a cancelled
//! statement) is a 503 at once, as on the pool. Used
//! only where the connection needs no TLS (a Unix socket, loopback, or `sslmode=disable`):
//! the pool's libpq would negotiate TLS elsewhere, and this client does not speak it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use diesel::pg::{Pg, PgQueryBuilder};

use crate::error::{AppError, AppResult};
use diesel::query_builder::{QueryBuilder, QueryFragment};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls, Row, Statement};

/// After a failed connection attempt, reads go to the pool for this long before the next.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// In `pg_stat_activity` the connection is `NAME-pipelined`, NAME being the URL's
/// `application_name` or this.
pub const APPLICATION_NAME: &str = "volunteer-hours";

/// How to connect: the pool's URL and the SQL it runs on every new connection.
#[derive(Debug, Clone)]
pub struct Settings {
    config: tokio_postgres::Config,
    /// The longest a read waits for its answer before it goes to the pool (and the
    /// connection, perhaps half-open, is dropped): `DATABASE_TIMEOUT_SECS`.
    timeout: Duration,
    init_sql: Option<String>,
    prepared_statements: bool,
}

impl Settings {
    /// `None` where this client cannot connect as the pool does: a URL it cannot read, or a
    /// server reached over the network where TLS may be wanted.
    pub fn new(
        url: &str,
        timeout: Duration,
        init_sql: Option<String>,
        prepared_statements: bool,
    ) -> Option<Self> {
        let mut config: tokio_postgres::Config = url.parse().ok()?;
        if needs_tls(&config) {
            return None;
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(timeout.max(Duration::from_secs(1)));
        }
        let name = format!(
            "{}-pipelined",
            config.get_application_name().unwrap_or(APPLICATION_NAME)
        );
        config.application_name(&name);
        Some(Settings {
            config,
            timeout: timeout.max(Duration::from_secs(1)),
            init_sql,
            prepared_statements,
        })
    }
}

fn needs_tls(config: &tokio_postgres::Config) -> bool {
    match config.get_ssl_mode() {
        SslMode::Disable => false,
        SslMode::Prefer => config.get_hosts().iter().any(|host| match host {
            Host::Tcp(name) => !matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
            #[cfg(unix)]
            Host::Unix(_) => false,
        }),
        _ => true,
    }
}

/// The SQL diesel writes for `query` on PostgreSQL, its binds as `$1`, `$2`, ….
pub fn sql_of<Q: QueryFragment<Pg>>(query: &Q) -> String {
    let mut out = PgQueryBuilder::default();
    // writing SQL text fails only for a query diesel could not run either
    match query.to_sql(&mut out, &Pg) {
        Ok(()) => out.finish(),
        Err(_) => String::new(),
    }
}

struct Live {
    client: Client,
    statements: RefCell<HashMap<&'static str, Statement>>,
}

/// The worker's connection, made when first needed and again after it is lost. Lives in
/// the worker's `App` (one per worker thread), so it is neither `Send` nor shared.
pub struct Pipelined {
    settings: Option<Settings>,
    live: RefCell<Option<Rc<Live>>>,
    connecting: tokio::sync::Mutex<()>,
    failed_at: RefCell<Option<Instant>>,
}

impl Pipelined {
    pub fn new(settings: Option<Settings>) -> Self {
        Pipelined {
            settings,
            live: RefCell::new(None),
            connecting: tokio::sync::Mutex::new(()),
            failed_at: RefCell::new(None),
        }
    }

    /// Off: every read goes to the pool.
    pub fn off() -> Self {
        Self::new(None)
    }

    fn current(&self) -> Option<Rc<Live>> {
        self.live
            .borrow()
            .as_ref()
            .filter(|live| !live.client.is_closed())
            .cloned()
    }

    async fn connection(&self) -> Option<Rc<Live>> {
        if let Some(live) = self.current() {
            return Some(live);
        }
        let settings = self.settings.as_ref()?;
        // one attempt at a time; the others wait for its outcome
        let _one = self.connecting.lock().await;
        if let Some(live) = self.current() {
            return Some(live);
        }
        if self
            .failed_at
            .borrow()
            .is_some_and(|at| at.elapsed() < RETRY_AFTER)
        {
            return None;
        }
        match connect(settings).await {
            Ok(live) => {
                let live = Rc::new(live);
                *self.live.borrow_mut() = Some(live.clone());
                *self.failed_at.borrow_mut() = None;
                Some(live)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the pipelined connection could not be made: reads use the pool");
                *self.live.borrow_mut() = None;
                *self.failed_at.borrow_mut() = Some(Instant::now());
                None
            }
        }
    }

    /// Runs `sql` (from [`sql_of`], kept for the life of the process) with `params` of the
    /// given types. `None` where this connection cannot answer (none could be made, it was
    /// lost, the server refused the statement): the caller reads through the pool. A read
    /// the database is too slow for (no answer within `DATABASE_TIMEOUT_SECS`, or cancelled
    /// at the statement timeout) is a 503, as on the pool: running it again there would
    /// only wait as long a second time.
    pub async fn query(
        &self,
        sql: &'static str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Option<AppResult<Vec<Row>>> {
        let live = self.connection().await?;
        let settings = self.settings.as_ref()?;
        let result = actix_web::rt::time::timeout(
            settings.timeout,
            run(&live, settings.prepared_statements, sql, params),
        )
        .await;
        match result {
            Ok(Ok(rows)) => Some(Ok(rows)),
            Ok(Err(e)) if live.client.is_closed() => {
                tracing::warn!(error = %e, "the pipelined connection was lost: reads use the pool until it is back");
                self.drop_connection(&live);
                None
            }
            Ok(Err(e)) if e.code().is_some_and(too_busy) => {
                tracing::warn!(error = %e, "a pipelined read was cancelled by the database");
                Some(Err(AppError::database_unavailable()))
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "a pipelined read failed: it runs on the pool");
                live.statements.borrow_mut().remove(sql);
                None
            }
            Err(_) => {
                // perhaps a half-open connection: the next read makes a new one
                tracing::warn!(
                    timeout = ?settings.timeout,
                    "a pipelined read had no answer in time: 503, and the connection is dropped"
                );
                self.drop_connection(&live);
                Some(Err(AppError::database_unavailable()))
            }
        }
    }

    /// Forgets `live` if it is still the current connection (requests that wait on it
    /// end with it; a newer one stays).
    fn drop_connection(&self, live: &Rc<Live>) {
        let mut current = self.live.borrow_mut();
        if current.as_ref().is_some_and(|c| Rc::ptr_eq(c, live)) {
            *current = None;
        }
    }
}

/// The server's answers that mean "too busy now", not "cannot run this here".
fn too_busy(code: &SqlState) -> bool {
    [
        SqlState::QUERY_CANCELED,
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
    ]
    .contains(code)
}

async fn run(
    live: &Live,
    prepared_statements: bool,
    sql: &'static str,
    params: &[(&(dyn ToSql + Sync), Type)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    if !prepared_statements {
        // unnamed: parse, bind and execute in one message, as a transaction-pooling
        // PgBouncer needs
        return live.client.query_typed(sql, params).await;
    }
    let cached = live.statements.borrow().get(sql).cloned();
    let statement = match cached {
        Some(s) => s,
        None => {
            let types: Vec<Type> = params.iter().map(|(_, t)| t.clone()).collect();
            let s = live.client.prepare_typed(sql, &types).await?;
            live.statements.borrow_mut().insert(sql, s.clone());
            s
        }
    };
    let values: Vec<&(dyn ToSql + Sync)> = params.iter().map(|(v, _)| *v).collect();
    live.client.query(&statement, &values).await
}

async fn connect(settings: &Settings) -> Result<Live, tokio_postgres::Error> {
    let (client, connection) = settings.config.connect(NoTls).await?;
    actix_web::rt::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "the pipelined connection ended");
        }
    });
    if let Some(sql) = &settings.init_sql {
        client.batch_execute(sql).await?;
    }
    Ok(Live {
        client,
        statements: RefCell::new(HashMap::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_left_to_the_pool_where_it_may_be_wanted() {
        let on = |url: &str| Settings::new(url, Duration::from_secs(5), None, true).is_some();
        assert!(on("postgres://postgres@%2Fvar%2Frun%2Fpostgresql/db"));
        assert!(on("postgres://postgres@127.0.0.1:5432/db"));
        assert!(on("postgres://postgres@localhost/db"));
        assert!(on("postgres://postgres@db.example.org/db?sslmode=disable"));
        assert!(!on("postgres://postgres@db.example.org/db"));
        assert!(!on("postgres://postgres@127.0.0.1/db?sslmode=require"));
        assert!(!on("not a url"));
    }

    #[test]
    fn the_connection_names_itself_after_the_url() {
        let name = |url: &str| {
            Settings::new(url, Duration::from_secs(5), None, true)
                .and_then(|s| s.config.get_application_name().map(str::to_owned))
        };
        assert_eq!(
            name("postgres://p@127.0.0.1/db").as_deref(),
            Some("volunteer-hours-pipelined")
        );
        assert_eq!(
            name("postgres://p@127.0.0.1/db?application_name=mine").as_deref(),
            Some("mine-pipelined")
        );
    }

    #[test]
    fn sql_is_what_diesel_writes_for_postgres() {
        use crate::db::schema::volunteers;
        use diesel::prelude::*;
        let sql = sql_of(
            &volunteers::table
                .filter(volunteers::id.eq(7_i64))
                .select(volunteers::name),
        );
        assert_eq!(
            sql,
            r#"SELECT "volunteers"."name" FROM "volunteers" WHERE ("volunteers"."id" = $1)"#
        );
    }
}
