use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::dto::UserResponse;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "zb01.secretary", max_length = 64)]
    pub username: String,
    #[schema(example = "a long enough password", max_length = 256, format = Password)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh. Each can be used once.
    #[schema(
        example = "k3Jx0c8S7v2mE5qYwzL1bH9dT4rN6uPa0fG2hJ8kQ1s",
        max_length = 100
    )]
    pub refresh_token: String,
}

impl RefreshRequest {
    /// The longest refresh token the spec admits; the service issues shorter ones.
    pub const MAX_LENGTH: usize = 100;

    /// The token, if it has the form of one (422 otherwise, as the spec says).
    pub fn token(&self) -> Result<&str, crate::error::AppError> {
        let token = self.refresh_token.trim();
        if self.refresh_token.chars().count() > Self::MAX_LENGTH {
            return Err(crate::error::AppError::validation(
                "/refresh_token",
                crate::msg!("at-most-characters", max = Self::MAX_LENGTH),
            ));
        }
        Ok(token)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[schema(format = Password, max_length = 256)]
    pub current_password: String,
    /// At least 10 characters, not the username.
    #[schema(format = Password, min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// How the access token is sent: `Authorization: Bearer <access_token>` (RFC 6750).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum TokenType {
    Bearer,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`: a JWT in compact form, whose length
    /// follows the installation's issuer, audience and key.
    #[schema(pattern = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$")]
    pub access_token: String,
    pub token_type: TokenType,
    /// Seconds until the access token expires (`ACCESS_TOKEN_TTL_SECS`).
    #[schema(example = 900, minimum = 60, maximum = 86400)]
    pub expires_in: i64,
    /// Exchange at `POST /api/v1/auth/refresh` for a new pair; single use.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[A-Za-z0-9_-]+$",
        example = "k3Jx0c8S7v2mE5qYwzL1bH9dT4rN6uPa0fG2hJ8kQ1s"
    )]
    pub refresh_token: String,
    /// Seconds until the refresh token expires (`REFRESH_TOKEN_TTL_DAYS`, 1 to 365 days).
    #[schema(example = 2592000, minimum = 86400, maximum = 31536000)]
    pub refresh_expires_in: i64,
    pub user: UserResponse,
}
