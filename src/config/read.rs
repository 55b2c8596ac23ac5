//! Reading the configuration from the environment: every bad value named, none printed.

use std::time::Duration;

use super::*;

/// Every variable the service reads, for the README's table and `--help`.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("BIND_ADDRESS", "127.0.0.1:8080", "address and port to listen on"),
    ("DATABASE_URL", "sqlite://./volunteer-hours.db", "postgres://…, postgresql://…, sqlite://PATH or sqlite::memory:"),
    ("DATABASE_POOL_SIZE", "2 x cores", "connections in the pool (1-200)"),
    ("DATABASE_TIMEOUT_SECS", "5", "connect timeout, SQLite busy timeout, and longest wait for a pooled connection (1-120)"),
    ("DATABASE_STARTUP_WAIT_SECS", "30", "how long start-up retries an unreachable database (0-600)"),
    ("DATABASE_PREPARED_STATEMENTS", "true", "PostgreSQL: keep each connection's prepared statements; false behind PgBouncer in transaction pooling mode"),
    ("DATABASE_PIPELINED_READS", "true", "PostgreSQL without TLS (Unix socket, loopback or sslmode=disable): each worker reads single volunteers on one pipelined connection of its own; false: on the pool"),
    ("DATABASE_STATEMENT_TIMEOUT_SECS", "30", "PostgreSQL: the longest a statement of the server runs before it is cancelled and answered 503 (1-3600)"),
    ("DATABASE_REPLICA_URL", "(none)", "PostgreSQL: a streaming replica (hot standby) that lists, reports and exports read from; writes and single objects stay on DATABASE_URL"),
    ("REPLICA_READ_AFTER_WRITE_SECS", "10", "after a user's write, that user's lists and reports read the primary for this long (0-3600; at least REPLICA_MAX_LAG_SECS)"),
    ("REPLICA_MAX_LAG_SECS", "5", "a replica further behind than this, or unreachable, is not read from: reads go to the primary and a warning is logged (1-3600)"),
    ("LOG_FORMAT", "text", "text or json"),
    ("RUST_LOG", "info", "log filter, e.g. info,volunteer_hours=debug"),
    ("CORS_ALLOWED_ORIGINS", "(none)", "comma-separated origins allowed to call the API from a browser, e.g. https://app.example.org"),
    ("MAX_BODY_BYTES", "1048576", "largest accepted request body (1 KiB-16 MiB)"),
    ("API_DOCS", "true", "serve Swagger UI at /docs and the spec at /openapi.json"),
    ("CONSOLE", "true", "serve the web console at / (its files under /app/); false: / leads to /docs/"),
    ("DEFAULT_LANGUAGE", "zh-CN", "language of messages when a request's Accept-Language names neither zh nor en: zh-CN or en"),
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
    ("CERTIFICATE_PREFIX", "VH", "first part of certificate numbers (PREFIX-YEAR-000001): 1-16 capital letters or digits"),
    ("ORGANISATION_NAME", "市工信局机关党委", "the organisation that issues record certificates (1-100 characters)"),
    ("ORGANISATION_PERSON_IN_CHARGE", "(none)", "its person in charge, printed on certificates (1-50 characters)"),
    ("ORGANISATION_CONTACT", "(none)", "its contact (telephone, address), printed on certificates (1-100 characters)"),
    ("PUBLIC_BASE_URL", "http://127.0.0.1:8080", "http(s) address the public reaches this service at; certificate QR codes open PUBLIC_BASE_URL/verify/NUMBER"),
    ("SECRETARIES_ISSUE_CERTIFICATES", "false", "let secretaries issue certificates for the volunteers of their scope (administrators always may)"),
    ("VERIFY_RATE_PER_MINUTE", "30", "certificate verification requests per client address per minute (1-10000)"),
    ("VERIFY_RATE_BURST", "10", "burst allowed above that rate (1-10000)"),
    ("CHECKIN_CODE_SECS", "60", "how long an event's check-in code lasts (15-600); the previous code is still taken for one more period"),
    ("CHECKIN_EARLY_MINUTES", "30", "how long before an event starts volunteers may check in (0-1440)"),
    ("CHECKIN_MAX_WRONG_CODES", "5", "wrong check-in codes a volunteer may send before it must wait; one more is allowed each minute (1-100)"),
    ("ATTENDANCE_PASS_SECS", "7200", "how long a volunteer's personal pass (GET /me/pass) stays valid (60-86400)"),
    ("IMPORT_MAX_ROWS", "10000", "the most data rows one imported file may carry (1-100000)"),
    ("MAX_IMPORT_BYTES", "10485760", "the largest imported file (1 KiB-64 MiB)"),
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
        if let Some(v) = get("DATABASE_PREPARED_STATEMENTS") {
            match parse_bool(&v) {
                Some(b) => config.prepared_statements = b,
                None => errors.push(format!(
                    "DATABASE_PREPARED_STATEMENTS `{v}` must be true or false"
                )),
            }
        }
        if let Some(v) = get("DATABASE_PIPELINED_READS") {
            match parse_bool(&v) {
                Some(b) => config.pipelined_reads = b,
                None => errors.push(format!(
                    "DATABASE_PIPELINED_READS `{v}` must be true or false"
                )),
            }
        }
        if let Some(v) = get("DATABASE_REPLICA_URL") {
            match DatabaseUrl::parse(&v) {
                Ok(url @ DatabaseUrl::Postgres(_)) => config.replica.url = Some(url),
                Ok(_) => errors.push(
                    "DATABASE_REPLICA_URL must be a postgres:// URL: only PostgreSQL has replicas"
                        .into(),
                ),
                Err(e) => errors.push(format!("DATABASE_REPLICA_URL: {e}")),
            }
        }
        if let Some(n) = number(&get, "REPLICA_READ_AFTER_WRITE_SECS", 0, 3600, &mut errors) {
            config.replica.read_after_write = Duration::from_secs(n);
        }
        if let Some(n) = number(&get, "REPLICA_MAX_LAG_SECS", 1, 3600, &mut errors) {
            config.replica.max_lag = Duration::from_secs(n);
        }
        if config.replica.read_after_write < config.replica.max_lag {
            errors.push(format!(
                "REPLICA_READ_AFTER_WRITE_SECS ({}) must be at least REPLICA_MAX_LAG_SECS ({}): \
                 a user's own writes would otherwise be read from a replica that may not have them",
                config.replica.read_after_write.as_secs(),
                config.replica.max_lag.as_secs()
            ));
        }
        if config.replica.url.is_some() && !matches!(config.database_url, DatabaseUrl::Postgres(_))
        {
            errors.push("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL".into());
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
        if let Some(v) = get("CONSOLE") {
            match parse_bool(&v) {
                Some(b) => config.console = b,
                None => errors.push(format!("CONSOLE `{v}` must be true or false")),
            }
        }
        if let Some(v) = get("DEFAULT_LANGUAGE") {
            match v.parse::<Lang>() {
                Ok(lang) => config.default_language = lang,
                Err(()) => errors.push(format!("DEFAULT_LANGUAGE `{v}` must be zh-CN or en")),
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
        read_certificates(&get, &mut config.certificates, &mut errors);
        read_attendance(&get, &mut config.attendance, &mut errors);
        if let Some(n) = number(&get, "IMPORT_MAX_ROWS", 1, 100_000, &mut errors) {
            config.imports.max_rows = n as usize;
        }
        if let Some(n) = number(
            &get,
            "MAX_IMPORT_BYTES",
            1024,
            64 * 1024 * 1024,
            &mut errors,
        ) {
            config.imports.max_bytes = n as usize;
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

fn read_attendance(
    get: &impl Fn(&str) -> Option<String>,
    a: &mut AttendanceConfig,
    errors: &mut Vec<String>,
) {
    if let Some(n) = number(get, "CHECKIN_CODE_SECS", 15, 600, errors) {
        a.code_period = Duration::from_secs(n);
    }
    if let Some(n) = number(get, "CHECKIN_EARLY_MINUTES", 0, 1440, errors) {
        a.early = Duration::from_secs(n * 60);
    }
    if let Some(n) = number(get, "CHECKIN_MAX_WRONG_CODES", 1, 100, errors) {
        a.max_wrong_codes = n as u32;
    }
    if let Some(n) = number(get, "ATTENDANCE_PASS_SECS", 60, 86_400, errors) {
        a.pass_ttl = Duration::from_secs(n);
    }
}

fn read_certificates(
    get: &impl Fn(&str) -> Option<String>,
    c: &mut CertificateConfig,
    errors: &mut Vec<String>,
) {
    if let Some(v) = get("CERTIFICATE_PREFIX") {
        let v = v.trim();
        if (1..=16).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            c.prefix = v.to_owned();
        } else {
            errors.push(format!(
                "CERTIFICATE_PREFIX `{v}` must be 1-16 capital letters or digits"
            ));
        }
    }
    let text = |name: &str, max: usize, errors: &mut Vec<String>| {
        let v = get(name)?;
        let v = v.trim().to_owned();
        if v.chars().count() > max || v.chars().any(char::is_control) {
            errors.push(format!(
                "{name} must be at most {max} characters, without control characters"
            ));
            return None;
        }
        Some(v)
    };
    if let Some(v) = text("ORGANISATION_NAME", 100, errors) {
        c.organisation_name = v;
    }
    if let Some(v) = text("ORGANISATION_PERSON_IN_CHARGE", 50, errors) {
        c.person_in_charge = Some(v);
    }
    if let Some(v) = text("ORGANISATION_CONTACT", 100, errors) {
        c.contact = Some(v);
    }
    if let Some(v) = get("PUBLIC_BASE_URL") {
        let url = v.trim().trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match rest {
            Some(r)
                if !r.is_empty()
                    && !r.contains(['?', '#', '@', ' '])
                    && url.is_ascii() =>
            {
                c.public_base_url = url.to_owned();
            }
            _ => errors.push(format!(
                "PUBLIC_BASE_URL `{v}` must be an http:// or https:// address without query, e.g. https://volunteer.example.org"
            )),
        }
    }
    if let Some(v) = get("SECRETARIES_ISSUE_CERTIFICATES") {
        match parse_bool(&v) {
            Some(b) => c.secretaries_issue = b,
            None => errors.push(format!(
                "SECRETARIES_ISSUE_CERTIFICATES `{v}` must be true or false"
            )),
        }
    }
    if let Some(n) = number(get, "VERIFY_RATE_PER_MINUTE", 1, 10_000, errors) {
        c.verify_rate_per_minute = n as u32;
    }
    if let Some(n) = number(get, "VERIFY_RATE_BURST", 1, 10_000, errors) {
        c.verify_rate_burst = n as u32;
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
