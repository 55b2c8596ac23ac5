//! Ids of the entities passed around most, as types of their own: a volunteer's id cannot
//! be passed where an event's is wanted. Stored and serialized as the plain 64-bit integer.
//!
//! They are used where several kinds of id meet in one signature (the hours domain and its
//! queries: an entry, its volunteer, event, branch and submitter). Request and response
//! types keep plain integers, which is what the spec and the clients see.

use diesel_derive_newtype::DieselNewType;
use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, DieselNewType, Serialize,
            Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    };
}

id!(
    /// A volunteer (`volunteers.id`).
    VolunteerId
);
id!(
    /// An event (`events.id`).
    EventId
);
id!(
    /// A branch (`branches.id`).
    BranchId
);
id!(
    /// An hour entry or correction (`hour_entries.id`).
    HourEntryId
);
id!(
    /// An account (`users.id`).
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_their_number() {
        assert_eq!(
            serde_json::to_string(&VolunteerId(31)).ok().as_deref(),
            Some("31")
        );
        let id: EventId = serde_json::from_str("8").unwrap_or(EventId(0));
        assert_eq!(id, EventId(8));
        assert_eq!(i64::from(HourEntryId(5)), 5);
        assert_eq!(UserId(2).to_string(), "2");
    }
}
