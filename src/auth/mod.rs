//! Who is calling, and what they may do: roles, passwords, tokens, the principal
//! extractor, scope. The endpoints that log in and out are `sessions`.
pub mod hasher;
pub mod password;
pub mod principal;
pub mod ratelimit;
pub mod scope;
pub mod tokens;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use principal::{Access, AdminOnly, AnyRole, Auth, NotHr, Principal, VolunteerOnly, Writers};
pub use scope::Scope;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Its own branch and that branch's sub-branches.
    Secretary,
    /// Reads everything, exports totals, writes nothing.
    Hr,
    /// Its own profile and hours.
    Volunteer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Secretary, Role::Hr, Role::Volunteer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretary => "secretary",
            Role::Hr => "hr",
            Role::Volunteer => "volunteer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`: use admin, secretary, hr or volunteer"))
    }
}
