use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{volunteer_tags, volunteers};

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
}

#[derive(Debug, Insertable)]
#[diesel(table_name = volunteer_tags)]
pub struct NewTag<'a> {
    pub volunteer_id: i64,
    pub tag: &'a str,
}
