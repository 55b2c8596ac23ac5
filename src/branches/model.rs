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
    pub search_text: String,
}

#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = branches)]
pub struct BranchRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub archived: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn search_text(code: &str, name: &str) -> String {
    format!("{code} {name}").to_lowercase()
}

pub fn id_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<i64>> {
    branches::table
        .filter(branches::code.eq(code))
        .select(branches::id)
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<BranchRow> {
    branches::table
        .find(id)
        .select(BranchRow::as_select())
        .first(conn)
}

/// `root` and every branch below it (none if there is no such branch), walked in the
/// database along `branches_parent_idx`: a scope costs the size of its subtree, not of the
/// organisation (a province has thousands of branches). One text for both backends (SQLite
/// takes `$1` as the first parameter too), run by the pool and the pipelined read alike.
pub const SUBTREE_SQL: &str = "WITH RECURSIVE t (id) AS (SELECT id FROM branches WHERE id = $1 \
     UNION SELECT b.id FROM branches b JOIN t ON b.parent_id = t.id) SELECT id FROM t";

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// [`subtree`] of `root` when a filter names one.
pub fn subtree_of(conn: &mut DbConn, root: Option<i64>) -> QueryResult<Option<Vec<i64>>> {
    root.map(|r| subtree(conn, r)).transpose()
}

/// [`SUBTREE_SQL`]: `root` first, then the branches below it.
pub fn subtree(conn: &mut DbConn, root: i64) -> QueryResult<Vec<i64>> {
    let ids: Vec<Id> = diesel::sql_query(SUBTREE_SQL)
        .bind::<diesel::sql_types::BigInt, _>(root)
        .load(conn)?;
    Ok(ids.into_iter().map(|r| r.id).collect())
}
