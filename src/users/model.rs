use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{refresh_tokens, users};
use crate::db::DbConn;

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

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub branch_id: Option<i64>,
    pub volunteer_id: Option<i64>,
    pub disabled: bool,
    pub failed_logins: i32,
    pub first_failed_login_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_login_at: Option<NaiveDateTime>,
    pub token_version: i64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Usernames are lower-case ASCII letters, digits, `.`, `_` and `-`, 3 to 64 long.
pub fn check_username(username: &str) -> Result<(), crate::i18n::Msg> {
    let len = username.len();
    if !(3..=64).contains(&len) {
        return Err(crate::msg!("text-length", min = 3, max = 64));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err(crate::msg!("username-form"));
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
}

/// The user, its row locked until the transaction ends (PostgreSQL; SQLite's write
/// transactions already run one at a time), so that counters and token revocations of
/// concurrent requests apply one after the other.
pub fn lock(conn: &mut DbConn, id: i64) -> QueryResult<UserRow> {
    match conn {
        DbConn::Pg(c) => users::table
            .find(id)
            .select(UserRow::as_select())
            .for_update()
            .first(c),
        DbConn::Sqlite(_) => find(conn, id),
    }
}

pub fn find_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Revokes every live refresh token of a user.
pub fn revoke_all_refresh_tokens(
    conn: &mut DbConn,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}
