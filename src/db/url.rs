//! `DATABASE_URL`: which backend and where, parsed by its scheme; never printed with its
//! password.

use std::fmt;
use std::path::PathBuf;

/// Where the data lives, parsed from `DATABASE_URL` by its scheme, never guessed.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    SqliteFile(PathBuf),
    SqliteMemory,
}

pub const DEFAULT_SQLITE_PATH: &str = "./volunteer-hours.db";

impl Default for DatabaseUrl {
    fn default() -> Self {
        DatabaseUrl::SqliteFile(PathBuf::from(DEFAULT_SQLITE_PATH))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatabaseUrlError {
    #[error("DATABASE_URL is empty")]
    Empty,
    #[error("DATABASE_URL has no file path after `sqlite://`")]
    EmptySqlitePath,
    #[error(
        "DATABASE_URL has an unsupported scheme `{0}`: use postgres://, postgresql://, \
         sqlite://PATH or sqlite::memory:"
    )]
    UnsupportedScheme(String),
    #[error(
        "DATABASE_URL has no scheme: use postgres://, postgresql://, sqlite://PATH or \
         sqlite::memory:"
    )]
    MissingScheme,
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, DatabaseUrlError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        if raw == "sqlite::memory:" {
            return Ok(DatabaseUrl::SqliteMemory);
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DatabaseUrlError::EmptySqlitePath);
            }
            return Ok(DatabaseUrl::SqliteFile(PathBuf::from(path)));
        }
        match raw.split_once(':') {
            // Only the scheme is echoed: the rest may hold a password.
            Some((scheme, _))
                if !scheme.is_empty()
                    && scheme.len() <= 20
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '+') =>
            {
                Err(DatabaseUrlError::UnsupportedScheme(scheme.to_owned()))
            }
            _ => Err(DatabaseUrlError::MissingScheme),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Postgres(_) => Backend::Postgres,
            DatabaseUrl::SqliteFile(_) | DatabaseUrl::SqliteMemory => Backend::Sqlite,
        }
    }
}

/// Shows the URL with any password replaced, so it can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Postgres(url) => f.write_str(&redact_password(url)),
            DatabaseUrl::SqliteFile(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::SqliteMemory => f.write_str("sqlite::memory:"),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<redacted>".to_owned();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            if userinfo.contains(':') {
                format!("{user}:***@{host}")
            } else {
                format!("{user}@{host}")
            }
        }
        None => authority.to_owned(),
    };
    // A password can also travel as a query parameter.
    let tail = if tail.contains("password=") {
        let (path, _) = tail.split_once('?').unwrap_or((tail, ""));
        format!("{path}?<redacted>")
    } else {
        tail.to_owned()
    };
    format!("{scheme}://{authority}{tail}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}
