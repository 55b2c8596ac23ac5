//! The role matrix: every endpoint the spec lists, each role's expected status. A new
//! endpoint without a row here fails this test.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use volunteer_hours::auth::Role;

use crate::both_backends;
use crate::helpers::TestApp;

/// Who calls: no token, then each role. The secretary works for the root branch JGDW, so
/// everything the fixtures make lies inside its scope.
const CALLERS: [Option<Role>; 5] = [
    None,
    Some(Role::Admin),
    Some(Role::Secretary),
    Some(Role::Hr),
    Some(Role::Volunteer),
];

/// What `{id}` stands for in a row.
#[derive(Clone, Copy)]
enum Target {
    None,
    User,
    Plan,
    Branch,
    /// A fresh leaf branch for each request (deletes).
    FreshBranch,
    Volunteer,
    FreshVolunteer,
    Event,
    FreshEvent,
    /// An hour entry of the fixture volunteer.
    Entry,
    /// A fresh entry awaiting review, submitted by nobody in particular.
    FreshEntry,
    FreshApprovedEntry,
    /// A commendation of the fixture volunteer.
    Commendation,
    FreshCommendation,
    /// An evaluation: `{id}` its event, `{volunteer_id}` its volunteer.
    Evaluation,
    /// A fresh approved entry, not evaluated yet: `{id}` its event, `{volunteer_id}` its
    /// volunteer.
    FreshEvaluation,
    /// An open error report of another volunteer than the caller's.
    ErrorReport,
    FreshErrorReport,
    /// A certificate of the fixture volunteer: `{number}` its number.
    Certificate,
    /// A fresh certificate of the fixture volunteer (revocations).
    FreshCertificate,
    /// A sign-up of the fixture volunteer for the fixture event.
    Signup,
    /// A fresh waitlisted sign-up of a new volunteer for the fixture event.
    FreshSignup,
}

struct Row {
    method: &'static str,
    path: &'static str,
    target: Target,
    /// anonymous, admin, secretary, hr, volunteer
    expect: [u16; 5],
}

/// One row a line: method, path, what `{id}` stands for, then the status for each caller
/// in the order of CALLERS. Lines starting with `#` say why a row is as it is.
const MATRIX: &str = "
GET    /health                            None               200 200 200 200 200
GET    /ready                             None               200 200 200 200 200
# login and refresh need no token; these bodies carry wrong credentials
POST   /api/v1/auth/login                 None               401 401 401 401 401
POST   /api/v1/auth/refresh               None               401 401 401 401 401
POST   /api/v1/auth/logout                None               401 204 204 204 204
GET    /api/v1/auth/me                    None               401 200 200 200 200
# a wrong current password: past authentication, refused on content
POST   /api/v1/auth/password              None               401 422 422 422 422
GET    /api/v1/users                      None               401 200 403 403 403
POST   /api/v1/users                      None               401 201 403 403 403
GET    /api/v1/users/{id}                 User               401 200 403 403 403
PATCH  /api/v1/users/{id}                 User               401 200 403 403 403
GET    /api/v1/plans                      None               401 200 200 200 200
POST   /api/v1/plans                      None               401 201 403 403 403
GET    /api/v1/plans/{id}                 Plan               401 200 200 200 200
GET    /api/v1/plan-items                 None               401 200 200 200 200
GET    /api/v1/branches                   None               401 200 200 200 200
POST   /api/v1/branches                   None               401 201 403 403 403
GET    /api/v1/branches/{id}              Branch             401 200 200 200 200
PATCH  /api/v1/branches/{id}              Branch             401 200 403 403 403
DELETE /api/v1/branches/{id}              FreshBranch        401 204 403 403 403
# a volunteer sees only itself: another volunteer is not found
GET    /api/v1/volunteers                 None               401 200 200 200 200
POST   /api/v1/volunteers                 None               401 201 201 403 403
GET    /api/v1/volunteers/{id}            Volunteer          401 200 200 200 404
PATCH  /api/v1/volunteers/{id}            Volunteer          401 200 200 403 403
DELETE /api/v1/volunteers/{id}            FreshVolunteer     401 204 204 403 403
GET    /api/v1/events                     None               401 200 200 200 200
POST   /api/v1/events                     None               401 201 201 403 403
GET    /api/v1/events/{id}                Event              401 200 200 200 200
PATCH  /api/v1/events/{id}                Event              401 200 200 403 403
DELETE /api/v1/events/{id}                FreshEvent         401 204 204 403 403
# a fresh event: each administrator's amendment changes the category once
POST   /api/v1/events/{id}/amendments     FreshEvent         401 200 403 403 403
POST   /api/v1/events/{id}/hours          FreshEvent         401 201 201 403 403
GET    /api/v1/hours                      None               401 200 200 200 200
# ids that do not exist: refused on content once the role may review at all
POST   /api/v1/hours/review               None               401 422 403 403 403
GET    /api/v1/hours/{id}                 Entry              401 200 200 200 404
# only administrators review unless PARENT_SECRETARY_REVIEWS is on
POST   /api/v1/hours/{id}/approve         FreshEntry         401 200 403 403 403
POST   /api/v1/hours/{id}/reject          FreshEntry         401 200 403 403 403
POST   /api/v1/hours/{id}/corrections     FreshApprovedEntry 401 201 201 403 403
# only the submitter (or an administrator) edits or withdraws
PATCH  /api/v1/hours/{id}                 FreshEntry         401 200 403 403 403
DELETE /api/v1/hours/{id}                 FreshEntry         401 204 403 403 403
GET    /api/v1/hours/{id}/history         Entry              401 200 200 200 404
# the parts of the record: read by the volunteer's scope (HR all, a volunteer its own);
# written by administrators and secretaries in scope
GET    /api/v1/volunteers/{id}/commendations Volunteer       401 200 200 200 404
POST   /api/v1/volunteers/{id}/commendations Volunteer       401 201 201 403 403
GET    /api/v1/commendations/{id}         Commendation       401 200 200 200 404
PATCH  /api/v1/commendations/{id}         Commendation       401 200 200 403 403
DELETE /api/v1/commendations/{id}         FreshCommendation  401 204 204 403 403
# an evaluation by the organiser, for a volunteer with an approved entry (no If-Match: create)
PUT    /api/v1/events/{id}/evaluations/{volunteer_id} FreshEvaluation 401 201 201 403 403
GET    /api/v1/events/{id}/evaluations/{volunteer_id} Evaluation      401 200 200 200 404
GET    /api/v1/volunteers/{id}/evaluations Volunteer         401 200 200 200 404
# the whole record in one document, read as the volunteer is
GET    /api/v1/volunteers/{id}/record     Volunteer          401 200 200 200 404
# every role reads events; each sees the evaluations of its scope (a volunteer: its own)
GET    /api/v1/events/{id}/evaluations    Evaluation         401 200 200 200 200
# only an account linked to a volunteer has a record of its own
GET    /api/v1/me/hours                   None               401 404 404 404 200
GET    /api/v1/me/record                  None               401 404 404 404 200
# error reports: made and listed by a volunteer about its own record; decided by
# administrators and the organising branch's secretaries; HR does not handle them
POST   /api/v1/me/error-reports           None               401 403 403 403 201
GET    /api/v1/me/error-reports           None               401 403 403 403 200
GET    /api/v1/error-reports              None               401 200 200 403 403
GET    /api/v1/error-reports/{id}         ErrorReport        401 200 200 403 404
POST   /api/v1/error-reports/{id}/accept  FreshErrorReport   401 200 200 403 403
POST   /api/v1/error-reports/{id}/decline FreshErrorReport   401 200 200 403 403
# certificates: administrators issue and revoke (secretaries issue only with
# SECRETARIES_ISSUE_CERTIFICATES=true); read by the volunteer's scope
POST   /api/v1/volunteers/{id}/certificates Volunteer        401 201 403 403 403
GET    /api/v1/volunteers/{id}/certificates Volunteer        401 200 200 200 404
GET    /api/v1/certificates/{number}      Certificate        401 200 200 200 404
GET    /api/v1/certificates/{number}/pdf  Certificate        401 200 200 200 404
POST   /api/v1/certificates/{number}/revoke FreshCertificate 401 200 403 403 403
GET    /api/v1/me/certificates            None               401 404 404 404 200
# public, no token: without the certificate's code every caller gets the same 404
GET    /verify/{number}                   Certificate        404 404 404 404 404
# attendance: the organiser's side (code, records, list, close) for administrators and
# secretaries; the volunteer's (its code, its pass, its own) for volunteers. The fixture
# event is long over: recording attendance at it is refused on content (409), and the
# volunteer's code is wrong (422)
GET    /api/v1/events/{id}/check-in-code  Event              401 200 200 403 403
POST   /api/v1/events/{id}/check-in       Event              401 403 403 403 422
POST   /api/v1/events/{id}/check-out      Event              401 403 403 403 422
GET    /api/v1/me/pass                    None               401 403 403 403 200
POST   /api/v1/events/{id}/attendance     Event              401 409 409 403 403
GET    /api/v1/events/{id}/attendance     Event              401 200 200 403 403
POST   /api/v1/events/{id}/attendance/close FreshEvent       401 200 200 403 403
GET    /api/v1/me/attendance              None               401 403 403 403 200
# sign-ups: the fixture event takes none (409 on content); an organiser cancelling gives
# a reason (400 without); volunteers sign up and read their own
POST   /api/v1/events/{id}/signups        Event              401 409 409 403 409
GET    /api/v1/events/{id}/signups        Event              401 200 200 403 403
GET    /api/v1/signups/{id}               Signup             401 200 200 200 404
DELETE /api/v1/signups/{id}               FreshSignup        401 400 400 403 404
POST   /api/v1/signups/{id}/admit         FreshSignup        401 409 409 403 403
POST   /api/v1/signups/{id}/decline       FreshSignup        401 200 200 403 403
GET    /api/v1/me/signups                 None               401 403 403 403 200
GET    /api/v1/me/events                  None               401 403 403 403 200
# imports: administrators and secretaries; the matrix sends JSON, which is not a file
GET    /api/v1/imports/templates/{name}   None               401 200 200 403 403
POST   /api/v1/imports/volunteers         None               401 415 415 403 403
POST   /api/v1/imports/hours              None               401 415 415 403 403
GET    /api/v1/audit                      None               401 200 403 403 403
# every role reads totals, each within its scope
GET    /api/v1/reports/totals             None               401 200 200 200 200
GET    /api/v1/exports/totals.csv         None               401 200 200 200 200
GET    /api/v1/exports/totals.xlsx        None               401 200 200 200 200
";

fn target(name: &str) -> Target {
    match name {
        "None" => T::None,
        "User" => T::User,
        "Plan" => T::Plan,
        "Branch" => T::Branch,
        "FreshBranch" => T::FreshBranch,
        "Volunteer" => T::Volunteer,
        "FreshVolunteer" => T::FreshVolunteer,
        "Event" => T::Event,
        "FreshEvent" => T::FreshEvent,
        "Entry" => T::Entry,
        "FreshEntry" => T::FreshEntry,
        "FreshApprovedEntry" => T::FreshApprovedEntry,
        "Commendation" => T::Commendation,
        "FreshCommendation" => T::FreshCommendation,
        "Evaluation" => T::Evaluation,
        "FreshEvaluation" => T::FreshEvaluation,
        "ErrorReport" => T::ErrorReport,
        "FreshErrorReport" => T::FreshErrorReport,
        "Certificate" => T::Certificate,
        "FreshCertificate" => T::FreshCertificate,
        "Signup" => T::Signup,
        "FreshSignup" => T::FreshSignup,
        other => panic!("unknown target {other} in the role matrix"),
    }
}

fn matrix() -> Vec<Row> {
    MATRIX
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let cells: Vec<&'static str> = line.split_whitespace().collect();
            let [method, path, target_name, statuses @ ..] = cells.as_slice() else {
                panic!("a short row in the role matrix: {line}");
            };
            let expect: Vec<u16> = statuses
                .iter()
                .map(|s| s.parse().expect("a status"))
                .collect();
            Row {
                method,
                path,
                target: target(target_name),
                expect: expect.try_into().expect("five statuses"),
            }
        })
        .collect()
}

use Target as T;

struct Fixtures {
    user: i64,
    plan: i64,
    branch: i64,
    volunteer: i64,
    event: i64,
    root: i64,
    item: i64,
    entry: i64,
    commendation: i64,
    /// (event, volunteer)
    evaluation: (i64, i64),
    error_report: i64,
    certificate: String,
    signup: i64,
}

fn body_for(path: &str, caller: Option<Role>, f: &Fixtures) -> Value {
    let who = caller.map_or("anon", |r| r.as_str());
    match path {
        "/api/v1/auth/login" => json!({ "username": "nobody", "password": "not a password" }),
        "/api/v1/auth/refresh" | "/api/v1/auth/logout" => json!({ "refresh_token": "not a token" }),
        "/api/v1/auth/password" => {
            json!({ "current_password": "wrong password", "new_password": "a new long password" })
        }
        "/api/v1/users" => {
            json!({ "username": format!("new.{who}"), "password": "a long enough password", "role": "hr" })
        }
        "/api/v1/users/{id}" => json!({ "disabled": false }),
        "/api/v1/plans" => json!({
            "year": 2030, "title": "2030年工作要点", "issuer": "市工信局",
            "sections": [{ "number": 1, "title": "一", "items": [{ "number": 1, "title": "志愿服务", "body": "" }] }]
        }),
        "/api/v1/branches" => {
            json!({ "code": format!("NEW-{}", who.to_uppercase()), "name": "新支部", "parent_id": f.root })
        }
        "/api/v1/branches/{id}" => json!({ "name": "改名的支部" }),
        "/api/v1/volunteers" => json!({ "name": format!("新志愿者 {who}"), "branch_id": f.root }),
        "/api/v1/volunteers/{id}" => json!({ "name": "改名的志愿者" }),
        "/api/v1/events" => json!({
            "title": "学雷锋志愿服务", "category": "lei_feng_day", "organiser_branch_id": f.root,
            "starts_at": "2022-03-05T01:00:00Z", "ends_at": "2022-03-05T04:00:00Z", "plan_item_ids": [f.item]
        }),
        "/api/v1/events/{id}" => json!({ "title": "改名的活动" }),
        "/api/v1/events/{id}/amendments" => {
            json!({ "category": "tree_planting", "reason": "类别录入错误" })
        }
        "/api/v1/events/{id}/hours" => {
            json!({ "entries": [{ "volunteer_id": f.volunteer, "minutes": 60 }] })
        }
        "/api/v1/hours/review" => json!({ "action": "approve", "ids": [999_999] }),
        "/api/v1/hours/{id}/reject" => json!({ "reason": "与签到表不符" }),
        "/api/v1/hours/{id}/corrections" => json!({ "minutes": -10, "reason": "多记了十分钟" }),
        "/api/v1/hours/{id}" => json!({ "note": "改了备注" }),
        "/api/v1/volunteers/{id}/commendations" => json!({
            "title": "优秀志愿者", "awarded_by": "共青团福州市委员会",
            "awarded_on": "2022-12-05", "level": "city"
        }),
        "/api/v1/commendations/{id}" => json!({ "level": "provincial" }),
        "/api/v1/me/error-reports" => json!({
            "kind": "missing", "event_id": f.event, "minutes": 60, "role": "引导员",
            "explanation": "签到表漏记了我"
        }),
        "/api/v1/error-reports/{id}/decline" => json!({ "reason": "当天签到表上没有该志愿者" }),
        "/api/v1/events/{id}/evaluations/{volunteer_id}" => {
            json!({ "rating": "excellent", "comment": "引导有序" })
        }
        "/api/v1/volunteers/{id}/certificates" => json!({ "purpose": "入团材料" }),
        "/api/v1/certificates/{number}/revoke" => json!({ "reason": "重新出具" }),
        "/api/v1/events/{id}/check-in" | "/api/v1/events/{id}/check-out" => {
            json!({ "code": "not a code" })
        }
        "/api/v1/events/{id}/signups" if caller != Some(Role::Volunteer) => {
            json!({ "volunteer_id": f.volunteer })
        }
        "/api/v1/signups/{id}/decline" => json!({ "reason": "名额已满" }),
        "/api/v1/events/{id}/attendance" => {
            json!({ "volunteer_id": f.volunteer, "action": "check_in" })
        }
        _ => json!({}),
    }
}

async fn every_endpoint_answers_each_role_as_specified(app: TestApp) {
    let spec: Value = serde_json::to_value(volunteer_hours::openapi::spec()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let matrix = matrix();
    let tabled: BTreeSet<(String, String)> = matrix
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(
        documented, tabled,
        "every documented endpoint needs a row in the role matrix, and no more"
    );

    app.seed();
    let root = app.branch_id("JGDW");
    let f = Fixtures {
        user: app.create_user("matrix.target", Role::Hr),
        plan: {
            use diesel::prelude::*;
            use volunteer_hours::db::schema::plans;
            plans::table
                .filter(plans::year.eq(2022))
                .select(plans::id)
                .first(&mut app.conn())
                .unwrap()
        },
        branch: app.insert_branch("MATRIX", Some(root)),
        volunteer: app.insert_volunteer("矩阵志愿者", root),
        event: app.insert_event("矩阵活动", root),
        root,
        item: app.plan_item_id(8),
        entry: 0,
        commendation: 0,
        evaluation: (0, 0),
        error_report: 0,
        certificate: String::new(),
        signup: 0,
    };
    let f = Fixtures {
        entry: app.insert_entry("submitted"),
        commendation: app.insert_commendation(f.volunteer),
        evaluation: {
            let (event, volunteer) = app.entry_parts(app.insert_entry("approved"));
            app.insert_evaluation(event, volunteer);
            (event, volunteer)
        },
        error_report: app.insert_error_report(),
        certificate: app.insert_certificate(f.volunteer),
        signup: app.insert_signup(f.event, f.volunteer, "admitted"),
        ..f
    };
    let mut fresh = 0;
    for r in &matrix {
        for (caller, expected) in CALLERS.iter().zip(r.expect) {
            // a fresh session per request: logout and the like must not spoil the next row
            let token = match caller {
                Some(role) => Some(app.session(&format!("matrix.{role}"), *role).await.access),
                None => None,
            };
            fresh += 1;
            let mut volunteer_id = 0;
            let mut number = String::new();
            let id = match r.target {
                T::None => 0,
                T::User => f.user,
                T::Plan => f.plan,
                T::Branch => f.branch,
                T::FreshBranch => app.insert_branch(&format!("GONE{fresh}"), Some(root)),
                T::Volunteer => f.volunteer,
                T::FreshVolunteer => app.insert_volunteer(&format!("临时 {fresh}"), root),
                T::Event => f.event,
                T::FreshEvent => app.insert_event(&format!("临时活动 {fresh}"), root),
                T::Entry => f.entry,
                T::FreshEntry => app.insert_entry("submitted"),
                T::FreshApprovedEntry => app.insert_entry("approved"),
                T::Commendation => f.commendation,
                T::FreshCommendation => app.insert_commendation(f.volunteer),
                T::Evaluation => {
                    volunteer_id = f.evaluation.1;
                    f.evaluation.0
                }
                T::FreshEvaluation => {
                    let (event, volunteer) = app.entry_parts(app.insert_entry("approved"));
                    volunteer_id = volunteer;
                    event
                }
                T::ErrorReport => f.error_report,
                T::FreshErrorReport => app.insert_error_report(),
                T::Certificate => {
                    number = f.certificate.clone();
                    0
                }
                T::FreshCertificate => {
                    number = app.insert_certificate(f.volunteer);
                    0
                }
                T::Signup => f.signup,
                T::FreshSignup => {
                    let v = app.insert_volunteer(&format!("候补 {fresh}"), root);
                    app.insert_signup(f.event, v, "waitlisted")
                }
            };
            let path = r
                .path
                .replace("{id}", &id.to_string())
                .replace("{volunteer_id}", &volunteer_id.to_string())
                .replace("{number}", &number)
                .replace("{name}", "hours.csv");
            let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap();
            let mut req = app.request(method.clone(), &path, token.as_deref());
            if method == reqwest::Method::PUT {
                req = req.json(&body_for(r.path, *caller, &f));
            } else if method != reqwest::Method::GET {
                req = req
                    .header("if-match", "*")
                    .header("idempotency-key", format!("matrix-{fresh}"))
                    .header("idempotency-key", format!("matrix-{fresh}"));
                if method != reqwest::Method::DELETE {
                    req = req.json(&body_for(r.path, *caller, &f));
                }
            }
            let resp = req.send().await.unwrap();
            assert_eq!(
                resp.status().as_u16(),
                expected,
                "{} {} as {:?}: {}",
                r.method,
                r.path,
                caller,
                resp.text().await.unwrap_or_default()
            );
        }
    }
}

both_backends!(every_endpoint_answers_each_role_as_specified);

/// Wherever a role is refused, the spec says so: a generated client has a type for the 403.
#[test]
fn the_spec_declares_403_wherever_a_role_is_refused() {
    let spec: Value = serde_json::to_value(volunteer_hours::openapi::spec()).unwrap();
    let mut refused = 0;
    for row in matrix() {
        let op = &spec["paths"][row.path][row.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not in the spec",
            row.method,
            row.path
        );
        if row.expect.contains(&403) {
            assert!(
                op["responses"].get("403").is_some(),
                "{} {} refuses a role but declares no 403",
                row.method,
                row.path
            );
            refused += 1;
        }
    }
    assert!(refused >= 20, "{refused}");
}
