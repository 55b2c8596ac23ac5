use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::commendations;
use crate::db::DbConn;

/// The levels of the body that gave a commendation, as stored.
pub const LEVELS: &[&str] = &["national", "provincial", "city", "district", "unit"];

#[derive(Debug, Insertable)]
#[diesel(table_name = commendations)]
pub struct NewCommendation<'a> {
    pub volunteer_id: i64,
    pub title: &'a str,
    pub awarded_by: &'a str,
    pub awarded_on: NaiveDate,
    pub level: &'a str,
    pub note: Option<&'a str>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = commendations)]
pub struct CommendationRow {
    pub id: i64,
    pub volunteer_id: i64,
    pub title: String,
    pub awarded_by: String,
    pub awarded_on: NaiveDate,
    pub level: String,
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<CommendationRow> {
    commendations::table
        .find(id)
        .select(CommendationRow::as_select())
        .first(conn)
}

/// How many commendations a volunteer has (a volunteer with any is archived, not deleted).
pub fn count_of(conn: &mut DbConn, volunteer_id: i64) -> QueryResult<i64> {
    commendations::table
        .filter(commendations::volunteer_id.eq(volunteer_id))
        .count()
        .get_result(conn)
}
