use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::SignupRow;
use super::rules::SignupStatus;
use crate::events::dto::EventResponse;

/// A volunteer's sign-up for an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    #[schema(example = 7, minimum = 1)]
    pub id: i64,
    #[schema(example = 5, minimum = 1)]
    pub event_id: i64,
    #[schema(example = 31, minimum = 1)]
    pub volunteer_id: i64,
    pub status: SignupStatus,
    /// While waitlisted: the place on the waiting list, 1 being the next admitted.
    #[schema(required = true, minimum = 1)]
    pub waitlist_position: Option<i64>,
    /// Why it was declined, or cancelled by the organiser.
    #[schema(required = true, max_length = 500)]
    pub reason: Option<String>,
    /// The account that signed it up (the volunteer's own, or a secretary's).
    #[schema(minimum = 1)]
    pub created_by: i64,
    /// Who admitted, declined, promoted or cancelled it, and when.
    #[schema(required = true, minimum = 1)]
    pub decided_by: Option<i64>,
    #[schema(required = true)]
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SignupResponse {
    pub fn new(r: SignupRow, waitlist_position: Option<i64>) -> Self {
        SignupResponse {
            id: r.id,
            event_id: r.event_id,
            volunteer_id: r.volunteer_id,
            status: r.status(),
            waitlist_position,
            reason: r.reason,
            created_by: r.created_by,
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

/// Who signs up: nobody named (or no body at all) for the caller itself, a volunteer;
/// `volunteer_id` for a secretary or administrator signing up a volunteer of its scope.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSignup {
    #[schema(example = 31, minimum = 1)]
    pub volunteer_id: Option<i64>,
}

/// Why the organiser declines (or cancels) a sign-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupReason {
    #[schema(example = "本次活动需持有急救证", min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CancelQuery {
    /// Required when the organiser cancels; the volunteer cancelling its own may leave it out.
    /// No surrounding white space.
    #[param(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\s\\u0085](?:[\\s\\S]*[^\\s\\u0085])?$"
    )]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SignupQuery {
    pub status: Option<SignupStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MinePage {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
}

/// The event of one of the caller's sign-ups, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventBrief {
    #[schema(minimum = 1)]
    pub id: i64,
    #[schema(max_length = 200)]
    pub title: String,
    #[schema(required = true, max_length = 200)]
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: crate::events::dto::EventStatus,
}

/// One of the caller's sign-ups, with its event.
#[derive(Debug, Serialize, ToSchema)]
pub struct MySignup {
    #[serde(flatten)]
    pub signup: SignupResponse,
    pub event: EventBrief,
}

/// An event for the caller: one it may sign up for now, or one it signed up for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyEvent {
    pub event: EventResponse,
    /// The caller's latest sign-up for it; null if it has none.
    #[schema(required = true)]
    pub my_signup: Option<SignupResponse>,
    /// Whether the caller may sign up now (open, eligible, not signed up).
    pub can_sign_up: bool,
    /// Volunteers admitted so far.
    #[schema(minimum = 0)]
    pub admitted_count: i64,
}
