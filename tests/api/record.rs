//! The record document (`GET /volunteers/{id}/record`, `GET /me/record`): the five parts
//! added up from the stored rows, training apart from service, read by the volunteer's
//! scope with personal information masked per role.

use serde_json::{json, Value};
use volunteer_hours::auth::Role;

use volunteer_hours::db::Backend;

use crate::helpers::*;
use crate::{both_backends, per_backend};

fn path(volunteer: i64) -> String {
    format!("/api/v1/volunteers/{volunteer}/record")
}

/// A volunteer (with an account and a phone) with, in JGDW's events:
/// - 2021-12-05, item 8: 90 approved minutes;
/// - 2022-03-05, items 8: 120 approved minutes, corrected by −30 (approved) and by +15
///   (still awaiting review);
/// - a training event in 2022: 60 approved minutes;
/// - an entry awaiting review (45) and a rejected one (200) that do not count;
/// - one commendation and one evaluation;
/// - an open error report of the December entry, and a declined one.
struct History {
    admin: Session,
    volunteer: i64,
    account: Session,
}

async fn history(app: &TestApp) -> History {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let account = app.login_as(Role::Volunteer).await;
    let volunteer = app.volunteer_of(&account.username);
    let patch = json!({ "phone": "13805912301" });
    let etag = header(
        &app.get_as(&path_of_volunteer(volunteer), &admin.access)
            .await,
        "etag",
    );
    let resp = app
        .request(
            reqwest::Method::PATCH,
            &path_of_volunteer(volunteer),
            Some(&admin.access),
        )
        .header("if-match", etag)
        .json(&patch)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200);

    let root = app.branch_id("JGDW");
    let december = app
        .event("12·5国际志愿者日", root)
        .between("2021-12-05 01:00", "2021-12-05 04:00")
        .insert();
    let march = app.insert_event("3·5学雷锋", root);
    let training = app
        .event("应急救护培训", root)
        .category("training")
        .between("2022-04-01 01:00", "2022-04-01 04:00")
        .insert();
    let pending = app
        .event("待审活动", root)
        .between("2022-05-01 01:00", "2022-05-01 04:00")
        .insert();
    let refused = app
        .event("被驳回活动", root)
        .between("2022-06-01 01:00", "2022-06-01 05:00")
        .insert();

    let t = &admin.access;
    let first = submit_one(app, t, december, volunteer, 90).await;
    let second = submit_one(app, t, march, volunteer, 120).await;
    let trained = submit_one(app, t, training, volunteer, 60).await;
    submit_one(app, t, pending, volunteer, 45).await;
    let rejected = submit_one(app, t, refused, volunteer, 200).await;
    approve_all(app, t, &[first, second, trained]).await;
    assert_eq!(reject(app, t, rejected, "不符").await.status(), 200);
    let down = correct(app, t, second, &json!({ "minutes": -30, "reason": "早退" })).await;
    let down = created_id(down).await;
    approve_all(app, t, &[down]).await;
    let up = correct(app, t, second, &json!({ "minutes": 15, "reason": "补记" })).await;
    assert_eq!(up.status(), 201);
    app.insert_commendation(volunteer);
    app.insert_evaluation(march, volunteer);
    // the volunteer reports the December entry wrong (still open) and a missing day at the
    // pending event, which the organiser declines: only the first is open
    let mine = "/api/v1/me/error-reports";
    let wrong = json!({ "kind": "wrong", "hour_entry_id": first, "minutes": 120, "explanation": "实际服务两小时" });
    assert_eq!(
        app.post_as(mine, Some(&account.access), &wrong)
            .await
            .status(),
        201
    );
    let day =
        json!({ "kind": "missing", "event_id": refused, "minutes": 60, "explanation": "漏记" });
    let declined = created_id(app.post_as(mine, Some(&account.access), &day).await).await;
    let no = json!({ "reason": "当天未到场" });
    let decline = format!("/api/v1/error-reports/{declined}/decline");
    assert_eq!(app.post_as(&decline, Some(t), &no).await.status(), 200);
    History {
        admin,
        volunteer,
        account,
    }
}

/// The id of the record's first service entry.
fn first_entry(record: &Value) -> i64 {
    record["service"]["entries"][0]["hour_entry_id"]
        .as_i64()
        .expect("an entry")
}

fn path_of_volunteer(volunteer: i64) -> String {
    format!("/api/v1/volunteers/{volunteer}")
}

fn years(part: &Value) -> Vec<(i64, i64)> {
    part["by_year"]
        .as_array()
        .expect("by_year")
        .iter()
        .map(|y| (y["year"].as_i64().unwrap(), y["minutes"].as_i64().unwrap()))
        .collect()
}

async fn the_record_adds_up_the_approved_service_with_training_apart(app: TestApp) {
    let h = history(&app).await;
    let before = chrono::Utc::now();
    let record = app.get_ok(&path(h.volunteer), &h.admin.access).await;

    let generated_at: chrono::DateTime<chrono::Utc> = record["generated_at"]
        .as_str()
        .expect("generated_at")
        .parse()
        .expect("RFC 3339");
    assert!(generated_at >= before - chrono::Duration::seconds(1));
    assert!(record["generated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(record["volunteer"]["id"], h.volunteer);
    assert_eq!(record["volunteer"]["phone"], "13805912301");

    let service = &record["service"];
    assert_eq!(service["approved_minutes"], 90 + 120 - 30);
    assert_eq!(service["approved_hours"], "3.00");
    assert_eq!(years(service), [(2021, 90), (2022, 90)]);
    let items = service["by_plan_item"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["number"], 8);
    assert_eq!(items[0]["plan_year"], 2022);
    assert_eq!(items[0]["minutes"], 180);
    assert_eq!(items[0]["plan_item_id"], app.plan_item_id(8));
    let entries = service["entries"].as_array().unwrap();
    let minutes: Vec<i64> = entries
        .iter()
        .map(|e| e["minutes"].as_i64().unwrap())
        .collect();
    assert_eq!(minutes, [90, 90], "oldest first, the correction netted");
    assert_eq!(entries[1]["event_title"], "3·5学雷锋");
    assert_eq!(entries[1]["service_date"], "2022-03-05");
    assert_eq!(entries[1]["hours"], "1.50");
    assert_eq!(entries[1]["plan_item_ids"], json!([app.plan_item_id(8)]));

    let training = &record["training"];
    assert_eq!(training["approved_minutes"], 60);
    assert_eq!(years(training), [(2022, 60)]);
    assert_eq!(training["entries"][0]["category"], "training");
    assert_eq!(training["entries"].as_array().unwrap().len(), 1);

    // the entry awaiting review and the pending correction, not the rejected entry
    assert_eq!(record["pending_minutes"], 45 + 15);
    assert_eq!(record["star_level"], 0);
    assert_eq!(record["hours_to_next_star"], "97.00");
    assert_eq!(record["commendations"].as_array().unwrap().len(), 1);
    assert_eq!(record["commendations"][0]["title"], "优秀志愿者");
    assert_eq!(record["evaluations"].as_array().unwrap().len(), 1);
    assert_eq!(record["evaluations"][0]["rating"], "good");
    let open = record["open_error_reports"].as_array().unwrap();
    assert_eq!(open.len(), 1, "the declined report is not open");
    assert_eq!(open[0]["kind"], "wrong");
    assert_eq!(open[0]["hour_entry_id"], first_entry(&record));
    assert_eq!(open[0]["status"], "open");

    // the volunteer reads the same document about itself, either way
    let mine = app.get_ok("/api/v1/me/record", &h.account.access).await;
    let own = app.get_ok(&path(h.volunteer), &h.account.access).await;
    for doc in [&mine, &own] {
        assert_eq!(doc["service"], record["service"]);
        assert_eq!(doc["training"], record["training"]);
        assert_eq!(doc["volunteer"]["phone"], "13805912301");
    }
}

async fn the_record_is_read_within_the_volunteers_scope_and_masked_for_hr(app: TestApp) {
    let h = history(&app).await;
    let hr = app.login_as(Role::Hr).await;
    let masked = app.get_ok(&path(h.volunteer), &hr.access).await;
    assert_eq!(masked["volunteer"]["phone"], "138****2301");
    assert_eq!(masked["service"]["approved_minutes"], 180);

    // JGDW's secretary holds the volunteer; ZB01's does not
    let root_secretary = app.login_as(Role::Secretary).await;
    let full = app.get_ok(&path(h.volunteer), &root_secretary.access).await;
    assert_eq!(full["volunteer"]["phone"], "13805912301");
    let zb01 = secretary_of(&app, &h.admin, "ZB01").await;
    assert_not_found(app.get_as(&path(h.volunteer), &zb01.access).await).await;

    // another volunteer's record is not found for a volunteer; nor is a missing one
    let other = app.insert_volunteer("别人", app.branch_id("ZB01"));
    assert_not_found(app.get_as(&path(other), &h.account.access).await).await;
    assert_not_found(app.get_as(&path(999_999), &h.admin.access).await).await;

    // an account without a volunteer has no record of its own
    assert_not_found(app.get_as("/api/v1/me/record", &h.admin.access).await).await;
    assert_not_found(app.get_as("/api/v1/me/record", &hr.access).await).await;
    let anonymous = app.get("/api/v1/me/record").await;
    assert_eq!(anonymous.status(), 401);
}

async fn a_volunteer_with_nothing_yet_has_an_empty_record(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = app.insert_volunteer("新人", app.branch_id("ZB01"));
    let record = app.get_ok(&path(volunteer), &admin.access).await;
    for part in ["service", "training"] {
        assert_eq!(record[part]["approved_minutes"], 0);
        assert_eq!(record[part]["approved_hours"], "0.00");
        assert_eq!(record[part]["by_year"], json!([]));
        assert_eq!(record[part]["by_plan_item"], json!([]));
        assert_eq!(record[part]["entries"], json!([]));
    }
    assert_eq!(record["star_level"], 0);
    assert_eq!(record["hours_to_next_star"], "100.00");
    assert_eq!(record["pending_minutes"], 0);
    assert_eq!(record["commendations"], json!([]));
    assert_eq!(record["evaluations"], json!([]));
    assert_eq!(record["open_error_reports"], json!([]));
}

both_backends!(
    the_record_adds_up_the_approved_service_with_training_apart,
    the_record_is_read_within_the_volunteers_scope_and_masked_for_hr,
    a_volunteer_with_nothing_yet_has_an_empty_record,
);

/// With stars at 1 to 5 hours, the 3 hours of service reach three stars; the hour of
/// training would make four if it counted. `/me/hours` says the same.
async fn stars_count_service_not_training(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.hours.star_thresholds_hours = [1, 2, 3, 4, 5];
    })
    .await
    else {
        return;
    };
    let h = history(&app).await;
    let record = app.get_ok("/api/v1/me/record", &h.account.access).await;
    assert_eq!(record["service"]["approved_minutes"], 180);
    assert_eq!(record["training"]["approved_minutes"], 60);
    assert_eq!(record["star_level"], 3);
    assert_eq!(record["hours_to_next_star"], "1.00");
    let hours = app.get_ok("/api/v1/me/hours", &h.account.access).await;
    assert_eq!(
        hours["approved_minutes"], 240,
        "service and training approved"
    );
    assert_eq!(hours["star_level"], 3);
}

per_backend!(stars_count_service_not_training);
