//! Record certificates (志愿服务记录证明): issuing against a recomputation from the entries,
//! the frozen snapshot, gapless numbering under concurrent issues, scope and roles, revoking,
//! the public verification page (valid, revoked, wrong code, unknown number, rate limit) and
//! the PDF (its text and its rendering, with poppler's tools).

use diesel::prelude::*;
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{certificates, events, volunteers};

use crate::helpers::*;
use crate::{both_backends, per_backend};

fn issue_path(volunteer: i64) -> String {
    format!("/api/v1/volunteers/{volunteer}/certificates")
}

async fn issue(app: &TestApp, token: &str, volunteer: i64, body: &Value) -> reqwest::Response {
    app.post_as(&issue_path(volunteer), Some(token), body).await
}

async fn issued(app: &TestApp, token: &str, volunteer: i64, body: &Value) -> Value {
    expect_json(issue(app, token, volunteer, body).await, 201).await
}

/// The organisation's year today (numbers carry the year of issue).
fn this_year(app: &TestApp) -> i32 {
    use chrono::Datelike;
    chrono::Utc::now()
        .with_timezone(&app.config.hours.utc_offset)
        .year()
}

/// (snapshot text, sha256, revoked_at is set, revoke_reason) as stored.
fn stored(app: &TestApp, number: &str) -> Option<(String, String, bool, Option<String>)> {
    certificates::table
        .filter(certificates::number.eq(number))
        .select((
            certificates::snapshot,
            certificates::snapshot_sha256,
            certificates::revoked_at.is_not_null(),
            certificates::revoke_reason,
        ))
        .first(&mut app.conn())
        .optional()
        .unwrap()
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A volunteer of `branch` with a name and a volunteer number.
fn named_volunteer(app: &TestApp, name: &str, branch: i64) -> i64 {
    let id = app.insert_volunteer(name, branch);
    diesel::update(volunteers::table.find(id))
        .set(volunteers::volunteer_number.eq(format!("3501002022{id:08}")))
        .execute(&mut app.conn())
        .unwrap();
    id
}

fn make_training(app: &TestApp, event: i64) {
    diesel::update(events::table.find(event))
        .set(events::category.eq("training"))
        .execute(&mut app.conn())
        .unwrap();
}

/// Records `minutes` for `volunteer` at `event` and approves it; the entry's id.
async fn served(app: &TestApp, admin: &Session, event: i64, volunteer: i64, minutes: i32) -> i64 {
    let id = recorded(app, &admin.access, event, vec![entry(volunteer, minutes)]).await[0];
    assert_eq!(approve(app, &admin.access, id).await.status(), 200);
    id
}

/// Posts an approved correction of `delta` minutes to entry `id`.
async fn corrected(app: &TestApp, admin: &Session, id: i64, delta: i32) {
    let resp = correct(
        app,
        &admin.access,
        id,
        &json!({ "minutes": delta, "reason": "签到表核对" }),
    )
    .await;
    let correction = expect_json(resp, 201).await;
    let cid = correction["id"].as_i64().unwrap();
    assert_eq!(approve(app, &admin.access, cid).await.status(), 200);
}

/// The volunteer's approved minutes, recomputed here from the entries: each approved
/// original in the period at an event of `kind` ("service" or "training"), organised by one
/// of `organisers` (any when empty), plus its approved corrections.
fn recomputed(
    app: &TestApp,
    volunteer: i64,
    from: &str,
    to: &str,
    kind: &str,
    organisers: &[i64],
) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let category = if kind == "training" {
        "= 'training'"
    } else {
        "<> 'training'"
    };
    let organiser = if organisers.is_empty() {
        String::new()
    } else {
        let ids: Vec<String> = organisers.iter().map(i64::to_string).collect();
        format!(" AND e.organiser_branch_id IN ({})", ids.join(","))
    };
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(h.minutes + COALESCE((SELECT SUM(c.minutes) FROM hour_entries c \
         WHERE c.corrects_id = h.id AND c.status = 'approved'), 0)), 0) AS BIGINT) AS n \
         FROM hour_entries h JOIN events e ON e.id = h.event_id \
         WHERE h.volunteer_id = {volunteer} AND h.status = 'approved' AND h.corrects_id IS NULL \
         AND e.category {category} AND h.service_date >= '{from}' AND h.service_date <= '{to}'{organiser}"
    );
    diesel::sql_query(sql)
        .get_result::<N>(&mut app.conn())
        .unwrap()
        .n
}

/// A volunteer in ZB01 with service at a ZB01 event (90, corrected by -30), training at a
/// JGDW event (60), service at a JGDW event (45), an entry awaiting review (not counted) and
/// service outside the period (May).
struct Record {
    volunteer: i64,
    zb01_event: i64,
    zb01_entry: i64,
}

async fn a_record(app: &TestApp, admin: &Session) -> Record {
    let zb01 = app.branch_id("ZB01");
    let root = app.branch_id("JGDW");
    let volunteer = named_volunteer(app, "林秀燕", zb01);
    let zb01_event = app.insert_event("3·5学雷锋志愿服务", zb01);
    let zb01_entry = served(app, admin, zb01_event, volunteer, 90).await;
    corrected(app, admin, zb01_entry, -30).await;
    let training = app.insert_event("志愿者培训", root);
    make_training(app, training);
    served(app, admin, training, volunteer, 60).await;
    let root_event = app.insert_event("文明交通引导", root);
    served(app, admin, root_event, volunteer, 45).await;
    let waiting = app.insert_event("待审核活动", root);
    recorded(app, &admin.access, waiting, vec![entry(volunteer, 30)]).await;
    let may = app
        .event("五月活动", zb01)
        .between("2022-05-04 01:00", "2022-05-04 04:00")
        .insert();
    served(app, admin, may, volunteer, 120).await;
    Record {
        volunteer,
        zb01_event,
        zb01_entry,
    }
}

fn period() -> Value {
    json!({ "from": "2022-03-01", "to": "2022-04-30", "purpose": "入团材料" })
}

async fn an_admin_issues_a_certificate_that_matches_the_entries(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let r = a_record(&app, &admin).await;

    let resp = issue(&app, &admin.access, r.volunteer, &period()).await;
    assert_eq!(resp.status(), 201);
    let location = header(&resp, "location");
    let body = expect_json(resp, 201).await;
    let number = format!("VH-{}-000001", this_year(&app));
    assert_eq!(body["number"], number.as_str());
    assert_eq!(location, format!("/api/v1/certificates/{number}"));
    let s = &body["snapshot"];
    assert_eq!(s["title"], "志愿服务记录证明");
    assert_eq!(s["number"], number.as_str());
    assert_eq!(s["volunteer"]["name"], "林秀燕");
    assert_eq!(
        s["volunteer"]["volunteer_number"],
        format!("3501002022{:08}", r.volunteer)
    );
    assert_eq!(
        s["period"],
        json!({ "from": "2022-03-01", "to": "2022-04-30" })
    );
    // against a recomputation from the entries: 90 - 30 at ZB01 and 45 at JGDW; the
    // training apart; the entry awaiting review and May's service not counted
    let service = recomputed(
        &app,
        r.volunteer,
        "2022-03-01",
        "2022-04-30",
        "service",
        &[],
    );
    let training = recomputed(
        &app,
        r.volunteer,
        "2022-03-01",
        "2022-04-30",
        "training",
        &[],
    );
    assert_eq!((service, training), (105, 60));
    assert_eq!(s["service_minutes"], service);
    assert_eq!(s["service_hours"], "1.75");
    assert_eq!(s["training_minutes"], training);
    assert_eq!(s["training_hours"], "1.00");
    let lines = s["service"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{s}");
    assert_eq!(
        lines
            .iter()
            .map(|l| l["minutes"].as_i64().unwrap())
            .sum::<i64>(),
        service
    );
    let zb01_line = lines
        .iter()
        .find(|l| l["event_id"] == r.zb01_event)
        .unwrap();
    assert_eq!(zb01_line["event"], "3·5学雷锋志愿服务");
    assert_eq!(zb01_line["date"], "2022-03-05");
    assert_eq!(zb01_line["minutes"], 60);
    assert_eq!(zb01_line["hours"], "1.00");
    let item = zb01_line["plan_items"][0].as_str().unwrap();
    assert!(item.starts_with("8. "), "{item}");
    assert_eq!(s["training"][0]["event"], "志愿者培训");
    assert_eq!(s["covers_whole_organisation"], true);
    assert_eq!(strs_of(&s["covers"], "code"), ["JGDW"]);
    assert_eq!(s["issuer"]["organisation"], "市工信局机关党委");
    assert_eq!(s["issuer"]["official_username"], admin.username.as_str());
    assert_eq!(s["purpose"], "入团材料");
    assert_eq!(body["revoked_at"], Value::Null);
    let code = body["code"].as_str().unwrap();
    assert_eq!(code.len(), 12);
    assert_eq!(
        body["verification_url"],
        format!("http://127.0.0.1:8080/verify/{number}?code={code}")
    );

    // stored: the snapshot's JSON and its SHA-256
    let (text, sha, revoked, _) = stored(&app, &number).unwrap();
    assert!(!revoked);
    assert_eq!(sha, sha256_hex(&text));
    assert_eq!(body["snapshot_sha256"], sha.as_str());
    assert_eq!(&serde_json::from_str::<Value>(&text).unwrap(), s);

    // read back, as itself and in the volunteer's list
    let one = app
        .get_ok(&format!("/api/v1/certificates/{number}"), &admin.access)
        .await;
    assert_eq!(one, body);
    let list = app.get_ok(&issue_path(r.volunteer), &admin.access).await;
    assert_eq!(list["total"], 1);
    assert_eq!(strs_of(&list["items"], "number"), [number.as_str()]);

    // audited, without the code
    let id: i64 = certificates::table
        .filter(certificates::number.eq(&number))
        .select(certificates::id)
        .first(&mut app.conn())
        .unwrap();
    app.assert_audited("certificate", &[("create", admin.user_id, id)]);
    let after: Option<String> = volunteer_hours::db::schema::audit_log::table
        .filter(volunteer_hours::db::schema::audit_log::entity.eq("certificate"))
        .select(volunteer_hours::db::schema::audit_log::after_json)
        .first(&mut app.conn())
        .unwrap();
    let after = after.unwrap();
    assert!(after.contains(&number) && !after.contains(code), "{after}");
}

async fn the_snapshot_stays_frozen_after_a_later_correction(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let r = a_record(&app, &admin).await;
    let first = issued(&app, &admin.access, r.volunteer, &period()).await;
    let number = first["number"].as_str().unwrap().to_owned();
    let before = stored(&app, &number).unwrap();

    corrected(&app, &admin, r.zb01_entry, 30).await;

    let after = stored(&app, &number).unwrap();
    assert_eq!(after, before, "an issued certificate never changes");
    let again = app
        .get_ok(&format!("/api/v1/certificates/{number}"), &admin.access)
        .await;
    assert_eq!(again["snapshot"], first["snapshot"]);
    assert_eq!(again["snapshot_sha256"], first["snapshot_sha256"]);
    assert_eq!(again["snapshot"]["service_minutes"], 105);
    // the correction calls for a new certificate, which states it
    let second = issued(&app, &admin.access, r.volunteer, &period()).await;
    assert_eq!(second["snapshot"]["service_minutes"], 135);
    assert_eq!(second["number"], format!("VH-{}-000002", this_year(&app)));
}

async fn concurrent_issues_are_numbered_without_gaps(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = named_volunteer(&app, "并发者", app.branch_id("ZB01"));
    let empty = json!({});
    let requests = (0..20).map(|_| issue(&app, &admin.access, volunteer, &empty));
    let answers = futures_util::future::join_all(requests).await;
    let mut sequences = Vec::new();
    for resp in answers {
        let body = expect_json(resp, 201).await;
        let number = body["number"].as_str().unwrap().to_owned();
        let prefix = format!("VH-{}-", this_year(&app));
        let n: i64 = number.strip_prefix(&prefix).unwrap().parse().unwrap();
        sequences.push(n);
    }
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=20).collect::<Vec<i64>>());
    assert_eq!(app.count("certificates"), 20);
    let last: i64 = volunteer_hours::db::schema::certificate_counters::table
        .select(volunteer_hours::db::schema::certificate_counters::last_sequence)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(last, 20);
}

async fn a_retried_issue_is_answered_once(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = named_volunteer(&app, "重试者", app.branch_id("ZB01"));
    let send = || {
        app.request(
            reqwest::Method::POST,
            &issue_path(volunteer),
            Some(&admin.access),
        )
        .header("idempotency-key", "certificate-retry-1")
        .json(&json!({ "purpose": "评优" }))
        .send()
    };
    let first = expect_json(send().await.unwrap(), 201).await;
    let resp = send().await.unwrap();
    assert_eq!(header(&resp, "idempotent-replayed"), "true");
    let second = expect_json(resp, 201).await;
    assert_eq!(first, second);
    assert_eq!(app.count("certificates"), 1);
}

async fn bad_issue_requests_name_every_field_and_write_nothing(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = named_volunteer(&app, "填错者", app.branch_id("ZB01"));
    let problem = assert_validation(
        issue(
            &app,
            &admin.access,
            volunteer,
            &json!({ "from": "2022-05-01", "to": "2022-04-01", "purpose": "" }),
        )
        .await,
    )
    .await;
    assert_eq!(pointers(&problem), ["/to", "/purpose"]);
    let problem = assert_validation(
        issue(
            &app,
            &admin.access,
            volunteer,
            &json!({ "to": "2999-01-01" }),
        )
        .await,
    )
    .await;
    assert_eq!(pointers(&problem), ["/to"]);
    assert_validation(issue(&app, &admin.access, volunteer, &json!({ "colour": "red" })).await)
        .await;
    assert_not_found(issue(&app, &admin.access, 999_999, &json!({})).await).await;
    assert_eq!(app.count("certificates"), 0);
    assert_eq!(app.count("certificate_counters"), 0);
    assert!(app.audit_rows("certificate").is_empty());
}

async fn reading_follows_the_volunteers_scope(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let me = app.login_as(Role::Volunteer).await;
    let mine = app.volunteer_of(&me.username);
    let number = app.insert_certificate(mine);
    let other = app.insert_certificate(named_volunteer(&app, "别人", app.branch_id("ZB01")));

    let page = app.get_ok("/api/v1/me/certificates", &me.access).await;
    assert_eq!(strs_of(&page["items"], "number"), [number.as_str()]);
    let one = app
        .get_ok(&format!("/api/v1/certificates/{number}"), &me.access)
        .await;
    assert_eq!(one["volunteer_id"], mine);
    assert_not_found(
        app.get_as(&format!("/api/v1/certificates/{other}"), &me.access)
            .await,
    )
    .await;
    assert_not_found(
        app.get_as(&format!("/api/v1/certificates/{other}/pdf"), &me.access)
            .await,
    )
    .await;
    let hr = app.login_as(Role::Hr).await;
    app.get_ok(&format!("/api/v1/certificates/{other}"), &hr.access)
        .await;
    // a secretary of ZB02 does not hold ZB01's volunteer
    let zb02 = secretary_of(&app, &admin, "ZB02").await;
    assert_not_found(
        app.get_as(&format!("/api/v1/certificates/{other}"), &zb02.access)
            .await,
    )
    .await;
    assert_not_found(
        app.get_as("/api/v1/certificates/VH-2000-000001", &admin.access)
            .await,
    )
    .await;
    assert_not_found(app.get_as("/api/v1/me/certificates", &admin.access).await).await;
}

async fn secretaries_do_not_issue_unless_allowed(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let sec = secretary_of(&app, &admin, "ZB01").await;
    let volunteer = named_volunteer(&app, "支部志愿者", app.branch_id("ZB01"));
    let problem = assert_forbidden(issue(&app, &sec.access, volunteer, &json!({})).await).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("SECRETARIES_ISSUE_CERTIFICATES"),
        "{problem}"
    );
    let hr = app.login_as(Role::Hr).await;
    assert_forbidden(issue(&app, &hr.access, volunteer, &json!({})).await).await;
    assert_eq!(app.count("certificates"), 0);
}

/// With SECRETARIES_ISSUE_CERTIFICATES on, a secretary issues for its own volunteers, and
/// only the hours of events its branches organised count (谁组织谁证明).
async fn an_allowed_secretary_certifies_only_what_its_branches_organised(
    backend: volunteer_hours::db::Backend,
) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.certificates.secretaries_issue = true).await
    else {
        return;
    };
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let r = a_record(&app, &admin).await;
    let sec = secretary_of(&app, &admin, "ZB01").await;
    let body = issued(&app, &sec.access, r.volunteer, &period()).await;
    let s = &body["snapshot"];
    let zb01 = app.branch_id("ZB01");
    let service = recomputed(
        &app,
        r.volunteer,
        "2022-03-01",
        "2022-04-30",
        "service",
        &[zb01],
    );
    assert_eq!(service, 60);
    assert_eq!(s["service_minutes"], service);
    assert_eq!(s["training_minutes"], 0);
    assert_eq!(ints_of(&s["service"], "event_id"), [r.zb01_event]);
    assert_eq!(s["covers_whole_organisation"], false);
    assert_eq!(strs_of(&s["covers"], "code"), ["ZB01"]);
    assert_eq!(s["issuer"]["official_username"], sec.username.as_str());
    // a volunteer of another branch is outside its scope
    let elsewhere = named_volunteer(&app, "外支部", app.branch_id("ZB02"));
    assert_not_found(issue(&app, &sec.access, elsewhere, &json!({})).await).await;
    // secretaries never revoke
    let number = body["number"].as_str().unwrap();
    assert_forbidden(
        app.post_as(
            &format!("/api/v1/certificates/{number}/revoke"),
            Some(&sec.access),
            &json!({ "reason": "不对" }),
        )
        .await,
    )
    .await;
    assert_eq!(app.count("certificates"), 1);
}

async fn revoke(app: &TestApp, token: &str, number: &str, reason: &str) -> reqwest::Response {
    app.post_as(
        &format!("/api/v1/certificates/{number}/revoke"),
        Some(token),
        &json!({ "reason": reason }),
    )
    .await
}

async fn an_admin_revokes_a_certificate_once(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let volunteer = named_volunteer(&app, "撤销者", app.branch_id("ZB01"));
    let body = issued(&app, &admin.access, volunteer, &json!({})).await;
    let number = body["number"].as_str().unwrap();

    let problem = assert_validation(revoke(&app, &admin.access, number, "").await).await;
    assert_eq!(pointers(&problem), ["/reason"]);
    assert!(!stored(&app, number).unwrap().2);

    let revoked =
        ok_json(revoke(&app, &admin.access, number, "时长统计有误，已重新出具").await).await;
    assert_eq!(revoked["revoked_by"], admin.user_id);
    assert_eq!(revoked["revoke_reason"], "时长统计有误，已重新出具");
    assert!(revoked["revoked_at"].is_string());
    assert_eq!(
        revoked["snapshot"], body["snapshot"],
        "the certificate stays as issued"
    );
    let (_, sha, is_revoked, reason) = stored(&app, number).unwrap();
    assert!(is_revoked);
    assert_eq!(reason.as_deref(), Some("时长统计有误，已重新出具"));
    assert_eq!(sha, body["snapshot_sha256"].as_str().unwrap());

    assert_conflict(revoke(&app, &admin.access, number, "再撤一次").await).await;
    assert_eq!(
        stored(&app, number).unwrap().3.as_deref(),
        Some("时长统计有误，已重新出具")
    );
    assert_not_found(revoke(&app, &admin.access, "VH-2000-000009", "无").await).await;
    let id: i64 = certificates::table
        .filter(certificates::number.eq(number))
        .select(certificates::id)
        .first(&mut app.conn())
        .unwrap();
    app.assert_audited(
        "certificate",
        &[("create", admin.user_id, id), ("revoke", admin.user_id, id)],
    );
}

async fn verify_json(app: &TestApp, path: &str) -> reqwest::Response {
    app.get_with(path, &[("accept", "application/json")]).await
}

async fn the_public_page_verifies_valid_and_revoked_certificates(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let r = a_record(&app, &admin).await;
    let body = issued(&app, &admin.access, r.volunteer, &period()).await;
    let number = body["number"].as_str().unwrap();
    let code = body["code"].as_str().unwrap();
    let path = format!("/verify/{number}?code={code}");

    let resp = verify_json(&app, &path).await;
    assert_eq!(
        header(&resp, "content-security-policy"),
        "default-src 'none'; style-src 'unsafe-inline'"
    );
    let v = ok_json(resp).await;
    assert_eq!(
        v,
        json!({
            "number": number,
            "status": "valid",
            "name": "林*燕",
            "service_hours": "1.75",
            "training_hours": "1.00",
            "issuer": "市工信局机关党委",
            "issued_on": body["snapshot"]["issued_on"],
        })
    );

    // a browser gets a small page, escaped, without scripts and without the full name
    let resp = app
        .get_with(
            &path,
            &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), "text/html; charset=utf-8");
    assert_eq!(
        header(&resp, "content-security-policy"),
        "default-src 'none'; style-src 'unsafe-inline'"
    );
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("林*燕") && html.contains("有效") && html.contains("1.75"),
        "{html}"
    );
    assert!(
        !html.contains("林秀燕") && !html.contains("<script"),
        "{html}"
    );

    expect_json(revoke(&app, &admin.access, number, "重新出具").await, 200).await;
    let v = ok_json(verify_json(&app, &path).await).await;
    assert_eq!(v["status"], "revoked");
    let html = app.get(&path).await.text().await.unwrap();
    assert!(html.contains("已撤销"), "{html}");
}

async fn a_wrong_code_answers_exactly_as_an_unknown_number(app: TestApp) {
    app.seed_demo();
    let number = app.insert_certificate(named_volunteer(&app, "核验者", app.branch_id("ZB01")));
    let unknown = format!("VH-{}-999999", this_year(&app));
    for accept in ["application/json", "text/html"] {
        let mut answers = Vec::new();
        for path in [
            format!("/verify/{number}?code=ZZZZZZZZZZZZ"),
            format!("/verify/{number}"),
            format!("/verify/{unknown}?code=ZZZZZZZZZZZZ"),
            format!("/verify/{unknown}"),
        ] {
            let resp = app.get_with(&path, &[("accept", accept)]).await;
            let status = resp.status().as_u16();
            let content_type = header(&resp, "content-type");
            let bytes = resp.bytes().await.unwrap();
            answers.push((status, content_type, bytes));
        }
        assert_eq!(answers[0].0, 404, "{accept}");
        if accept == "text/html" {
            // a person who scanned a wrong code reads a page, not JSON
            assert_eq!(answers[0].1, "text/html; charset=utf-8");
            let page = String::from_utf8_lossy(&answers[0].2);
            assert!(
                page.contains("未找到") && !page.contains("<script"),
                "{page}"
            );
        } else {
            assert_eq!(answers[0].1, "application/problem+json");
        }
        for other in &answers[1..] {
            assert_eq!(other, &answers[0], "{accept}: every miss answers alike");
        }
    }
    let resp = verify_json(&app, &format!("/verify/{unknown}")).await;
    assert_not_found(resp).await;
}

async fn verification_is_rate_limited_per_address(backend: volunteer_hours::db::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.certificates.verify_rate_per_minute = 1;
        c.certificates.verify_rate_burst = 2;
    })
    .await
    else {
        return;
    };
    app.seed();
    let path = "/verify/VH-2026-000001?code=ZZZZZZZZZZZZ";
    assert_eq!(verify_json(&app, path).await.status(), 404);
    assert_eq!(verify_json(&app, path).await.status(), 404);
    let resp = verify_json(&app, path).await;
    let retry: u64 = header(&resp, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_problem(resp, 429, "/problems/too-many-requests").await;
}

/// poppler's `tool`, if installed; outside CI a missing tool skips the test, in CI
/// (`CI=true`) it fails it.
fn poppler(tool: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "{tool} (poppler-utils) is required in CI"
        );
        eprintln!("skipped: {tool} is not installed (apt-get install poppler-utils)");
    }
    found
}

async fn the_pdf_carries_the_name_the_number_and_the_hours(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    let r = a_record(&app, &admin).await;
    let body = issued(&app, &admin.access, r.volunteer, &period()).await;
    let number = body["number"].as_str().unwrap();
    let code = body["code"].as_str().unwrap();

    let resp = app
        .get_as(&format!("/api/v1/certificates/{number}/pdf"), &admin.access)
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type"), "application/pdf");
    assert_eq!(
        header(&resp, "content-disposition"),
        format!("inline; filename=\"{number}.pdf\"")
    );
    let pdf = resp.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).unwrap();
    if let Ok(keep) = std::env::var("KEEP_CERTIFICATE_PDF") {
        std::fs::write(keep, &pdf).unwrap();
    }

    if let Some(pdftotext) = poppler("pdftotext") {
        let out = std::process::Command::new(pdftotext)
            .arg(&file)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        for want in [
            "志愿服务记录证明",
            "林秀燕",
            number,
            "1.75",
            code,
            "市工信局机关党委",
            "3·5学雷锋志愿服务",
        ] {
            assert!(text.contains(want), "{want} not in the PDF's text:\n{text}");
        }
    }
    if let Some(pdftoppm) = poppler("pdftoppm") {
        let out = std::process::Command::new(pdftoppm)
            .args(["-png", "-r", "60", "-f", "1", "-l", "1"])
            .arg(&file)
            .arg(dir.path().join("page"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "pdftoppm complained: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let png = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_string_lossy().ends_with(".png"))
            .expect("a rendered page");
        let bytes = std::fs::read(png.path()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 1000);
    }
}

both_backends!(
    an_admin_issues_a_certificate_that_matches_the_entries,
    the_snapshot_stays_frozen_after_a_later_correction,
    concurrent_issues_are_numbered_without_gaps,
    a_retried_issue_is_answered_once,
    bad_issue_requests_name_every_field_and_write_nothing,
    reading_follows_the_volunteers_scope,
    secretaries_do_not_issue_unless_allowed,
    an_admin_revokes_a_certificate_once,
    the_public_page_verifies_valid_and_revoked_certificates,
    a_wrong_code_answers_exactly_as_an_unknown_number,
    the_pdf_carries_the_name_the_number_and_the_hours,
);

per_backend!(
    an_allowed_secretary_certifies_only_what_its_branches_organised,
    verification_is_rate_limited_per_address,
);
