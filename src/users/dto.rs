use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::UserRow;
use crate::auth::Role;

/// An account, as administrators see it. Never carries the password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    #[schema(example = 12)]
    pub id: i64,
    #[schema(
        example = "zb01.secretary",
        min_length = 3,
        max_length = 64,
        pattern = "^[a-z0-9._-]+$"
    )]
    pub username: String,
    pub role: Role,
    /// The branch a secretary works for (and, for other roles, their home branch if set).
    #[schema(example = 9, required = true)]
    pub branch_id: Option<i64>,
    /// The volunteer this account belongs to (volunteer role).
    #[schema(required = true)]
    pub volunteer_id: Option<i64>,
    pub disabled: bool,
    /// Locked for a while after too many failed logins.
    pub locked: bool,
    #[schema(required = true)]
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for UserResponse {
    fn from(row: UserRow) -> Self {
        let UserRow {
            id,
            username,
            password_hash: _,
            role,
            branch_id,
            volunteer_id,
            disabled,
            failed_logins: _,
            first_failed_login_at: _,
            locked_until,
            last_login_at,
            token_version: _,
            version: _,
            created_at,
            updated_at,
        } = row;
        UserResponse {
            id,
            username,
            // the database's CHECK allows only the four roles
            role: role.parse().unwrap_or(Role::Volunteer),
            branch_id,
            volunteer_id,
            disabled,
            locked: locked_until.is_some_and(|t| t > crate::db::now()),
            last_login_at: last_login_at.map(|t| t.and_utc()),
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(
        example = "zb01.secretary",
        min_length = 3,
        max_length = 64,
        pattern = "^[a-z0-9._-]+$"
    )]
    pub username: String,
    /// At least 10 characters, not the username.
    #[schema(example = "a long enough password", min_length = 10, max_length = 256, format = Password)]
    pub password: String,
    pub role: Role,
    /// Required for a secretary.
    pub branch_id: Option<i64>,
    /// Required for a volunteer account.
    pub volunteer_id: Option<i64>,
}

/// A partial update: absent fields stay as they are; `null` clears a field where allowed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<i64>)]
    pub branch_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<i64>)]
    pub volunteer_id: Option<Option<i64>>,
    /// Disabling ends the user's sessions at once.
    pub disabled: Option<bool>,
    /// Resets the password; ends the user's sessions.
    #[schema(min_length = 10, max_length = 256, format = Password)]
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub branch_id: Option<i64>,
    pub disabled: Option<bool>,
    /// Case-insensitive part of the username.
    #[param(max_length = 100)]
    pub q: Option<String>,
}
