//! Configuration from the environment. Every problem is reported at start, all at once;
//! secrets are typed so that they never print.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::auth::password::HashParams;
use crate::db::DatabaseUrl;

/// A value that must never reach a log line or an error body.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: DatabaseUrl,
    pub pool_size: u32,
    /// Connect timeout for PostgreSQL, busy timeout for SQLite, and the longest a request
    /// waits for a pooled connection before it is answered 503.
    pub database_timeout: Duration,
    /// How long start-up retries an unreachable database.
    pub database_startup_wait: Duration,
    pub log_format: LogFormat,
    pub cors_allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub api_docs: bool,
    pub workers: Option<usize>,
    pub password_hash: HashParams,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DatabaseUrl::default(),
            pool_size: 10,
            database_timeout: Duration::from_secs(5),
            database_startup_wait: Duration::from_secs(30),
            log_format: LogFormat::Text,
            cors_allowed_origins: Vec::new(),
            max_body_bytes: 1024 * 1024,
            api_docs: true,
            workers: None,
            password_hash: HashParams::default(),
        }
    }
}

/// Every variable the service reads, for the README's table and `--help`.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("BIND_ADDRESS", "127.0.0.1:8080", "address and port to listen on"),
    ("DATABASE_URL", "sqlite://./volunteer-hours.db", "postgres://…, postgresql://…, sqlite://PATH or sqlite::memory:"),
    ("DATABASE_POOL_SIZE", "10", "connections in the pool (1-200)"),
    ("DATABASE_TIMEOUT_SECS", "5", "connect timeout, SQLite busy timeout, and longest wait for a pooled connection (1-120)"),
    ("DATABASE_STARTUP_WAIT_SECS", "30", "how long start-up retries an unreachable database (0-600)"),
    ("LOG_FORMAT", "text", "text or json"),
    ("RUST_LOG", "info", "log filter, e.g. info,volunteer_hours=debug"),
    ("CORS_ALLOWED_ORIGINS", "(none)", "comma-separated origins allowed to call the API from a browser, e.g. https://app.example.org"),
    ("MAX_BODY_BYTES", "1048576", "largest accepted request body (1 KiB-16 MiB)"),
    ("API_DOCS", "true", "serve Swagger UI at /docs and the spec at /openapi.json"),
    ("WORKERS", "number of cores", "HTTP worker threads (1-64)"),
    ("PASSWORD_HASH_MEMORY_KIB", "19456", "argon2id memory cost in KiB (8-1048576)"),
    ("PASSWORD_HASH_ITERATIONS", "2", "argon2id passes (1-10)"),
    ("PASSWORD_HASH_PARALLELISM", "1", "argon2id lanes (1-16)"),
];

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut errors = Vec::new();
        let mut config = Config::default();
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        if let Some(v) = get("BIND_ADDRESS") {
            match v.trim().parse() {
                Ok(addr) => config.bind = addr,
                Err(_) => errors.push(format!(
                    "BIND_ADDRESS `{v}` is not an address with a port, e.g. 127.0.0.1:8080"
                )),
            }
        }
        if let Some(v) = lookup("DATABASE_URL") {
            match DatabaseUrl::parse(&v) {
                Ok(url) => config.database_url = url,
                Err(e) => errors.push(e.to_string()),
            }
        }
        if let Some(n) = number(&get, "DATABASE_POOL_SIZE", 1, 200, &mut errors) {
            config.pool_size = n as u32;
        }
        if let Some(n) = number(&get, "DATABASE_TIMEOUT_SECS", 1, 120, &mut errors) {
            config.database_timeout = Duration::from_secs(n);
        }
        if let Some(n) = number(&get, "DATABASE_STARTUP_WAIT_SECS", 0, 600, &mut errors) {
            config.database_startup_wait = Duration::from_secs(n);
        }
        if let Some(v) = get("LOG_FORMAT") {
            match v.trim().to_ascii_lowercase().as_str() {
                "text" => config.log_format = LogFormat::Text,
                "json" => config.log_format = LogFormat::Json,
                _ => errors.push(format!("LOG_FORMAT `{v}` must be `text` or `json`")),
            }
        }
        if let Some(v) = get("CORS_ALLOWED_ORIGINS") {
            for origin in v.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                if valid_origin(origin) {
                    config.cors_allowed_origins.push(origin.to_owned());
                } else {
                    errors.push(format!(
                        "CORS_ALLOWED_ORIGINS: `{origin}` is not an origin like https://app.example.org \
                         (scheme and host, optional port, no path)"
                    ));
                }
            }
        }
        if let Some(n) = number(&get, "MAX_BODY_BYTES", 1024, 16 * 1024 * 1024, &mut errors) {
            config.max_body_bytes = n as usize;
        }
        if let Some(v) = get("API_DOCS") {
            match parse_bool(&v) {
                Some(b) => config.api_docs = b,
                None => errors.push(format!("API_DOCS `{v}` must be true or false")),
            }
        }
        if let Some(n) = number(&get, "WORKERS", 1, 64, &mut errors) {
            config.workers = Some(n as usize);
        }

        if let Some(n) = number(&get, "PASSWORD_HASH_MEMORY_KIB", 8, 1_048_576, &mut errors) {
            config.password_hash.memory_kib = n as u32;
        }
        if let Some(n) = number(&get, "PASSWORD_HASH_ITERATIONS", 1, 10, &mut errors) {
            config.password_hash.iterations = n as u32;
        }
        if let Some(n) = number(&get, "PASSWORD_HASH_PARALLELISM", 1, 16, &mut errors) {
            config.password_hash.parallelism = n as u32;
        }
        // argon2 needs at least 8 KiB per lane
        if config.password_hash.memory_kib < 8 * config.password_hash.parallelism {
            errors.push(
                "PASSWORD_HASH_MEMORY_KIB must be at least 8 x PASSWORD_HASH_PARALLELISM".into(),
            );
        }

        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError(errors))
        }
    }
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    min: u64,
    max: u64,
    errors: &mut Vec<String>,
) -> Option<u64> {
    let v = get(name)?;
    match v.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            errors.push(format!(
                "{name} `{v}` must be a whole number from {min} to {max}"
            ));
            None
        }
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn valid_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains('/')
        && !rest.contains('?')
        && !rest.contains('#')
        && !rest.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_serve_sqlite_on_localhost() {
        let c = from(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, DatabaseUrl::default());
        assert_eq!(c.pool_size, 10);
        assert!(c.api_docs);
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let err = from(&[
            ("BIND_ADDRESS", "localhost"),
            ("DATABASE_URL", "mysql://root:pw@h/db"),
            ("DATABASE_POOL_SIZE", "0"),
            ("LOG_FORMAT", "xml"),
            (
                "CORS_ALLOWED_ORIGINS",
                "https://ok.example, https://bad.example/path",
            ),
            ("API_DOCS", "maybe"),
        ])
        .unwrap_err();
        assert_eq!(err.0.len(), 6, "{err}");
        let text = err.to_string();
        assert!(text.contains("BIND_ADDRESS"));
        assert!(text.contains("mysql"));
        assert!(!text.contains("pw@"), "secrets must not be echoed: {text}");
    }

    #[test]
    fn origins_are_parsed_and_trimmed() {
        let c = from(&[(
            "CORS_ALLOWED_ORIGINS",
            " https://app.example.org , http://localhost:3000",
        )])
        .unwrap();
        assert_eq!(
            c.cors_allowed_origins,
            vec!["https://app.example.org", "http://localhost:3000"]
        );
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
