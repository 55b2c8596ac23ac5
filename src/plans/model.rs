use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{plan_items, plan_sections, plans};

#[derive(Debug, Insertable)]
#[diesel(table_name = plans)]
pub struct NewPlan<'a> {
    pub year: i32,
    pub title: &'a str,
    pub title_en: Option<&'a str>,
    pub issuer: &'a str,
    pub published_on: Option<NaiveDate>,
    pub preamble: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = plan_sections)]
pub struct NewSection<'a> {
    pub plan_id: i64,
    pub number: i32,
    pub title: &'a str,
    pub title_en: Option<&'a str>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = plan_items)]
pub struct NewItem<'a> {
    pub plan_id: i64,
    pub section_id: i64,
    pub number: i32,
    pub title: &'a str,
    pub title_en: Option<&'a str>,
    pub body: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub title_en: Option<String>,
    pub issuer: String,
    pub published_on: Option<NaiveDate>,
    pub preamble: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plan_sections)]
pub struct SectionRow {
    pub id: i64,
    pub plan_id: i64,
    pub number: i32,
    pub title: String,
    pub title_en: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, PartialEq)]
#[diesel(table_name = plan_items)]
pub struct PlanItemRow {
    pub id: i64,
    pub plan_id: i64,
    pub section_id: i64,
    pub number: i32,
    pub title: String,
    pub title_en: Option<String>,
    pub body: String,
}
