//! `volunteer-hours import volunteers|hours FILE`: the same import as the API, run as an
//! account of the database, printing the same report.

use std::path::Path;

use anyhow::{bail, Context};
use diesel::prelude::*;

use super::run::{execute, file_problem, problem, Answer, File, Work};
use crate::auth::{Principal, Role};
use crate::config::Config;
use crate::db::schema::users;
use crate::db::DbConn;
use crate::i18n::Lang;

/// What to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Volunteers,
    Hours,
}

/// The command's options (its flags, as clap reads them).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Options {
    /// Check everything and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The account to import as (its scope applies); the first administrator by default.
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
    /// Volunteers: a row with an existing volunteer number updates that volunteer.
    #[arg(long)]
    pub update_existing: bool,
    /// Hours: find or create the events rows name by title, date, category and item.
    #[arg(long)]
    pub create_events: bool,
    /// Hours: approve the entries at once, for this reason (administrators).
    #[arg(long, value_name = "REASON")]
    pub approve: Option<String>,
    /// The XLSX worksheet to read (the first by default).
    #[arg(long)]
    pub sheet: Option<String>,
}

/// id, username, role, branch, volunteer
type AccountRow = (i64, String, String, Option<i64>, Option<i64>);

fn principal(conn: &mut DbConn, username: Option<&str>) -> anyhow::Result<Principal> {
    let mut q = users::table
        .filter(users::disabled.eq(false))
        .order(users::id)
        .select((
            users::id,
            users::username,
            users::role,
            users::branch_id,
            users::volunteer_id,
        ))
        .into_boxed();
    q = match username {
        Some(u) => q.filter(users::username.eq(u.to_owned())),
        None => q.filter(users::role.eq(Role::Admin.as_str())),
    };
    let found: Option<AccountRow> = q.first(conn).optional()?;
    let Some((user_id, username, role, branch_id, volunteer_id)) = found else {
        match username {
            Some(u) => bail!("no enabled account `{u}`"),
            None => bail!("no enabled administrator account: name one with --as USERNAME"),
        }
    };
    let role: Role = role
        .parse()
        .map_err(|_| anyhow::anyhow!("account `{username}` has an unknown role"))?;
    if !matches!(role, Role::Admin | Role::Secretary) {
        bail!("`{username}` is {role}: only administrators and secretaries import");
    }
    Ok(Principal {
        user_id,
        username,
        role,
        branch_id,
        volunteer_id,
    })
}

/// Imports `path`; returns whether it was imported (or, for a dry run, would be), and the
/// report as JSON.
pub fn run(
    conn: &mut DbConn,
    config: &Config,
    what: What,
    path: &Path,
    opts: &Options,
) -> anyhow::Result<(bool, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() > config.imports.max_bytes {
        bail!(
            "{} is larger than {} bytes (MAX_IMPORT_BYTES)",
            path.display(),
            config.imports.max_bytes
        );
    }
    let caller = principal(conn, opts.as_user.as_deref())?;
    let media = path
        .extension()
        .and_then(|e| e.to_str())
        .filter(|e| e.eq_ignore_ascii_case("xlsx"))
        .map(|_| super::sheet::XLSX_TYPE.to_owned());
    let file = File {
        bytes,
        media,
        sheet: opts.sheet.clone(),
    };
    let (columns, work): (&'static [super::columns::Column], Work) = match what {
        What::Volunteers => {
            let update_existing = opts.update_existing;
            let who = caller.clone();
            (
                &super::volunteers::COLUMNS,
                Box::new(move |conn, sheet, layout| {
                    let scope = who.scope(conn)?;
                    super::volunteers::import(
                        conn,
                        who.user_id,
                        &scope,
                        sheet,
                        layout,
                        update_existing,
                    )
                }),
            )
        }
        What::Hours => {
            if opts.approve.is_some() {
                if let Some(e) = super::hours::approve_problem(
                    caller.role == Role::Admin,
                    opts.approve.as_deref(),
                ) {
                    bail!("{}", e.detail());
                }
            }
            let who = caller.clone();
            let cfg = config.hours.clone();
            let create_events = opts.create_events;
            let approve = opts.approve.clone();
            (
                &super::hours::COLUMNS,
                Box::new(move |conn, sheet, layout| {
                    let scope = who.scope(conn)?;
                    let o = super::hours::Options {
                        create_events,
                        approve: approve.as_deref(),
                    };
                    super::hours::import(conn, &who, &scope, &cfg, sheet, layout, &o)
                }),
            )
        }
    };
    let answer = execute(
        conn,
        file,
        columns,
        &config.imports,
        opts.dry_run,
        None,
        work,
    )
    .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
    Ok(match answer {
        Answer::Done(stored, _) => (true, stored.body),
        Answer::Dry(summary) => (true, pretty(&summary)),
        Answer::Rows(summary, errors) => (false, pretty(&problem(summary, &errors, Lang::En))),
        Answer::File(dry_run, why) => (false, pretty(&file_problem(dry_run, &why, Lang::En))),
    })
}

/// A report as pretty JSON.
fn pretty<T: serde::Serialize>(report: &T) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default()
}
