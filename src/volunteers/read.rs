//! The most frequent read of the service: one volunteer with its tags. The same query runs
//! on the pool (both backends) or, on PostgreSQL, on the worker's pipelined connection
//! ([`crate::db::pipelined`]).

use std::sync::OnceLock;

use diesel::prelude::*;
use tokio_postgres::types::Type;

use super::model::VolunteerRow;
use crate::auth::{Principal, Scope};
use crate::db::pipelined::{sql_of, Pipelined};
use crate::db::schema::{volunteer_tags, volunteers};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::AppState;

/// Volunteer `$id` joined to each of its tags, sorted: one row a tag, or one row with a
/// null tag. The single definition of the read, whichever path runs it.
macro_rules! with_tags {
    ($id:expr) => {
        volunteers::table
            .left_join(volunteer_tags::table)
            .filter(volunteers::id.eq($id))
            .order(volunteer_tags::tag.asc())
            .select((VolunteerRow::as_select(), volunteer_tags::tag.nullable()))
    };
}

/// The volunteer `id` if the caller's scope holds it, with its tags, sorted, in one query;
/// 404 otherwise.
pub fn find_with_tags(
    conn: &mut DbConn,
    scope: &Scope,
    id: i64,
) -> AppResult<(VolunteerRow, Vec<String>)> {
    // Not boxed: a query of fixed shape is prepared once per connection and its SQL is not
    // rebuilt for every call.
    let query = with_tags!(id);
    let rows: Vec<(VolunteerRow, Option<String>)> = match scope {
        Scope::All => query.load(conn)?,
        Scope::Branches(ids) => query.filter(volunteers::branch_id.eq_any(ids)).load(conn)?,
        Scope::Volunteer(v) => query
            .filter(volunteers::id.eq(v.unwrap_or(-1)))
            .load(conn)?,
    };
    gather(rows)
}

fn gather(rows: Vec<(VolunteerRow, Option<String>)>) -> AppResult<(VolunteerRow, Vec<String>)> {
    let mut rows = rows.into_iter();
    let (row, first) = rows.next().ok_or(AppError::NotFound)?;
    let tags = first
        .into_iter()
        .chain(rows.filter_map(|(_, t)| t))
        .collect();
    Ok((row, tags))
}

/// [`find_with_tags`] for `caller`: on the worker's pipelined connection where it can
/// answer, else on the pool.
pub async fn volunteer(
    state: &AppState,
    pipelined: &Pipelined,
    caller: Principal,
    id: i64,
) -> AppResult<(VolunteerRow, Vec<String>)> {
    if let Some(found) = find_with_tags_pipelined(pipelined, &caller, id).await {
        return found;
    }
    state
        .db(move |conn| {
            let scope = caller.scope(conn)?;
            find_with_tags(conn, &scope, id)
        })
        .await
}

/// [`find_with_tags`] for `caller` on the worker's pipelined connection: the volunteer is
/// read by id and the scope applied to the row it found, as the query's scope filters
/// would. `None` when that connection cannot answer (the caller then reads on the pool);
/// a 503 when the database is too slow for it.
pub async fn find_with_tags_pipelined(
    pipelined: &Pipelined,
    caller: &Principal,
    id: i64,
) -> Option<AppResult<(VolunteerRow, Vec<String>)>> {
    static BY_ID: OnceLock<String> = OnceLock::new();
    let by_id = BY_ID.get_or_init(|| sql_of(&with_tags!(0_i64)));
    let rows = match pipelined.query(by_id, &[(&id, Type::INT8)]).await? {
        Ok(rows) => rows,
        Err(e) => return Some(Err(e)),
    };
    let mut subtree = None;
    if let Some(root) = caller.subtree_root() {
        let sql = crate::branches::model::SUBTREE_SQL;
        match pipelined.query(sql, &[(&root, Type::INT8)]).await? {
            Ok(rows) => subtree = Some(rows),
            Err(e) => return Some(Err(e)),
        }
    }
    let scope = caller.scope_by(|_| {
        subtree
            .iter()
            .flatten()
            .map(|r| r.try_get(0))
            .collect::<Result<Vec<i64>, tokio_postgres::Error>>()
    });
    let decoded = scope.and_then(|scope| {
        let rows = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        Ok((scope, rows))
    });
    let (scope, rows) = match decoded {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "a pipelined read could not be decoded: it runs on the pool");
            return None;
        }
    };
    let rows = rows
        .into_iter()
        .filter(|(v, _)| scope.holds_volunteer(v.id, v.branch_id))
        .collect();
    Some(gather(rows))
}

/// A row of [`with_tags`] as diesel loads it: [`VolunteerRow`]'s columns in its order, then
/// the tag.
fn decode(
    r: &tokio_postgres::Row,
) -> Result<(VolunteerRow, Option<String>), tokio_postgres::Error> {
    Ok((
        VolunteerRow {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            gender: r.try_get(2)?,
            phone: r.try_get(3)?,
            volunteer_number: r.try_get(4)?,
            branch_id: r.try_get(5)?,
            status: r.try_get(6)?,
            joined_on: r.try_get(7)?,
            version: r.try_get(8)?,
            created_at: r.try_get(9)?,
            updated_at: r.try_get(10)?,
        },
        r.try_get(11)?,
    ))
}
