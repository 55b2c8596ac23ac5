//! The rules of signing up, as pure functions: the window, where a new sign-up lands,
//! which tags are missing, and how a sign-up may move.

use chrono::{DateTime, Utc};

use crate::events::dto::SignupMode;

/// Where a sign-up stands. Live while applied, admitted or waitlisted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SignupStatus {
    /// Awaiting the organiser's decision (approval mode).
    Applied,
    /// Has a place: may check in.
    Admitted,
    /// The event was full: on the waiting list, admitted in arrival order as places free up.
    Waitlisted,
    /// The organiser declined it (`reason` says why).
    Declined,
    /// Withdrawn by the volunteer or by the organiser (`reason` says why).
    Cancelled,
}

impl SignupStatus {
    pub const LIVE: [&'static str; 3] = ["applied", "admitted", "waitlisted"];

    pub fn as_str(self) -> &'static str {
        match self {
            SignupStatus::Applied => "applied",
            SignupStatus::Admitted => "admitted",
            SignupStatus::Waitlisted => "waitlisted",
            SignupStatus::Declined => "declined",
            SignupStatus::Cancelled => "cancelled",
        }
    }

    /// The status as a reader says it, in the answer's language.
    pub fn label(self) -> crate::i18n::Msg {
        match self {
            SignupStatus::Applied => crate::msg!("signup-status-applied"),
            SignupStatus::Admitted => crate::msg!("signup-status-admitted"),
            SignupStatus::Waitlisted => crate::msg!("signup-status-waitlisted"),
            SignupStatus::Declined => crate::msg!("signup-status-declined"),
            SignupStatus::Cancelled => crate::msg!("signup-status-cancelled"),
        }
    }

    /// The status a stored text names; an unknown text is an error, never a guess.
    pub fn parse(s: &str) -> Result<SignupStatus, String> {
        [
            SignupStatus::Applied,
            SignupStatus::Admitted,
            SignupStatus::Waitlisted,
            SignupStatus::Declined,
            SignupStatus::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| format!("unknown sign-up status `{s}`"))
    }

    pub fn is_live(self) -> bool {
        matches!(
            self,
            SignupStatus::Applied | SignupStatus::Admitted | SignupStatus::Waitlisted
        )
    }

    /// Admitting takes an application or a place on the waiting list.
    pub fn may_be_admitted(self) -> bool {
        matches!(self, SignupStatus::Applied | SignupStatus::Waitlisted)
    }
}

/// Why the window refuses a sign-up now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYet(DateTime<Utc>),
    Closed(DateTime<Utc>),
}

/// Whether sign-up is open at `now`: from `opens` (if set) until `closes`, or the event's
/// start when `closes` is not set.
pub fn window(
    now: DateTime<Utc>,
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
    starts: DateTime<Utc>,
) -> Result<(), Window> {
    if let Some(o) = opens {
        if now < o {
            return Err(Window::NotYet(o));
        }
    }
    let c = closes.unwrap_or(starts);
    if now >= c {
        return Err(Window::Closed(c));
    }
    Ok(())
}

/// Where a new sign-up lands: an application in approval mode; a place while one is free
/// (no capacity: always), the waiting list otherwise.
pub fn placement(mode: SignupMode, capacity: Option<i32>, admitted: i64) -> SignupStatus {
    match mode {
        SignupMode::Approval => SignupStatus::Applied,
        _ if has_room(capacity, admitted) => SignupStatus::Admitted,
        _ => SignupStatus::Waitlisted,
    }
}

/// Whether another volunteer may be admitted.
pub fn has_room(capacity: Option<i32>, admitted: i64) -> bool {
    capacity.is_none_or(|c| admitted < i64::from(c))
}

/// The required tags a volunteer lacks, in the order required.
pub fn missing_tags(required: &[String], has: &[String]) -> Vec<String> {
    required
        .iter()
        .filter(|t| !has.contains(t))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 5, h, 0, 0).unwrap()
    }

    #[test]
    fn the_window_opens_and_closes_at_the_start_by_default() {
        assert_eq!(
            window(t(8), Some(t(9)), None, t(12)),
            Err(Window::NotYet(t(9)))
        );
        assert_eq!(window(t(9), Some(t(9)), None, t(12)), Ok(()));
        assert_eq!(window(t(11), None, None, t(12)), Ok(()));
        assert_eq!(window(t(12), None, None, t(12)), Err(Window::Closed(t(12))));
        assert_eq!(
            window(t(10), None, Some(t(10)), t(12)),
            Err(Window::Closed(t(10)))
        );
        assert_eq!(
            window(t(13), None, Some(t(14)), t(12)),
            Ok(()),
            "closes after the start"
        );
    }

    #[test]
    fn new_sign_ups_are_admitted_while_there_is_room() {
        assert_eq!(
            placement(SignupMode::Open, Some(2), 1),
            SignupStatus::Admitted
        );
        assert_eq!(
            placement(SignupMode::Open, Some(2), 2),
            SignupStatus::Waitlisted
        );
        assert_eq!(
            placement(SignupMode::Open, None, 10_000),
            SignupStatus::Admitted
        );
        assert_eq!(
            placement(SignupMode::Approval, Some(2), 0),
            SignupStatus::Applied
        );
    }

    #[test]
    fn missing_tags_are_named() {
        let req = vec!["trained".to_owned(), "first_aid".to_owned()];
        assert_eq!(
            missing_tags(&req, &["first_aid".to_owned()]),
            vec!["trained"]
        );
        assert!(missing_tags(&req, &req).is_empty());
        assert!(missing_tags(&[], &[]).is_empty());
    }

    #[test]
    fn statuses_parse_loudly_and_move_as_allowed() {
        for s in ["applied", "admitted", "waitlisted", "declined", "cancelled"] {
            assert_eq!(SignupStatus::parse(s).unwrap().as_str(), s);
        }
        assert!(SignupStatus::parse("Admitted").is_err());
        assert!(
            SignupStatus::Waitlisted.may_be_admitted() && SignupStatus::Applied.may_be_admitted()
        );
        assert!(
            !SignupStatus::Admitted.may_be_admitted() && !SignupStatus::Cancelled.may_be_admitted()
        );
        assert!(SignupStatus::Admitted.is_live() && !SignupStatus::Declined.is_live());
    }
}
