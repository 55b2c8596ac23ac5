use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::AttendanceRow;

/// How a check-in or check-out was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The volunteer's phone, with the event's rotating code.
    Code,
    /// The organiser's phone, scanning the volunteer's personal pass.
    Pass,
    /// The organiser, naming the volunteer (no phone, no signal).
    Organiser,
    /// Check-out only: a forgotten check-out closed at the event's scheduled end.
    Auto,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Code => "code",
            Method::Pass => "pass",
            Method::Organiser => "organiser",
            Method::Auto => "auto",
        }
    }

    fn parse(s: &str) -> Method {
        match s {
            "code" => Method::Code,
            "pass" => Method::Pass,
            "auto" => Method::Auto,
            _ => Method::Organiser,
        }
    }
}

/// Why a check-out made no hour entry: a rule of recording hours refused it. The
/// organiser resolves it (records or corrects the hours by hand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Under a minute inside the event's window.
    TooShort,
    /// The volunteer already has an entry at this event on that day.
    Duplicate,
    /// The time overlaps the volunteer's other timed service.
    Overlap,
    /// More than 24 hours on that day.
    DailyCap,
    /// Another rule (the volunteer no longer active, the time outside the event).
    Refused,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::TooShort => "too_short",
            Flag::Duplicate => "duplicate",
            Flag::Overlap => "overlap",
            Flag::DailyCap => "daily_cap",
            Flag::Refused => "refused",
        }
    }

    fn parse(s: &str) -> Flag {
        match s {
            "too_short" => Flag::TooShort,
            "duplicate" => Flag::Duplicate,
            "overlap" => Flag::Overlap,
            "daily_cap" => Flag::DailyCap,
            _ => Flag::Refused,
        }
    }
}

/// A volunteer's presence at an event: its check-in and, once it left, its check-out
/// with the hour entry made from them (or the flag saying why none was).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceResponse {
    #[schema(example = 12, minimum = 1)]
    pub id: i64,
    #[schema(example = 5, minimum = 1)]
    pub event_id: i64,
    #[schema(example = 31, minimum = 1)]
    pub volunteer_id: i64,
    /// The time that counts: the server's receive time, or the organiser's phone's `at`.
    pub checked_in_at: DateTime<Utc>,
    /// The time an organiser's phone stated, if it did.
    #[schema(required = true)]
    pub checked_in_client_at: Option<DateTime<Utc>>,
    /// When the server received the check-in.
    pub checked_in_received_at: DateTime<Utc>,
    pub check_in_method: Method,
    #[schema(required = true)]
    pub checked_out_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub checked_out_client_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub checked_out_received_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub check_out_method: Option<Method>,
    /// Closed at the event's scheduled end because the check-out was forgotten.
    pub auto_closed: bool,
    /// The entry (status `submitted`, source `check_in`) made at check-out.
    #[schema(required = true, minimum = 1)]
    pub hour_entry_id: Option<i64>,
    /// Why no entry was made; null when one was, or while checked in.
    #[schema(required = true)]
    pub flag: Option<Flag>,
    /// The refused rule, in words.
    #[schema(required = true, max_length = 1000)]
    pub flag_detail: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AttendanceRow> for AttendanceResponse {
    fn from(r: AttendanceRow) -> Self {
        AttendanceResponse {
            id: r.id,
            event_id: r.event_id,
            volunteer_id: r.volunteer_id,
            checked_in_at: r.checked_in_at.and_utc(),
            checked_in_client_at: r.checked_in_client_at.map(|t| t.and_utc()),
            checked_in_received_at: r.checked_in_received_at.and_utc(),
            check_in_method: Method::parse(&r.check_in_method),
            checked_out_at: r.checked_out_at.map(|t| t.and_utc()),
            checked_out_client_at: r.checked_out_client_at.map(|t| t.and_utc()),
            checked_out_received_at: r.checked_out_received_at.map(|t| t.and_utc()),
            check_out_method: r.check_out_method.as_deref().map(Method::parse),
            auto_closed: r.auto_closed,
            hour_entry_id: r.hour_entry_id,
            flag: r.flag.as_deref().map(Flag::parse),
            flag_detail: r.flag_detail,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

/// The event's current check-in code, to show large and as a QR image.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInCode {
    /// Six digits, for a volunteer to type.
    #[schema(
        example = "042917",
        pattern = "^[0-9]{6}$",
        min_length = 6,
        max_length = 6
    )]
    pub code: String,
    /// What the QR image encodes: `VHC1.{event_id}.{code}`.
    #[schema(example = "VHC1.5.042917", max_length = 40)]
    pub qr: String,
    /// When the next code replaces it (this one is still taken for one more period).
    pub expires_at: DateTime<Utc>,
    /// How long each code lasts (`CHECKIN_CODE_SECS`).
    #[schema(example = 60, minimum = 15, maximum = 600)]
    pub period_secs: u64,
}

/// The code a volunteer read at the event.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// The six digits shown on the organiser's phone (or scanned from its QR image).
    #[schema(example = "042917", min_length = 1, max_length = 40)]
    pub code: String,
}

/// A volunteer's personal pass, for the organiser's phone to scan.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pass {
    /// The signed pass; also what the QR image encodes. A secret until it expires: show
    /// it only to the organiser.
    #[schema(
        example = "VHP1.AAAAAAAAAB8AAAAAaWnFUJ3k1F7mEJ2Yw6kq0Dw",
        max_length = 100
    )]
    pub pass: String,
    #[schema(
        example = "VHP1.AAAAAAAAAB8AAAAAaWnFUJ3k1F7mEJ2Yw6kq0Dw",
        max_length = 100
    )]
    pub qr: String,
    pub expires_at: DateTime<Utc>,
}

/// What the organiser records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceAction {
    CheckIn,
    CheckOut,
}

/// An organiser's record of a volunteer arriving or leaving: by its scanned `pass`, or by
/// `volunteer_id` (exactly one of the two), at `at` when the phone was offline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    #[schema(max_length = 100)]
    pub pass: Option<String>,
    #[schema(example = 31, minimum = 1)]
    pub volunteer_id: Option<i64>,
    pub action: AttendanceAction,
    /// When it happened, if not now: within the check-in window, and not after the
    /// server's clock by more than 5 minutes. The server's receive time is kept beside it.
    pub at: Option<DateTime<Utc>>,
}

/// Where a volunteer stands at an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    CheckedIn,
    CheckedOut,
    /// Admitted (signed up) and never checked in.
    NoShow,
}

/// One volunteer in an event's attendance.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceItem {
    #[schema(example = 31, minimum = 1)]
    pub volunteer_id: i64,
    #[schema(example = "王芳", max_length = 50)]
    pub volunteer_name: String,
    pub presence: Presence,
    /// The attendance; null for a no-show.
    #[schema(required = true)]
    pub attendance: Option<AttendanceResponse>,
}

/// How many volunteers stand where.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct AttendanceSummary {
    #[schema(minimum = 0)]
    pub checked_in: i64,
    #[schema(minimum = 0)]
    pub checked_out: i64,
    /// Checked out with no hour entry made (see each one's `flag`).
    #[schema(minimum = 0)]
    pub flagged: i64,
    #[schema(minimum = 0)]
    pub no_shows: i64,
}

/// An event's attendance: checked in now, checked out, and admitted but never came.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceList {
    #[schema(max_items = 200)]
    pub items: Vec<AttendanceItem>,
    #[schema(minimum = 0)]
    pub total: i64,
    #[schema(minimum = 1, maximum = 1000000)]
    pub page: u32,
    #[schema(minimum = 1, maximum = 200)]
    pub limit: u32,
    /// Over the whole event (the caller's part of it), whatever the filter.
    pub summary: AttendanceSummary,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AttendanceQuery {
    /// Only volunteers who stand there.
    pub presence: Option<Presence>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
}

/// What closing an event's attendance did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedAttendance {
    /// The attendances closed, each at the event's scheduled end (or now, if earlier).
    #[schema(max_items = 100000)]
    pub closed: Vec<AttendanceResponse>,
}
