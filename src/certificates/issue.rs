//! Issuing: the snapshot built from the approved entries, its number, its code.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::dto::PlanItemText;
use super::dto::{CoveredBranch, Issuer, Period, ServiceLine, Snapshot, SnapshotVolunteer, TITLE};
use super::model::{self, ServedRow};
use crate::auth::Scope;
use crate::config::CertificateConfig;
use crate::db::schema::certificates;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::hours::dto::hours_text;

/// Characters of a verification code: capitals and digits without 0/O and 1/I, which are
/// misread when typed from paper.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// 12 characters of 32: 60 bits, beyond guessing at the verification page's rate limit.
pub const CODE_LENGTH: usize = 12;

pub fn new_code() -> String {
    let mut rng = rand::thread_rng();
    (0..CODE_LENGTH)
        .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// `VH-2026-000001`: six digits cover a year of any plausible bureau; a seventh appears on
/// its own past 999,999 (the number stays unique, only its width grows).
pub fn number(prefix: &str, year: i32, sequence: i64) -> String {
    format!("{prefix}-{year}-{sequence:06}")
}

pub fn sha256_hex(text: &str) -> String {
    crate::auth::tokens::hex(&Sha256::digest(text.as_bytes()))
}

/// What the issuer asked for, checked.
pub struct Request {
    pub volunteer: i64,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub purpose: Option<String>,
}

/// The lines of the certificate and their totals (service, training), from the entries.
pub fn lines(
    served: Vec<ServedRow>,
    items: &[(i64, i32, String)],
) -> (Vec<ServiceLine>, Vec<ServiceLine>) {
    let mut service = Vec::new();
    let mut training = Vec::new();
    for row in served {
        let event_id = row.entry.event_id.0;
        let line = ServiceLine {
            date: row.entry.service_date,
            event_id,
            event: row.event_title,
            plan_items: items
                .iter()
                .filter(|(e, _, _)| *e == event_id)
                .map(|(_, n, t)| PlanItemText(format!("{n}. {t}")))
                .collect(),
            minutes: row.net_minutes,
            hours: hours_text(row.net_minutes),
        };
        if row.category == "training" {
            training.push(line);
        } else {
            service.push(line);
        }
    }
    (service, training)
}

/// Builds the snapshot of a certificate in the issuing transaction. The number is taken
/// last, so that its year's counter is locked for as short a time as possible.
#[allow(clippy::too_many_arguments)]
pub fn snapshot(
    conn: &mut DbConn,
    cfg: &CertificateConfig,
    scope: &Scope,
    issuer_id: i64,
    req: &Request,
    issued_at: NaiveDateTime,
    issued_on: NaiveDate,
) -> AppResult<Snapshot> {
    let (name, volunteer_number) = model::volunteer(conn, req.volunteer)?;
    let served = model::served(conn, req.volunteer, req.from, req.to, scope)?;
    let events: Vec<i64> = served.iter().map(|r| r.entry.event_id.0).collect();
    let items = model::plan_items_of(conn, &events)?;
    let (service, training) = lines(served, &items);
    let covers = model::covered_branches(conn, scope)?
        .into_iter()
        .map(|(id, code, name)| CoveredBranch { id, code, name })
        .collect();
    let (official, official_username) = model::official(conn, issuer_id)?;
    let service_minutes: i64 = service.iter().map(|l| l.minutes).sum();
    let training_minutes: i64 = training.iter().map(|l| l.minutes).sum();
    Ok(Snapshot {
        title: TITLE.into(),
        number: String::new(),
        volunteer: SnapshotVolunteer {
            id: req.volunteer,
            name,
            volunteer_number,
        },
        period: Period {
            from: req.from,
            to: req.to,
        },
        service_minutes,
        service_hours: hours_text(service_minutes),
        training_minutes,
        training_hours: hours_text(training_minutes),
        service,
        training,
        covers,
        covers_whole_organisation: matches!(scope, Scope::All),
        issuer: Issuer {
            organisation: cfg.organisation_name.clone(),
            person_in_charge: cfg.person_in_charge.clone(),
            contact: cfg.contact.clone(),
            official,
            official_username,
        },
        issued_on,
        issued_at: issued_at.and_utc(),
        purpose: req.purpose.clone(),
    })
}

/// Issues a certificate in the caller's transaction: the snapshot, then the year's next
/// number, then the row. The caller has checked the request and the issuer's right to it.
#[allow(clippy::too_many_arguments)]
pub fn issue(
    conn: &mut DbConn,
    cfg: &CertificateConfig,
    scope: &Scope,
    issuer_id: i64,
    req: &Request,
    issued_at: NaiveDateTime,
    issued_on: NaiveDate,
) -> AppResult<model::CertificateRow> {
    let mut snapshot = snapshot(conn, cfg, scope, issuer_id, req, issued_at, issued_on)?;
    let year = chrono::Datelike::year(&issued_on);
    let sequence = model::next_sequence(conn, year)?;
    let number = number(&cfg.prefix, year, sequence);
    snapshot.number = number.clone();
    let text = serde_json::to_string(&snapshot)
        .map_err(|e| crate::error::AppError::internal(format!("certificate snapshot: {e}")))?;
    let sha = sha256_hex(&text);
    let code = new_code();
    diesel::insert_into(certificates::table)
        .values(&model::NewCertificate {
            number: &number,
            year,
            sequence,
            volunteer_id: req.volunteer,
            issued_by: issuer_id,
            issued_at,
            period_from: req.from,
            period_to: req.to,
            purpose: req.purpose.as_deref(),
            snapshot: &text,
            snapshot_sha256: &sha,
            code: &code,
        })
        .execute(conn)?;
    Ok(model::by_number(conn, &number)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_padded_to_six_digits() {
        assert_eq!(number("VH", 2026, 1), "VH-2026-000001");
        assert_eq!(number("VH", 2026, 123_456), "VH-2026-123456");
        assert_eq!(number("FZGX", 2027, 1_000_000), "FZGX-2027-1000000");
    }

    #[test]
    fn codes_are_twelve_unambiguous_characters() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), CODE_LENGTH);
            assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
        }
        assert_ne!(new_code(), new_code());
    }
}
