//! Configuration from the environment. Every problem is reported at start, all at once;
//! secrets are typed so that they never print.

use std::fmt;

use chrono::Offset;
use std::net::SocketAddr;
use std::time::Duration;

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
    /// The longest a statement of the server may run (PostgreSQL) before it is cancelled
    /// and its request answered 503, so that no request hangs on a stuck database.
    pub statement_timeout: Duration,
    pub log_format: LogFormat,
    pub cors_allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub api_docs: bool,
    pub workers: Option<usize>,
    pub password_hash: HashParams,
    pub auth: AuthConfig,
    pub hours: HoursConfig,
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
            log_format: LogFormat::Text,
            cors_allowed_origins: Vec::new(),
            max_body_bytes: 1024 * 1024,
            api_docs: true,
            workers: None,
            password_hash: HashParams::default(),
            auth: AuthConfig::default(),
            hours: HoursConfig::default(),
        }
    }
}

/// Every variable the service reads, for the README's table and `--help`.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("BIND_ADDRESS", "127.0.0.1:8080", "address and port to listen on"),
    ("DATABASE_URL", "sqlite://./volunteer-hours.db", "postgres://…, postgresql://…, sqlite://PATH or sqlite::memory:"),
    ("DATABASE_POOL_SIZE", "2 x cores", "connections in the pool (1-200)"),
    ("DATABASE_TIMEOUT_SECS", "5", "connect timeout, SQLite busy timeout, and longest wait for a pooled connection (1-120)"),
    ("DATABASE_STARTUP_WAIT_SECS", "30", "how long start-up retries an unreachable database (0-600)"),
    ("DATABASE_STATEMENT_TIMEOUT_SECS", "30", "PostgreSQL: the longest a statement of the server runs before it is cancelled and answered 503 (1-3600)"),
    ("LOG_FORMAT", "text", "text or json"),
    ("RUST_LOG", "info", "log filter, e.g. info,volunteer_hours=debug"),
    ("CORS_ALLOWED_ORIGINS", "(none)", "comma-separated origins allowed to call the API from a browser, e.g. https://app.example.org"),
    ("MAX_BODY_BYTES", "1048576", "largest accepted request body (1 KiB-16 MiB)"),
    ("API_DOCS", "true", "serve Swagger UI at /docs and the spec at /openapi.json"),
    ("WORKERS", "half the cores, at least 1", "HTTP worker threads (1-64)"),
    ("PASSWORD_HASH_MEMORY_KIB", "19456", "argon2id memory cost in KiB (8-1048576)"),
    ("PASSWORD_HASH_ITERATIONS", "2", "argon2id passes (1-10)"),
    ("PASSWORD_HASH_PARALLELISM", "1", "argon2id lanes (1-16)"),
    ("PASSWORD_HASH_CONCURRENCY", "half the cores, at least 1", "password hashing threads (1-64), at the lowest CPU priority, each using at most half a core"),
    ("AUTH_CACHE_SECS", "5", "how long an account's state is reused for bearer checks (0-60); changes made through this server apply at once"),
    ("APP_ENV", "development", "development or production; production refuses to start without JWT keys"),
    ("JWT_SECRET", "(generated in development)", "HS256 signing secret, at least 32 bytes"),
    ("JWT_PREVIOUS_SECRETS", "(none)", "comma-separated older secrets that still verify, for rotation"),
    ("JWT_ALGORITHM", "HS256", "HS256, EdDSA or RS256"),
    ("JWT_PRIVATE_KEY_FILE", "(none)", "EdDSA/RS256: PEM private key that signs"),
    ("JWT_PUBLIC_KEY_FILE", "(none)", "EdDSA/RS256: PEM public key of the signing key"),
    ("JWT_PREVIOUS_PUBLIC_KEY_FILES", "(none)", "EdDSA/RS256: comma-separated older PEM public keys that still verify"),
    ("JWT_ISSUER", "volunteer-hours", "`iss` of access tokens"),
    ("JWT_AUDIENCE", "volunteer-hours-api", "`aud` of access tokens"),
    ("ACCESS_TOKEN_TTL_SECS", "900", "access token lifetime (60-86400)"),
    ("REFRESH_TOKEN_TTL_DAYS", "30", "refresh token lifetime (1-365)"),
    ("LOGIN_LOCKOUT_FAILURES", "5", "failed logins that lock an account (1-100)"),
    ("LOGIN_LOCKOUT_WINDOW_SECS", "900", "window in which those failures count (1-86400)"),
    ("LOGIN_LOCKOUT_SECS", "900", "how long the account stays locked (1-86400)"),
    ("LOGIN_RATE_PER_MINUTE", "30", "login and refresh requests per client address per minute (1-10000)"),
    ("LOGIN_RATE_BURST", "10", "burst allowed above that rate (1-10000)"),
    ("LOCAL_UTC_OFFSET", "+08:00", "the organisation's clock: service dates are its calendar days (e.g. +08:00)"),
    ("HOURS_WINDOW_TOLERANCE_MINUTES", "60", "how far outside an event's window service may start or end (0-1440)"),
    ("IDEMPOTENCY_TTL_HOURS", "24", "how long Idempotency-Keys and their responses are kept (24-720)"),
    ("IDEMPOTENCY_LEASE_SECS", "60", "after this, a key whose request never finished may be taken over by a retry (5-3600)"),
    ("STAR_THRESHOLDS_HOURS", "100,300,600,1000,1500", "approved hours for 1 to 5 stars, ascending"),
    ("PARENT_SECRETARY_REVIEWS", "false", "let secretaries of parent branches review hours of the branches below (never their own submissions)"),
    ("REVIEW_OWN_SUBMISSIONS", "false", "let a reviewer (administrators included) approve or reject what it submitted itself; only for an installation with a single administrator"),
    ("TRUSTED_PROXIES", "(none)", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed"),
];

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    /// What serving needs beyond the other commands: in production, real signing keys.
    pub fn check_for_serving(&self) -> Result<(), ConfigError> {
        if self.auth.environment == Environment::Production
            && matches!(self.auth.jwt_keys, JwtKeys::Generated)
        {
            return Err(ConfigError(vec![
                "JWT_SECRET (at least 32 bytes) or JWT_ALGORITHM with key files is required \
                 when APP_ENV=production"
                    .into(),
            ]));
        }
        Ok(())
    }

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
        if let Some(n) = number(
            &get,
            "DATABASE_STATEMENT_TIMEOUT_SECS",
            1,
            3600,
            &mut errors,
        ) {
            config.statement_timeout = Duration::from_secs(n);
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
        read_auth(&get, &mut config.auth, &mut errors);
        read_hours(&get, &mut config.hours, &mut errors);
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

fn read_hours(
    get: &impl Fn(&str) -> Option<String>,
    hours: &mut HoursConfig,
    errors: &mut Vec<String>,
) {
    if let Some(v) = get("LOCAL_UTC_OFFSET") {
        match parse_offset(v.trim()) {
            Some(o) => hours.utc_offset = o,
            None => errors.push(format!(
                "LOCAL_UTC_OFFSET `{v}` must look like +08:00 or -05:30"
            )),
        }
    }
    if let Some(n) = number(get, "HOURS_WINDOW_TOLERANCE_MINUTES", 0, 1440, errors) {
        hours.window_tolerance = Duration::from_secs(n * 60);
    }
    if let Some(n) = number(get, "IDEMPOTENCY_TTL_HOURS", 24, 720, errors) {
        hours.idempotency_ttl = Duration::from_secs(n * 3600);
    }
    if let Some(n) = number(get, "IDEMPOTENCY_LEASE_SECS", 5, 3600, errors) {
        hours.idempotency_lease = Duration::from_secs(n);
    }
    if let Some(v) = get("STAR_THRESHOLDS_HOURS") {
        let parsed: Vec<u32> = v.split(',').filter_map(|p| p.trim().parse().ok()).collect();
        match <[u32; 5]>::try_from(parsed) {
            Ok(t) if t.windows(2).all(|w| w[0] < w[1]) && t[0] > 0 => {
                hours.star_thresholds_hours = t
            }
            _ => errors.push(format!(
                "STAR_THRESHOLDS_HOURS `{v}` must be five ascending whole numbers of hours"
            )),
        }
    }
    if let Some(v) = get("PARENT_SECRETARY_REVIEWS") {
        match parse_bool(&v) {
            Some(b) => hours.parent_secretary_reviews = b,
            None => errors.push(format!(
                "PARENT_SECRETARY_REVIEWS `{v}` must be true or false"
            )),
        }
    }
    if let Some(v) = get("REVIEW_OWN_SUBMISSIONS") {
        match parse_bool(&v) {
            Some(b) => hours.review_own_submissions = b,
            None => errors.push(format!(
                "REVIEW_OWN_SUBMISSIONS `{v}` must be true or false"
            )),
        }
    }
}

fn parse_offset(v: &str) -> Option<chrono::FixedOffset> {
    let (sign, rest) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    chrono::FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn read_auth(
    get: &impl Fn(&str) -> Option<String>,
    auth: &mut AuthConfig,
    errors: &mut Vec<String>,
) {
    if let Some(v) = get("APP_ENV") {
        match v.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => auth.environment = Environment::Development,
            "production" | "prod" => auth.environment = Environment::Production,
            _ => errors.push(format!(
                "APP_ENV `{v}` must be `development` or `production`"
            )),
        }
    }
    let read_file = |var: &str, path: &str, errors: &mut Vec<String>| -> Option<String> {
        match std::fs::read_to_string(path.trim()) {
            Ok(text) => Some(text),
            Err(e) => {
                errors.push(format!("{var}: cannot read `{}`: {e}", path.trim()));
                None
            }
        }
    };
    let algorithm = get("JWT_ALGORITHM").unwrap_or_else(|| "HS256".into());
    match algorithm.trim().to_ascii_uppercase().as_str() {
        "HS256" => {
            let previous: Vec<Secret> = get("JWT_PREVIOUS_SECRETS")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(Secret::new)
                        .collect()
                })
                .unwrap_or_default();
            for (i, p) in previous.iter().enumerate() {
                if p.expose().len() < 32 {
                    errors.push(format!(
                        "JWT_PREVIOUS_SECRETS: secret {} is shorter than 32 bytes",
                        i + 1
                    ));
                }
            }
            match get("JWT_SECRET") {
                Some(secret) if secret.len() < 32 => errors.push(
                    "JWT_SECRET must be at least 32 bytes (e.g. `openssl rand -base64 48`)".into(),
                ),
                Some(secret) => {
                    auth.jwt_keys = JwtKeys::Hs256 {
                        secret: Secret::new(secret),
                        previous,
                    }
                }
                None => auth.jwt_keys = JwtKeys::Generated,
            }
        }
        alg @ ("EDDSA" | "RS256") => {
            let algorithm = if alg == "EDDSA" {
                jsonwebtoken::Algorithm::EdDSA
            } else {
                jsonwebtoken::Algorithm::RS256
            };
            let private = get("JWT_PRIVATE_KEY_FILE");
            let public = get("JWT_PUBLIC_KEY_FILE");
            let (Some(private), Some(public)) = (private, public) else {
                errors.push(format!("JWT_ALGORITHM={algorithm:?} needs JWT_PRIVATE_KEY_FILE and JWT_PUBLIC_KEY_FILE"));
                return;
            };
            let private_pem = read_file("JWT_PRIVATE_KEY_FILE", &private, errors);
            let public_pem = read_file("JWT_PUBLIC_KEY_FILE", &public, errors);
            let previous_public_pems: Vec<String> = get("JWT_PREVIOUS_PUBLIC_KEY_FILES")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .filter_map(|p| read_file("JWT_PREVIOUS_PUBLIC_KEY_FILES", p, errors))
                        .collect()
                })
                .unwrap_or_default();
            if let (Some(private_pem), Some(public_pem)) = (private_pem, public_pem) {
                auth.jwt_keys = JwtKeys::Asymmetric {
                    algorithm,
                    private_pem: Secret::new(private_pem),
                    public_pem,
                    previous_public_pems,
                };
            }
        }
        _ => errors.push(format!(
            "JWT_ALGORITHM `{algorithm}` must be HS256, EdDSA or RS256"
        )),
    }
    if let Some(v) = get("JWT_ISSUER") {
        auth.issuer = v.trim().to_owned();
    }
    if let Some(v) = get("JWT_AUDIENCE") {
        auth.audience = v.trim().to_owned();
    }
    if let Some(n) = number(get, "ACCESS_TOKEN_TTL_SECS", 60, 86_400, errors) {
        auth.access_ttl = Duration::from_secs(n);
    }
    if let Some(n) = number(get, "REFRESH_TOKEN_TTL_DAYS", 1, 365, errors) {
        auth.refresh_ttl = Duration::from_secs(n * 86_400);
    }
    if let Some(n) = number(get, "LOGIN_LOCKOUT_FAILURES", 1, 100, errors) {
        auth.lockout_failures = n as u32;
    }
    if let Some(n) = number(get, "LOGIN_LOCKOUT_WINDOW_SECS", 1, 86_400, errors) {
        auth.lockout_window = Duration::from_secs(n);
    }
    if let Some(n) = number(get, "LOGIN_LOCKOUT_SECS", 1, 86_400, errors) {
        auth.lockout_duration = Duration::from_secs(n);
    }
    if let Some(n) = number(get, "LOGIN_RATE_PER_MINUTE", 1, 10_000, errors) {
        auth.login_rate_per_minute = n as u32;
    }
    if let Some(n) = number(get, "LOGIN_RATE_BURST", 1, 10_000, errors) {
        auth.login_rate_burst = n as u32;
    }
    if let Some(n) = number(get, "PASSWORD_HASH_CONCURRENCY", 1, 64, errors) {
        auth.hash_concurrency = n as usize;
    }
    if let Some(n) = number(get, "AUTH_CACHE_SECS", 0, 60, errors) {
        auth.principal_cache_ttl = Duration::from_secs(n);
    }
    if let Some(v) = get("TRUSTED_PROXIES") {
        for p in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let parsed = p
                .parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from));
            match parsed {
                Ok(net) => auth.trusted_proxies.push(net),
                Err(_) => errors.push(format!("TRUSTED_PROXIES: `{p}` is not an address or CIDR")),
            }
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
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
        assert_eq!(c.pool_size, (2 * cores).clamp(2, 200));
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
    fn production_needs_a_long_enough_jwt_secret() {
        let c = from(&[("APP_ENV", "production")]).unwrap();
        let err = c.check_for_serving().unwrap_err().to_string();
        assert!(err.contains("JWT_SECRET"), "{err}");
        let err = from(&[("JWT_SECRET", "too-short-secret")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least 32 bytes"), "{err}");
        assert!(!err.contains("too-short-secret"), "{err}");
        let c = from(&[("APP_ENV", "production"), ("JWT_SECRET", &"x".repeat(32))]).unwrap();
        assert!(matches!(c.auth.jwt_keys, JwtKeys::Hs256 { .. }));
        assert!(c.check_for_serving().is_ok());
        let c = from(&[]).unwrap();
        assert!(matches!(c.auth.jwt_keys, JwtKeys::Generated));
    }

    #[test]
    fn trusted_proxies_take_addresses_and_networks() {
        let c = from(&[("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")]).unwrap();
        assert_eq!(c.auth.trusted_proxies.len(), 2);
        assert!(from(&[("TRUSTED_PROXIES", "proxy.local")]).is_err());
    }

    #[test]
    fn hours_settings() {
        let c = from(&[
            ("LOCAL_UTC_OFFSET", "-05:30"),
            ("STAR_THRESHOLDS_HOURS", "10, 20, 30, 40, 50"),
        ])
        .unwrap();
        assert_eq!(c.hours.utc_offset.local_minus_utc(), -(5 * 3600 + 30 * 60));
        assert_eq!(c.hours.star_thresholds_hours, [10, 20, 30, 40, 50]);
        assert!(from(&[("LOCAL_UTC_OFFSET", "Asia/Shanghai")]).is_err());
        assert!(from(&[("STAR_THRESHOLDS_HOURS", "300,100,600,1000,1500")]).is_err());
        assert_eq!(
            from(&[]).unwrap().hours.utc_offset.local_minus_utc(),
            8 * 3600
        );
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
