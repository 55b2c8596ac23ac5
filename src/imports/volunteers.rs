//! Importing volunteers: each row a new volunteer, or (with `update_existing`) a change of
//! the volunteer its number names; every rule of `POST /volunteers` applies.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::columns::{self, Column, Layout};
use super::dto::{ImportSummary, RowError};
use super::sheet::Sheet;
use crate::audit;
use crate::auth::Scope;
use crate::db::schema::{branches, volunteers};
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::msg;
use crate::validate::Errors;
use crate::volunteers::dto::{Visibility, VolunteerResponse};
use crate::volunteers::model::{self as vmodel, NewVolunteer, VolunteerRow};

const NAME: usize = 0;
const GENDER: usize = 1;
const PHONE: usize = 2;
const NUMBER: usize = 3;
const BRANCH: usize = 4;
const JOINED: usize = 5;
const TAGS: usize = 6;

pub const COLUMNS: [Column; 7] = [
    Column {
        key: "name",
        zh: "姓名",
        required: true,
        example: "林晓燕",
        about_zh: "必填，1-50 个字",
        about_en: "required, 1-50 characters",
        text: true,
    },
    Column {
        key: "gender",
        zh: "性别",
        required: false,
        example: "女",
        about_zh: "男、女（或 male、female），可空",
        about_en: "男 or 女 (or male, female); may be empty",
        text: true,
    },
    Column {
        key: "phone",
        zh: "手机号",
        required: false,
        example: "13805912301",
        about_zh: "5-20 位数字，可带前导 +，可空",
        about_en: "5-20 digits after an optional +; may be empty",
        text: true,
    },
    Column {
        key: "volunteer_number",
        zh: "志愿者编号",
        required: false,
        example: "350100202212050101",
        about_zh: "1-40 个字符，全库唯一；请以文本格式保存，以免 Excel 改写长数字。已有编号的行：加 update_existing=true 时更新该志愿者，否则报错",
        about_en: "1-40 characters, unique; keep the cells as text so that Excel does not round long numbers. A row with an existing number updates that volunteer with update_existing=true, and is an error otherwise",
        text: true,
    },
    Column {
        key: "branch_code",
        zh: "支部代码",
        required: true,
        example: "ZB01",
        about_zh: "必填，支部的代码；书记只能导入本支部及下级支部",
        about_en: "required, the branch's code; a secretary imports into its own branches only",
        text: true,
    },
    Column {
        key: "joined_on",
        zh: "入队日期",
        required: false,
        example: "2021-03-05",
        about_zh: "日期：2021-03-05、2021/3/5、2021年3月5日或 Excel 日期，可空",
        about_en: "a date: 2021-03-05, 2021/3/5, 2021年3月5日 or an Excel date; may be empty",
        text: false,
    },
    Column {
        key: "tags",
        zh: "标签",
        required: false,
        example: "trained，first_aid",
        about_zh: "最多 20 个，用逗号、顿号或分号分隔；每个 1-40 个小写字母、数字或下划线",
        about_en: "up to 20, separated by commas, 、 or semicolons; each 1-40 lowercase letters, digits or underscores",
        text: true,
    },
];

/// A row read and checked, ready to write.
struct Parsed {
    name: String,
    gender: Option<&'static str>,
    phone: Option<String>,
    number: Option<String>,
    branch_id: i64,
    joined_on: Option<NaiveDate>,
    tags: Vec<String>,
    /// The volunteer it updates.
    existing: Option<VolunteerRow>,
}

fn gender(cell: &super::sheet::Cell) -> Result<Option<&'static str>, crate::i18n::Msg> {
    match columns::text(cell).as_deref() {
        None => Ok(None),
        Some("男" | "male" | "Male" | "M" | "m") => Ok(Some("male")),
        Some("女" | "female" | "Female" | "F" | "f") => Ok(Some("female")),
        Some(_) => Err(msg!("import-gender")),
    }
}

/// The column a pointer of the volunteer checks names.
fn column_of_pointer(pointer: &str) -> usize {
    match pointer.trim_start_matches('/').split('/').next() {
        Some("phone") => PHONE,
        Some("volunteer_number") => NUMBER,
        Some("tags") => TAGS,
        _ => NAME,
    }
}

/// Checks every row and, when all are good, writes them in the caller's transaction.
pub fn import(
    conn: &mut DbConn,
    actor: i64,
    scope: &Scope,
    sheet: &Sheet,
    layout: &Layout,
    update_existing: bool,
) -> AppResult<(ImportSummary, Vec<RowError>)> {
    let codes: HashMap<String, i64> = branches::table
        .select((branches::code, branches::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let rows = columns::rows(sheet, layout, &COLUMNS);
    let numbers: Vec<String> = rows
        .iter()
        .filter_map(|r| columns::code(r.cell(NUMBER)).ok().flatten())
        .collect();
    let mut existing: HashMap<String, VolunteerRow> = HashMap::new();
    for chunk in numbers.chunks(1000) {
        for v in volunteers::table
            .filter(volunteers::volunteer_number.eq_any(chunk))
            .select(VolunteerRow::as_select())
            .load(conn)?
        {
            if let Some(n) = v.volunteer_number.clone() {
                existing.insert(n, v);
            }
        }
    }

    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        let before = errors.len();
        let name = columns::text(r.cell(NAME)).unwrap_or_default();
        let gender = gender(r.cell(GENDER))
            .map_err(|m| errors.push(r.error(GENDER, m)))
            .ok()
            .flatten();
        let phone = columns::code(r.cell(PHONE))
            .map_err(|m| errors.push(r.error(PHONE, m)))
            .ok()
            .flatten();
        let number = columns::code(r.cell(NUMBER))
            .map_err(|m| errors.push(r.error(NUMBER, m)))
            .ok()
            .flatten();
        let joined_on = match r.cell(JOINED) {
            c if c.is_empty() => None,
            c => columns::date(c)
                .map_err(|m| errors.push(r.error(JOINED, m)))
                .ok(),
        };
        let tags = columns::list(r.cell(TAGS));
        let mut e = Errors::default();
        e.text("/name", &name, 1, 50);
        if let Some(p) = &phone {
            e.phone("/phone", p);
        }
        e.opt_text("/volunteer_number", number.as_deref(), 40);
        if tags.len() > 20 {
            e.add("/tags", msg!("at-most-tags", max = 20));
        }
        for (i, t) in tags.iter().enumerate() {
            e.tag(&format!("/tags/{i}"), t);
        }
        for fe in e.0 {
            errors.push(r.error(column_of_pointer(&fe.pointer), fe.detail));
        }
        let code = columns::text(r.cell(BRANCH)).unwrap_or_default();
        let branch_id = match codes.get(&code) {
            Some(id) if scope.has_branch(*id) => Some(*id),
            _ => {
                errors.push(r.error(BRANCH, msg!("no-such-branch-in-scope")));
                None
            }
        };
        let mut found = None;
        if let Some(n) = &number {
            if let Some(first) = seen.insert(n.clone(), r.number) {
                errors.push(r.error(NUMBER, msg!("import-duplicate-row", row = first)));
            }
            match existing.get(n) {
                Some(v) if !update_existing => errors.push(r.error(
                    NUMBER,
                    msg!("import-volunteer-exists", id = v.id.to_string()),
                )),
                Some(v) if !scope.has_branch(v.branch_id) => {
                    errors.push(r.error(NUMBER, msg!("volunteer-number-taken")));
                }
                Some(v) => found = Some(v.clone()),
                None => {}
            }
        }
        if errors.len() == before {
            if let Some(branch_id) = branch_id {
                parsed.push(Parsed {
                    name,
                    gender,
                    phone,
                    number,
                    branch_id,
                    joined_on,
                    tags,
                    existing: found,
                });
            }
        }
    }
    let mut summary = ImportSummary::of(rows.len(), &layout.ignored);
    for p in &parsed {
        if p.existing.is_some() {
            summary.updated += 1;
        } else {
            summary.created += 1;
        }
    }
    if !errors.is_empty() {
        return Ok((summary, errors));
    }
    let mut created = Vec::new();
    for p in &parsed {
        let now = db::now();
        match &p.existing {
            None => {
                let new = NewVolunteer {
                    name: &p.name,
                    gender: p.gender,
                    phone: p.phone.as_deref(),
                    volunteer_number: p.number.as_deref(),
                    branch_id: p.branch_id,
                    status: "active",
                    joined_on: p.joined_on,
                    created_at: now,
                    updated_at: now,
                    search_text: vmodel::search_text(&p.name),
                };
                let id: i64 = crate::db_run!(conn, |c| diesel::insert_into(volunteers::table)
                    .values(&new)
                    .returning(volunteers::id)
                    .get_result(c))?;
                vmodel::replace_tags(conn, id, &p.tags)?;
                created.push(VolunteerResponse::new(
                    vmodel::find(conn, id)?,
                    p.tags.clone(),
                    Visibility::Full,
                ));
            }
            Some(before) => {
                let before_tags = vmodel::tags_of(conn, &[before.id])?
                    .remove(&before.id)
                    .unwrap_or_default();
                let before_body =
                    VolunteerResponse::new(before.clone(), before_tags, Visibility::Full);
                // a column the file lacks leaves the field as it is; a present one sets it,
                // an empty cell clearing it
                let has = |k: usize| layout.at[k].is_some();
                let gender = if has(GENDER) {
                    p.gender
                } else {
                    before_body.gender.map(|g| g.as_str())
                };
                let phone = if has(PHONE) {
                    p.phone.clone()
                } else {
                    before.phone.clone()
                };
                let joined_on = if has(JOINED) {
                    p.joined_on
                } else {
                    before.joined_on
                };
                let tags = if has(TAGS) {
                    p.tags.clone()
                } else {
                    before_body.tags.clone()
                };
                diesel::update(volunteers::table.find(before.id))
                    .set((
                        volunteers::name.eq(&p.name),
                        volunteers::gender.eq(gender),
                        volunteers::phone.eq(&phone),
                        volunteers::branch_id.eq(p.branch_id),
                        volunteers::joined_on.eq(joined_on),
                        volunteers::search_text.eq(vmodel::search_text(&p.name)),
                        volunteers::version.eq(volunteers::version + 1),
                        volunteers::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                vmodel::replace_tags(conn, before.id, &tags)?;
                let after =
                    VolunteerResponse::new(vmodel::find(conn, before.id)?, tags, Visibility::Full);
                audit::log(
                    conn,
                    actor,
                    audit::Action::Update,
                    audit::Entity::Volunteer,
                    before.id,
                    Some(&before_body),
                    Some(&after),
                )?;
            }
        }
    }
    audit::log_created(conn, actor, audit::Entity::Volunteer, &created, |v| v.id)?;
    Ok((summary, errors))
}
