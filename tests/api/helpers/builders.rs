//! Rows made directly in the database, for tests that need something to act on, and
//! reads of what the database holds.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use volunteer_hours::db::{self, schema};

use super::TestApp;

/// 2022-03-05 at `h`:00 UTC.
fn march_5(h: u32) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2022, 3, 5)
        .and_then(|d| d.and_hms_opt(h, 0, 0))
        .expect("time")
}

/// A UTC time written "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS".
fn utc(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .expect("a timestamp")
}

/// A planned event to insert: by default 2022-03-05 01:00-04:00 UTC, serving item 8 of
/// the 2022 plan.
pub struct NewEvent<'a> {
    app: &'a TestApp,
    title: String,
    branch: i64,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    item: i32,
    category: &'static str,
}

impl NewEvent<'_> {
    /// Between two UTC times ("YYYY-MM-DD HH:MM[:SS]").
    pub fn between(mut self, start: &str, end: &str) -> Self {
        self.starts_at = utc(start);
        self.ends_at = utc(end);
        self
    }

    /// Of `category` (default `lei_feng_day`), e.g. `training`.
    pub fn category(mut self, category: &'static str) -> Self {
        self.category = category;
        self
    }

    /// Serving item `number` of the 2022 plan.
    pub fn serving(mut self, number: i32) -> Self {
        self.item = number;
        self
    }

    pub fn insert(self) -> i64 {
        use schema::{event_plan_items, events};
        let app = self.app;
        let item = app.plan_item_id(self.item);
        let now = db::now();
        diesel::insert_into(events::table)
            .values((
                events::title.eq(&self.title),
                events::category.eq(self.category),
                events::organiser_branch_id.eq(self.branch),
                events::starts_at.eq(self.starts_at),
                events::ends_at.eq(self.ends_at),
                events::created_at.eq(now),
                events::updated_at.eq(now),
                events::search_text.eq(self.title.to_lowercase()),
            ))
            .execute(&mut app.conn())
            .expect("event");
        let id = app.last_id("events");
        diesel::insert_into(event_plan_items::table)
            .values((
                event_plan_items::event_id.eq(id),
                event_plan_items::plan_item_id.eq(item),
            ))
            .execute(&mut app.conn())
            .expect("event item");
        id
    }
}

impl TestApp {
    pub fn insert_branch(&self, code: &str, parent: Option<i64>) -> i64 {
        use schema::branches;
        let now = db::now();
        diesel::insert_into(branches::table)
            .values((
                branches::code.eq(code),
                branches::name.eq(format!("测试 {code}")),
                branches::parent_id.eq(parent),
                branches::created_at.eq(now),
                branches::updated_at.eq(now),
                branches::search_text.eq(code.to_lowercase()),
            ))
            .execute(&mut self.conn())
            .expect("branch");
        self.branch_id(code)
    }

    pub fn insert_volunteer(&self, name: &str, branch_id: i64) -> i64 {
        use schema::volunteers;
        let now = db::now();
        diesel::insert_into(volunteers::table)
            .values((
                volunteers::name.eq(name),
                volunteers::branch_id.eq(branch_id),
                volunteers::created_at.eq(now),
                volunteers::updated_at.eq(now),
                volunteers::search_text.eq(name.to_lowercase()),
            ))
            .execute(&mut self.conn())
            .expect("volunteer");
        self.last_id("volunteers")
    }

    /// The id of item `number` of the 2022 plan (seeds it if needed).
    pub fn plan_item_id(&self, number: i32) -> i64 {
        use schema::{plan_items, plans};
        self.seed();
        plan_items::table
            .inner_join(plans::table)
            .filter(plans::year.eq(2022))
            .filter(plan_items::number.eq(number))
            .select(plan_items::id)
            .first(&mut self.conn())
            .expect("plan item")
    }

    /// An event organised by `branch_id` to insert; see [`NewEvent`] for its defaults.
    pub fn event(&self, title: &str, branch_id: i64) -> NewEvent<'_> {
        NewEvent {
            app: self,
            title: title.to_owned(),
            branch: branch_id,
            starts_at: march_5(1),
            ends_at: march_5(4),
            item: 8,
            category: "lei_feng_day",
        }
    }

    /// A planned 2022 event organised by `branch_id`, serving item 8.
    pub fn insert_event(&self, title: &str, branch_id: i64) -> i64 {
        self.event(title, branch_id).insert()
    }

    /// An entry of 60 minutes on 2022-03-05 for a new volunteer at a new event (both in
    /// JGDW), with `status`; approved and rejected ones carry a review time.
    pub fn insert_entry(&self, status: &str) -> i64 {
        use schema::hour_entries;
        self.seed();
        let root = self.branch_id("JGDW");
        let n: u64 = rand::random();
        let volunteer = self.insert_volunteer(&format!("服务者 {n}"), root);
        let event = self.insert_event(&format!("活动 {n}"), root);
        let now = db::now();
        let reviewed = (status == "approved" || status == "rejected").then_some(now);
        let reason = (status == "rejected").then_some("不符");
        diesel::insert_into(hour_entries::table)
            .values((
                hour_entries::volunteer_id.eq(volunteer),
                hour_entries::event_id.eq(event),
                hour_entries::branch_id.eq(root),
                hour_entries::minutes.eq(60),
                hour_entries::service_date
                    .eq(chrono::NaiveDate::from_ymd_opt(2022, 3, 5).expect("date")),
                hour_entries::status.eq(status),
                hour_entries::reviewed_at.eq(reviewed),
                hour_entries::reason.eq(reason),
                hour_entries::created_at.eq(now),
                hour_entries::updated_at.eq(now),
            ))
            .execute(&mut self.conn())
            .expect("entry");
        self.last_id("hour_entries")
    }

    pub fn set_event_status(&self, event: i64, status: &str) {
        use schema::events;
        diesel::update(events::table.find(event))
            .set(events::status.eq(status))
            .execute(&mut self.conn())
            .expect("event status");
    }

    pub fn set_volunteer_status(&self, volunteer: i64, status: &str) {
        use schema::volunteers;
        diesel::update(volunteers::table.find(volunteer))
            .set(volunteers::status.eq(status))
            .execute(&mut self.conn())
            .expect("volunteer status");
    }

    /// The volunteer behind an account made by `create_user(username, Role::Volunteer)`.
    pub fn volunteer_of(&self, username: &str) -> i64 {
        use schema::volunteers;
        volunteers::table
            .filter(volunteers::volunteer_number.eq(format!("V-{username}")))
            .select(volunteers::id)
            .first(&mut self.conn())
            .expect("volunteer of the account")
    }

    /// The stored status of an hour entry.
    pub fn status_of(&self, entry: i64) -> String {
        self.stored_entry(entry).0
    }

    /// The stored minutes of an hour entry.
    pub fn minutes_of(&self, entry: i64) -> i32 {
        self.stored_entry(entry).1
    }

    fn stored_entry(&self, entry: i64) -> (String, i32) {
        use schema::hour_entries;
        hour_entries::table
            .find(entry)
            .select((hour_entries::status, hour_entries::minutes))
            .first(&mut self.conn())
            .expect("entry")
    }

    /// The ids of every row of `table`, in id order.
    pub fn all_ids(&self, table: &str) -> Vec<i64> {
        self.ids(&format!("SELECT id FROM {table} ORDER BY id"))
    }

    /// The id of the row last inserted into `table`.
    fn last_id(&self, table: &str) -> i64 {
        let ids = self.ids(&format!("SELECT MAX(id) AS id FROM {table}"));
        ids.into_iter().next().expect("a row")
    }

    fn ids(&self, query: &str) -> Vec<i64> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
        }
        let rows: Vec<Id> = diesel::sql_query(query)
            .load(&mut self.conn())
            .expect("ids");
        rows.into_iter().map(|row| row.id).collect()
    }
}

impl TestApp {
    /// A commendation of `volunteer` ("优秀志愿者", city level, 2022-12-05), recorded by nobody
    /// in particular.
    pub fn insert_commendation(&self, volunteer: i64) -> i64 {
        use schema::commendations;
        let now = db::now();
        diesel::insert_into(commendations::table)
            .values((
                commendations::volunteer_id.eq(volunteer),
                commendations::title.eq("优秀志愿者"),
                commendations::awarded_by.eq("共青团福州市委员会"),
                commendations::awarded_on
                    .eq(chrono::NaiveDate::from_ymd_opt(2022, 12, 5).expect("date")),
                commendations::level.eq("city"),
                commendations::created_at.eq(now),
                commendations::updated_at.eq(now),
            ))
            .execute(&mut self.conn())
            .expect("commendation");
        self.last_id("commendations")
    }
}

impl TestApp {
    /// (event, volunteer) of a hour entry.
    pub fn entry_parts(&self, entry: i64) -> (i64, i64) {
        use schema::hour_entries;
        hour_entries::table
            .find(entry)
            .select((hour_entries::event_id, hour_entries::volunteer_id))
            .first(&mut self.conn())
            .expect("entry")
    }

    /// An evaluation ("good") of `volunteer` at `event`, given by nobody in particular.
    pub fn insert_evaluation(&self, event: i64, volunteer: i64) -> i64 {
        use schema::evaluations;
        let now = db::now();
        diesel::insert_into(evaluations::table)
            .values((
                evaluations::event_id.eq(event),
                evaluations::volunteer_id.eq(volunteer),
                evaluations::rating.eq("good"),
                evaluations::created_at.eq(now),
                evaluations::updated_at.eq(now),
            ))
            .execute(&mut self.conn())
            .expect("evaluation");
        self.last_id("evaluations")
    }
}

impl TestApp {
    /// An open report that 60 minutes on 2022-03-05 are missing, for a new volunteer at a
    /// new event (both in JGDW), by nobody in particular: accepting it breaks no rule.
    pub fn insert_error_report(&self) -> i64 {
        use schema::error_reports;
        self.seed();
        let root = self.branch_id("JGDW");
        let n: u64 = rand::random();
        let volunteer = self.insert_volunteer(&format!("申请者 {n}"), root);
        let event = self.insert_event(&format!("漏记的活动 {n}"), root);
        let now = db::now();
        diesel::insert_into(error_reports::table)
            .values((
                error_reports::volunteer_id.eq(volunteer),
                error_reports::kind.eq("missing"),
                error_reports::event_id.eq(event),
                error_reports::service_date
                    .eq(chrono::NaiveDate::from_ymd_opt(2022, 3, 5).expect("date")),
                error_reports::minutes.eq(60),
                error_reports::explanation.eq("签到表漏记"),
                error_reports::created_at.eq(now),
                error_reports::updated_at.eq(now),
            ))
            .execute(&mut self.conn())
            .expect("error report");
        self.last_id("error_reports")
    }

    /// A certificate of `volunteer` issued as the library issues it (whole organisation, no
    /// period), by the account `certificate.issuer`; its number.
    pub fn insert_certificate(&self, volunteer: i64) -> String {
        use schema::users;
        let issuer: Option<i64> = users::table
            .filter(users::username.eq("certificate.issuer"))
            .select(users::id)
            .first(&mut self.conn())
            .optional()
            .expect("issuer");
        let issuer = issuer.unwrap_or_else(|| {
            self.create_user("certificate.issuer", volunteer_hours::auth::Role::Admin)
        });
        let request = volunteer_hours::certificates::issue::Request {
            volunteer,
            from: None,
            to: None,
            purpose: None,
        };
        let today = chrono::Utc::now()
            .with_timezone(&self.config.hours.utc_offset)
            .date_naive();
        let mut conn = self.conn();
        let row = volunteer_hours::certificates::issue::issue(
            &mut conn,
            &self.config.certificates,
            &volunteer_hours::auth::Scope::All,
            issuer,
            &request,
            db::now(),
            today,
        )
        .expect("certificate");
        row.number
    }

    /// A sign-up of `volunteer` for `event` with `status`, made by the first account.
    pub fn insert_signup(&self, event: i64, volunteer: i64, status: &str) -> i64 {
        use schema::{signups, users};
        let by: i64 = users::table
            .select(users::id)
            .order(users::id)
            .first(&mut self.conn())
            .expect("an account");
        let now = db::now();
        diesel::insert_into(signups::table)
            .values((
                signups::event_id.eq(event),
                signups::volunteer_id.eq(volunteer),
                signups::status.eq(status),
                signups::created_by.eq(by),
                signups::created_at.eq(now),
                signups::updated_at.eq(now),
            ))
            .execute(&mut self.conn())
            .expect("sign-up");
        self.last_id("signups")
    }
}
