//! Importing past hours: each row one entry (`source: imported`, `submitted`), recorded
//! through `hours::submit::record` in rosters of one event, so that every rule of entering
//! hours holds across the file and against stored entries. A roster that is refused is
//! checked again row by row, so that every bad row is named.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;

use super::columns::{self, Column, Layout, Row};
use super::dto::{ImportSummary, RowError};
use super::sheet::Sheet;
use crate::audit;
use crate::auth::{Principal, Scope};
use crate::config::HoursConfig;
use crate::db::schema::{events, plan_items, plans, volunteers};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::hours::dto::{EntryInput, EntrySource, HourStatus};
use crate::hours::model::HourRow;
use crate::i18n::Msg;
use crate::ids::{EventId, UserId};
use crate::msg;

const NUMBER: usize = 0;
const NAME: usize = 1;
const BRANCH: usize = 2;
const EVENT: usize = 3;
const TITLE: usize = 4;
const CATEGORY: usize = 5;
const ITEM: usize = 6;
const DATE: usize = 7;
const HOURS: usize = 8;
const MINUTES: usize = 9;
const STARTED: usize = 10;
const ENDED: usize = 11;
const ROLE: usize = 12;
const NOTE: usize = 13;

const fn col(
    key: &'static str,
    zh: &'static str,
    required: bool,
    example: &'static str,
    about_zh: &'static str,
    about_en: &'static str,
    text: bool,
) -> Column {
    Column {
        key,
        zh,
        required,
        example,
        about_zh,
        about_en,
        text,
    }
}

pub const COLUMNS: [Column; 14] = [
    col("volunteer_number", "志愿者编号", false, "350100202103050001",
        "志愿者编号；不填时按姓名（加支部代码）查找，须唯一。请以文本格式保存",
        "the volunteer's number; without it the volunteer is found by name (and branch code), which must be unique. Keep the cells as text", true),
    col("volunteer_name", "姓名", false, "林晓燕",
        "志愿者姓名，未填编号时使用", "the volunteer's name, used when there is no number", true),
    col("branch_code", "支部代码", false, "ZB01",
        "志愿者所在支部的代码，与姓名一起查找志愿者", "the volunteer's branch code, to find the volunteer with the name", true),
    col("event_id", "活动ID", false, "",
        "已有活动的 ID；不填时须加 create_events=true 并填写活动名称、类别和工作要点序号",
        "the id of an existing event; without it, create_events=true and the event's title, category and plan item number are needed", false),
    col("event_title", "活动名称", false, "3·5学雷锋志愿服务",
        "create_events=true 时：活动名称（1-200 个字）；同名、同日、同类别的行属于同一活动",
        "with create_events=true: the event's title (1-200 characters); rows of the same title, day and category share one event", true),
    col("category", "类别", false, "lei_feng_day",
        "create_events=true 时：活动类别，取值见下", "with create_events=true: the event's category, one of the values below", true),
    col("plan_item_number", "工作要点序号", false, "8",
        "create_events=true 时：服务日期所在年度工作要点的序号（如 8）",
        "with create_events=true: the number of the item in the plan of the service date's year (e.g. 8)", false),
    col("service_date", "服务日期", true, "2022-03-05",
        "必填：2022-03-05、2022/3/5、2022年3月5日或 Excel 日期",
        "required: 2022-03-05, 2022/3/5, 2022年3月5日 or an Excel date", false),
    col("hours", "服务时长(小时)", false, "2.5",
        "服务时长（小时，如 2.5，须为整分钟，最多 24）；或填分钟，或填开始和结束时间",
        "hours served (e.g. 2.5, whole minutes, at most 24); or give minutes, or the start and end", false),
    col("minutes", "服务时长(分钟)", false, "",
        "服务时长（分钟，1-1440），与小时二选一", "minutes served (1-1440), instead of hours", false),
    col("started_at", "开始时间", false, "09:00",
        "可选：开始时间（09:00，或 2022-03-05 09:00），当地时间", "optional: when service started (09:00, or 2022-03-05 09:00), local time", false),
    col("ended_at", "结束时间", false, "11:30",
        "可选：结束时间，与开始时间一起填写", "optional: when service ended, with the start", false),
    col("role", "岗位", false, "引导员",
        "可选：岗位（1-50 个字）", "optional: the role (1-50 characters)", true),
    col("note", "备注", false, "",
        "可选：备注（1-500 个字）", "optional: a note (1-500 characters)", true),
];

/// Options of an hours import.
pub struct Options<'a> {
    pub create_events: bool,
    /// Approve the entries at once, with this reason (administrators).
    pub approve: Option<&'a str>,
}

/// A row read: its volunteer, its event (or the event to find or create), its entry.
struct Parsed {
    row: usize,
    volunteer: i64,
    event: EventRef,
    entry: EntryInput,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum EventRef {
    Id(i64),
    /// title, local day, category, plan item id
    New(String, NaiveDate, String, i64),
}

/// The column of a pointer of `hours::submit::record`'s checks.
fn column_of_pointer(pointer: &str, layout: &Layout) -> Option<usize> {
    let field = pointer
        .trim_start_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    Some(match field {
        "volunteer_id" if layout.at[NUMBER].is_some() => NUMBER,
        "volunteer_id" => NAME,
        "minutes" if layout.at[HOURS].is_none() => MINUTES,
        "minutes" => HOURS,
        "started_at" => STARTED,
        "ended_at" => ENDED,
        "service_date" => DATE,
        "role" => ROLE,
        "note" => NOTE,
        _ => return None,
    })
}

fn local(offset: chrono::FixedOffset, t: NaiveDateTime) -> Option<DateTime<Utc>> {
    offset
        .from_local_datetime(&t)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The volunteers the file names by number, and by name (with their branch codes).
struct People {
    by_number: HashMap<String, i64>,
    by_name: HashMap<String, Vec<(i64, String)>>,
}

fn people(conn: &mut DbConn, rows: &[Row<'_>]) -> AppResult<People> {
    use crate::db::schema::branches;
    let numbers: Vec<String> = rows
        .iter()
        .filter_map(|r| columns::code(r.cell(NUMBER)).ok().flatten())
        .collect();
    let names: Vec<String> = rows
        .iter()
        .filter(|r| r.cell(NUMBER).is_empty())
        .filter_map(|r| columns::text(r.cell(NAME)))
        .collect();
    let mut p = People {
        by_number: HashMap::new(),
        by_name: HashMap::new(),
    };
    for chunk in numbers.chunks(1000) {
        let found: Vec<(Option<String>, i64)> = volunteers::table
            .filter(volunteers::volunteer_number.eq_any(chunk))
            .select((volunteers::volunteer_number, volunteers::id))
            .load(conn)?;
        p.by_number
            .extend(found.into_iter().filter_map(|(n, id)| Some((n?, id))));
    }
    for chunk in names.chunks(1000) {
        let found: Vec<(String, i64, String)> = volunteers::table
            .inner_join(branches::table)
            .filter(volunteers::name.eq_any(chunk))
            .select((volunteers::name, volunteers::id, branches::code))
            .load(conn)?;
        for (name, id, code) in found {
            p.by_name.entry(name).or_default().push((id, code));
        }
    }
    Ok(p)
}

/// The volunteer a row names, or why none.
fn volunteer_of(r: &Row<'_>, p: &People) -> Result<i64, RowError> {
    match columns::code(r.cell(NUMBER)) {
        Err(m) => return Err(r.error(NUMBER, m)),
        Ok(Some(n)) => {
            return p
                .by_number
                .get(&n)
                .copied()
                .ok_or_else(|| r.error(NUMBER, msg!("import-no-such-volunteer")))
        }
        Ok(None) => {}
    }
    let Some(name) = columns::text(r.cell(NAME)) else {
        return Err(r.row_error(msg!("import-volunteer-needed")));
    };
    let code = columns::text(r.cell(BRANCH));
    let matches: Vec<i64> = p
        .by_name
        .get(&name)
        .map(|vs| {
            vs.iter()
                .filter(|(_, c)| code.as_ref().is_none_or(|code| code == c))
                .map(|(id, _)| *id)
                .collect()
        })
        .unwrap_or_default();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(r.error(NAME, msg!("import-no-such-volunteer"))),
        _ => Err(r.error(
            NAME,
            msg!("import-volunteer-ambiguous", count = matches.len()),
        )),
    }
}

/// The plan item ids by (year, number).
fn plan_item_ids(conn: &mut DbConn) -> AppResult<HashMap<(i32, i32), i64>> {
    Ok(plan_items::table
        .inner_join(plans::table)
        .select((plans::year, plan_items::number, plan_items::id))
        .load::<(i32, i32, i64)>(conn)?
        .into_iter()
        .map(|(y, n, id)| ((y, n), id))
        .collect())
}

/// Reads one row; every problem of it goes into `errors`.
fn parse(
    r: &Row<'_>,
    p: &People,
    items: &HashMap<(i32, i32), i64>,
    create_events: bool,
    offset: chrono::FixedOffset,
    errors: &mut Vec<RowError>,
) -> Option<Parsed> {
    let before = errors.len();
    let volunteer = volunteer_of(r, p).map_err(|e| errors.push(e)).ok();
    let date = columns::date(r.cell(DATE))
        .map_err(|m| errors.push(r.error(DATE, m)))
        .ok();
    let event = if !r.cell(EVENT).is_empty() {
        columns::integer(r.cell(EVENT))
            .map_err(|m| errors.push(r.error(EVENT, m)))
            .ok()
            .map(EventRef::Id)
    } else if !create_events {
        errors.push(r.error(EVENT, msg!("import-event-needed")));
        None
    } else {
        let title = columns::text(r.cell(TITLE));
        if title.is_none() {
            errors.push(r.error(TITLE, msg!("import-required-for-new-event")));
        }
        let category = columns::text(r.cell(CATEGORY));
        match &category {
            Some(c) if crate::events::model::CATEGORIES.contains(&c.as_str()) => {}
            _ => errors.push(r.error(CATEGORY, msg!("import-category"))),
        }
        let item = match r.cell(ITEM) {
            c if c.is_empty() => {
                errors.push(r.error(ITEM, msg!("import-required-for-new-event")));
                None
            }
            c => columns::integer(c)
                .map_err(|m| errors.push(r.error(ITEM, m)))
                .ok(),
        };
        match (title, date, category, item) {
            (Some(title), Some(date), Some(category), Some(n)) => {
                let year = date.year();
                match i32::try_from(n).ok().and_then(|n| items.get(&(year, n))) {
                    Some(id) => Some(EventRef::New(title, date, category, *id)),
                    None => {
                        errors.push(r.error(ITEM, msg!("not-item-of-plan", year = year)));
                        None
                    }
                }
            }
            _ => None,
        }
    };
    let minutes = match (r.cell(HOURS).is_empty(), r.cell(MINUTES).is_empty()) {
        (false, false) => {
            let h = columns::hours_as_minutes(r.cell(HOURS))
                .map_err(|m| errors.push(r.error(HOURS, m)))
                .ok();
            let m = columns::integer(r.cell(MINUTES))
                .map_err(|m| errors.push(r.error(MINUTES, m)))
                .ok();
            if let (Some(h), Some(m)) = (h, m) {
                if i64::from(h) != m {
                    errors.push(r.error(MINUTES, msg!("import-hours-minutes-differ", hours = h)));
                }
            }
            h
        }
        (false, true) => columns::hours_as_minutes(r.cell(HOURS))
            .map_err(|m| errors.push(r.error(HOURS, m)))
            .ok(),
        (true, false) => columns::integer(r.cell(MINUTES))
            .map_err(|m| errors.push(r.error(MINUTES, m)))
            .ok()
            .map(|m| i32::try_from(m).unwrap_or(i32::MAX)),
        (true, true) => None,
    };
    let mut time = |k: usize| -> Option<DateTime<Utc>> {
        let cell = r.cell(k);
        if cell.is_empty() {
            return None;
        }
        let day = date?;
        match columns::time_on(cell, day).map(|t| local(offset, t)) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                errors.push(r.error(k, msg!("import-not-a-time")));
                None
            }
            Err(m) => {
                errors.push(r.error(k, m));
                None
            }
        }
    };
    let started_at = time(STARTED);
    let ended_at = time(ENDED);
    if started_at.is_some() != ended_at.is_some() {
        let k = if started_at.is_some() { ENDED } else { STARTED };
        errors.push(r.error(k, msg!("import-start-and-end")));
    }
    if errors.len() != before {
        return None;
    }
    Some(Parsed {
        row: r.number,
        volunteer: volunteer?,
        event: event?,
        entry: EntryInput {
            volunteer_id: volunteer?,
            minutes,
            service_date: date,
            started_at,
            ended_at,
            role: columns::text(r.cell(ROLE)),
            note: columns::text(r.cell(NOTE)),
        },
    })
}

/// The events the rows name: ids checked to exist, new ones found among the organiser's
/// events of that day or created (completed, over the whole local day).
fn events_of(
    conn: &mut DbConn,
    caller: &Principal,
    cfg: &HoursConfig,
    parsed: &[Parsed],
    row_at: &HashMap<usize, &Row<'_>>,
    errors: &mut Vec<RowError>,
    summary: &mut ImportSummary,
) -> AppResult<HashMap<EventRef, i64>> {
    let mut ids: HashMap<EventRef, i64> = HashMap::new();
    let wanted: Vec<i64> = parsed
        .iter()
        .filter_map(|p| match p.event {
            EventRef::Id(id) => Some(id),
            EventRef::New(..) => None,
        })
        .collect();
    let existing: std::collections::HashSet<i64> = events::table
        .filter(events::id.eq_any(&wanted))
        .select(events::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let row_of = |n: usize| row_at.get(&n).copied();
    for p in parsed {
        match &p.event {
            EventRef::Id(id) if existing.contains(id) => {
                ids.insert(p.event.clone(), *id);
            }
            EventRef::Id(_) => {
                if let Some(r) = row_of(p.row) {
                    errors.push(r.error(EVENT, msg!("import-no-such-event")));
                }
            }
            EventRef::New(title, day, category, item) => {
                if ids.contains_key(&p.event) {
                    continue;
                }
                // the importer's branch organises it; an administrator's import, the
                // volunteer's branch
                let organiser = match caller.branch_id {
                    Some(b) => b,
                    None => volunteers::table
                        .find(p.volunteer)
                        .select(volunteers::branch_id)
                        .first::<i64>(conn)?,
                };
                let starts = crate::events::fields::local_midnight(*day, cfg.utc_offset);
                let ends = starts + chrono::Duration::days(1);
                let found: Option<i64> = events::table
                    .filter(events::title.eq(title))
                    .filter(events::category.eq(category))
                    .filter(events::organiser_branch_id.eq(organiser))
                    .filter(events::starts_at.eq(starts))
                    .filter(events::status.ne("cancelled"))
                    .select(events::id)
                    .first(conn)
                    .optional()?;
                let id = match found {
                    Some(id) => id,
                    None => {
                        let mut e = crate::validate::Errors::default();
                        e.text("/title", title, 1, 200);
                        if let (Some(fe), Some(r)) = (e.0.into_iter().next(), row_of(p.row)) {
                            errors.push(r.error(TITLE, fe.detail));
                            continue;
                        }
                        summary.events_created += 1;
                        create_event(
                            conn,
                            caller.user_id,
                            title,
                            category,
                            organiser,
                            starts,
                            ends,
                            *item,
                        )?
                    }
                };
                ids.insert(p.event.clone(), id);
            }
        }
    }
    Ok(ids)
}

#[allow(clippy::too_many_arguments)]
fn create_event(
    conn: &mut DbConn,
    actor: i64,
    title: &str,
    category: &str,
    organiser: i64,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    item: i64,
) -> AppResult<i64> {
    use crate::events::model::{self as emodel, NewEvent};
    let now = db::now();
    let new = NewEvent {
        title,
        description: None,
        category,
        organiser_branch_id: organiser,
        place: None,
        starts_at: starts,
        ends_at: ends,
        status: "completed",
        capacity: None,
        created_by: Some(actor),
        created_at: now,
        updated_at: now,
        search_text: emodel::search_text(title, None),
        signup_mode: "none",
        signup_opens_at: None,
        signup_closes_at: None,
        signup_scope: "subtree",
    };
    let id: i64 = crate::db_run!(conn, |c| diesel::insert_into(events::table)
        .values(&new)
        .returning(events::id)
        .get_result(c))?;
    emodel::replace_items(conn, id, &[item])?;
    let row = emodel::find(conn, id)?;
    let body = crate::events::fields::body_of(conn, row)?;
    audit::log_created(conn, actor, audit::Entity::Event, &[body], |b| b.id)?;
    Ok(id)
}

/// The row errors of a refused entry.
fn refusal(
    e: AppError,
    r: &Row<'_>,
    layout: &Layout,
    made: &HashMap<i64, usize>,
) -> AppResult<Vec<RowError>> {
    Ok(match e {
        AppError::Validation(list) => list
            .into_iter()
            .map(|fe| match column_of_pointer(&fe.pointer, layout) {
                Some(k) => r.error(k, fe.detail),
                None => r.row_error(fe.detail),
            })
            .collect(),
        AppError::EntriesConflict {
            detail, entry_ids, ..
        } => {
            // entries of this file are named by their rows: their ids go with the rollback
            let mut rows: Vec<String> = entry_ids
                .iter()
                .filter_map(|id| made.get(id))
                .map(usize::to_string)
                .collect();
            rows.dedup();
            if rows.is_empty() {
                vec![r.row_error(detail)]
            } else {
                vec![r.row_error(msg!("import-conflicts-rows", rows = rows.join(", ")))]
            }
        }
        AppError::Conflict(m) => vec![r.row_error(m)],
        AppError::NotFound => vec![r.error(EVENT, msg!("import-no-such-event"))],
        other => return Err(other),
    })
}

/// Checks every row and, when all are good, writes them in the caller's transaction.
pub fn import(
    conn: &mut DbConn,
    caller: &Principal,
    scope: &Scope,
    cfg: &HoursConfig,
    sheet: &Sheet,
    layout: &Layout,
    opts: &Options<'_>,
) -> AppResult<(ImportSummary, Vec<RowError>)> {
    let rows = columns::rows(sheet, layout, &COLUMNS);
    let mut summary = ImportSummary::of(rows.len(), &layout.ignored);
    let people = people(conn, &rows)?;
    let items = if opts.create_events {
        plan_item_ids(conn)?
    } else {
        HashMap::new()
    };
    let mut errors = Vec::new();
    let mut parsed: Vec<Parsed> = rows
        .iter()
        .filter_map(|r| {
            parse(
                r,
                &people,
                &items,
                opts.create_events,
                cfg.utc_offset,
                &mut errors,
            )
        })
        .collect();
    // one entry per volunteer, event and day, within the file too
    let mut seen: HashMap<(i64, i64, NaiveDate), usize> = HashMap::new();
    let row_at: HashMap<usize, &Row<'_>> = rows.iter().map(|r| (r.number, r)).collect();
    let events = events_of(
        conn,
        caller,
        cfg,
        &parsed,
        &row_at,
        &mut errors,
        &mut summary,
    )?;
    parsed.retain(|p| {
        let Some(event) = events.get(&p.event) else {
            return false;
        };
        let Some(day) = p.entry.service_date else {
            return false;
        };
        match seen.insert((p.volunteer, *event, day), p.row) {
            Some(first) => {
                if let Some(r) = row_at.get(&p.row) {
                    errors.push(r.row_error(msg!("import-duplicate-row", row = first)));
                }
                false
            }
            None => true,
        }
    });

    // rosters per event, in the file's order, of at most a roster's size
    let mut groups: Vec<(i64, Vec<&Parsed>)> = Vec::new();
    let mut open: HashMap<i64, usize> = HashMap::new();
    for p in &parsed {
        let event = events.get(&p.event).copied().unwrap_or_default();
        match open.get(&event) {
            Some(&g) if groups[g].1.len() < crate::hours::submit::MAX_ROSTER => groups[g].1.push(p),
            _ => {
                open.insert(event, groups.len());
                groups.push((event, vec![p]));
            }
        }
    }
    let record = |conn: &mut DbConn, event: i64, entries: &[EntryInput], roster: bool| {
        conn.transaction(|c| {
            crate::hours::submit::record(
                c,
                cfg,
                caller.user_id,
                scope,
                EventId(event),
                entries,
                roster,
                EntrySource::Imported,
            )
        })
    };
    let mut made: HashMap<i64, usize> = HashMap::new();
    let mut stored: Vec<HourRow> = Vec::new();
    for (event, group) in &groups {
        let entries: Vec<EntryInput> = group.iter().map(|p| p.entry.clone()).collect();
        match record(conn, *event, &entries, true) {
            Ok(rows) => {
                for (row, p) in rows.iter().zip(group) {
                    made.insert(row.id.get(), p.row);
                }
                stored.extend(rows);
            }
            Err(AppError::Unavailable {
                detail,
                retry_after_secs,
            }) => {
                return Err(AppError::Unavailable {
                    detail,
                    retry_after_secs,
                })
            }
            Err(AppError::Internal(e)) => return Err(AppError::Internal(e)),
            Err(_) => {
                // named row by row
                for p in group {
                    match record(conn, *event, std::slice::from_ref(&p.entry), false) {
                        Ok(rows) => {
                            for row in &rows {
                                made.insert(row.id.get(), p.row);
                            }
                            stored.extend(rows);
                        }
                        Err(e) => {
                            if let Some(r) = row_at.get(&p.row) {
                                errors.extend(refusal(e, r, layout, &made)?);
                            }
                        }
                    }
                }
            }
        }
    }
    summary.created = stored.len();
    errors.sort_by_key(|e| e.row);
    if !errors.is_empty() {
        return Ok((summary, errors));
    }
    if let Some(reason) = opts.approve {
        for row in &stored {
            let approved = crate::hours::model::set_status(
                conn,
                row,
                HourStatus::Approved,
                Some((UserId(caller.user_id), None)),
            )?;
            if !approved {
                return Err(AppError::internal(
                    "an imported entry changed while importing",
                ));
            }
            let after = crate::hours::model::find(conn, row.id)?;
            audit::log_with_reason(
                conn,
                caller.user_id,
                audit::Action::Approve,
                audit::Entity::HourEntry,
                row.id.get(),
                Some(row),
                Some(&after),
                Some(reason),
            )?;
        }
        summary.approved = stored.len();
    }
    Ok((summary, errors))
}

/// `approve=true` is for administrators, with a reason.
pub fn approve_problem(admin: bool, reason: Option<&str>) -> Option<AppError> {
    if !admin {
        return Some(AppError::Forbidden(msg!("import-approve-admins")));
    }
    let invalid = |detail: Msg| {
        Some(AppError::InvalidParameter(vec![
            crate::error::FieldError::new("reason", detail),
        ]))
    };
    match reason {
        None => invalid(msg!("import-approve-reason")),
        Some(r) if r.trim() != r || r.is_empty() || r.chars().count() > 500 => {
            invalid(msg!("text-length", min = 1, max = 500))
        }
        Some(_) => None,
    }
}
