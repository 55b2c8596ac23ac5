//! Migrations: both backends end with the same schema, and the database enforces the rules.

use diesel::prelude::*;
use volunteer_hours::db::{self, Backend};

use crate::helpers::{count, TestDb};

const TABLES: &[&str] = &[
    "attendance",
    "audit_log",
    "branches",
    "certificate_counters",
    "certificates",
    "commendations",
    "error_reports",
    "evaluations",
    "event_plan_items",
    "event_required_tags",
    "events",
    "hour_entries",
    "idempotency_keys",
    "plan_items",
    "plan_sections",
    "plans",
    "refresh_tokens",
    "signups",
    "users",
    "volunteer_tags",
    "volunteers",
];

fn tables(cols: &[(String, String)]) -> Vec<&str> {
    let mut t: Vec<&str> = cols.iter().map(|(t, _)| t.as_str()).collect();
    t.dedup();
    t
}

#[test]
fn sqlite_has_every_table() {
    let db = TestDb::sqlite();
    let cols = db::table_columns(&mut db.conn()).unwrap();
    assert_eq!(tables(&cols), TABLES);
}

#[test]
fn both_backends_end_with_the_same_tables_and_columns() {
    let Some(pg) = TestDb::postgres() else { return };
    let sqlite = TestDb::sqlite();
    let pg_cols = db::table_columns(&mut pg.conn()).unwrap();
    let sqlite_cols = db::table_columns(&mut sqlite.conn()).unwrap();
    // the monthly totals PostgreSQL keeps beside the entries (migration 2026-12-07-000001)
    let (derived, pg_cols): (Vec<_>, Vec<_>) = pg_cols
        .into_iter()
        .partition(|(t, _)| POSTGRES_ONLY.contains(&t.as_str()));
    assert_eq!(tables(&derived), POSTGRES_ONLY);
    assert_eq!(tables(&pg_cols), TABLES);
    assert_eq!(pg_cols, sqlite_cols);
}

/// Tables PostgreSQL alone has: derived data that only its reports read.
const POSTGRES_ONLY: &[&str] = &["hour_totals"];

fn migrations_are_idempotent(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let again = db::run_migrations(&mut test_db.conn()).unwrap();
    assert!(again.is_empty(), "{again:?}");
}

/// Rows the constraint tests build on: a branch, a volunteer, an event.
fn base_rows(conn: &mut db::DbConn) {
    diesel::sql_query(
        "INSERT INTO branches (id, code, name) VALUES (1, 'ZB01', '机关第一党支部');
         ",
    )
    .execute(conn)
    .unwrap();
    diesel::sql_query("INSERT INTO volunteers (id, name, branch_id) VALUES (1, '林晓燕', 1)")
        .execute(conn)
        .unwrap();
    diesel::sql_query(
        "INSERT INTO events (id, title, category, organiser_branch_id, starts_at, ends_at) \
         VALUES (1, '学雷锋', 'lei_feng_day', 1, '2022-03-05 01:00:00', '2022-03-05 04:00:00')",
    )
    .execute(conn)
    .unwrap();
}

fn insert_entry(conn: &mut db::DbConn, values: &str) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "INSERT INTO hour_entries (volunteer_id, event_id, branch_id, minutes, service_date, status, reviewed_at, reason, corrects_id) VALUES ({values})"
    ))
    .execute(conn)
}

fn the_database_enforces_the_rules(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let conn = &mut test_db.conn();
    base_rows(conn);
    let ok = "1, 1, 1, 60, '2022-03-05', 'submitted', NULL, NULL, NULL";
    insert_entry(conn, ok).unwrap();

    let refused = [
        (
            "zero minutes",
            "1, 1, 1, 0, '2022-03-06', 'submitted', NULL, NULL, NULL",
        ),
        (
            "over a day",
            "1, 1, 1, 1441, '2022-03-06', 'submitted', NULL, NULL, NULL",
        ),
        (
            "unknown status",
            "1, 1, 1, 60, '2022-03-06', 'pending', NULL, NULL, NULL",
        ),
        (
            "rejected without reason",
            "1, 1, 1, 60, '2022-03-06', 'rejected', '2022-03-07 00:00:00', NULL, NULL",
        ),
        (
            "approved without review time",
            "1, 1, 1, 60, '2022-03-06', 'approved', NULL, NULL, NULL",
        ),
        ("second live entry same day", ok),
        (
            "unknown volunteer",
            "99, 1, 1, 60, '2022-03-06', 'submitted', NULL, NULL, NULL",
        ),
        (
            "zero-minute correction",
            "1, 1, 1, 0, '2022-03-05', 'submitted', NULL, NULL, 1",
        ),
    ];
    for (what, values) in refused {
        assert!(
            insert_entry(conn, values).is_err(),
            "{what} was accepted on {backend:?}"
        );
    }
    // a negative correction of an existing entry is fine
    insert_entry(
        conn,
        "1, 1, 1, -30, '2022-03-05', 'submitted', NULL, NULL, 1",
    )
    .unwrap();
    assert_eq!(count(conn, "hour_entries"), 2);

    let bad_rows = [
        "INSERT INTO events (title, category, organiser_branch_id, starts_at, ends_at) VALUES ('x', 'picnic', 1, '2022-01-01 00:00:00', '2022-01-01 01:00:00')",
        "INSERT INTO events (title, category, organiser_branch_id, starts_at, ends_at) VALUES ('x', 'other', 1, '2022-01-01 01:00:00', '2022-01-01 01:00:00')",
        "INSERT INTO branches (code, name) VALUES ('zb02', 'lower-case code')",
        "INSERT INTO branches (code, name) VALUES ('ZB01', 'duplicate code')",
        "INSERT INTO volunteers (name, branch_id, phone) VALUES ('x', 1, '138-0000')",
        "INSERT INTO users (username, password_hash, role) VALUES ('sec', '$argon2id$x', 'secretary')",
        "INSERT INTO users (username, password_hash, role) VALUES ('Admin', '$argon2id$x', 'admin')",
        "INSERT INTO users (username, password_hash, role) VALUES ('root', 'plaintext', 'admin')",
        "UPDATE branches SET parent_id = id",
    ];
    for sql in bad_rows {
        assert!(
            diesel::sql_query(sql).execute(conn).is_err(),
            "accepted on {backend:?}: {sql}"
        );
    }

    diesel::sql_query("INSERT INTO audit_log (action, entity) VALUES ('create', 'branch')")
        .execute(conn)
        .unwrap();
    assert!(diesel::sql_query("UPDATE audit_log SET action = 'x'")
        .execute(conn)
        .is_err());
    assert!(diesel::sql_query("DELETE FROM audit_log")
        .execute(conn)
        .is_err());
    assert_eq!(count(conn, "audit_log"), 1);
}

/// Commendations and evaluations: levels, ratings, lengths, references, and one evaluation
/// per volunteer and event.
fn the_record_parts_are_constrained(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let conn = &mut test_db.conn();
    base_rows(conn);
    let mut commendation = |values: &str| {
        diesel::sql_query(format!(
            "INSERT INTO commendations (volunteer_id, title, awarded_by, awarded_on, level, note) VALUES ({values})"
        ))
        .execute(conn)
        .map(|_| ())
    };
    commendation("1, '优秀志愿者', '团市委', '2022-12-05', 'city', NULL").unwrap();
    for (what, values) in [
        (
            "unknown level",
            "1, '优秀志愿者', '团市委', '2022-12-05', 'county', NULL",
        ),
        ("empty title", "1, '', '团市委', '2022-12-05', 'city', NULL"),
        (
            "empty awarding body",
            "1, '优秀志愿者', '', '2022-12-05', 'unit', NULL",
        ),
        (
            "empty note",
            "1, '优秀志愿者', '团市委', '2022-12-05', 'unit', ''",
        ),
        (
            "unknown volunteer",
            "99, '优秀志愿者', '团市委', '2022-12-05', 'unit', NULL",
        ),
    ] {
        assert!(
            commendation(values).is_err(),
            "{what} was accepted on {backend:?}"
        );
    }
    let mut evaluation = |values: &str| {
        diesel::sql_query(format!(
            "INSERT INTO evaluations (event_id, volunteer_id, rating, comment) VALUES ({values})"
        ))
        .execute(conn)
        .map(|_| ())
    };
    evaluation("1, 1, 'excellent', NULL").unwrap();
    for (what, values) in [
        (
            "a second evaluation of the volunteer at the event",
            "1, 1, 'good', NULL",
        ),
        ("unknown rating", "1, 1, 'great', NULL"),
        ("empty comment", "1, 1, 'good', ''"),
        ("unknown event", "99, 1, 'good', NULL"),
        ("unknown volunteer", "1, 99, 'good', NULL"),
    ] {
        assert!(
            evaluation(values).is_err(),
            "{what} was accepted on {backend:?}"
        );
    }
    assert_eq!(count(conn, "commendations"), 1);
    assert_eq!(count(conn, "evaluations"), 1);
    // a volunteer or event with a part of the record cannot be deleted under it
    assert!(diesel::sql_query("DELETE FROM volunteers WHERE id = 1")
        .execute(conn)
        .is_err());
    assert!(diesel::sql_query("DELETE FROM events WHERE id = 1")
        .execute(conn)
        .is_err());
}

#[test]
fn the_record_parts_are_constrained_sqlite() {
    the_record_parts_are_constrained(Backend::Sqlite)
}
#[test]
fn the_record_parts_are_constrained_postgres() {
    the_record_parts_are_constrained(Backend::Postgres)
}

#[test]
fn migrations_are_idempotent_sqlite() {
    migrations_are_idempotent(Backend::Sqlite)
}
#[test]
fn migrations_are_idempotent_postgres() {
    migrations_are_idempotent(Backend::Postgres)
}
#[test]
fn the_database_enforces_the_rules_sqlite() {
    the_database_enforces_the_rules(Backend::Sqlite)
}
#[test]
fn the_database_enforces_the_rules_postgres() {
    the_database_enforces_the_rules(Backend::Postgres)
}

/// Error reports: the fields their kind needs, their status's fields, one open report per
/// wrong entry and per missing day; an hour entry's source from its list.
fn error_reports_are_constrained(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let conn = &mut test_db.conn();
    base_rows(conn);
    insert_entry(
        conn,
        "1, 1, 1, 60, '2022-03-05', 'submitted', NULL, NULL, NULL",
    )
    .unwrap();
    let report = |values: &str| {
        format!(
            "INSERT INTO error_reports (volunteer_id, kind, event_id, hour_entry_id, service_date, \
             minutes, explanation, status, decided_at, decided_by, decline_reason, created_entry_id) \
             VALUES ({values})"
        )
    };
    let run = |conn: &mut db::DbConn, sql: &str| diesel::sql_query(sql).execute(conn);
    run(
        conn,
        &report("1, 'missing', 1, NULL, '2022-03-06', 60, '漏记', 'open', NULL, NULL, NULL, NULL"),
    )
    .unwrap();
    run(
        conn,
        &report("1, 'wrong', 1, 1, NULL, 90, '少记', 'open', NULL, NULL, NULL, NULL"),
    )
    .unwrap();
    let refused = [
        ("a second open report of the day", "1, 'missing', 1, NULL, '2022-03-06', 60, '漏记', 'open', NULL, NULL, NULL, NULL"),
        ("a second open report of the entry", "1, 'wrong', 1, 1, NULL, 30, '少记', 'open', NULL, NULL, NULL, NULL"),
        ("a missing report without a day", "1, 'missing', 1, NULL, NULL, 60, '漏记', 'open', NULL, NULL, NULL, NULL"),
        ("a missing report naming an entry", "1, 'missing', 1, 1, '2022-03-07', 60, '漏记', 'open', NULL, NULL, NULL, NULL"),
        ("a wrong report without its entry", "1, 'wrong', 1, NULL, NULL, 30, '少记', 'open', NULL, NULL, NULL, NULL"),
        ("an unknown kind", "1, 'late', 1, NULL, '2022-03-07', 60, '漏记', 'open', NULL, NULL, NULL, NULL"),
        ("an empty explanation", "1, 'missing', 1, NULL, '2022-03-07', 60, '', 'open', NULL, NULL, NULL, NULL"),
        ("declined without a reason", "1, 'missing', 1, NULL, '2022-03-07', 60, '漏记', 'declined', '2022-03-08 00:00:00', NULL, NULL, NULL"),
        ("accepted without its entry", "1, 'missing', 1, NULL, '2022-03-07', 60, '漏记', 'accepted', '2022-03-08 00:00:00', NULL, NULL, NULL"),
        ("an unknown entry created", "1, 'missing', 1, NULL, '2022-03-07', 60, '漏记', 'open', NULL, NULL, NULL, 99"),
    ];
    for (what, values) in refused {
        assert!(
            run(conn, &report(values)).is_err(),
            "{what} was accepted on {backend:?}"
        );
    }
    assert_eq!(count(conn, "error_reports"), 2);
    assert!(
        run(
            conn,
            "UPDATE hour_entries SET source = 'typed' WHERE id = 1"
        )
        .is_err(),
        "an unknown source was accepted on {backend:?}"
    );
    run(
        conn,
        "UPDATE hour_entries SET source = 'error_report' WHERE id = 1",
    )
    .unwrap();
}

#[test]
fn error_reports_are_constrained_sqlite() {
    error_reports_are_constrained(Backend::Sqlite)
}
#[test]
fn error_reports_are_constrained_postgres() {
    error_reports_are_constrained(Backend::Postgres)
}

fn certificates_are_constrained(backend: Backend) {
    let Some(test_db) = TestDb::new(backend) else {
        return;
    };
    let conn = &mut test_db.conn();
    base_rows(conn);
    diesel::sql_query(
        "INSERT INTO users (id, username, password_hash, role) VALUES (1, 'admin', '$argon2id$x', 'admin')",
    )
    .execute(conn)
    .unwrap();
    diesel::sql_query("INSERT INTO certificate_counters (year, last_sequence) VALUES (2026, 1)")
        .execute(conn)
        .unwrap();
    let sha = "a".repeat(64);
    let mut certificate = |number: &str, rest: &str| {
        diesel::sql_query(format!(
            "INSERT INTO certificates (number, year, sequence, volunteer_id, issued_by, issued_at, \
             snapshot, snapshot_sha256, code, revoked_at, revoked_by, revoke_reason) \
             VALUES ('{number}', 2026, {rest})"
        ))
        .execute(conn)
        .map(|_| ())
    };
    let ok = |seq: i32| {
        format!(
            "{seq}, 1, 1, '2026-12-02 01:00:00', '{{}}', '{sha}', 'ABCDEFGHJKLM', NULL, NULL, NULL"
        )
    };
    certificate("VH-2026-000001", &ok(1)).unwrap();
    for (what, number, rest) in [
        ("a number twice", "VH-2026-000001", ok(2)),
        ("a sequence twice", "VH-2026-000002", ok(1)),
        ("no snapshot", "VH-2026-000003", format!("3, 1, 1, '2026-12-02 01:00:00', NULL, '{sha}', 'ABCDEFGHJKLM', NULL, NULL, NULL")),
        ("no hash", "VH-2026-000004", "4, 1, 1, '2026-12-02 01:00:00', '{}', NULL, 'ABCDEFGHJKLM', NULL, NULL, NULL".to_owned()),
        ("a hash that is not hex", "VH-2026-000005", format!("5, 1, 1, '2026-12-02 01:00:00', '{{}}', '{}', 'ABCDEFGHJKLM', NULL, NULL, NULL", "z".repeat(64))),
        ("a short code", "VH-2026-000006", format!("6, 1, 1, '2026-12-02 01:00:00', '{{}}', '{sha}', 'ABC', NULL, NULL, NULL")),
        ("a revocation without its reason", "VH-2026-000007", format!("7, 1, 1, '2026-12-02 01:00:00', '{{}}', '{sha}', 'ABCDEFGHJKLM', '2026-12-02 02:00:00', 1, NULL")),
        ("an unknown volunteer", "VH-2026-000008", format!("8, 99, 1, '2026-12-02 01:00:00', '{{}}', '{sha}', 'ABCDEFGHJKLM', NULL, NULL, NULL")),
        ("sequence zero", "VH-2026-000009", ok(0)),
    ] {
        assert!(certificate(number, &rest).is_err(), "{what} was accepted");
    }
    // a year without its counter row
    assert!(diesel::sql_query(format!(
        "INSERT INTO certificates (number, year, sequence, volunteer_id, issued_by, issued_at, snapshot, snapshot_sha256, code) \
         VALUES ('VH-2027-000001', 2027, 1, 1, 1, '2026-12-02 01:00:00', '{{}}', '{sha}', 'ABCDEFGHJKLM')"
    ))
    .execute(conn)
    .is_err());
}

#[test]
fn certificates_are_constrained_sqlite() {
    certificates_are_constrained(Backend::Sqlite)
}
#[test]
fn certificates_are_constrained_postgres() {
    certificates_are_constrained(Backend::Postgres)
}
