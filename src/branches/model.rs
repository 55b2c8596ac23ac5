use std::collections::{HashMap, VecDeque};

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

/// `root` and every branch below it. Branches number in the hundreds at most, so the tree
/// is walked in memory: one query, and the same on both backends.
/// [`subtree`] of `root` when a filter names one.
pub fn subtree_of(conn: &mut DbConn, root: Option<i64>) -> QueryResult<Option<Vec<i64>>> {
    root.map(|r| subtree(conn, r)).transpose()
}

pub fn subtree(conn: &mut DbConn, root: i64) -> QueryResult<Vec<i64>> {
    Ok(subtree_in(edges().load(conn)?, root))
}

/// Every branch as `(id, parent_id)`: what [`subtree_in`] walks.
pub fn edges() -> diesel::dsl::Select<branches::table, (branches::id, branches::parent_id)> {
    branches::table.select((branches::id, branches::parent_id))
}

/// `root` and every branch below it among `edges`; empty if `root` is not among them.
pub fn subtree_in(edges: Vec<(i64, Option<i64>)>, root: i64) -> Vec<i64> {
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut exists = false;
    for (id, parent) in edges {
        exists |= id == root;
        if let Some(p) = parent {
            children.entry(p).or_default().push(id);
        }
    }
    if !exists {
        return Vec::new();
    }
    let mut out = vec![root];
    let mut queue = VecDeque::from([root]);
    while let Some(b) = queue.pop_front() {
        for &c in children.get(&b).map(Vec::as_slice).unwrap_or_default() {
            if !out.contains(&c) {
                out.push(c);
                queue.push_back(c);
            }
        }
    }
    out
}
