use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub branch_id: Option<i64>,
    pub volunteer_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Usernames are lower-case ASCII letters, digits, `.`, `_` and `-`, 3 to 64 long.
pub fn check_username(username: &str) -> Result<(), String> {
    let len = username.len();
    if !(3..=64).contains(&len) {
        return Err("must be 3 to 64 characters".into());
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err("may contain only a-z, 0-9, '.', '_' and '-'".into());
    }
    Ok(())
}
