//! The binary as an operator runs it.

use std::process::{Command, Output};

use diesel::prelude::*;
use volunteer_hours::db::schema::{audit_log, users};

use crate::helpers::{postgres_url, TestDb};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_volunteer-hours"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PASSWORD_HASH_MEMORY_KIB", "64")
        .env("PASSWORD_HASH_ITERATIONS", "1")
        .env("RUST_LOG", "warn");
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_mistyped_database_url_is_refused_and_creates_no_file() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "volunteer.db",
        "sqlite:volunteer.db",
        "mysql://root:hunter2@localhost/db",
        "postgress://x@h/db",
    ] {
        let out = bin()
            .current_dir(dir.path())
            .env("DATABASE_URL", url)
            .arg("migrate")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}: {}", text(&out));
        let msg = text(&out);
        assert!(msg.contains("DATABASE_URL"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "a file was created"
    );
}

#[test]
fn an_unreachable_database_fails_start_up_clearly_and_quickly() {
    let started = std::time::Instant::now();
    let out = bin()
        .env(
            "DATABASE_URL",
            "postgres://app:s3cretpw@127.0.0.1:1/volunteer_hours",
        )
        .env("DATABASE_STARTUP_WAIT_SECS", "1")
        .env("DATABASE_TIMEOUT_SECS", "1")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let msg = text(&out);
    assert!(msg.contains("could not connect to the database"), "{msg}");
    assert!(!msg.contains("s3cretpw"), "{msg}");
    assert!(started.elapsed().as_secs() < 15);
}

#[test]
fn invalid_configuration_is_reported_at_start() {
    let out = bin()
        .env("DATABASE_POOL_SIZE", "0")
        .env("LOG_FORMAT", "xml")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let msg = text(&out);
    assert!(
        msg.contains("DATABASE_POOL_SIZE") && msg.contains("LOG_FORMAT"),
        "{msg}"
    );
}

#[test]
fn production_refuses_to_serve_without_signing_keys() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
    let out = bin()
        .env("APP_ENV", "production")
        .env("DATABASE_URL", &url)
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("JWT_SECRET"), "{}", text(&out));
    // other commands do not sign tokens and run as usual
    let out = bin()
        .env("APP_ENV", "production")
        .env("DATABASE_URL", &url)
        .arg("seed")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
        vec!["create-user", "--help"],
        vec!["import", "--help"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

fn urls() -> Vec<(String, Option<TestDb>, tempfile::TempDir)> {
    let mut v = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    v.push((
        format!("sqlite://{}", dir.path().join("cli.db").display()),
        None,
        dir,
    ));
    if postgres_url().is_some() {
        // a database of its own: the binary cannot be pinned to a schema
        let name = format!("vh_cli_{:08x}", rand::random::<u32>());
        let base = postgres_url().unwrap();
        let mut admin = diesel::PgConnection::establish(&base).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap();
        let url = match base.rfind('/') {
            Some(i) => format!("{}/{name}", &base[..i]),
            None => unreachable!(),
        };
        v.push((url, None, tempfile::tempdir().unwrap()));
    }
    v
}

fn drop_database(url: &str) {
    if let (Some(base), Some(i)) = (postgres_url(), url.rfind('/')) {
        let name = &url[i + 1..];
        if let Ok(mut admin) = diesel::PgConnection::establish(&base) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

fn connect(url: &str) -> volunteer_hours::db::DbConn {
    let url = volunteer_hours::db::DatabaseUrl::parse(url).unwrap();
    volunteer_hours::db::ConnectionManager::new(url, std::time::Duration::from_secs(5))
        .establish()
        .unwrap()
}

#[test]
fn seed_and_create_user_work_on_both_backends() {
    for (url, _db, _dir) in urls() {
        let run = |args: &[&str], password: Option<&str>| {
            let mut cmd = bin();
            cmd.env("DATABASE_URL", &url).args(args);
            if let Some(p) = password {
                cmd.env(volunteer_hours::cli::PASSWORD_ENV, p);
            }
            cmd.output().unwrap()
        };
        let out = run(&["seed"], None);
        assert!(out.status.success(), "{}", text(&out));
        assert!(
            text(&out).contains("added 1 plan(s) with 11 item(s), 8 branch(es)"),
            "{}",
            text(&out)
        );
        let out = run(&["seed"], None);
        assert!(text(&out).contains("nothing to add"), "{}", text(&out));

        let out = run(
            &[
                "create-user",
                "--username",
                "sec.zb",
                "--role",
                "secretary",
                "--branch",
                "JGDW",
            ],
            Some("a long enough secret"),
        );
        assert!(out.status.success(), "{}", text(&out));
        assert!(!text(&out).contains("a long enough secret"));

        let refused = [
            (
                vec!["create-user", "--username", "short.pw", "--role", "admin"],
                "tooshort",
                "at least 10",
            ),
            (
                vec![
                    "create-user",
                    "--username",
                    "same.as.name",
                    "--role",
                    "admin",
                ],
                "same.as.name",
                "must not be the username",
            ),
            (
                vec!["create-user", "--username", "lonely", "--role", "secretary"],
                "a long enough secret",
                "needs --branch",
            ),
            (
                vec![
                    "create-user",
                    "--username",
                    "ghost",
                    "--role",
                    "secretary",
                    "--branch",
                    "NOPE",
                ],
                "a long enough secret",
                "no branch with code `NOPE`",
            ),
            (
                vec!["create-user", "--username", "sec.zb", "--role", "admin"],
                "a long enough secret",
                "is taken",
            ),
            (
                vec!["create-user", "--username", "Bad Name", "--role", "admin"],
                "a long enough secret",
                "username may contain only",
            ),
        ];
        for (args, pw, expected) in refused {
            let out = run(&args, Some(pw));
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert!(text(&out).contains(expected), "{args:?}: {}", text(&out));
            assert!(
                !text(&out).contains(pw) || pw == "same.as.name",
                "{args:?} echoed the password"
            );
        }

        let conn = &mut connect(&url);
        let rows: Vec<(String, String, String)> = users::table
            .select((users::username, users::role, users::password_hash))
            .load(conn)
            .unwrap();
        assert_eq!(rows.len(), 1, "{url}");
        assert_eq!(
            (rows[0].0.as_str(), rows[0].1.as_str()),
            ("sec.zb", "secretary")
        );
        assert!(rows[0].2.starts_with("$argon2id$"));
        let audited: i64 = audit_log::table
            .filter(audit_log::entity.eq("user"))
            .count()
            .get_result(conn)
            .unwrap();
        assert_eq!(audited, 1);
        drop_database(&url);
    }
}

#[test]
fn seed_demo_makes_one_account_per_role_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let out = bin()
        .env("DATABASE_URL", &url)
        .args(["seed", "--demo"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("demo accounts admin, zb01.secretary, hr.officer, volunteer"),
        "{}",
        text(&out)
    );
    let out = bin()
        .env("DATABASE_URL", &url)
        .args(["seed", "--demo"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!text(&out).contains("demo accounts"), "{}", text(&out));
    let rows: Vec<(String, String)> = users::table
        .order(users::id)
        .select((users::username, users::role))
        .load(&mut connect(&url))
        .unwrap();
    let roles: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(roles, ["admin", "secretary", "hr", "volunteer"]);
    let hash: String = users::table
        .filter(users::username.eq("hr.officer"))
        .select(users::password_hash)
        .first(&mut connect(&url))
        .unwrap();
    assert!(volunteer_hours::auth::password::verify(
        &hash,
        volunteer_hours::cli::DEMO_PASSWORD
    ));
}

#[test]
fn import_prints_the_report_and_writes_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("import.db").display());
    let run = |args: &[&str]| bin().env("DATABASE_URL", &url).args(args).output().unwrap();
    assert!(run(&["seed", "--demo"]).status.success());
    let file = dir.path().join("志愿者.csv");
    let path = file.to_str().unwrap();
    let count = || -> i64 {
        volunteer_hours::db::schema::volunteers::table
            .count()
            .get_result(&mut connect(&url))
            .unwrap()
    };
    let before = count();
    std::fs::write(
        &file,
        "姓名,支部代码,志愿者编号\n林新,ZB01,CLI-1\n坏行,NOPE,CLI-2\n",
    )
    .unwrap();
    let out = run(&["import", "volunteers", path]);
    assert!(!out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["row_errors"][0]["row"], 3, "{report}");
    assert_eq!(report["row_errors"][0]["column"], "支部代码 branch_code");
    assert!(text(&out).contains("nothing was imported"));
    assert_eq!(count(), before);
    std::fs::write(&file, "姓名,支部代码,志愿者编号\n林新,ZB01,CLI-1\n").unwrap();
    let out = run(&["import", "volunteers", path, "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["dry_run"].as_bool(), report["created"].as_i64()),
        (Some(true), Some(1))
    );
    assert_eq!(count(), before);
    // as the secretary of ZB01, whose scope holds the branch
    let out = run(&["import", "volunteers", path, "--as", "zb01.secretary"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(count(), before + 1);
    let out = run(&["import", "volunteers", path, "--as", "hr.officer"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("only administrators and secretaries import"),
        "{}",
        text(&out)
    );
}

#[test]
fn create_user_reads_the_password_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let mut child = bin()
        .env("DATABASE_URL", &url)
        .args([
            "create-user",
            "--username",
            "first.admin",
            "--role",
            "admin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"piped in secret\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let hash: String = users::table
        .select(users::password_hash)
        .first(&mut connect(&url))
        .unwrap();
    assert!(volunteer_hours::auth::password::verify(
        &hash,
        "piped in secret"
    ));
}
