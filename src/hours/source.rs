//! Where an hour entry came from. Entered by an organiser is the rule; an entry created by
//! an accepted error report says so, and the sign-in and Excel-import paths to come have
//! their own value already, so that a reviewer (and an export) can tell them apart.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntrySource {
    /// Entered by an administrator or a secretary (a roster, one entry, a correction).
    Entered,
    /// Created by accepting a volunteer's error report (更正申请).
    ErrorReport,
    /// From a sign-in and sign-out at the event.
    CheckIn,
    /// From an import of earlier records.
    Imported,
}

impl EntrySource {
    pub const ALL: [EntrySource; 4] = [
        EntrySource::Entered,
        EntrySource::ErrorReport,
        EntrySource::CheckIn,
        EntrySource::Imported,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EntrySource::Entered => "entered",
            EntrySource::ErrorReport => "error_report",
            EntrySource::CheckIn => "check_in",
            EntrySource::Imported => "imported",
        }
    }

    /// The source a stored text names; `None` for any other text.
    pub fn parse(s: &str) -> Option<EntrySource> {
        EntrySource::ALL.into_iter().find(|h| h.as_str() == s)
    }
}

/// Rows hold the source as text (CHECKed by the database); an unknown text is an error when
/// the row is read.
impl TryFrom<String> for EntrySource {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        EntrySource::parse(&text).ok_or_else(|| format!("unknown hour entry source `{text}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_texts_are_the_api_names() {
        for s in EntrySource::ALL {
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
            assert_eq!(EntrySource::parse(s.as_str()), Some(s));
        }
        assert_eq!(EntrySource::parse("typed"), None);
    }
}
