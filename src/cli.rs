//! The command line: `serve` (the default), `migrate`, `seed`, `import`, `create-user`.

use std::io::{BufRead, IsTerminal};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use diesel::prelude::*;

use crate::audit::{self, NewAudit};
use crate::auth::{password, Role};
use crate::config::Config;
use crate::db::schema::{users, volunteers};
use crate::db::{self, DbConn, PoolOptions};
use crate::users::model::{check_username, NewUser};

/// Env var read by `create-user` for the password (otherwise read from standard input).
pub const PASSWORD_ENV: &str = "VOLUNTEER_HOURS_PASSWORD";

#[derive(Debug, Parser)]
#[command(
    name = "volunteer-hours",
    version,
    about = "Records volunteer service hours against a yearly work plan.",
    after_help = "Configuration comes from environment variables; see README.md. \
                  With no command, `serve` runs."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations and serve the HTTP API (the default).
    Serve,
    /// Apply pending migrations, then exit.
    Migrate,
    /// Load the 2022 plan and its branches; with --demo, a demo set too. Idempotent.
    Seed {
        /// Also load demo volunteers, events and hours.
        #[arg(long)]
        demo: bool,
        /// Read the seed files from this directory instead of the copies built in.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Import volunteers or past hours from an XLSX or CSV file, as the API's
    /// `POST /api/v1/imports/...` does, and print its report (exit code 1 when refused).
    Import {
        what: crate::imports::command::What,
        file: PathBuf,
        #[command(flatten)]
        opts: crate::imports::command::Options,
    },
    /// Print the SQL of a totals report for PostgreSQL (to reproduce or time it in psql).
    TotalsSql {
        /// Comma-separated groupings, e.g. `volunteer` or `branch,month`.
        #[arg(long, default_value = "volunteer")]
        group_by: String,
    },
    /// Create an account. The password is read from standard input, or from the
    /// VOLUNTEER_HOURS_PASSWORD environment variable; never from an argument.
    CreateUser {
        #[arg(long)]
        username: String,
        /// admin, secretary, hr or volunteer.
        #[arg(long)]
        role: Role,
        /// Branch code; required for a secretary.
        #[arg(long, value_name = "CODE")]
        branch: Option<String>,
        /// National volunteer number of the volunteer this account belongs to; required for
        /// the volunteer role.
        #[arg(long, value_name = "NUMBER")]
        volunteer_number: Option<String>,
    },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

pub fn pool_options(config: &Config) -> PoolOptions {
    PoolOptions {
        max_size: config.pool_size,
        acquire_timeout: config.database_timeout,
        startup_wait: config.database_startup_wait,
        statement_timeout: None,
        prepared_statements: config.prepared_statements,
    }
}

fn migrated_connection(config: &Config) -> anyhow::Result<db::PooledConn> {
    let pool = db::connect(
        &config.database_url,
        &PoolOptions {
            max_size: 1,
            ..pool_options(config)
        },
    )?;
    let mut conn = pool.get().context("could not get a database connection")?;
    let applied = db::run_migrations(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "applied migrations");
    }
    Ok(conn)
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let config2 = config.clone();
            tokio_block(move || migrated_connection(&config2).map(|_| ())).await?;
            println!("migrations applied to {}", config.database_url);
            Ok(())
        }
        Command::Seed { demo, dir } => {
            let report = tokio_block(move || {
                let mut conn = migrated_connection(&config)?;
                let source = match &dir {
                    Some(d) => crate::seed::Source::Dir(d),
                    None => crate::seed::Source::Embedded,
                };
                let report = crate::seed::run(&mut conn, &source, demo)?;
                let accounts = if demo {
                    demo_accounts(&mut conn, &config)?
                } else {
                    Vec::new()
                };
                Ok((report, accounts))
            })
            .await?;
            if report.0.is_empty() {
                println!("seed: nothing to add; the database already holds the seed data");
            } else {
                println!("seed: {}", report.0);
            }
            if !report.1.is_empty() {
                println!(
                    "seed: demo accounts {} with the password `{DEMO_PASSWORD}`: change it \
                     (POST /api/v1/auth/password) before anyone else can reach the service",
                    report.1.join(", ")
                );
            }
            Ok(())
        }
        Command::Import { what, file, opts } => {
            let (ok, report) = tokio_block(move || {
                let mut conn = migrated_connection(&config)?;
                crate::imports::command::run(&mut conn, &config, what, &file, &opts)
            })
            .await?;
            println!("{report}");
            if !ok {
                bail!("nothing was imported");
            }
            Ok(())
        }
        Command::TotalsSql { group_by } => {
            let groups = crate::reports::model::GroupBy::parse_list(&group_by)
                .map_err(anyhow::Error::msg)?;
            let filters = crate::reports::model::Filters {
                status: "approved",
                ..Default::default()
            };
            println!(
                "{}",
                crate::reports::model::totals_sql(
                    db::Backend::Postgres,
                    &groups,
                    &filters,
                    &crate::auth::Scope::All
                )
            );
            Ok(())
        }
        Command::CreateUser {
            username,
            role,
            branch,
            volunteer_number,
        } => {
            let password = read_password()?;
            let id = tokio_block(move || {
                let mut conn = migrated_connection(&config)?;
                create_user(
                    &mut conn,
                    &config,
                    &username,
                    role,
                    branch.as_deref(),
                    volunteer_number.as_deref(),
                    &password,
                )
            })
            .await?;
            println!("created user {id}");
            Ok(())
        }
    }
}

/// The password of the accounts `seed --demo` makes; for trying the service only.
pub const DEMO_PASSWORD: &str = "demo-password-2022";

/// One account per role for the demo data, made once: returns the usernames it made.
fn demo_accounts(conn: &mut DbConn, config: &Config) -> anyhow::Result<Vec<String>> {
    let accounts: [(&str, Role, Option<&str>, Option<&str>); 4] = [
        ("admin", Role::Admin, None, None),
        ("zb01.secretary", Role::Secretary, Some("ZB01"), None),
        ("hr.officer", Role::Hr, None, None),
        (
            "volunteer",
            Role::Volunteer,
            None,
            Some("350100202103050001"),
        ),
    ];
    let mut made = Vec::new();
    for (username, role, branch, number) in accounts {
        let exists: i64 = users::table
            .filter(users::username.eq(username))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            create_user(conn, config, username, role, branch, number, DEMO_PASSWORD)?;
            made.push(username.to_owned());
        }
    }
    Ok(made)
}

async fn tokio_block<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    actix_web::web::block(f)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
}

async fn serve(config: Config) -> anyhow::Result<()> {
    config.check_for_serving()?;
    let config = Arc::new(config);
    tracing::info!(database = %config.database_url, "connecting to the database");
    let c = config.clone();
    let pool = tokio_block(move || {
        let options = PoolOptions {
            statement_timeout: Some(c.statement_timeout),
            ..pool_options(&c)
        };
        let pool = db::connect(&c.database_url, &options)?;
        let mut conn = pool.get().context("could not get a database connection")?;
        let applied = db::run_migrations(&mut conn)?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "applied migrations");
        }
        Ok(pool)
    })
    .await?;
    let listener = TcpListener::bind(config.bind)
        .with_context(|| format!("could not listen on {}", config.bind))?;
    tracing::info!(address = %config.bind, "serving; API docs at /docs");
    crate::build_server(config, pool, listener)?.await?;
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password (it will show as you type; or set {PASSWORD_ENV}): ");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        bail!("no password given: pipe it on standard input or set {PASSWORD_ENV}");
    }
    Ok(p)
}

/// Creates an account (and its audit row) in one transaction; returns its id.
pub fn create_user(
    conn: &mut DbConn,
    config: &Config,
    username: &str,
    role: Role,
    branch: Option<&str>,
    volunteer_number: Option<&str>,
    password: &str,
) -> anyhow::Result<i64> {
    check_username(username).map_err(|e| anyhow::anyhow!("username {e}"))?;
    password::check_rules(username, password).map_err(|e| anyhow::anyhow!("password {e}"))?;
    let branch_id = match branch {
        Some(code) => Some(
            crate::branches::model::id_by_code(conn, code)?
                .with_context(|| format!("no branch with code `{code}` (run `seed` first?)"))?,
        ),
        None if role == Role::Secretary => bail!("a secretary needs --branch CODE"),
        None => None,
    };
    let volunteer_id = match volunteer_number {
        Some(n) => Some(
            volunteers::table
                .filter(volunteers::volunteer_number.eq(n))
                .select(volunteers::id)
                .first::<i64>(conn)
                .optional()?
                .with_context(|| format!("no volunteer with number `{n}`"))?,
        ),
        None if role == Role::Volunteer => bail!("a volunteer account needs --volunteer-number"),
        None => None,
    };
    let hash = password::hash(config.password_hash, password)?;
    db::write_tx(conn, |conn| {
        let taken: i64 = users::table
            .filter(users::username.eq(username))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            bail!("username `{username}` is taken");
        }
        let now = db::now();
        diesel::insert_into(users::table)
            .values(NewUser {
                username,
                password_hash: &hash,
                role: role.as_str(),
                branch_id,
                volunteer_id,
                created_at: now,
                updated_at: now,
            })
            .execute(conn)?;
        let id: i64 = users::table
            .filter(users::username.eq(username))
            .select(users::id)
            .first(conn)?;
        audit::record(
            conn,
            &NewAudit {
                occurred_at: now,
                actor_id: None,
                action: audit::Action::Create,
                entity: audit::Entity::User,
                entity_id: Some(id),
                before_json: None,
                after_json: Some(
                    serde_json::json!({
                        "username": username, "role": role.as_str(),
                        "branch_id": branch_id, "volunteer_id": volunteer_id,
                    })
                    .to_string(),
                ),
                reason: Some("create-user command"),
                request_id: None,
            },
        )?;
        Ok(id)
    })
}
