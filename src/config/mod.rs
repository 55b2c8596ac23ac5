//! Configuration from the environment. Every problem is reported at start, all at once;
//! secrets are typed so that they never print.

use std::fmt;

use chrono::Offset;
use std::net::SocketAddr;
use std::time::Duration;

use crate::db::DatabaseUrl;
pub use crate::i18n::Lang;

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
    /// The longest a statement of the server may run (PostgreSQL) before it is cancelled
    /// and its request answered 503, so that no request hangs on a stuck database.
    pub statement_timeout: Duration,
    /// PostgreSQL: cache prepared statements per connection. Off behind a pooler that
    /// hands a connection's statements to another client (PgBouncer in transaction mode).
    pub prepared_statements: bool,
    /// PostgreSQL: the hottest single-object reads run on a pipelined connection per worker
    /// (where it needs no TLS) instead of a pooled one.
    pub pipelined_reads: bool,
    /// A streaming replica of the PostgreSQL database for lists, reports and exports.
    pub replica: ReplicaConfig,
    pub log_format: LogFormat,
    pub cors_allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub api_docs: bool,
    /// Serve the web console at `/` and `/app/`.
    pub console: bool,
    /// The language of messages when a request's `Accept-Language` names none we have.
    pub default_language: Lang,
    pub workers: Option<usize>,
    pub password_hash: HashParams,
    pub auth: AuthConfig,
    pub hours: HoursConfig,
    pub certificates: CertificateConfig,
    pub attendance: AttendanceConfig,
    pub imports: ImportConfig,
}

/// argon2id cost. The defaults are OWASP's (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Rules of recording hours.
#[derive(Debug, Clone)]
pub struct HoursConfig {
    /// The organisation's clock: a service date is a calendar day there, and an event's
    /// plan year is its local year. China keeps no daylight saving: a fixed offset.
    pub utc_offset: chrono::FixedOffset,
    /// How far outside an event's window recorded service may start or end.
    pub window_tolerance: Duration,
    /// How long an Idempotency-Key and its response are kept.
    pub idempotency_ttl: Duration,
    /// After this long, a request holding a key that never finished (the server died) is
    /// presumed gone and a retry may take the key over.
    pub idempotency_lease: Duration,
    /// Cumulative approved hours for 1 to 5 stars.
    pub star_thresholds_hours: [u32; 5],
    /// Whether a secretary of a parent branch may review hours of the branches below it
    /// (never its own submissions). Administrators always may.
    pub parent_secretary_reviews: bool,
    /// Whether anyone, administrators included, may approve or reject an entry or a
    /// correction it submitted itself. Off: four eyes on every entry.
    pub review_own_submissions: bool,
}

impl Default for HoursConfig {
    fn default() -> Self {
        HoursConfig {
            utc_offset: chrono::FixedOffset::east_opt(8 * 3600).unwrap_or(chrono::Utc.fix()),
            window_tolerance: Duration::from_secs(60 * 60),
            idempotency_ttl: Duration::from_secs(24 * 3600),
            idempotency_lease: Duration::from_secs(60),
            star_thresholds_hours: [100, 300, 600, 1000, 1500],
            parent_secretary_reviews: false,
            review_own_submissions: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Missing secrets are generated at start, with a warning.
    Development,
    /// Missing secrets stop the service at start.
    Production,
}

/// Where access tokens' keys come from.
#[derive(Debug, Clone)]
pub enum JwtKeys {
    /// Development only: a random secret made at start; tokens die with the process.
    Generated,
    /// HS256 with a secret of at least 32 bytes; older secrets still verify (rotation).
    Hs256 {
        secret: Secret,
        previous: Vec<Secret>,
    },
    /// EdDSA (Ed25519) or RS256 from PEM files; older public keys still verify.
    Asymmetric {
        algorithm: jsonwebtoken::Algorithm,
        private_pem: Secret,
        public_pem: String,
        previous_public_pems: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub environment: Environment,
    pub jwt_keys: JwtKeys,
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Failed logins that lock an account ...
    pub lockout_failures: u32,
    /// ... within this window ...
    pub lockout_window: Duration,
    /// ... for this long.
    pub lockout_duration: Duration,
    /// Login and refresh requests per client address: sustained rate and burst.
    pub login_rate_per_minute: u32,
    pub login_rate_burst: u32,
    /// Peers whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Password hashes computed at once; more wait their turn.
    pub hash_concurrency: usize,
    /// How long an account's state read for the bearer check is reused (0: never).
    pub principal_cache_ttl: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            environment: Environment::Development,
            jwt_keys: JwtKeys::Generated,
            issuer: "volunteer-hours".into(),
            audience: "volunteer-hours-api".into(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            lockout_failures: 5,
            lockout_window: Duration::from_secs(15 * 60),
            lockout_duration: Duration::from_secs(15 * 60),
            login_rate_per_minute: 30,
            login_rate_burst: 10,
            trusted_proxies: Vec::new(),
            // Hashing on every core at once, even at the lowest priority, stalled reads for
            // tens of milliseconds in a login storm; on half of them it did not.
            hash_concurrency: half_the_cores(),
            principal_cache_ttl: Duration::from_secs(5),
        }
    }
}

/// Record certificates: who issues them, how they are numbered, where they are verified.
#[derive(Debug, Clone)]
pub struct CertificateConfig {
    /// The first part of a certificate number: `VH-2026-000001`.
    pub prefix: String,
    /// The issuing organisation printed on every certificate.
    pub organisation_name: String,
    /// Its person in charge (负责人) and its contact (联系方式), when configured.
    pub person_in_charge: Option<String>,
    pub contact: Option<String>,
    /// Where the public verification page is reached (no trailing slash): the QR code
    /// carries `{public_base_url}/verify/{number}?code=…`.
    pub public_base_url: String,
    /// Whether secretaries may issue certificates for the volunteers of their scope.
    pub secretaries_issue: bool,
    /// Verification requests per client address: sustained rate and burst.
    pub verify_rate_per_minute: u32,
    pub verify_rate_burst: u32,
}

impl Default for CertificateConfig {
    fn default() -> Self {
        CertificateConfig {
            prefix: "VH".into(),
            organisation_name: "市工信局机关党委".into(),
            person_in_charge: None,
            contact: None,
            public_base_url: "http://127.0.0.1:8080".into(),
            secretaries_issue: false,
            verify_rate_per_minute: 30,
            verify_rate_burst: 10,
        }
    }
}

/// Check-in and check-out at events: the rotating code, the personal pass, the windows.
#[derive(Debug, Clone)]
pub struct AttendanceConfig {
    /// How long one check-in code lasts; the previous one is still taken for one period.
    pub code_period: Duration,
    /// How long before an event starts its check-in opens.
    pub early: Duration,
    /// Wrong codes a volunteer may send before it must wait (refilled one a minute).
    pub max_wrong_codes: u32,
    /// How long a volunteer's personal pass (`/me/pass`) stays valid.
    pub pass_ttl: Duration,
}

impl Default for AttendanceConfig {
    fn default() -> Self {
        AttendanceConfig {
            code_period: Duration::from_secs(60),
            early: Duration::from_secs(30 * 60),
            max_wrong_codes: 5,
            pass_ttl: Duration::from_secs(2 * 3600),
        }
    }
}

/// The default `MAX_IMPORT_BYTES`.
pub const DEFAULT_MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// Imports of volunteers and past hours from XLSX and CSV files.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// The most data rows one file may carry.
    pub max_rows: usize,
    /// The largest file accepted.
    pub max_bytes: usize,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            max_rows: 10_000,
            max_bytes: DEFAULT_MAX_IMPORT_BYTES,
        }
    }
}

/// Where lists, reports and exports read when a replica is configured.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaConfig {
    /// `DATABASE_REPLICA_URL`: a hot standby of the primary (PostgreSQL only).
    pub url: Option<DatabaseUrl>,
    /// After a user's write, that user's reads go to the primary for this long. Never
    /// shorter than `max_lag`, so that the replica has the write once the reads return.
    pub read_after_write: Duration,
    /// A replica further behind than this (or unreachable) is not read from.
    pub max_lag: Duration,
}

impl Default for ReplicaConfig {
    fn default() -> Self {
        ReplicaConfig {
            url: None,
            read_after_write: Duration::from_secs(10),
            max_lag: Duration::from_secs(5),
        }
    }
}

/// The cores this process may use (2 where that cannot be told).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Half the cores, at least one: the default HTTP workers and password hashing threads.
pub fn half_the_cores() -> usize {
    (cores() / 2).max(1)
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: DatabaseUrl::default(),
            // Measured on two cores shared with PostgreSQL: more connections than this only
            // queue inside the database, and the tail latency of reads grows with them.
            pool_size: (2 * cores() as u32).clamp(2, 200),
            database_timeout: Duration::from_secs(5),
            database_startup_wait: Duration::from_secs(30),
            statement_timeout: Duration::from_secs(30),
            prepared_statements: true,
            pipelined_reads: true,
            replica: ReplicaConfig::default(),
            log_format: LogFormat::Text,
            cors_allowed_origins: Vec::new(),
            max_body_bytes: 1024 * 1024,
            api_docs: true,
            console: true,
            default_language: Lang::ZhCn,
            workers: None,
            password_hash: HashParams::default(),
            auth: AuthConfig::default(),
            hours: HoursConfig::default(),
            certificates: CertificateConfig::default(),
            attendance: AttendanceConfig::default(),
            imports: ImportConfig::default(),
        }
    }
}

mod read;

pub use read::{ConfigError, VARIABLES};

#[cfg(test)]
mod tests;
