//! Hours: submission (one entry or a roster, idempotent), review, corrections, history.

use std::collections::{HashMap, HashSet};

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use diesel::prelude::*;

use super::dto::*;
use super::model::{self as model, HourRow, NewHourEntry, LIVE};
use super::rules::Interval;
use crate::audit;
use crate::audit::handlers::AuditItem;
use crate::auth::{AnyRole, Auth, Principal, Role, Scope, Writers};
use crate::config::HoursConfig;
use crate::db::schema::{audit_log, event_plan_items, hour_entries};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::events::model::EventRow;
use crate::http::{etag, paging, ApiJson, IfMatch, Page};
use crate::idempotency;
use crate::validate::Errors;
use crate::AppState;

/// The most entries one submission may carry.
pub const MAX_ROSTER: usize = 500;
/// The most minutes a volunteer can serve on one day.
pub const DAY_MINUTES: i64 = 24 * 60;

fn local_date(t: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    t.with_timezone(&offset).date_naive()
}

fn parse_submission(value: &serde_json::Value) -> AppResult<(Vec<EntryInput>, bool)> {
    use crate::http::from_value as de;
    if value.get("entries").is_some() {
        let roster: Roster = de(value)?;
        if roster.entries.is_empty() || roster.entries.len() > MAX_ROSTER {
            return Err(AppError::validation(
                "/entries",
                format!("a roster holds 1 to {MAX_ROSTER} entries"),
            ));
        }
        Ok((roster.entries, true))
    } else {
        Ok((vec![de::<EntryInput>(value)?], false))
    }
}

/// An entry's time, resolved and checked against the event.
struct Timing {
    minutes: i32,
    date: NaiveDate,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
}

impl Timing {
    /// The clock time served, where the entry gives it.
    fn interval(&self) -> Option<Interval> {
        Interval::new(self.started_at?, self.ended_at?)
    }
}

/// One person, one place at a time: the live timed entries of other events or days that
/// the new `spans` (pointer, volunteer, interval) overlap, as a 409 naming them.
fn refuse_overlaps(
    conn: &mut DbConn,
    spans: &[(String, i64, Interval)],
    except: Option<i64>,
) -> AppResult<()> {
    let (Some(from), Some(to)) = (
        spans.iter().map(|s| s.2.start).min(),
        spans.iter().map(|s| s.2.end).max(),
    ) else {
        return Ok(());
    };
    let mut volunteers: Vec<i64> = spans.iter().map(|s| s.1).collect();
    volunteers.sort_unstable();
    volunteers.dedup();
    let stored = model::timed_between(conn, &volunteers, from.naive_utc(), to.naive_utc(), except)?;
    let mut clashing = Vec::new();
    let mut at = Vec::new();
    for (pointer, volunteer, interval) in spans {
        for (id, other, _, start, end) in &stored {
            let theirs = Interval::new(start.and_utc(), end.and_utc());
            if other == volunteer && theirs.is_some_and(|t| t.overlaps(interval)) {
                clashing.push(*id);
                if !at.contains(pointer) {
                    at.push(pointer.clone());
                }
            }
        }
    }
    if clashing.is_empty() {
        return Ok(());
    }
    let what = if at.iter().all(String::is_empty) {
        "the service overlaps".to_owned()
    } else {
        format!("{} overlap", at.join(", "))
    };
    Err(AppError::entries_conflict(
        format!(
            "{what} the volunteer's other recorded service (one person is in one place at a time)"
        ),
        clashing,
    ))
}

#[allow(clippy::too_many_arguments)]
fn timing(
    e: &mut Errors,
    at: &str,
    minutes: Option<i32>,
    date: Option<NaiveDate>,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    event: &EventRow,
    cfg: &HoursConfig,
) -> Option<Timing> {
    let tolerance = chrono::Duration::from_std(cfg.window_tolerance).unwrap_or_default();
    let (ev_start, ev_end) = (event.starts_at.and_utc(), event.ends_at.and_utc());
    let minutes = match (started_at, ended_at) {
        (Some(s), Some(t)) => {
            if t <= s {
                e.add(format!("{at}/ended_at"), "must be after started_at");
                return None;
            }
            if s < ev_start - tolerance || t > ev_end + tolerance {
                e.add(
                    format!("{at}/started_at"),
                    "service must fall within the event's time (with the configured tolerance)",
                );
            }
            let span = (t - s).num_minutes();
            match minutes {
                Some(m) if i64::from(m) != span => {
                    e.add(
                        format!("{at}/minutes"),
                        format!("does not match started_at to ended_at ({span} minutes)"),
                    );
                    return None;
                }
                _ => span,
            }
        }
        (None, None) => match minutes {
            Some(m) => {
                let window = (ev_end - ev_start + tolerance * 2).num_minutes();
                if i64::from(m) > window && (1..=DAY_MINUTES).contains(&i64::from(m)) {
                    e.add(
                        format!("{at}/minutes"),
                        format!("longer than the event ({window} minutes with tolerance)"),
                    );
                }
                i64::from(m)
            }
            None => {
                e.add(
                    format!("{at}/minutes"),
                    "give minutes, or started_at and ended_at",
                );
                return None;
            }
        },
        _ => {
            e.add(
                format!("{at}/ended_at"),
                "started_at and ended_at go together",
            );
            return None;
        }
    };
    if !(1..=DAY_MINUTES).contains(&minutes) {
        e.add(format!("{at}/minutes"), "must be between 1 and 1440");
        return None;
    }
    let offset = cfg.utc_offset;
    let date = date
        .or(started_at.map(|s| local_date(s, offset)))
        .unwrap_or_else(|| local_date(ev_start, offset));
    let (first, last) = (
        local_date(ev_start - tolerance, offset),
        local_date(ev_end + tolerance, offset),
    );
    if date < first || date > last {
        e.add(
            format!("{at}/service_date"),
            format!("must fall within the event ({first} to {last})"),
        );
    }
    Some(Timing {
        minutes: minutes as i32,
        date,
        started_at,
        ended_at,
    })
}

fn live_duplicate(
    conn: &mut DbConn,
    volunteer: i64,
    event: i64,
    date: NaiveDate,
    except: Option<i64>,
) -> QueryResult<Option<i64>> {
    hour_entries::table
        .filter(hour_entries::volunteer_id.eq(volunteer))
        .filter(hour_entries::event_id.eq(event))
        .filter(hour_entries::service_date.eq(date))
        .filter(hour_entries::corrects_id.is_null())
        .filter(hour_entries::status.eq_any(LIVE))
        .filter(hour_entries::id.ne(except.unwrap_or(-1)))
        .select(hour_entries::id)
        .first(conn)
        .optional()
}

fn submit(
    conn: &mut DbConn,
    cfg: &HoursConfig,
    caller: &Principal,
    event_id: i64,
    entries: &[EntryInput],
    roster: bool,
) -> AppResult<Vec<HourRow>> {
    let at = |i: usize| {
        if roster {
            format!("/entries/{i}")
        } else {
            String::new()
        }
    };
    let event = crate::events::model::find_locked(conn, event_id, false)?;
    if event.status == "cancelled" {
        return Err(AppError::Conflict("the event is cancelled".into()));
    }
    let scope = caller.scope(conn)?;
    let ids: Vec<i64> = entries.iter().map(|e| e.volunteer_id).collect();
    let people: HashMap<i64, (i64, String)> = model::lock_and_load_volunteers(conn, &ids)?
        .into_iter()
        .map(|(id, b, s)| (id, (b, s)))
        .collect();

    let mut e = Errors::default();
    let mut resolved = Vec::with_capacity(entries.len());
    let mut seen = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let p = at(i);
        match people.get(&entry.volunteer_id) {
            Some((branch, _)) if !scope.has_branch(*branch) => e.add(
                format!("{p}/volunteer_id"),
                "no such volunteer in your scope",
            ),
            None => e.add(
                format!("{p}/volunteer_id"),
                "no such volunteer in your scope",
            ),
            Some((_, status)) if status != "active" => e.add(
                format!("{p}/volunteer_id"),
                format!("the volunteer is {status}"),
            ),
            Some(_) => {}
        }
        e.opt_text(&format!("{p}/role"), entry.role.as_deref(), 50);
        e.opt_text(&format!("{p}/note"), entry.note.as_deref(), 500);
        let t = timing(
            &mut e,
            &p,
            entry.minutes,
            entry.service_date,
            entry.started_at,
            entry.ended_at,
            &event,
            cfg,
        );
        if let Some(t) = &t {
            if !seen.insert((entry.volunteer_id, t.date)) {
                e.add(
                    p.clone(),
                    "the same volunteer and day appear twice in this roster",
                );
            }
        }
        resolved.push(t);
    }
    // one person, one place: two entries of one volunteer in this roster whose times overlap
    let spans: Vec<(i64, Option<Interval>)> = entries
        .iter()
        .zip(&resolved)
        .map(|(entry, t)| (entry.volunteer_id, t.as_ref().and_then(Timing::interval)))
        .collect();
    for (i, j) in super::rules::overlapping_pairs(&spans) {
        for (this, other) in [(i, j), (j, i)] {
            e.add(
                format!("{}/started_at", at(this)),
                format!(
                    "overlaps {} of the same volunteer: one person is in one place at a time",
                    at(other)
                ),
            );
        }
    }
    e.into_result()?;
    let resolved: Vec<Timing> = resolved.into_iter().flatten().collect();

    // the live entries of these volunteers on these days, in one query: for duplicates at
    // this event and for the daily cap
    let days: Vec<NaiveDate> = resolved.iter().map(|t| t.date).collect();
    let live = model::live_on_days(conn, &ids, &days)?;
    let stored: HashMap<(i64, NaiveDate), i64> = live
        .iter()
        .filter(|l| l.event_id == event_id && l.corrects_id.is_none())
        .map(|l| ((l.volunteer_id, l.service_date), l.id))
        .collect();
    for (i, (entry, t)) in entries.iter().zip(&resolved).enumerate() {
        if let Some(existing) = stored.get(&(entry.volunteer_id, t.date)) {
            return Err(AppError::Conflict(format!(
                "entry {} duplicates hour entry {existing} (volunteer {} at this event on {}); correct that entry instead",
                if roster { format!("/entries/{i}") } else { "of this request".into() },
                entry.volunteer_id,
                t.date
            )));
        }
    }

    let timed: Vec<(String, i64, Interval)> = entries
        .iter()
        .zip(&resolved)
        .enumerate()
        .filter_map(|(i, (entry, t))| Some((at(i), entry.volunteer_id, t.interval()?)))
        .collect();
    refuse_overlaps(conn, &timed, None)?;

    // at most 24 hours a day per volunteer, counting what is already recorded
    let mut e = Errors::default();
    let mut per_day: HashMap<(i64, NaiveDate), i64> = HashMap::new();
    for (entry, t) in entries.iter().zip(&resolved) {
        *per_day.entry((entry.volunteer_id, t.date)).or_default() += i64::from(t.minutes);
    }
    let mut recorded: HashMap<(i64, NaiveDate), i64> = HashMap::new();
    for l in &live {
        *recorded
            .entry((l.volunteer_id, l.service_date))
            .or_default() += i64::from(l.minutes);
    }
    let mut over = HashSet::new();
    for ((volunteer, day), new) in &per_day {
        let total = recorded.get(&(*volunteer, *day)).copied().unwrap_or(0) + new;
        if total > DAY_MINUTES {
            over.insert((*volunteer, *day, total));
        }
    }
    for (i, (entry, t)) in entries.iter().zip(&resolved).enumerate() {
        if let Some((_, _, total)) = over
            .iter()
            .find(|(v, d, _)| *v == entry.volunteer_id && *d == t.date)
        {
            e.add(
                format!("{}/minutes", at(i)),
                format!(
                    "the volunteer would have {total} minutes on {}; at most 1440 a day",
                    t.date
                ),
            );
        }
    }
    e.into_result()?;

    let now = db::now();
    let mut news = Vec::with_capacity(entries.len());
    for (entry, t) in entries.iter().zip(&resolved) {
        let branch_id = people
            .get(&entry.volunteer_id)
            .map(|p| p.0)
            .ok_or(AppError::NotFound)?;
        news.push(NewHourEntry {
            volunteer_id: entry.volunteer_id,
            event_id,
            branch_id,
            minutes: t.minutes,
            service_date: t.date,
            started_at: t.started_at.map(|s| s.naive_utc()),
            ended_at: t.ended_at.map(|s| s.naive_utc()),
            role: entry.role.as_deref(),
            note: entry.note.as_deref(),
            status: "submitted",
            corrects_id: None,
            submitted_by: Some(caller.user_id),
            reviewed_by: None,
            reviewed_at: None,
            reason: None,
            created_at: now,
            updated_at: now,
        });
    }
    // one statement on PostgreSQL; SQLite, in process, takes them one by one
    let mut rows: Vec<HourRow> = match conn {
        DbConn::Pg(c) => model::PgRosterInsert::new(&news)
            .ok_or_else(|| AppError::internal("a roster's entries differ in shared fields"))?
            .get_results(c)?,
        DbConn::Sqlite(c) => news
            .iter()
            .map(|new| {
                diesel::insert_into(hour_entries::table)
                    .values(new)
                    .returning(HourRow::as_returning())
                    .get_result(c)
            })
            .collect::<QueryResult<_>>()?,
    };
    // in the order submitted (volunteer and day are unique within a roster)
    let order: HashMap<(i64, NaiveDate), usize> = news
        .iter()
        .enumerate()
        .map(|(i, n)| ((n.volunteer_id, n.service_date), i))
        .collect();
    rows.sort_by_key(|r| order.get(&(r.volunteer_id, r.service_date)).copied());
    audit::log_created(conn, caller.user_id, "hour_entry", &rows, |r| r.id)?;
    Ok(rows)
}

/// Record hours served at an event: one entry, or a roster of up to 500 written all or
/// none.
///
/// Needs an `Idempotency-Key` header: a fresh random value per submission, sent again
/// unchanged on every retry of it. A retry gets the first answer back (with
/// `Idempotent-Replayed: true`) and writes nothing; the same key with a different body is
/// refused (422); a retry sent while the first is still running waits for it and gets its
/// answer. Keys are kept 24 hours.
///
/// Rules: minutes 1-1440 (or `started_at`/`ended_at`), within the event's time; at most 24
/// hours a day per volunteer across all entries; the volunteer active and in the caller's
/// scope; the event not cancelled; one entry per volunteer, event and day (409 names the
/// existing one: correct it instead). Only time actually serving counts, not travel.
/// Entries start as `submitted`.
#[utoipa::path(
    tag = "hours",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("Idempotency-Key" = String, Header, description = "Fresh per submission, the same on its retries; 1-255 visible ASCII"),
    ),
    request_body(content = Submission, description = "`{\"entries\": [...]}`, or one entry"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded (or the first answer, replayed)", body = SubmissionResponse,
         headers(("Location" = String, description = "Where to list the event's hours"))),
        (status = 400, description = "No Idempotency-Key, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "HR and volunteers cannot submit hours", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An entry exists for a volunteer on that day, the event is cancelled, or the key is in use", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid entries, each named by pointer (e.g. /entries/3/minutes); or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/events/{id}/hours")]
pub async fn submit_hours(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let key = idempotency::key_of(&req, true)?;
    let event_id = id.into_inner();
    let value = body.0;
    let (entries, roster) = parse_submission(&value)?;
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    let who = caller.clone();
    idempotency::once(
        &state,
        &req,
        caller.user_id,
        key,
        &value,
        move |conn, lease| {
            let rows = submit(conn, &cfg, &who, event_id, &entries, roster)?;
            let body = SubmissionResponse {
                event_id,
                entries: rows.into_iter().map(HourEntryResponse::from).collect(),
            };
            idempotency::finish(
                conn,
                lease,
                format!("/api/v1/hours?event_id={event_id}"),
                None,
                &body,
            )
        },
    )
    .await
}

type Boxed<'a> = hour_entries::BoxedQuery<'a, crate::db::MultiBackend>;

fn scoped<'a>(q: Boxed<'a>, scope: &Scope) -> Boxed<'a> {
    match scope {
        Scope::All => q,
        Scope::Branches(ids) => q.filter(hour_entries::branch_id.eq_any(ids.clone())),
        Scope::Volunteer(v) => q.filter(hour_entries::volunteer_id.eq(v.unwrap_or(-1))),
    }
}

fn find_in_scope(conn: &mut DbConn, scope: &Scope, id: i64) -> AppResult<HourRow> {
    Ok(scoped(hour_entries::table.into_boxed(), scope)
        .filter(hour_entries::id.eq(id))
        .select(HourRow::as_select())
        .first(conn)?)
}

/// List hour entries in the caller's scope, newest service first.
#[utoipa::path(
    tag = "hours",
    params(HourQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of entries", body = Page<HourEntryResponse>),
    )
)]
#[get("/hours")]
pub async fn list_hours(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<HourQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, offset, page) = paging(q.limit, q.page)?;
    let caller = caller.0;
    let page_body = db::run(&state.pool, move |conn| {
        let scope = caller.scope(conn)?;
        let under = match q.branch_id {
            Some(b) => Some(crate::branches::model::subtree(conn, b)?),
            None => None,
        };
        let filtered = || {
            let mut f = scoped(hour_entries::table.into_boxed(), &scope);
            if let Some(ids) = &under {
                f = f.filter(hour_entries::branch_id.eq_any(ids.clone()));
            }
            if let Some(v) = q.volunteer_id {
                f = f.filter(hour_entries::volunteer_id.eq(v));
            }
            if let Some(ev) = q.event_id {
                f = f.filter(hour_entries::event_id.eq(ev));
            }
            if let Some(item) = q.plan_item_id {
                f = f.filter(
                    hour_entries::event_id.eq_any(
                        event_plan_items::table
                            .filter(event_plan_items::plan_item_id.eq(item))
                            .select(event_plan_items::event_id),
                    ),
                );
            }
            if let Some(s) = q.status {
                f = f.filter(hour_entries::status.eq(s.as_str()));
            }
            if let Some(from) = q.from {
                f = f.filter(hour_entries::service_date.ge(from));
            }
            if let Some(to) = q.to {
                f = f.filter(hour_entries::service_date.le(to));
            }
            f
        };
        let total: i64 = filtered().count().get_result(conn)?;
        let rows: Vec<HourRow> = filtered()
            .order((hour_entries::service_date.desc(), hour_entries::id.desc()))
            .limit(i64::from(limit))
            .offset(offset)
            .select(HourRow::as_select())
            .load(conn)?;
        Ok(Page {
            items: rows.into_iter().map(HourEntryResponse::from).collect(),
            total,
            page,
            limit,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page_body))
}

/// One hour entry.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The entry", body = HourEntryResponse, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such entry in the caller's scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hours/{id}")]
pub async fn get_hours(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    let row = db::run(&state.pool, move |conn| {
        let scope = caller.scope(conn)?;
        find_in_scope(conn, &scope, id)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(HourEntryResponse::from(row)))
}

/// May `caller` review `entry`? Nobody reviews what it submitted itself unless
/// REVIEW_OWN_SUBMISSIONS is on; administrators may review the rest; with
/// PARENT_SECRETARY_REVIEWS, so may a secretary of a branch above the entry's, never for its
/// own submissions.
fn may_review(
    cfg: &HoursConfig,
    caller: &Principal,
    scope: &Scope,
    entry: &HourRow,
) -> AppResult<()> {
    if !scope.has_branch(entry.branch_id) {
        return Err(AppError::NotFound);
    }
    if !cfg.review_own_submissions && entry.submitted_by == Some(caller.user_id) {
        return Err(AppError::Forbidden(format!(
            "entry {} was submitted by you: another reviewer approves or rejects it (four eyes; REVIEW_OWN_SUBMISSIONS is off)",
            entry.id
        )));
    }
    match caller.role {
        Role::Admin => Ok(()),
        Role::Secretary
            if cfg.parent_secretary_reviews
                && caller.branch_id != Some(entry.branch_id)
                && entry.submitted_by != Some(caller.user_id) =>
        {
            Ok(())
        }
        _ => Err(AppError::Forbidden("only an administrator (or, if enabled, a secretary of a parent branch) reviews hours, and never their own submissions".into())),
    }
}

fn review_one(
    conn: &mut DbConn,
    cfg: &HoursConfig,
    caller: &Principal,
    scope: &Scope,
    id: i64,
    action: ReviewAction,
    reason: Option<&str>,
) -> AppResult<HourRow> {
    let entry = find_in_scope(conn, scope, id)?;
    may_review(cfg, caller, scope, &entry)?;
    if entry.status != "submitted" {
        return Err(AppError::Conflict(format!(
            "entry {id} is {}, not awaiting review",
            entry.status
        )));
    }
    if action == ReviewAction::Approve {
        let event = crate::events::model::find_locked(conn, entry.event_id, false)?;
        if event.status == "cancelled" {
            return Err(AppError::Conflict(format!(
                "event {} is cancelled: entry {id} can only be rejected or withdrawn",
                event.id
            )));
        }
        if let Some(original) = entry.corrects_id {
            let original = model::find(conn, original)?;
            let net = model::net_minutes(conn, &original, false)? + i64::from(entry.minutes);
            if !(0..=DAY_MINUTES).contains(&net) {
                return Err(AppError::Conflict(format!(
                    "approving would leave entry {} at {net} minutes",
                    original.id
                )));
            }
            model::lock_volunteers(conn, &[entry.volunteer_id])?;
            let day =
                model::day_total(conn, entry.volunteer_id, entry.service_date, Some(entry.id))?
                    + i64::from(entry.minutes);
            if day > DAY_MINUTES {
                return Err(AppError::Conflict(format!(
                    "approving would give the volunteer {day} minutes on {}",
                    entry.service_date
                )));
            }
        }
    }
    let now = db::now();
    let (status, verb) = match action {
        ReviewAction::Approve => ("approved", "approve"),
        ReviewAction::Reject => ("rejected", "reject"),
    };
    let updated = diesel::update(
        hour_entries::table
            .find(id)
            .filter(hour_entries::version.eq(entry.version)),
    )
    .set((
        hour_entries::status.eq(status),
        hour_entries::reviewed_by.eq(caller.user_id),
        hour_entries::reviewed_at.eq(now),
        hour_entries::reason.eq(reason),
        hour_entries::version.eq(entry.version + 1),
        hour_entries::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(AppError::Conflict(format!(
            "entry {id} changed meanwhile; reload it"
        )));
    }
    let after = model::find(conn, id)?;
    audit::log_with_reason(
        conn,
        caller.user_id,
        verb,
        "hour_entry",
        id,
        Some(&entry),
        Some(&after),
        reason,
    )?;
    Ok(after)
}

fn check_reason(reason: Option<&str>, required: bool) -> AppResult<()> {
    let mut e = Errors::default();
    match reason {
        Some(r) => e.text("/reason", r, 1, 500),
        None if required => e.add("/reason", "a rejection needs a reason"),
        None => {}
    }
    e.into_result()
}

async fn review(
    state: web::Data<AppState>,
    caller: Principal,
    id: i64,
    action: ReviewAction,
    reason: Option<String>,
) -> AppResult<HttpResponse> {
    let cfg = state.config.hours.clone();
    let row = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let scope = caller.scope(conn)?;
            review_one(conn, &cfg, &caller, &scope, id, action, reason.as_deref())
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(HourEntryResponse::from(row)))
}

/// Approve a submitted entry (or correction): it counts in totals and is locked.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved", body = HourEntryResponse),
        (status = 403, description = "The caller may not review this entry", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not awaiting review", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hours/{id}/approve")]
pub async fn approve_hours(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    review(
        state,
        caller.0,
        id.into_inner(),
        ReviewAction::Approve,
        None,
    )
    .await
}

/// Reject a submitted entry, with a reason.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id")),
    request_body = Rejection,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rejected", body = HourEntryResponse),
        (status = 403, description = "The caller may not review this entry", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not awaiting review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hours/{id}/reject")]
pub async fn reject_hours(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    body: ApiJson<Rejection>,
) -> AppResult<HttpResponse> {
    let reason = body.0.reason;
    check_reason(Some(&reason), true)?;
    review(
        state,
        caller.0,
        id.into_inner(),
        ReviewAction::Reject,
        Some(reason),
    )
    .await
}

/// Approve or reject many entries: all or none. Every refused id is listed (`/ids/N`).
#[utoipa::path(
    tag = "hours",
    request_body = BulkReview,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All reviewed", body = ReviewResponse),
        (status = 403, description = "HR and volunteers cannot review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Some ids cannot be reviewed; nothing changed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hours/review")]
pub async fn review_many(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    body: ApiJson<BulkReview>,
) -> AppResult<HttpResponse> {
    let BulkReview {
        action,
        ids,
        reason,
    } = body.0;
    if ids.is_empty() || ids.len() > MAX_ROSTER {
        return Err(AppError::validation(
            "/ids",
            format!("1 to {MAX_ROSTER} ids"),
        ));
    }
    check_reason(reason.as_deref(), action == ReviewAction::Reject)?;
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    if caller.role == Role::Secretary && !cfg.parent_secretary_reviews {
        return Err(AppError::Forbidden(
            "only an administrator reviews hours".into(),
        ));
    }
    let rows = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let scope = caller.scope(conn)?;
            let mut errors = Vec::new();
            let mut rows = Vec::new();
            let mut seen = HashSet::new();
            for (i, id) in ids.iter().enumerate() {
                if !seen.insert(*id) {
                    errors.push(FieldError::new(format!("/ids/{i}"), "appears twice"));
                    continue;
                }
                match review_one(conn, &cfg, &caller, &scope, *id, action, reason.as_deref()) {
                    Ok(row) => rows.push(row),
                    Err(e @ AppError::Internal(_) | e @ AppError::Unavailable { .. }) => {
                        return Err(e)
                    }
                    Err(e) => errors.push(FieldError::new(format!("/ids/{i}"), e.problem().detail)),
                }
            }
            if errors.is_empty() {
                Ok(rows)
            } else {
                Err(AppError::Validation(errors))
            }
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(ReviewResponse {
        entries: rows.into_iter().map(HourEntryResponse::from).collect(),
    }))
}

/// Correct an approved entry: signed minutes and a reason, itself submitted for review.
/// Totals count the entry plus its approved corrections.
#[utoipa::path(
    tag = "hours",
    params(
        ("id" = i64, Path, description = "The approved entry"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional; a retry with the same key is answered from the first"),
    ),
    request_body = CorrectionInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The correction, awaiting review", body = HourEntryResponse,
         headers(("Location" = String, description = "URL of the correction"))),
        (status = 403, description = "HR and volunteers cannot correct", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Only approved original entries are corrected", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid minutes or reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/hours/{id}/corrections")]
pub async fn correct_hours(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let key = idempotency::key_of(&req, false)?;
    let value = body.0;
    let input: CorrectionInput = crate::http::from_value(&value)?;
    let mut e = Errors::default();
    if input.minutes == 0 || !(-1440..=1440).contains(&input.minutes) {
        e.add("/minutes", "must be non-zero, between -1440 and 1440");
    }
    e.text("/reason", &input.reason, 1, 500);
    e.into_result()?;
    let id = id.into_inner();
    let caller = caller.0;
    let who = caller.clone();
    idempotency::once(
        &state,
        &req,
        caller.user_id,
        key,
        &value,
        move |conn, lease| {
            let scope = who.scope(conn)?;
            let original = find_in_scope(conn, &scope, id)?;
            model::lock_volunteers(conn, &[original.volunteer_id])?;
            if original.status != "approved" || original.corrects_id.is_some() {
                return Err(AppError::Conflict(
                    "only an approved original entry can be corrected".into(),
                ));
            }
            let event = crate::events::model::find_locked(conn, original.event_id, false)?;
            if event.status == "cancelled" {
                return Err(AppError::Conflict(format!(
                    "event {} is cancelled: nothing more at it is approved, so it takes no corrections",
                    event.id
                )));
            }
            let net = model::net_minutes(conn, &original, true)? + i64::from(input.minutes);
            if !(0..=DAY_MINUTES).contains(&net) {
                return Err(AppError::validation(
                    "/minutes",
                    format!("would leave the entry at {net} minutes"),
                ));
            }
            let day = model::day_total(conn, original.volunteer_id, original.service_date, None)?
                + i64::from(input.minutes);
            if day > DAY_MINUTES {
                return Err(AppError::validation(
                    "/minutes",
                    format!(
                        "the volunteer would have {day} minutes on {}",
                        original.service_date
                    ),
                ));
            }
            let now = db::now();
            let new = NewHourEntry {
                volunteer_id: original.volunteer_id,
                event_id: original.event_id,
                branch_id: original.branch_id,
                minutes: input.minutes,
                service_date: original.service_date,
                started_at: None,
                ended_at: None,
                role: None,
                note: Some(&input.reason),
                status: "submitted",
                corrects_id: Some(original.id),
                submitted_by: Some(who.user_id),
                reviewed_by: None,
                reviewed_at: None,
                reason: None,
                created_at: now,
                updated_at: now,
            };
            let row: HourRow = crate::db_run!(conn, |c| diesel::insert_into(hour_entries::table)
                .values(&new)
                .returning(HourRow::as_returning())
                .get_result(c))?;
            audit::log_with_reason(
                conn,
                who.user_id,
                "correct",
                "hour_entry",
                row.id,
                audit::NOTHING,
                Some(&row),
                Some(&input.reason),
            )?;
            let location = format!("/api/v1/hours/{}", row.id);
            let tag = etag(row.version);
            idempotency::finish(
                conn,
                lease,
                location,
                Some(tag),
                &HourEntryResponse::from(row),
            )
        },
    )
    .await
}

/// The entry if the caller submitted it (or is an administrator) and it awaits review.
fn find_editable(
    conn: &mut DbConn,
    caller: &Principal,
    id: i64,
    if_match: &IfMatch,
) -> AppResult<HourRow> {
    let scope = caller.scope(conn)?;
    let entry = find_in_scope(conn, &scope, id)?;
    if caller.role != Role::Admin && entry.submitted_by != Some(caller.user_id) {
        return Err(AppError::Forbidden(
            "only the submitter (or an administrator) changes an unreviewed entry".into(),
        ));
    }
    // a locked entry says so whatever the precondition
    match entry.status.as_str() {
        "submitted" => {}
        "approved" => {
            return Err(AppError::Conflict(
                "approved entries are locked: post a correction".into(),
            ))
        }
        other => return Err(AppError::Conflict(format!("the entry is {other}"))),
    }
    if_match.check(entry.version)?;
    Ok(entry)
}

/// Edit a submitted entry before review (its submitter, with If-Match).
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id"), ("If-Match" = String, Header, description = "The entry's ETag")),
    request_body = UpdateEntry,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = HourEntryResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not the submitter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Approved (locked), rejected or withdrawn; or a duplicate day", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match header", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/hours/{id}")]
pub async fn update_hours(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<UpdateEntry>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let change = body.0;
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    let row = db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let before = find_editable(conn, &caller, id, &if_match)?;
            if before.corrects_id.is_some() {
                return Err(AppError::Conflict(
                    "a correction is not edited: withdraw it and post another".into(),
                ));
            }
            model::lock_volunteers(conn, &[before.volunteer_id])?;
            let event = crate::events::model::find_locked(conn, before.event_id, false)?;
            let started = change
                .started_at
                .unwrap_or(before.started_at.map(|t| t.and_utc()));
            let ended = change
                .ended_at
                .unwrap_or(before.ended_at.map(|t| t.and_utc()));
            // new times without new minutes: the minutes follow the times
            let minutes = change.minutes.or(if started.is_some() {
                None
            } else {
                Some(before.minutes)
            });
            let role = change.role.unwrap_or(before.role.clone());
            let note = change.note.unwrap_or(before.note.clone());
            let mut e = Errors::default();
            e.opt_text("/role", role.as_deref(), 50);
            e.opt_text("/note", note.as_deref(), 500);
            let t = timing(
                &mut e,
                "",
                minutes,
                change.service_date.or(Some(before.service_date)),
                started,
                ended,
                &event,
                &cfg,
            );
            e.into_result()?;
            let t = t.ok_or_else(|| AppError::validation("/minutes", "invalid time"))?;
            if let Some(interval) = t.interval() {
                refuse_overlaps(
                    conn,
                    &[(String::new(), before.volunteer_id, interval)],
                    Some(id),
                )?;
            }
            if let Some(existing) =
                live_duplicate(conn, before.volunteer_id, before.event_id, t.date, Some(id))?
            {
                return Err(AppError::Conflict(format!(
                    "hour entry {existing} already records this volunteer at this event on {}",
                    t.date
                )));
            }
            let day = model::day_total(conn, before.volunteer_id, t.date, Some(id))?
                + i64::from(t.minutes);
            if day > DAY_MINUTES {
                return Err(AppError::validation(
                    "/minutes",
                    format!("the volunteer would have {day} minutes on {}", t.date),
                ));
            }
            let updated = diesel::update(
                hour_entries::table
                    .find(id)
                    .filter(hour_entries::version.eq(before.version)),
            )
            .set((
                hour_entries::minutes.eq(t.minutes),
                hour_entries::service_date.eq(t.date),
                hour_entries::started_at.eq(t.started_at.map(|s| s.naive_utc())),
                hour_entries::ended_at.eq(t.ended_at.map(|s| s.naive_utc())),
                hour_entries::role.eq(&role),
                hour_entries::note.eq(&note),
                hour_entries::version.eq(before.version + 1),
                hour_entries::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
            if updated == 0 {
                return Err(AppError::PreconditionFailed);
            }
            let after = model::find(conn, id)?;
            audit::log(
                conn,
                caller.user_id,
                "update",
                "hour_entry",
                id,
                Some(&before),
                Some(&after),
            )?;
            Ok(after)
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(HourEntryResponse::from(row)))
}

/// Withdraw a submitted entry before review (its submitter, with If-Match). The row stays,
/// marked `withdrawn`.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id"), ("If-Match" = String, Header, description = "The entry's ETag")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "Not the submitter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Approved (locked), rejected or already withdrawn", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match header", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/hours/{id}")]
pub async fn withdraw_hours(
    state: web::Data<AppState>,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    db::run(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let before = find_editable(conn, &caller, id, &if_match)?;
            let updated = diesel::update(
                hour_entries::table
                    .find(id)
                    .filter(hour_entries::version.eq(before.version)),
            )
            .set((
                hour_entries::status.eq("withdrawn"),
                hour_entries::version.eq(before.version + 1),
                hour_entries::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
            if updated == 0 {
                return Err(AppError::PreconditionFailed);
            }
            let after = model::find(conn, id)?;
            audit::log(
                conn,
                caller.user_id,
                "withdraw",
                "hour_entry",
                id,
                Some(&before),
                Some(&after),
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every change to an entry and its corrections: who, when, why.
#[utoipa::path(
    tag = "hours",
    params(("id" = i64, Path, description = "Entry id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest first: every change to the entry and its corrections, with actor, time and reason", body = Vec<AuditItem>),
        (status = 404, description = "No such entry in the caller's scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hours/{id}/history")]
pub async fn hours_history(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let caller = caller.0;
    let items = db::run(&state.pool, move |conn| {
        let scope = caller.scope(conn)?;
        let entry = find_in_scope(conn, &scope, id)?;
        let mut ids: Vec<i64> = hour_entries::table
            .filter(hour_entries::corrects_id.eq(entry.id))
            .select(hour_entries::id)
            .load(conn)?;
        ids.push(entry.id);
        let rows: Vec<crate::audit::handlers::Row> = audit_log::table
            .filter(audit_log::entity.eq("hour_entry"))
            .filter(audit_log::entity_id.eq_any(&ids))
            .order((audit_log::occurred_at, audit_log::id))
            .select(crate::audit::handlers::COLUMNS)
            .load(conn)?;
        Ok(rows.into_iter().map(AuditItem::from).collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// The caller's own record as a volunteer: entries, approved total and star level.
#[utoipa::path(
    tag = "hours",
    params(PageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's hours", body = MyHours),
        (status = 404, description = "The account is not linked to a volunteer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/hours")]
pub async fn my_hours(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, offset, page) = paging(q.limit, q.page)?;
    let volunteer = caller.volunteer_id.ok_or(AppError::NotFound)?;
    let thresholds = state.config.hours.star_thresholds_hours;
    let body = db::run(&state.pool, move |conn| {
        let approved: Vec<i32> = hour_entries::table
            .filter(hour_entries::volunteer_id.eq(volunteer))
            .filter(hour_entries::status.eq("approved"))
            .select(hour_entries::minutes)
            .load(conn)?;
        let approved_minutes: i64 = approved.into_iter().map(i64::from).sum();
        let total: i64 = hour_entries::table
            .filter(hour_entries::volunteer_id.eq(volunteer))
            .count()
            .get_result(conn)?;
        let rows: Vec<HourRow> = hour_entries::table
            .filter(hour_entries::volunteer_id.eq(volunteer))
            .order((hour_entries::service_date.desc(), hour_entries::id.desc()))
            .limit(i64::from(limit))
            .offset(offset)
            .select(HourRow::as_select())
            .load(conn)?;
        Ok(MyHours {
            volunteer_id: volunteer,
            approved_minutes,
            approved_hours: hours_text(approved_minutes),
            star_level: star_level(approved_minutes, &thresholds),
            star_thresholds_hours: thresholds,
            entries: Page {
                items: rows.into_iter().map(HourEntryResponse::from).collect(),
                total,
                page,
                limit,
            },
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
