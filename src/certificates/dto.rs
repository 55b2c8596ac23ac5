//! The certificate's snapshot (what it states, frozen at issue), the answers about it, and
//! the requests.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::CertificateRow;

/// The title every certificate carries.
pub const TITLE: &str = "志愿服务记录证明";

/// A certificate to issue. Both dates are optional: without `from` the record from its
/// beginning, without `to` up to the issue date.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueCertificate {
    /// First service day counted (inclusive).
    #[schema(example = "2022-01-01")]
    pub from: Option<NaiveDate>,
    /// Last service day counted (inclusive); not after today.
    #[schema(example = "2022-12-31")]
    pub to: Option<NaiveDate>,
    /// What the volunteer needs it for; printed as the remarks (备注).
    #[schema(example = "入团材料", min_length = 1, max_length = 200)]
    pub purpose: Option<String>,
}

/// Why a certificate is withdrawn.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeCertificate {
    #[schema(example = "时长统计有误，已重新出具", min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CertificateQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
}

/// The verification code, as the QR code carries it.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The code printed on the certificate.
    #[param(
        example = "7KQ2M9XH4TNA",
        pattern = "^[0-9A-Z]{12}$",
        min_length = 12,
        max_length = 12
    )]
    pub code: Option<String>,
}

/// The volunteer a certificate names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotVolunteer {
    #[schema(example = 31)]
    pub id: i64,
    #[schema(example = "林秀燕", max_length = 50)]
    pub name: String,
    /// The national volunteer-system number, if recorded.
    #[schema(required = true, example = "350100202103050001", max_length = 40)]
    pub volunteer_number: Option<String>,
}

/// The period counted; a missing end is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Period {
    #[schema(required = true)]
    pub from: Option<NaiveDate>,
    #[schema(required = true)]
    pub to: Option<NaiveDate>,
}

/// One day of service (or training) at one event, as counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceLine {
    pub date: NaiveDate,
    #[schema(example = 12)]
    pub event_id: i64,
    #[schema(example = "3·5学雷锋志愿服务", max_length = 200)]
    pub event: String,
    /// The plan items the event serves, as `number. title`.
    #[schema(example = json!(["8. 深化志愿服务“五化”建设"]), max_items = 50)]
    pub plan_items: Vec<PlanItemText>,
    /// Approved minutes net of approved corrections.
    #[schema(example = 150)]
    pub minutes: i64,
    #[schema(example = "2.50", max_length = 16)]
    pub hours: String,
}

/// A branch whose events (with those of the branches below it) the certificate covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CoveredBranch {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "JGDW", max_length = 32)]
    pub code: String,
    #[schema(example = "机关党委", max_length = 100)]
    pub name: String,
}

/// Who issues the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Issuer {
    /// `ORGANISATION_NAME`.
    #[schema(example = "市工信局机关党委", max_length = 100)]
    pub organisation: String,
    /// `ORGANISATION_PERSON_IN_CHARGE`.
    #[schema(required = true, example = "张明", max_length = 50)]
    pub person_in_charge: Option<String>,
    /// `ORGANISATION_CONTACT`.
    #[schema(required = true, example = "0591-87654321", max_length = 100)]
    pub contact: Option<String>,
    /// The handling official (经办人): the issuing account's volunteer name, else its
    /// username.
    #[schema(example = "admin", max_length = 64)]
    pub official: String,
    #[schema(example = "admin", max_length = 64)]
    pub official_username: String,
}

/// What a certificate states, frozen when it is issued: later corrections do not change it
/// (they call for a new certificate). Stored as this JSON with its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    #[schema(example = "志愿服务记录证明", max_length = 16)]
    pub title: String,
    #[schema(example = "VH-2026-000001", max_length = 64)]
    pub number: String,
    pub volunteer: SnapshotVolunteer,
    pub period: Period,
    /// Approved service minutes in the period, net of approved corrections, at events
    /// organised within the issuer's scope; training is not included.
    #[schema(example = 150)]
    pub service_minutes: i64,
    #[schema(example = "2.50", max_length = 16)]
    pub service_hours: String,
    /// Training (培训), counted apart.
    #[schema(example = 60)]
    pub training_minutes: i64,
    #[schema(example = "1.00", max_length = 16)]
    pub training_hours: String,
    /// The service counted, oldest first.
    #[schema(max_items = 100000)]
    pub service: Vec<ServiceLine>,
    /// The training counted, oldest first.
    #[schema(max_items = 100000)]
    pub training: Vec<ServiceLine>,
    /// 谁组织谁证明: only events organised by these branches (and those below them) count.
    #[schema(max_items = 1000)]
    pub covers: Vec<CoveredBranch>,
    /// Whether the whole organisation's events count (an administrator issued it).
    pub covers_whole_organisation: bool,
    pub issuer: Issuer,
    pub issued_on: NaiveDate,
    pub issued_at: DateTime<Utc>,
    /// The purpose given, printed as the remarks (备注).
    #[schema(required = true, example = "入团材料", max_length = 200)]
    pub purpose: Option<String>,
}

/// A certificate: its snapshot as issued, its fingerprint, and whether it was revoked.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateResponse {
    #[schema(example = "VH-2026-000001", max_length = 64)]
    pub number: String,
    #[schema(example = 31)]
    pub volunteer_id: i64,
    /// The account that issued it.
    #[schema(example = 1)]
    pub issued_by: i64,
    pub issued_at: DateTime<Utc>,
    pub snapshot: Snapshot,
    /// SHA-256 (hex) of the stored snapshot text.
    #[schema(
        example = "9f2c4e0b7d1a3f5e8c6b2a4d0e9f1c3b5a7d9e2f4c6b8a0d1e3f5a7c9b2d4e6f",
        pattern = "^[0-9a-f]{64}$",
        min_length = 64,
        max_length = 64
    )]
    pub snapshot_sha256: String,
    /// The verification code printed on it.
    #[schema(
        example = "7KQ2M9XH4TNA",
        pattern = "^[0-9A-Z]{12}$",
        min_length = 12,
        max_length = 12
    )]
    pub code: String,
    /// The public page the QR code opens.
    #[schema(
        example = "https://volunteer.example.org/verify/VH-2026-000001?code=7KQ2M9XH4TNA",
        max_length = 400
    )]
    pub verification_url: String,
    #[schema(required = true)]
    pub revoked_at: Option<DateTime<Utc>>,
    #[schema(required = true, example = 1)]
    pub revoked_by: Option<i64>,
    #[schema(
        required = true,
        example = "时长统计有误，已重新出具",
        max_length = 500
    )]
    pub revoke_reason: Option<String>,
}

/// What the audit log keeps of a certificate: everything but its code.
#[derive(Debug, Serialize)]
pub struct AuditedCertificate<'a> {
    pub number: &'a str,
    pub volunteer_id: i64,
    pub snapshot_sha256: &'a str,
    pub service_minutes: i64,
    pub training_minutes: i64,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<&'a str>,
}

impl CertificateResponse {
    /// The answer for a stored row; its snapshot parsed back (500 if the stored text is not
    /// a snapshot, which the database never holds).
    pub fn of(row: CertificateRow, base_url: &str) -> Result<Self, serde_json::Error> {
        let CertificateRow {
            id: _,
            number,
            year: _,
            sequence: _,
            volunteer_id,
            issued_by,
            issued_at,
            period_from: _,
            period_to: _,
            purpose: _,
            snapshot,
            snapshot_sha256,
            code,
            revoked_at,
            revoked_by,
            revoke_reason,
        } = row;
        let snapshot: Snapshot = serde_json::from_str(&snapshot)?;
        Ok(CertificateResponse {
            verification_url: verification_url(base_url, &number, &code),
            number,
            volunteer_id,
            issued_by,
            issued_at: issued_at.and_utc(),
            snapshot,
            snapshot_sha256,
            code,
            revoked_at: revoked_at.map(|t| t.and_utc()),
            revoked_by,
            revoke_reason,
        })
    }

    pub fn audited(&self) -> AuditedCertificate<'_> {
        AuditedCertificate {
            number: &self.number,
            volunteer_id: self.volunteer_id,
            snapshot_sha256: &self.snapshot_sha256,
            service_minutes: self.snapshot.service_minutes,
            training_minutes: self.snapshot.training_minutes,
            revoked_at: self.revoked_at,
            revoke_reason: self.revoke_reason.as_deref(),
        }
    }
}

/// `{base}/verify/{number}?code={code}`: numbers and codes are capital letters, digits and
/// hyphens, so nothing needs escaping.
pub fn verification_url(base: &str, number: &str, code: &str) -> String {
    format!("{base}/verify/{number}?code={code}")
}

/// Valid or revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerifiedStatus {
    Valid,
    Revoked,
}

/// What the public verification answers: nothing beyond what proves the paper genuine.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    #[schema(example = "VH-2026-000001", max_length = 64)]
    pub number: String,
    pub status: VerifiedStatus,
    /// The volunteer's name, masked.
    #[schema(example = "林*燕", max_length = 50)]
    pub name: String,
    /// Service hours the certificate states.
    #[schema(example = "2.50", max_length = 16)]
    pub service_hours: String,
    /// Training hours it states.
    #[schema(example = "1.00", max_length = 16)]
    pub training_hours: String,
    #[schema(example = "市工信局机关党委", max_length = 100)]
    pub issuer: String,
    pub issued_on: NaiveDate,
}

/// A plan item as a certificate names it: `number. title`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanItemText(pub String);

/// The verification page, as HTML (a small page, no scripts).
pub struct VerificationPage;

/// A text schema of at most `max` characters.
fn text_schema(max: usize, description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    utoipa::openapi::RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(max))
            .description(Some(description))
            .build(),
    ))
}

impl utoipa::PartialSchema for PlanItemText {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        text_schema(220, "A plan item: `number. title`.")
    }
}
impl ToSchema for PlanItemText {}

impl utoipa::PartialSchema for VerificationPage {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        text_schema(
            8192,
            "The verification page, as HTML (a small page, no scripts).",
        )
    }
}
impl ToSchema for VerificationPage {}
