use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{volunteer_tags, volunteers};
use crate::db::DbConn;

pub const STATUSES: &[&str] = &["active", "inactive", "archived"];
pub const GENDERS: &[&str] = &["male", "female"];

#[derive(Debug, Insertable)]
#[diesel(table_name = volunteers)]
pub struct NewVolunteer<'a> {
    pub name: &'a str,
    pub gender: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub volunteer_number: Option<&'a str>,
    pub branch_id: i64,
    pub status: &'a str,
    pub joined_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub search_text: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = volunteer_tags)]
pub struct NewTag<'a> {
    pub volunteer_id: i64,
    pub tag: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = volunteers)]
pub struct VolunteerRow {
    pub id: i64,
    pub name: String,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub volunteer_number: Option<String>,
    pub branch_id: i64,
    pub status: String,
    pub joined_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn search_text(name: &str) -> String {
    name.to_lowercase()
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<VolunteerRow> {
    volunteers::table
        .find(id)
        .select(VolunteerRow::as_select())
        .first(conn)
}

/// Tags of each volunteer, sorted.
pub fn tags_of(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = volunteer_tags::table
        .filter(volunteer_tags::volunteer_id.eq_any(ids))
        .order((volunteer_tags::volunteer_id, volunteer_tags::tag))
        .select((volunteer_tags::volunteer_id, volunteer_tags::tag))
        .load(conn)?;
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, tag) in rows {
        map.entry(id).or_default().push(tag);
    }
    Ok(map)
}

pub fn replace_tags(conn: &mut DbConn, id: i64, tags: &[String]) -> QueryResult<()> {
    diesel::delete(volunteer_tags::table.filter(volunteer_tags::volunteer_id.eq(id)))
        .execute(conn)?;
    let mut sorted: Vec<&String> = tags.iter().collect();
    sorted.sort();
    sorted.dedup();
    for tag in sorted {
        diesel::insert_into(volunteer_tags::table)
            .values(NewTag {
                volunteer_id: id,
                tag,
            })
            .execute(conn)?;
    }
    Ok(())
}
