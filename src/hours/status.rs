//! The life of an hour entry: submitted, then approved or rejected by a reviewer, or
//! withdrawn by its submitter. Approved, rejected and withdrawn are final.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HourStatus {
    /// Awaiting review; the submitter may still edit or withdraw it.
    Submitted,
    /// Counted in totals; locked: change it with a correction.
    Approved,
    Rejected,
    Withdrawn,
}

impl HourStatus {
    pub const ALL: [HourStatus; 4] = [
        HourStatus::Submitted,
        HourStatus::Approved,
        HourStatus::Rejected,
        HourStatus::Withdrawn,
    ];
    /// Entries that count towards limits (the daily cap, overlap, one per day): not
    /// rejected, not withdrawn.
    pub const LIVE: [HourStatus; 2] = [HourStatus::Submitted, HourStatus::Approved];

    pub const fn as_str(self) -> &'static str {
        match self {
            HourStatus::Submitted => "submitted",
            HourStatus::Approved => "approved",
            HourStatus::Rejected => "rejected",
            HourStatus::Withdrawn => "withdrawn",
        }
    }

    /// The status a stored text names; `None` for any other text.
    pub fn parse(s: &str) -> Option<HourStatus> {
        HourStatus::ALL.into_iter().find(|h| h.as_str() == s)
    }

    pub fn is_live(self) -> bool {
        HourStatus::LIVE.contains(&self)
    }

    /// Whether an entry may move from this status to `next`: only a submitted entry moves,
    /// to approved or rejected (a review) or withdrawn (its submitter).
    pub fn can_become(self, next: HourStatus) -> bool {
        self == HourStatus::Submitted && next != HourStatus::Submitted
    }
}

/// Rows hold the status as text (CHECKed by the database); an unknown text is an error
/// when the row is read, never a silent `submitted`.
impl TryFrom<String> for HourStatus {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        HourStatus::parse(&text).ok_or_else(|| format!("unknown hour entry status `{text}`"))
    }
}

impl From<HourStatus> for String {
    fn from(status: HourStatus) -> String {
        status.as_str().to_owned()
    }
}

impl std::fmt::Display for HourStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_parses_back_and_nothing_else_does() {
        for s in HourStatus::ALL {
            assert_eq!(HourStatus::parse(s.as_str()), Some(s));
            assert_eq!(HourStatus::try_from(s.as_str().to_owned()), Ok(s));
        }
        assert_eq!(HourStatus::parse("Approved"), None);
        assert_eq!(HourStatus::parse(""), None);
        assert!(HourStatus::try_from("pending".to_owned()).is_err());
    }

    #[test]
    fn only_a_submitted_entry_moves_and_final_states_stay() {
        use HourStatus::*;
        for next in [Approved, Rejected, Withdrawn] {
            assert!(Submitted.can_become(next));
        }
        assert!(!Submitted.can_become(Submitted));
        for from in [Approved, Rejected, Withdrawn] {
            for next in HourStatus::ALL {
                assert!(!from.can_become(next), "{from} -> {next}");
            }
        }
    }

    #[test]
    fn live_entries_are_submitted_or_approved() {
        assert!(HourStatus::Submitted.is_live() && HourStatus::Approved.is_live());
        assert!(!HourStatus::Rejected.is_live() && !HourStatus::Withdrawn.is_live());
    }
}
