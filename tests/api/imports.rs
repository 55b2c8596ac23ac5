//! Imports from Excel and CSV: the templates; volunteers and past hours in every form users
//! have them (XLSX, CSV in UTF-8 with or without a BOM and in GB18030, multipart or raw);
//! every bad row named with nothing written; dry runs; idempotent resends; scope; limits.

use diesel::prelude::*;
use reqwest::Method;
use serde_json::Value;
use volunteer_hours::auth::Role;
use volunteer_hours::db::schema::{events, hour_entries, users, volunteer_tags, volunteers};

use crate::both_backends;
use crate::helpers::*;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook of one sheet from rows of cells (`=` before a text makes it a number, `#`
/// an Excel date).
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if let Some(n) = cell.strip_prefix('=') {
                sheet.write_number(r, c, n.parse::<f64>().unwrap()).unwrap();
            } else if let Some(d) = cell.strip_prefix('#') {
                let d = ExcelDateTime::parse_from_str(d).unwrap();
                sheet.write_datetime_with_format(r, c, &d, &date).unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, *cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn import(
    app: &TestApp,
    token: &str,
    path: &str,
    media: &str,
    body: Vec<u8>,
    key: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .request(Method::POST, path, Some(token))
        .header("content-type", media)
        .body(body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.expect("request")
}

/// A real import that must succeed: its summary.
async fn imported(app: &TestApp, token: &str, path: &str, media: &str, body: Vec<u8>) -> Value {
    expect_json(
        import(app, token, path, media, body, Some(&key())).await,
        200,
    )
    .await
}

/// A refused import: its problem, after checking its shape.
async fn refused(resp: reqwest::Response) -> Value {
    let body = assert_problem(resp, 422, "/problems/validation").await;
    assert!(body["summary"].is_object(), "{body}");
    body
}

/// A real import that must be refused: its problem.
async fn refuse(app: &TestApp, token: &str, path: &str, media: &str, body: Vec<u8>) -> Value {
    refused(import(app, token, path, media, body, Some(&key())).await).await
}

/// Each row error as (row, column, detail's first words).
fn row_errors(problem: &Value) -> Vec<(i64, String)> {
    problem["row_errors"]
        .as_array()
        .expect("row_errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap_or("(row)").to_owned(),
            )
        })
        .collect()
}

fn volunteer_count(app: &TestApp) -> i64 {
    app.count("volunteers")
}

async fn templates_say_what_the_import_takes(app: TestApp) {
    app.seed_demo();
    let admin = app.login_as(Role::Admin).await;
    for name in ["volunteers.xlsx", "hours.xlsx"] {
        let resp = app
            .get_as(&format!("/api/v1/imports/templates/{name}"), &admin.access)
            .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], XLSX);
        assert_eq!(
            resp.headers()["content-disposition"],
            format!("attachment; filename=\"{name}\"").as_str()
        );
        let bytes = resp.bytes().await.unwrap().to_vec();
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX");
        let sheets = book.sheet_names();
        assert_eq!(sheets.len(), 2, "{sheets:?}");
        let about = book.worksheet_range(&sheets[1]).unwrap();
        let text: Vec<String> = about.rows().flatten().map(|c| c.to_string()).collect();
        let text = text.join("|");
        assert!(text.contains("IMPORT_MAX_ROWS"), "{text}");
        if name == "hours.xlsx" {
            assert!(text.contains("lei_feng_day"), "{text}");
            assert!(text.contains("服务时长(小时) hours"), "{text}");
        }
    }
    // the CSV template, as downloaded, is a good import of one volunteer
    let resp = app
        .get_as("/api/v1/imports/templates/volunteers.csv", &admin.access)
        .await;
    assert_eq!(resp.status(), 200);
    let csv = resp.bytes().await.unwrap().to_vec();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    assert!(String::from_utf8_lossy(&csv).starts_with("\u{feff}姓名 name,性别 gender"));
    let dry = expect_json(
        import(
            &app,
            &admin.access,
            "/api/v1/imports/volunteers?dry_run=true",
            "text/csv",
            csv,
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (dry["dry_run"].as_bool(), dry["created"].as_i64()),
        (Some(true), Some(1)),
        "{dry}"
    );
    // no such template; HR and volunteers import nothing
    let resp = app
        .get_as("/api/v1/imports/templates/users.xlsx", &admin.access)
        .await;
    assert_problem(resp, 404, "/problems/not-found").await;
    let hr = app.login_as(Role::Hr).await;
    let resp = app
        .get_as("/api/v1/imports/templates/hours.csv", &hr.access)
        .await;
    assert_problem(resp, 403, "/problems/forbidden").await;
    let resp = import(
        &app,
        &hr.access,
        "/api/v1/imports/volunteers",
        "text/csv",
        b"a".to_vec(),
        Some("k"),
    )
    .await;
    assert_problem(resp, 403, "/problems/forbidden").await;
}

async fn volunteers_from_excel_in_any_column_order(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let file = xlsx(&[
        &[
            "序号",
            "Branch Code",
            "tags",
            "姓名",
            "手机号 phone",
            "志愿者编号",
            "入队日期",
            "性别",
        ],
        &[
            "1",
            "JGTW",
            "trained，first_aid",
            "林晓燕",
            "=13805912301",
            "350100202103050001",
            "#2021-03-05",
            "女",
        ],
        &[
            "2",
            "JGGH",
            "",
            "陈志强",
            "",
            "350100202103050002",
            "2021/3/6",
            "male",
        ],
        &[],
        &[],
    ]);
    let before = app.count("audit_log");
    let summary = imported(
        &app,
        &admin.access,
        "/api/v1/imports/volunteers",
        XLSX,
        file,
    )
    .await;
    assert_eq!(summary["rows_read"], 2, "{summary}");
    assert_eq!(summary["created"], 2, "{summary}");
    assert_eq!(summary["dry_run"], false);
    assert_eq!(summary["ignored_columns"], serde_json::json!(["序号"]));
    let stored: (
        String,
        Option<String>,
        Option<String>,
        Option<chrono::NaiveDate>,
        i64,
    ) = volunteers::table
        .filter(volunteers::volunteer_number.eq("350100202103050001"))
        .select((
            volunteers::name,
            volunteers::gender,
            volunteers::phone,
            volunteers::joined_on,
            volunteers::branch_id,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        stored,
        (
            "林晓燕".into(),
            Some("female".into()),
            Some("13805912301".into()),
            chrono::NaiveDate::from_ymd_opt(2021, 3, 5),
            app.branch_id("JGTW")
        )
    );
    let tags: Vec<String> = volunteer_tags::table
        .inner_join(volunteers::table)
        .filter(volunteers::volunteer_number.eq("350100202103050001"))
        .select(volunteer_tags::tag)
        .order(volunteer_tags::tag)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(tags, ["first_aid", "trained"]);
    assert_eq!(
        app.count("audit_log") - before,
        2,
        "one audit row per volunteer"
    );
}

async fn every_bad_row_is_named_and_nothing_is_written(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    imported(
        &app,
        &admin.access,
        "/api/v1/imports/volunteers",
        "text/csv",
        "姓名,支部代码,志愿者编号\n王芳,JGDW,V-1\n"
            .as_bytes()
            .to_vec(),
    )
    .await;
    let before = volunteer_count(&app);
    let csv = "name,gender,phone,volunteer_number,branch_code,joined_on,tags\n\
               好人,女,13800000000,V-2,JGDW,2022-01-01,\n\
               坏性别,未知,,V-3,JGDW,,\n\
               坏日期,,,V-4,JGDW,2022-13-01,\n\
               ,,,V-5,NOPE,,\n\
               重复,,,V-2,JGDW,,\n\
               已有,,12,V-1,JGDW,,Bad Tag\n";
    let problem = refuse(
        &app,
        &admin.access,
        "/api/v1/imports/volunteers",
        "text/csv; charset=utf-8",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        row_errors(&problem),
        [
            (3, "性别 gender".to_owned()),
            (4, "入队日期 joined_on".to_owned()),
            (5, "姓名 name".to_owned()),
            (5, "支部代码 branch_code".to_owned()),
            (6, "志愿者编号 volunteer_number".to_owned()),
            (7, "手机号 phone".to_owned()),
            (7, "标签 tags".to_owned()),
            (7, "志愿者编号 volunteer_number".to_owned()),
        ],
        "{problem}"
    );
    let bad_date = &problem["row_errors"][1];
    assert_eq!(bad_date["value"], "2022-13-01");
    assert_eq!(problem["summary"]["error_count"], 8);
    assert_eq!(problem["summary"]["dry_run"], false);
    assert_eq!(volunteer_count(&app), before, "nothing written");
    // in English on request
    let resp = app
        .request(
            Method::POST,
            "/api/v1/imports/volunteers?dry_run=true",
            Some(&admin.access),
        )
        .header("content-type", "text/csv")
        .header("accept-language", "en")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let problem = refused(resp).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("dry run"),
        "{problem}"
    );
    assert_eq!(
        problem["row_errors"][0]["detail"],
        "gender is 男 or 女 (male or female)"
    );
}

async fn an_existing_number_updates_only_when_asked(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let path = "/api/v1/imports/volunteers";
    imported(
        &app,
        &admin.access,
        path,
        "text/csv",
        "姓名,支部代码,志愿者编号,手机号\n王芳,JGDW,V-1,13800000000\n"
            .as_bytes()
            .to_vec(),
    )
    .await;
    let again = "姓名,支部代码,志愿者编号\n王芳芳,JGTW,V-1\n"
        .as_bytes()
        .to_vec();
    let problem = refuse(&app, &admin.access, path, "text/csv", again.clone()).await;
    assert_eq!(
        row_errors(&problem),
        [(2, "志愿者编号 volunteer_number".to_owned())]
    );
    let summary = imported(
        &app,
        &admin.access,
        &format!("{path}?update_existing=true"),
        "text/csv",
        again,
    )
    .await;
    assert_eq!(
        (summary["created"].as_i64(), summary["updated"].as_i64()),
        (Some(0), Some(1))
    );
    let stored: (String, i64, Option<String>, i64) = volunteers::table
        .filter(volunteers::volunteer_number.eq("V-1"))
        .select((
            volunteers::name,
            volunteers::branch_id,
            volunteers::phone,
            volunteers::version,
        ))
        .first(&mut app.conn())
        .unwrap();
    // the file had no phone column: the phone stays
    assert_eq!(
        stored,
        (
            "王芳芳".into(),
            app.branch_id("JGTW"),
            Some("13800000000".into()),
            2
        )
    );
}

async fn csv_in_gb18030_and_utf8_with_a_bom(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let text = "姓名,支部代码,志愿者编号\r\n林晓燕,JGDW,G-1\r\n";
    let (gb, _, _) = encoding_rs::GB18030.encode(text);
    assert!(std::str::from_utf8(&gb).is_err(), "a real GB18030 file");
    imported(
        &app,
        &admin.access,
        "/api/v1/imports/volunteers",
        "text/csv",
        gb.into_owned(),
    )
    .await;
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("姓名,支部代码,志愿者编号\n陈志强,JGDW,G-2\n".as_bytes());
    imported(
        &app,
        &admin.access,
        "/api/v1/imports/volunteers",
        "text/csv",
        bom,
    )
    .await;
    let names: Vec<String> = volunteers::table
        .filter(volunteers::volunteer_number.eq_any(["G-1", "G-2"]))
        .order(volunteers::volunteer_number)
        .select(volunteers::name)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(names, ["林晓燕", "陈志强"]);
}

/// A multipart body with one file part, as a browser sends it.
fn multipart(file: &[u8], filename: &str, media: &str) -> (String, Vec<u8>) {
    let boundary = "----vh-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: {media}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn multipart_and_raw_bodies_dry_runs_and_resends(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let path = "/api/v1/imports/volunteers";
    let file = xlsx(&[
        &["姓名", "支部代码", "志愿者编号"],
        &["林晓燕", "JGDW", "M-1"],
    ]);
    let (media, body) = multipart(&file, "志愿者.xlsx", XLSX);
    // a dry run writes nothing and needs no key
    let dry = expect_json(
        import(
            &app,
            &admin.access,
            &format!("{path}?dry_run=true"),
            &media,
            body.clone(),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (dry["dry_run"].as_bool(), dry["created"].as_i64()),
        (Some(true), Some(1))
    );
    assert_eq!(volunteer_count(&app), 0);
    // a real run needs a key
    let resp = import(&app, &admin.access, path, &media, body.clone(), None).await;
    assert_problem(resp, 400, "/problems/bad-request").await;
    let k = key();
    let first = import(&app, &admin.access, path, &media, body.clone(), Some(&k)).await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    assert_eq!(volunteer_count(&app), 1);
    // the resend after a lost answer: the same answer, nothing twice
    let again = import(&app, &admin.access, path, &media, body, Some(&k)).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(volunteer_count(&app), 1);
    // the same key with another file is refused
    let other = xlsx(&[&["姓名", "支部代码"], &["陈志强", "JGDW"]]);
    let resp = import(&app, &admin.access, path, XLSX, other, Some(&k)).await;
    assert_problem(resp, 422, "/problems/validation").await;
    assert_eq!(volunteer_count(&app), 1);
    // a multipart body that cannot be read (a part's name is not UTF-8): a malformed file
    let mut broken =
        b"--b0undary\r\nContent-Disposition: form-data; name=\"\xff\xfe\"\r\n\r\nx\r\n".to_vec();
    broken.extend_from_slice(b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nname\r\n--b0undary--\r\n");
    let resp = import(
        &app,
        &admin.access,
        &format!("{path}?dry_run=true"),
        "multipart/form-data; boundary=b0undary",
        broken,
        None,
    )
    .await;
    let problem = refused(resp).await;
    assert_eq!(problem["row_errors"], serde_json::json!([]), "{problem}");
    // a multipart body without a file part
    let boundary = "b0undary";
    let resp = import(
        &app,
        &admin.access,
        &format!("{path}?dry_run=true"),
        &format!("multipart/form-data; boundary={boundary}"),
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--{boundary}--\r\n").into_bytes(),
        None,
    )
    .await;
    refused(resp).await;
}

async fn a_secretary_imports_into_its_scope_only(app: TestApp) {
    app.seed();
    let sec = app.session("jgtw.secretary", Role::Secretary).await;
    diesel::update(users::table.find(sec.user_id))
        .set(users::branch_id.eq(app.branch_id("JGTW")))
        .execute(&mut app.conn())
        .unwrap();
    let sec = app.session("jgtw.secretary", Role::Secretary).await;
    let csv = "姓名,支部代码\n甲,JGTW\n乙,JGDW\n丙,JGGH\n"
        .as_bytes()
        .to_vec();
    let problem = refuse(
        &app,
        &sec.access,
        "/api/v1/imports/volunteers",
        "text/csv",
        csv,
    )
    .await;
    assert_eq!(
        row_errors(&problem),
        [
            (3, "支部代码 branch_code".to_owned()),
            (4, "支部代码 branch_code".to_owned())
        ]
    );
    assert_eq!(volunteer_count(&app), 0);
    // hours only for the volunteers of its scope: one of JGDW is not
    numbered(&app, 1);
    let ours = app.insert_volunteer("本支部", app.branch_id("JGTW"));
    diesel::update(volunteers::table.find(ours))
        .set(volunteers::volunteer_number.eq("T-1"))
        .execute(&mut app.conn())
        .unwrap();
    let event = app.insert_event("3·5学雷锋志愿服务", app.branch_id("JGDW"));
    let csv = format!("志愿者编号,活动ID,服务日期,服务时长(小时)\nT-1,{event},2022-03-05,1\nH-1,{event},2022-03-05,1\n");
    let problem = refuse(
        &app,
        &sec.access,
        "/api/v1/imports/hours",
        "text/csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(
        row_errors(&problem),
        [(3, "志愿者编号 volunteer_number".to_owned())]
    );
    assert_eq!(
        app.count("hour_entries"),
        0,
        "not even the row in scope: all or nothing"
    );
}

async fn malformed_files_and_the_limits(app: TestApp) {
    let Some(app) = TestApp::spawn_with(app.db.backend, |c| {
        c.imports.max_rows = 3;
        c.imports.max_bytes = 2048;
    })
    .await
    else {
        return;
    };
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let path = "/api/v1/imports/volunteers?dry_run=true";
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (XLSX, b"PK\x03\x04 not really a zip".to_vec(), "XLSX"),
        ("text/csv", b"name\x00\x01\x02".to_vec(), "not text"),
        ("text/csv", b"\xff\xfe\xfd\xfc".to_vec(), "UTF-8"),
        (
            "text/csv",
            b"name,branch_code\n\"open quote,JGDW\n".to_vec(),
            "line",
        ),
        (
            "text/csv",
            b"name,branch_code\na,JGDW\nb,JGDW\nc,JGDW\nd,JGDW\n".to_vec(),
            "IMPORT_MAX_ROWS",
        ),
    ];
    for (media, body, says) in cases {
        let resp = app
            .request(Method::POST, path, Some(&admin.access))
            .header("content-type", media)
            .header("accept-language", "en")
            .body(body)
            .send()
            .await
            .unwrap();
        let problem = refused(resp).await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{says}: {detail}");
    }
    // three rows are fine
    let ok = b"name,branch_code\na,JGDW\nb,JGDW\nc,JGDW\n\n\n".to_vec();
    expect_json(
        import(&app, &admin.access, path, "text/csv", ok, None).await,
        200,
    )
    .await;
    // beyond MAX_IMPORT_BYTES
    let big = vec![b'a'; 70 * 1024];
    let resp = import(&app, &admin.access, path, "text/csv", big, None).await;
    let problem = assert_problem(resp, 413, "/problems/payload-too-large").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("2048"),
        "{problem}"
    );
    // JSON is not a file
    let resp = import(
        &app,
        &admin.access,
        path,
        "application/json",
        b"{}".to_vec(),
        None,
    )
    .await;
    assert_problem(resp, 415, "/problems/unsupported-media-type").await;
    // a missing required column, named in row 1
    let resp = import(
        &app,
        &admin.access,
        path,
        "text/csv",
        b"name\na\n".to_vec(),
        None,
    )
    .await;
    let problem = refused(resp).await;
    assert_eq!(
        row_errors(&problem),
        [(1, "支部代码 branch_code".to_owned())]
    );
    // unknown query parameters
    let resp = import(
        &app,
        &admin.access,
        "/api/v1/imports/volunteers?dryrun=1",
        "text/csv",
        b"a".to_vec(),
        None,
    )
    .await;
    assert_problem(resp, 400, "/problems/invalid-parameter").await;
    assert_eq!(volunteer_count(&app), 0);
}

// --- hours ---

/// Volunteers `H-1`.. `H-n` of JGDW.
fn numbered(app: &TestApp, n: usize) -> Vec<i64> {
    let branch = app.branch_id("JGDW");
    (1..=n)
        .map(|i| {
            let id = app.insert_volunteer(&format!("志愿者{i}"), branch);
            diesel::update(volunteers::table.find(id))
                .set(volunteers::volunteer_number.eq(format!("H-{i}")))
                .execute(&mut app.conn())
                .unwrap();
            id
        })
        .collect()
}

fn entries_of(app: &TestApp) -> Vec<(i64, i32, String, String)> {
    hour_entries::table
        .order(hour_entries::id)
        .select((
            hour_entries::volunteer_id,
            hour_entries::minutes,
            hour_entries::source,
            hour_entries::status,
        ))
        .load(&mut app.conn())
        .unwrap()
}

async fn hours_by_number_or_name_with_hours_minutes_or_times(app: TestApp) {
    app.seed();
    let vs = numbered(&app, 3);
    // 2022-03-05 09:00-12:00 local
    let event = app.insert_event("3·5学雷锋志愿服务", app.branch_id("JGDW"));
    let admin = app.login_as(Role::Admin).await;
    let file = xlsx(&[
        &[
            "志愿者编号",
            "姓名 volunteer_name",
            "支部代码",
            "活动ID event_id",
            "服务日期",
            "服务时长(小时) hours",
            "服务时长(分钟)",
            "开始时间",
            "结束时间",
            "岗位",
            "备注",
        ],
        &[
            "H-1",
            "",
            "",
            &format!("={event}"),
            "#2022-03-05",
            "=2.5",
            "",
            "",
            "",
            "引导员",
            "",
        ],
        &[
            "",
            "志愿者2",
            "JGDW",
            &event.to_string(),
            "2022/3/5",
            "",
            "=90",
            "",
            "",
            "",
            "补录",
        ],
        &[
            "H-3",
            "",
            "",
            &event.to_string(),
            "2022年3月5日",
            "",
            "",
            "09:30",
            "11:00",
            "",
            "",
        ],
    ]);
    let summary = imported(&app, &admin.access, "/api/v1/imports/hours", XLSX, file).await;
    assert_eq!(summary["created"], 3, "{summary}");
    assert_eq!(
        entries_of(&app),
        [
            (vs[0], 150, "imported".to_owned(), "submitted".to_owned()),
            (vs[1], 90, "imported".to_owned(), "submitted".to_owned()),
            (vs[2], 90, "imported".to_owned(), "submitted".to_owned()),
        ]
    );
    let started: Option<chrono::NaiveDateTime> = hour_entries::table
        .filter(hour_entries::volunteer_id.eq(vs[2]))
        .select(hour_entries::started_at)
        .first(&mut app.conn())
        .unwrap();
    // 09:30 in UTC+8
    assert_eq!(
        started.map(|t| t.to_string()),
        Some("2022-03-05 01:30:00".into())
    );
}

async fn every_rule_of_hours_holds_across_the_file(app: TestApp) {
    app.seed();
    let vs = numbered(&app, 3);
    let event = app.insert_event("3·5学雷锋志愿服务", app.branch_id("JGDW"));
    let other = app.insert_event("另一活动", app.branch_id("JGDW"));
    let sec = app.login_as(Role::Secretary).await;
    let stored = recorded(&app, &sec.access, event, vec![entry(vs[2], 60)]).await;
    let e = event.to_string();
    let o = other.to_string();
    let csv = format!(
        "志愿者编号,活动ID,服务日期,服务时长(小时),开始时间,结束时间\n\
         H-1,{e},2022-03-05,1,,\n\
         H-1,{e},2022-03-05,2,,\n\
         H-2,{e},2022-03-05,,09:00,11:00\n\
         H-2,{o},2022-03-05,,10:00,11:30\n\
         H-3,{e},2022-03-05,1,,\n\
         H-9,{e},2022-03-05,1,,\n\
         H-1,999999,2022-03-05,1,,\n\
         H-1,{e},2022-03-06,1,,\n\
         H-1,{o},2022-03-05,2.001,,\n\
         ,{e},2022-03-05,1,,\n"
    );
    let problem = refuse(
        &app,
        &sec.access,
        "/api/v1/imports/hours",
        "text/csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(
        row_errors(&problem),
        [
            (3, "(row)".to_owned()), // same volunteer, event and day as row 2
            (5, "(row)".to_owned()), // overlaps row 4
            (6, "(row)".to_owned()), // an entry of that day is stored
            (7, "志愿者编号 volunteer_number".to_owned()), // no such volunteer
            (8, "活动ID event_id".to_owned()), // no such event
            (9, "服务日期 service_date".to_owned()), // not a day of the event
            (10, "服务时长(小时) hours".to_owned()), // not whole minutes
            (11, "(row)".to_owned()), // no volunteer
        ],
        "{problem}"
    );
    assert!(problem["row_errors"][0]["detail"]
        .as_str()
        .unwrap()
        .contains('2'));
    assert!(
        problem["row_errors"][1]["detail"]
            .as_str()
            .unwrap()
            .contains('4'),
        "{problem}"
    );
    assert_eq!(
        app.count("hour_entries"),
        stored.len() as i64,
        "nothing written"
    );
}

async fn history_before_the_service_creates_its_events(app: TestApp) {
    app.seed();
    let vs = numbered(&app, 2);
    let sec = app.login_as(Role::Secretary).await;
    let csv = "志愿者编号,活动名称,类别,工作要点序号,服务日期,服务时长(小时)\n\
               H-1,植树节活动,tree_planting,8,2022-03-12,3\n\
               H-2,植树节活动,tree_planting,8,2022-03-12,2\n\
               H-1,无计划,tree_planting,99,2022-03-13,2\n\
               H-2,坏类别,planting,8,2022-03-13,2\n";
    let path = "/api/v1/imports/hours";
    // without create_events, rows need an event id
    let problem = refuse(&app, &sec.access, path, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(problem["summary"]["error_count"], 4);
    let events_before = app.count("events");
    let problem = refuse(
        &app,
        &sec.access,
        &format!("{path}?create_events=true"),
        "text/csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        row_errors(&problem),
        [
            (4, "工作要点序号 plan_item_number".to_owned()),
            (5, "类别 category".to_owned())
        ]
    );
    assert_eq!(
        app.count("events"),
        events_before,
        "the created event went with the rollback"
    );
    let good: String = csv.lines().take(3).collect::<Vec<_>>().join("\n");
    let summary = imported(
        &app,
        &sec.access,
        &format!("{path}?create_events=true"),
        "text/csv",
        good.into_bytes(),
    )
    .await;
    assert_eq!(
        (
            summary["created"].as_i64(),
            summary["events_created"].as_i64()
        ),
        (Some(2), Some(1))
    );
    let (title, status, organiser): (String, String, i64) = events::table
        .order(events::id.desc())
        .select((events::title, events::status, events::organiser_branch_id))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (title.as_str(), status.as_str(), organiser),
        ("植树节活动", "completed", app.branch_id("JGDW"))
    );
    assert_eq!(entries_of(&app).iter().map(|e| e.0).collect::<Vec<_>>(), vs);
}

async fn an_administrator_approves_verified_history_with_a_reason(app: TestApp) {
    app.seed();
    numbered(&app, 1);
    let event = app.insert_event("3·5学雷锋志愿服务", app.branch_id("JGDW"));
    let csv = format!("志愿者编号,活动ID,服务日期,服务时长(小时)\nH-1,{event},2022-03-05,2\n")
        .into_bytes();
    let sec = app.login_as(Role::Secretary).await;
    let admin = app.login_as(Role::Admin).await;
    let path = "/api/v1/imports/hours?approve=true&reason=%E7%BA%B8%E8%B4%A8%E5%8F%B0%E8%B4%A6%E5%B7%B2%E6%A0%B8";
    let resp = import(
        &app,
        &sec.access,
        path,
        "text/csv",
        csv.clone(),
        Some(&key()),
    )
    .await;
    assert_problem(resp, 403, "/problems/forbidden").await;
    let resp = import(
        &app,
        &admin.access,
        "/api/v1/imports/hours?approve=true",
        "text/csv",
        csv.clone(),
        Some(&key()),
    )
    .await;
    assert_problem(resp, 400, "/problems/invalid-parameter").await;
    assert_eq!(app.count("hour_entries"), 0);
    let summary = imported(&app, &admin.access, path, "text/csv", csv).await;
    assert_eq!(summary["approved"], 1);
    let (status, reviewer): (String, Option<i64>) = hour_entries::table
        .select((hour_entries::status, hour_entries::reviewed_by))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (status.as_str(), reviewer),
        ("approved", Some(admin.user_id))
    );
    use volunteer_hours::db::schema::audit_log;
    let reason: Option<String> = audit_log::table
        .filter(audit_log::action.eq("approve"))
        .select(audit_log::reason)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(reason.as_deref(), Some("纸质台账已核"));
}

async fn ten_thousand_rows_with_one_bad_at_the_end_write_nothing(app: TestApp) {
    app.seed();
    numbered(&app, 100);
    let event = app
        .event("全年志愿服务", app.branch_id("JGDW"))
        .between("2022-02-28 16:00", "2022-06-30 16:00")
        .insert();
    let head = "志愿者编号,活动ID,服务日期,服务时长(分钟)\n";
    let first = chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
    let mut rows = Vec::new();
    for d in 0..100 {
        let day = first + chrono::Duration::days(d);
        for v in 1..=100 {
            rows.push(format!("H-{v},{event},{day},60\n"));
        }
    }
    // 9,999 good rows, then one the same as the first
    let mut bad = rows[..9_999].concat();
    bad.push_str(&rows[0]);
    let admin = app.login_as(Role::Admin).await;
    let path = "/api/v1/imports/hours";
    let audit_before = app.count("audit_log");
    let problem = refuse(
        &app,
        &admin.access,
        path,
        "text/csv",
        format!("{head}{bad}").into_bytes(),
    )
    .await;
    assert_eq!(row_errors(&problem), [(10_001, "(row)".to_owned())]);
    assert_eq!(problem["summary"]["rows_read"], 10_000);
    assert_eq!(app.count("hour_entries"), 0);
    assert_eq!(app.count("audit_log"), audit_before);
    // without it, all 10,000 land
    let good = rows.concat();
    let summary = imported(
        &app,
        &admin.access,
        path,
        "text/csv",
        format!("{head}{good}").into_bytes(),
    )
    .await;
    assert_eq!(summary["created"], 10_000);
    assert_eq!(app.count("hour_entries"), 10_000);
}

/// Files as LibreOffice Calc 7.4 saves them (typed date, time and number cells), made once
/// with `soffice --headless --convert-to xlsx` from a CSV.
async fn files_saved_by_libreoffice(app: TestApp) {
    app.seed();
    let admin = app.login_as(Role::Admin).await;
    let file = include_bytes!("../fixtures/imports/volunteers-libreoffice.xlsx").to_vec();
    let summary = imported(
        &app,
        &admin.access,
        "/api/v1/imports/volunteers",
        XLSX,
        file,
    )
    .await;
    assert_eq!(summary["created"], 2, "{summary}");
    let stored: Vec<(String, Option<String>, Option<chrono::NaiveDate>)> = volunteers::table
        .order(volunteers::volunteer_number)
        .select((volunteers::name, volunteers::phone, volunteers::joined_on))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        stored,
        [
            (
                "林晓燕".into(),
                Some("13805912301".into()),
                chrono::NaiveDate::from_ymd_opt(2021, 3, 5)
            ),
            (
                "陈志强".into(),
                Some("13805912302".into()),
                chrono::NaiveDate::from_ymd_opt(2021, 3, 6)
            ),
        ]
    );
    assert_eq!(app.count("volunteer_tags"), 3);
    let file = include_bytes!("../fixtures/imports/hours-libreoffice.xlsx").to_vec();
    let summary = imported(
        &app,
        &admin.access,
        "/api/v1/imports/hours?create_events=true",
        XLSX,
        file,
    )
    .await;
    assert_eq!(
        (
            summary["created"].as_i64(),
            summary["events_created"].as_i64()
        ),
        (Some(2), Some(1)),
        "{summary}"
    );
    let minutes: Vec<i32> = entries_of(&app).into_iter().map(|e| e.1).collect();
    assert_eq!(minutes, [150, 90]);
}

both_backends!(
    templates_say_what_the_import_takes,
    files_saved_by_libreoffice,
    volunteers_from_excel_in_any_column_order,
    every_bad_row_is_named_and_nothing_is_written,
    an_existing_number_updates_only_when_asked,
    csv_in_gb18030_and_utf8_with_a_bom,
    multipart_and_raw_bodies_dry_runs_and_resends,
    a_secretary_imports_into_its_scope_only,
    malformed_files_and_the_limits,
    hours_by_number_or_name_with_hours_minutes_or_times,
    every_rule_of_hours_holds_across_the_file,
    history_before_the_service_creates_its_events,
    an_administrator_approves_verified_history_with_a_reason,
    ten_thousand_rows_with_one_bad_at_the_end_write_nothing,
);
