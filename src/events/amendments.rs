//! An event cannot be rewritten under its hours. An edit that would change what recorded
//! hours mean is refused (409 naming the entries); an administrator who must fix a wrong
//! event anyway amends it, with a reason that the audit log and every affected entry's
//! history keep.

use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{Category, EventResponse};
use super::fields::{body_of, check, Fields};
use super::model;
use crate::audit;
use crate::auth::{AdminOnly, Auth};
use crate::config::HoursConfig;
use crate::db::schema::events;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::hours::model::{live_at_event, HourRow};
use crate::hours::rules::EventWindow;
use crate::hours::status::HourStatus;
use crate::http::{etag, ApiJson, IfMatch};
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// What of an event the meaning of its hours depends on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shape {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub category: Category,
    /// Sorted, without repeats.
    pub plan_item_ids: Vec<i64>,
}

impl Shape {
    pub fn new(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        category: Category,
        items: &[i64],
    ) -> Shape {
        let mut plan_item_ids = items.to_vec();
        plan_item_ids.sort_unstable();
        plan_item_ids.dedup();
        Shape {
            starts_at,
            ends_at,
            category,
            plan_item_ids,
        }
    }

    pub fn of(event: &EventResponse) -> Shape {
        Shape::new(
            event.starts_at,
            event.ends_at,
            event.category,
            &event.plan_item_ids,
        )
    }

    fn window(&self, cfg: &HoursConfig) -> EventWindow {
        EventWindow {
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            tolerance: chrono::Duration::from_std(cfg.window_tolerance).unwrap_or_default(),
            offset: cfg.utc_offset,
        }
    }

    fn times_differ(&self, other: &Shape) -> bool {
        self.starts_at != other.starts_at || self.ends_at != other.ends_at
    }

    fn kind_differs(&self, other: &Shape) -> bool {
        self.category != other.category || self.plan_item_ids != other.plan_item_ids
    }

    /// The names of the fields in which `other` differs, in the order of [`AMENDABLE`].
    fn changed(&self, other: &Shape) -> Vec<&'static str> {
        let differs = [
            self.starts_at != other.starts_at,
            self.ends_at != other.ends_at,
            self.category != other.category,
            self.plan_item_ids != other.plan_item_ids,
        ];
        AMENDABLE
            .into_iter()
            .zip(differs)
            .filter_map(|(field, differs)| differs.then_some(field))
            .collect()
    }
}

/// The live entries that an event of shape `after` would not have accepted: outside its
/// window, longer than it, on a day it does not touch, or of another plan year.
fn misfits(live: &[HourRow], before: &Shape, after: &Shape, cfg: &HoursConfig) -> Vec<i64> {
    let window = after.window(cfg);
    let same_year = window.plan_year() == before.window(cfg).plan_year();
    live.iter()
        .filter(|e| !same_year || !window.admits(&e.time()))
        .map(|e| e.id.get())
        .collect()
}

/// Whether an ordinary edit may turn `before` into `after`: the times only while every
/// live entry still fits them, the category and plan items only while none is approved.
pub fn guard_edit(
    conn: &mut DbConn,
    cfg: &HoursConfig,
    event_id: i64,
    before: &Shape,
    after: &Shape,
) -> AppResult<()> {
    if !before.times_differ(after) && !before.kind_differs(after) {
        return Ok(());
    }
    let live = live_at_event(conn, crate::ids::EventId(event_id))?;
    if before.kind_differs(after) {
        let approved: Vec<i64> = live
            .iter()
            .filter(|e| e.status == HourStatus::Approved)
            .map(|e| e.id.get())
            .collect();
        if !approved.is_empty() {
            return Err(AppError::entries_conflict(
                msg!("kind-fixed-once-approved", event = event_id.to_string()),
                approved,
            ));
        }
    }
    let bad = misfits(&live, before, after, cfg);
    if !bad.is_empty() {
        return Err(AppError::entries_conflict(
            msg!("times-leave-hours-outside"),
            bad,
        ));
    }
    Ok(())
}

/// The fields an amendment changes, as `AmendmentResponse::changed` names them.
pub const AMENDABLE: [&str; 4] = ["starts_at", "ends_at", "category", "plan_item_ids"];

/// `changed`: some of [`AMENDABLE`], each once, in that order.
fn changed_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(AMENDABLE)),
        )
        .max_items(Some(AMENDABLE.len()))
        .unique_items(true)
        .description(Some("The fields the amendment changed."))
        .examples([serde_json::json!(["category"])])
        .build()
}

/// A correction of an event that has hours: new times, category or plan items, and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub category: Option<Category>,
    #[schema(min_items = 1, max_items = 50)]
    pub plan_item_ids: Option<Vec<i64>>,
    /// Why the event is amended; kept in the audit log and in every affected entry's history.
    #[schema(
        example = "类别录入错误：应为学雷锋日活动",
        min_length = 1,
        max_length = 500
    )]
    pub reason: String,
}

/// The amended event, and what the amendment did to the hours at it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmendmentResponse {
    pub event: EventResponse,
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
    #[schema(schema_with = changed_schema)]
    pub changed: Vec<String>,
    /// Every live entry at the event (submitted or approved, corrections included): each
    /// one's history shows the amendment.
    #[schema(example = json!([31, 32]))]
    pub affected_entry_ids: Vec<i64>,
    /// Approved minutes, net of approved corrections, that totals now count under the new
    /// category and plan items instead of the old (0 when only the times changed).
    #[schema(example = 300)]
    pub moved_minutes: i64,
}

/// What an affected entry's history records: the event before and after.
#[derive(Serialize)]
struct EventOfEntry<'a> {
    event_id: i64,
    #[serde(flatten)]
    shape: &'a Shape,
}

/// Amend an event that has hours.
///
/// Administrators only, with `If-Match`: new `starts_at`, `ends_at`, `category` or
/// `plan_item_ids`, and a required `reason`.
///
/// A category or plan-item change moves the approved hours at the event to the new
/// category and items in every total; the answer says how many minutes moved. New times
/// are accepted only where every live entry still fits them. The audit log keeps the
/// event before and after, and the history of each affected entry shows the amendment.
#[utoipa::path(
    tag = "events",
    params(("id" = i64, Path, description = "Event id"), ("If-Match" = String, Header, description = "The event's ETag")),
    request_body = Amendment,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Amended", body = AmendmentResponse, headers(("ETag" = String, description = "The event's new version"))),
        (status = 403, description = "Only administrators amend events", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new times would leave live entries outside the event; the problem names them", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, no reason, or nothing to change", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/events/{id}/amendments")]
pub async fn amend_event(
    state: web::Data<AppState>,
    caller: Auth<AdminOnly>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<Amendment>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let input = body.0;
    let mut e = Errors::default();
    e.text("/reason", &input.reason, 1, 500);
    e.into_result()?;
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    let (version, answer) = state
        .db(move |conn| {
            db::write_tx(conn, |conn| {
                let scope = caller.scope(conn)?;
                let row = model::lock(conn, id)?;
                if_match.check(row.version)?;
                let before_body = body_of(conn, row.clone())?;
                let before = Shape::of(&before_body);
                let after = Shape::new(
                    input.starts_at.unwrap_or(before.starts_at),
                    input.ends_at.unwrap_or(before.ends_at),
                    input.category.unwrap_or(before.category),
                    input
                        .plan_item_ids
                        .as_deref()
                        .unwrap_or(&before.plan_item_ids),
                );
                check(
                    conn,
                    &scope,
                    &Fields {
                        title: &row.title,
                        description: row.description.as_deref(),
                        place: row.place.as_deref(),
                        organiser: row.organiser_branch_id,
                        starts_at: after.starts_at,
                        ends_at: after.ends_at,
                        capacity: row.capacity,
                        plan_item_ids: input
                            .plan_item_ids
                            .as_deref()
                            .unwrap_or(&before.plan_item_ids),
                        signup_opens_at: row.signup_opens_at.map(|t| t.and_utc()),
                        signup_closes_at: row.signup_closes_at.map(|t| t.and_utc()),
                        // the tags stay as they are: an amendment does not touch them
                        required_tags: &[],
                        offset: cfg.utc_offset,
                    },
                    false,
                )?;
                let changed = before.changed(&after);
                if changed.is_empty() {
                    return Err(AppError::validation("", msg!("amendment-changes-nothing")));
                }
                let live = live_at_event(conn, crate::ids::EventId(id))?;
                let bad = misfits(&live, &before, &after, &cfg);
                if !bad.is_empty() {
                    return Err(AppError::entries_conflict(
                        msg!("times-leave-hours-outside"),
                        bad,
                    ));
                }
                let updated = diesel::update(
                    events::table
                        .find(id)
                        .filter(events::version.eq(row.version)),
                )
                .set((
                    events::starts_at.eq(after.starts_at.naive_utc()),
                    events::ends_at.eq(after.ends_at.naive_utc()),
                    events::category.eq(after.category.as_str()),
                    events::version.eq(row.version + 1),
                    events::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::PreconditionFailed);
                }
                model::replace_items(conn, id, &after.plan_item_ids)?;
                let after_row = model::find(conn, id)?;
                let version = after_row.version;
                let moved_minutes = if before.kind_differs(&after) {
                    live.iter()
                        .filter(|e| e.status == HourStatus::Approved)
                        .map(|e| i64::from(e.minutes))
                        .sum()
                } else {
                    0
                };
                let answer = AmendmentResponse {
                    event: body_of(conn, after_row)?,
                    reason: input.reason.clone(),
                    changed: changed.iter().map(|c| (*c).to_owned()).collect(),
                    affected_entry_ids: live.iter().map(|e| e.id.get()).collect(),
                    moved_minutes,
                };
                audit::log_with_reason(
                    conn,
                    caller.user_id,
                    audit::Action::Amend,
                    audit::Entity::Event,
                    id,
                    Some(&before_body),
                    Some(&answer),
                    Some(&input.reason),
                )?;
                for entry in &live {
                    audit::log_with_reason(
                        conn,
                        caller.user_id,
                        audit::Action::EventAmended,
                        audit::Entity::HourEntry,
                        entry.id.get(),
                        Some(&EventOfEntry {
                            event_id: id,
                            shape: &before,
                        }),
                        Some(&EventOfEntry {
                            event_id: id,
                            shape: &after,
                        }),
                        Some(&input.reason),
                    )?;
                }
                Ok::<_, AppError>((version, answer))
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(answer))
}
