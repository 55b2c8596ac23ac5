use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::branches;
use crate::db::DbConn;

#[derive(Debug, Insertable)]
#[diesel(table_name = branches)]
pub struct NewBranch<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub parent_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn id_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<i64>> {
    branches::table
        .filter(branches::code.eq(code))
        .select(branches::id)
        .first(conn)
        .optional()
}
