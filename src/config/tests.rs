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
    assert!(c.console);
    assert!(!from(&[("CONSOLE", "false")]).unwrap().console);
    assert!(c.prepared_statements);
    assert!(
        !from(&[("DATABASE_PREPARED_STATEMENTS", "false")])
            .unwrap()
            .prepared_statements
    );
    assert!(c.pipelined_reads);
    assert!(
        !from(&[("DATABASE_PIPELINED_READS", "false")])
            .unwrap()
            .pipelined_reads
    );
    assert_eq!(c.default_language, Lang::ZhCn);
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
        ("CONSOLE", "perhaps"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("DATABASE_PREPARED_STATEMENTS", "sometimes"),
        ("DATABASE_PIPELINED_READS", "often"),
    ])
    .unwrap_err();
    assert_eq!(err.0.len(), 10, "{err}");
    assert!(
        err.to_string()
            .contains("DATABASE_PREPARED_STATEMENTS `sometimes`"),
        "{err}"
    );
    assert!(err.to_string().contains("CONSOLE `perhaps`"), "{err}");
    assert!(err.to_string().contains("DEFAULT_LANGUAGE `fr`"), "{err}");
    let text = err.to_string();
    assert!(text.contains("BIND_ADDRESS"));
    assert!(text.contains("mysql"));
    assert!(!text.contains("pw@"), "secrets must not be echoed: {text}");
}

#[test]
fn the_default_language_is_read_as_a_tag() {
    for (value, lang) in [("zh-CN", Lang::ZhCn), ("zh", Lang::ZhCn), ("en", Lang::En)] {
        let c = from(&[("DEFAULT_LANGUAGE", value)]).unwrap();
        assert_eq!(c.default_language, lang, "{value}");
    }
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

#[test]
fn certificate_settings() {
    let c = from(&[]).unwrap().certificates;
    assert_eq!(c.prefix, "VH");
    assert!(!c.secretaries_issue);
    assert_eq!(c.public_base_url, "http://127.0.0.1:8080");
    let c = from(&[
        ("CERTIFICATE_PREFIX", "FZGX"),
        ("ORGANISATION_NAME", "福州市工信局机关党委"),
        ("ORGANISATION_PERSON_IN_CHARGE", "张明"),
        ("ORGANISATION_CONTACT", "0591-87654321"),
        ("PUBLIC_BASE_URL", "https://volunteer.example.org/"),
        ("SECRETARIES_ISSUE_CERTIFICATES", "true"),
        ("VERIFY_RATE_PER_MINUTE", "5"),
        ("VERIFY_RATE_BURST", "2"),
    ])
    .unwrap()
    .certificates;
    assert_eq!(c.prefix, "FZGX");
    assert_eq!(c.organisation_name, "福州市工信局机关党委");
    assert_eq!(c.person_in_charge.as_deref(), Some("张明"));
    assert_eq!(c.contact.as_deref(), Some("0591-87654321"));
    assert_eq!(c.public_base_url, "https://volunteer.example.org");
    assert!(c.secretaries_issue);
    assert_eq!((c.verify_rate_per_minute, c.verify_rate_burst), (5, 2));
    let err = from(&[
        ("CERTIFICATE_PREFIX", "vh-1"),
        ("PUBLIC_BASE_URL", "ftp://x"),
        ("SECRETARIES_ISSUE_CERTIFICATES", "maybe"),
        ("VERIFY_RATE_PER_MINUTE", "0"),
    ])
    .unwrap_err();
    assert_eq!(err.0.len(), 4, "{err}");
}

#[test]
fn a_replica_is_postgresql_beside_a_postgresql_primary() {
    let primary = ("DATABASE_URL", "postgres://app@db/vh");
    let c = from(&[primary]).unwrap();
    assert_eq!(c.replica, ReplicaConfig::default());
    assert_eq!(c.replica.url, None);
    let c = from(&[
        primary,
        ("DATABASE_REPLICA_URL", "postgres://app:s3cret@standby/vh"),
        ("REPLICA_READ_AFTER_WRITE_SECS", "30"),
        ("REPLICA_MAX_LAG_SECS", "2"),
    ])
    .unwrap();
    assert_eq!(
        c.replica.url,
        Some(DatabaseUrl::Postgres(
            "postgres://app:s3cret@standby/vh".into()
        ))
    );
    assert_eq!(c.replica.read_after_write, Duration::from_secs(30));
    assert_eq!(c.replica.max_lag, Duration::from_secs(2));

    let err = from(&[("DATABASE_REPLICA_URL", "postgres://app:s3cret@standby/vh")]).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert!(
        err.to_string().contains("needs a PostgreSQL DATABASE_URL"),
        "{err}"
    );
    let err = from(&[
        primary,
        ("DATABASE_REPLICA_URL", "sqlite://replica.db"),
        ("REPLICA_MAX_LAG_SECS", "0"),
    ])
    .unwrap_err();
    assert_eq!(err.0.len(), 2, "{err}");
    assert!(
        err.to_string().contains("must be a postgres:// URL"),
        "{err}"
    );
    assert!(err.to_string().contains("REPLICA_MAX_LAG_SECS"), "{err}");
    // a writer's reads must stay on the primary at least as long as the replica may lag
    let err = from(&[
        primary,
        ("REPLICA_READ_AFTER_WRITE_SECS", "3"),
        ("REPLICA_MAX_LAG_SECS", "5"),
    ])
    .unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert!(
        err.to_string()
            .contains("must be at least REPLICA_MAX_LAG_SECS (5)"),
        "{err}"
    );
    let err = from(&[primary, ("DATABASE_REPLICA_URL", "mysql://root:pw@h/db")]).unwrap_err();
    assert!(!err.to_string().contains("pw@"), "{err}");
}
