//! Answers in the caller's language: `Accept-Language` negotiation, `Content-Language` and
//! `Vary`, and every kind of problem in Chinese and English with the same type and pointers.

use crate::helpers::*;
use crate::{both_backends, per_backend};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use volunteer_hours::auth::Role;
use volunteer_hours::config::Lang;
use volunteer_hours::db::Backend;

/// A client that sends no Accept-Language of its own (the suite's default client sends en).
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn stated_language(resp: &reqwest::Response) -> (String, Vec<String>) {
    let language = header(resp, "content-language");
    let vary = resp
        .headers()
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("").split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    (language, vary)
}

/// The request sent in each language: same status, type, pointers; different texts.
async fn same_problem_in_both(what: &str, send: impl Fn() -> RequestBuilder) -> Value {
    let mut answers = Vec::new();
    for lang in ["en", "zh-CN"] {
        let resp = send()
            .header("accept-language", lang)
            .send()
            .await
            .expect("request");
        let (language, vary) = stated_language(&resp);
        assert_eq!(language, lang, "{what}: Content-Language");
        assert!(
            vary.contains(&"accept-language".to_owned()),
            "{what}: {vary:?}"
        );
        assert_eq!(header(&resp, "content-type"), "application/problem+json");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.expect("problem+json");
        answers.push((status, body));
    }
    let [(en_status, en), (zh_status, zh)] = [answers.remove(0), answers.remove(0)];
    assert_eq!(en_status, zh_status, "{what}");
    assert_eq!(en["type"], zh["type"], "{what}");
    assert_eq!(en["status"], zh["status"], "{what}");
    for field in ["title", "detail"] {
        let (e, z) = (en[field].as_str().unwrap(), zh[field].as_str().unwrap());
        assert_ne!(e, z, "{what}: {field} is the same in both: {e}");
        assert!(!has_chinese(e), "{what}: English {field} {e:?}");
        assert!(has_chinese(z), "{what}: Chinese {field} {z:?}");
    }
    let pointers_of = |p: &Value| -> Vec<Value> {
        p["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["pointer"].clone())
            .collect()
    };
    assert_eq!(pointers_of(&en), pointers_of(&zh), "{what}");
    for (e, z) in en["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(zh["errors"].as_array().into_iter().flatten())
    {
        assert_ne!(e["detail"], z["detail"], "{what}: {e} / {z}");
        assert!(has_chinese(z["detail"].as_str().unwrap()), "{what}: {z}");
    }
    en
}

/// A request that fails the same way however often it is sent.
struct Bad<'a> {
    what: &'a str,
    method: Method,
    path: String,
    token: Option<&'a str>,
    /// `Content-Type` and body
    body: Option<(&'a str, String)>,
}

fn bad<'a>(what: &'a str, method: Method, path: &str, token: Option<&'a str>) -> Bad<'a> {
    let path = path.to_owned();
    Bad {
        what,
        method,
        path,
        token,
        body: None,
    }
}

impl<'a> Bad<'a> {
    fn json(self, body: Value) -> Self {
        self.raw("application/json", &body.to_string())
    }
    fn raw(mut self, content_type: &'a str, body: &str) -> Self {
        self.body = Some((content_type, body.to_owned()));
        self
    }
}

async fn every_kind_of_problem_reads_in_both_languages_with_the_same_type_and_pointers(
    app: TestApp,
) {
    let admin = app.login_as(Role::Admin).await;
    let hr = app.login_as(Role::Hr).await;
    let root = app.branch_id("JGDW");
    let branch = json!({ "code": "I18N", "name": "语言支部", "parent_id": root });
    let created = app
        .post_as("/api/v1/branches", Some(&admin.access), &branch)
        .await;
    assert_eq!(created.status(), 201);
    let tables = ["branches", "volunteers", "audit_log"];
    let before: Vec<i64> = tables.iter().map(|t| app.count(t)).collect();

    let (a, h) = (Some(admin.access.as_str()), Some(hr.access.as_str()));
    let login = "/api/v1/auth/login";
    let long = format!("/api/v1/volunteers?q={}", "a".repeat(9000));
    let cases = [
        bad("unknown route", Method::GET, "/api/v1/nothing", None),
        bad("wrong method", Method::PUT, "/api/v1/branches", a),
        bad("malformed JSON", Method::POST, login, None).raw("application/json", "{\"a\":"),
        bad("not JSON", Method::POST, login, None).raw("text/plain", "x"),
        bad("unknown field", Method::POST, login, None)
            .json(json!({"username": "a", "password": "b", "extra": 1})),
        bad("wrong type", Method::POST, "/api/v1/volunteers", a)
            .json(json!({"name": 5, "branch_id": root})),
        bad(
            "several invalid fields",
            Method::POST,
            "/api/v1/volunteers",
            a,
        )
        .json(json!({
            "name": " ", "branch_id": root, "phone": "abc", "tags": ["Not A Tag"],
        })),
        bad("bad credentials", Method::POST, login, None)
            .json(json!({"username": "admin.user", "password": "wrong password"})),
        bad("no token", Method::GET, "/api/v1/volunteers", None),
        bad("a role refused", Method::POST, "/api/v1/branches", h).json(branch.clone()),
        bad("a bad limit", Method::GET, "/api/v1/volunteers?limit=0", a),
        bad(
            "a query of the wrong type",
            Method::GET,
            "/api/v1/volunteers?page=x",
            a,
        ),
        bad(
            "a non-canonical id",
            Method::GET,
            "/api/v1/volunteers/01",
            a,
        ),
        bad("an over-long URI", Method::GET, &long, a),
        bad(
            "no If-Match",
            Method::PATCH,
            &format!("/api/v1/branches/{root}"),
            a,
        )
        .json(json!({"name": "x"})),
        bad("a unique value taken", Method::POST, "/api/v1/branches", a).json(branch.clone()),
        bad("not found", Method::GET, "/api/v1/volunteers/999999", a),
    ];
    for case in &cases {
        let send = || {
            let mut req = app.client.request(case.method.clone(), app.url(&case.path));
            if let Some(t) = case.token {
                req = req.bearer_auth(t);
            }
            if let Some((content_type, body)) = &case.body {
                req = req.header("content-type", *content_type).body(body.clone());
            }
            req
        };
        let en = same_problem_in_both(case.what, send).await;
        if case.what == "several invalid fields" {
            assert!(en["errors"].as_array().unwrap().len() >= 3, "{en}");
        }
    }
    // nothing was written by any of them
    let after: Vec<i64> = tables.iter().map(|t| app.count(t)).collect();
    assert_eq!(before, after);
}

async fn without_accept_language_the_default_is_chinese(app: TestApp) {
    let resp = bare_client()
        .get(app.url("/api/v1/volunteers"))
        .send()
        .await
        .unwrap();
    let (language, vary) = stated_language(&resp);
    assert_eq!(language, "zh-CN");
    assert!(vary.contains(&"accept-language".to_owned()), "{vary:?}");
    let body = assert_problem(resp, 401, "/problems/unauthorized").await;
    assert_eq!(body["title"], "未登录或登录已失效");
    assert_eq!(body["detail"], "访问令牌缺失、无效或已过期");

    // a successful answer states its language too
    let resp = bare_client().get(app.url("/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(stated_language(&resp).0, "zh-CN");
}

async fn q_values_choose_and_unknown_languages_fall_back(app: TestApp) {
    for (accept, want) in [
        ("fr-FR, en;q=0.8, zh;q=0.5", "en"),
        ("en;q=0.2, zh-Hans;q=0.9", "zh-CN"),
        ("zh-TW", "zh-CN"),
        ("en-GB", "en"),
        ("fr, de;q=0.5", "zh-CN"),
        ("en;q=0, *", "zh-CN"),
        ("not a language tag!!", "zh-CN"),
    ] {
        let resp = bare_client()
            .get(app.url("/api/v1/nothing"))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(stated_language(&resp).0, want, "{accept}");
        let body = assert_problem(resp, 404, "/problems/not-found").await;
        let detail = body["detail"].as_str().unwrap();
        assert_eq!(has_chinese(detail), want == "zh-CN", "{accept}: {detail}");
    }
}

async fn the_default_language_is_configurable(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.default_language = Lang::En).await else {
        return;
    };
    for (accept, want) in [(None, "en"), (Some("fr"), "en"), (Some("zh"), "zh-CN")] {
        let mut req = bare_client().get(app.url("/api/v1/nothing"));
        if let Some(a) = accept {
            req = req.header("accept-language", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(stated_language(&resp).0, want, "{accept:?}");
    }
}

async fn the_exports_statement_is_in_the_callers_language(app: TestApp) {
    let hr = app.login_as(Role::Hr).await;
    let mut notes = Vec::new();
    for lang in ["en", "zh-CN"] {
        let resp = app
            .request(
                Method::GET,
                "/api/v1/exports/totals.csv?group_by=volunteer",
                Some(&hr.access),
            )
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(stated_language(&resp).0, lang);
        let text = resp.text().await.unwrap();
        let note = text
            .lines()
            .find(|l| l.contains("说明 note"))
            .unwrap_or_else(|| panic!("no note line in {text}"))
            .to_owned();
        // the headers stay bilingual in every language
        assert!(text.contains("生成时间 generated_at"), "{text}");
        notes.push(note);

        let report = app
            .request(Method::GET, "/api/v1/reports/totals", Some(&hr.access))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        let report = ok_json(report).await;
        let note = report["meta"]["note"].as_str().unwrap();
        assert_eq!(has_chinese(note), lang == "zh-CN", "{note}");
    }
    assert!(notes[0].contains("plan_item"), "{}", notes[0]);
    assert!(notes[1].contains("计划事项"), "{}", notes[1]);
}

both_backends!(
    every_kind_of_problem_reads_in_both_languages_with_the_same_type_and_pointers,
    without_accept_language_the_default_is_chinese,
    q_values_choose_and_unknown_languages_fall_back,
    the_exports_statement_is_in_the_callers_language,
);

per_backend!(the_default_language_is_configurable);
