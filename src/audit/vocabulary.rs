//! What an audit row can say: the actions and the kinds of object. Every row is written
//! through these types, so the spec's enums (and the `entity` filter) list exactly what the
//! audit log holds.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    /// A branch or volunteer retired instead of deleted.
    Archive,
    /// An hour entry withdrawn by its submitter.
    Withdraw,
    Approve,
    Reject,
    /// A correction posted to an approved entry.
    Correct,
    /// An event amended by an administrator.
    Amend,
    /// In an hour entry's history: its event was amended.
    EventAmended,
    /// An account locked after too many failed logins.
    Lock,
    /// A used refresh token came back: its login was revoked.
    RefreshReuse,
    Logout,
    ChangePassword,
    ResetPassword,
    Disable,
    Enable,
    /// Seed data loaded.
    Seed,
    /// A volunteer's error report accepted: its entry or correction recorded.
    Accept,
    /// A volunteer's error report declined, with the reason.
    Decline,
    /// A certificate withdrawn by an administrator (it stays, marked revoked).
    Revoke,
    /// A volunteer checked in at an event.
    CheckIn,
    /// A volunteer checked out (its hour entry made, or the attendance flagged).
    CheckOut,
    /// A forgotten check-out closed at the event's scheduled end.
    AutoClose,
    /// A sign-up admitted by the organiser.
    Admit,
    /// A waitlisted sign-up admitted as a place freed up.
    Promote,
    /// A sign-up withdrawn by the volunteer or the organiser.
    Cancel,
}

impl Action {
    pub const ALL: [Action; 27] = [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Archive,
        Action::Withdraw,
        Action::Approve,
        Action::Reject,
        Action::Correct,
        Action::Amend,
        Action::EventAmended,
        Action::Lock,
        Action::RefreshReuse,
        Action::Logout,
        Action::ChangePassword,
        Action::ResetPassword,
        Action::Disable,
        Action::Enable,
        Action::Seed,
        Action::Accept,
        Action::Decline,
        Action::Revoke,
        Action::CheckIn,
        Action::CheckOut,
        Action::AutoClose,
        Action::Admit,
        Action::Promote,
        Action::Cancel,
    ];

    /// The name stored in the audit log and answered by the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Archive => "archive",
            Action::Withdraw => "withdraw",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Correct => "correct",
            Action::Amend => "amend",
            Action::EventAmended => "event_amended",
            Action::Lock => "lock",
            Action::RefreshReuse => "refresh_reuse",
            Action::Logout => "logout",
            Action::ChangePassword => "change_password",
            Action::ResetPassword => "reset_password",
            Action::Disable => "disable",
            Action::Enable => "enable",
            Action::Seed => "seed",
            Action::Accept => "accept",
            Action::Decline => "decline",
            Action::Revoke => "revoke",
            Action::CheckIn => "check_in",
            Action::CheckOut => "check_out",
            Action::AutoClose => "auto_close",
            Action::Admit => "admit",
            Action::Promote => "promote",
            Action::Cancel => "cancel",
        }
    }
}

/// What kind of object a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Branch,
    Volunteer,
    Event,
    HourEntry,
    Plan,
    User,
    /// A commendation or award in a volunteer's record.
    Commendation,
    /// An organiser's evaluation of a volunteer's service at an event.
    Evaluation,
    /// A run of `seed` (no object id).
    Seed,
    /// A volunteer's report of a missing or wrong hour entry.
    ErrorReport,
    /// A record certificate (志愿服务记录证明).
    Certificate,
    /// A volunteer's check-in and check-out at an event.
    Attendance,
    /// A volunteer's sign-up for an event.
    Signup,
}

impl Entity {
    pub const ALL: [Entity; 13] = [
        Entity::Branch,
        Entity::Volunteer,
        Entity::Event,
        Entity::HourEntry,
        Entity::Plan,
        Entity::User,
        Entity::Commendation,
        Entity::Evaluation,
        Entity::Seed,
        Entity::ErrorReport,
        Entity::Certificate,
        Entity::Attendance,
        Entity::Signup,
    ];

    /// The name stored in the audit log and answered by the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Entity::Branch => "branch",
            Entity::Volunteer => "volunteer",
            Entity::Event => "event",
            Entity::HourEntry => "hour_entry",
            Entity::Plan => "plan",
            Entity::User => "user",
            Entity::Commendation => "commendation",
            Entity::Evaluation => "evaluation",
            Entity::Seed => "seed",
            Entity::ErrorReport => "error_report",
            Entity::Certificate => "certificate",
            Entity::Attendance => "attendance",
            Entity::Signup => "signup",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_api_names() {
        for a in Action::ALL {
            assert_eq!(serde_json::to_value(a).ok(), Some(a.as_str().into()));
        }
        for e in Entity::ALL {
            assert_eq!(serde_json::to_value(e).ok(), Some(e.as_str().into()));
        }
    }
}
