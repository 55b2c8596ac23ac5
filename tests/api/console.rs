//! The web console: served from the binary at `/` and `/app/`, every file it loads present,
//! under a strict Content-Security-Policy, and gone with `CONSOLE=false`.

use std::collections::BTreeSet;

use crate::helpers::*;
use volunteer_hours::console::CONTENT_SECURITY_POLICY;
use volunteer_hours::db::Backend;

async fn app_with(f: impl FnOnce(&mut volunteer_hours::config::Config)) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, f).await.unwrap()
}

/// The relative imports of a module: its `import … from './x.js'` statements (not the
/// `import('…')` types of its JSDoc comments).
fn imports_of(source: &str) -> Vec<String> {
    source
        .lines()
        .map(str::trim_start)
        .filter(|line| !line.starts_with('*') && !line.starts_with('/'))
        .filter_map(|line| {
            let (_, rest) = line
                .split_once("from '")
                .or_else(|| line.split_once("import '"))?;
            let target = rest.split('\'').next()?;
            (target.starts_with("./") || target.starts_with("../")).then(|| target.to_owned())
        })
        .collect()
}

/// `base` (a served path such as `/app/views/x.js`) joined with a relative import.
fn resolve(base: &str, target: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for piece in target.split('/') {
        match piece {
            "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[actix_web::test]
async fn the_address_serves_the_console_page_under_a_strict_policy() {
    let app = app_with(|_| {}).await;
    let resp = app.get("/").await;
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert_eq!(h["content-security-policy"], CONTENT_SECURITY_POLICY);
    assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'self'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("etag"));
    let page = resp.text().await.unwrap();
    assert!(
        page.contains(r#"<script type="module" src="/app/main.js"></script>"#),
        "{page}"
    );
    // no inline script or style: every <script> has a src, no style attributes or blocks
    assert_eq!(
        page.matches("<script").count(),
        page.matches("<script type=\"module\" src=").count()
    );
    assert!(
        !page.contains("<style") && !page.contains("style="),
        "{page}"
    );
    assert!(page.contains(r#"<html lang="zh-CN">"#));
}

#[actix_web::test]
async fn every_module_the_page_loads_is_served_as_javascript() {
    let app = app_with(|_| {}).await;
    let mut todo = vec!["/app/main.js".to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            resp.headers()["content-type"],
            "text/javascript; charset=utf-8",
            "{path}"
        );
        assert_eq!(
            resp.headers()["content-security-policy"],
            CONTENT_SECURITY_POLICY
        );
        let source = resp.text().await.unwrap();
        for target in imports_of(&source) {
            todo.push(resolve(&path, &target));
        }
    }
    // the page, its views and the vendored libraries
    for module in [
        "/app/api.js",
        "/app/views/roster.js",
        "/app/vendor/preact-htm.js",
        "/app/vendor/uqr.js",
    ] {
        assert!(
            seen.contains(module),
            "{module} not reached from main.js: {seen:?}"
        );
    }
    let css = app.get("/app/style.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[actix_web::test]
async fn a_file_is_revalidated_by_its_etag() {
    let app = app_with(|_| {}).await;
    let first = app.get("/app/main.js").await;
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(app.url("/app/main.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());
    let other = app
        .client
        .get(app.url("/app/main.js"))
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[actix_web::test]
async fn files_that_are_not_the_consoles_are_not_found() {
    let app = app_with(|_| {}).await;
    for path in [
        "/app/nothing.js",
        "/app/",
        "/app/vendor/preact-htm.d.ts",
        "/app/vendor/README.md",
        "/app/../Cargo.toml",
        "/app/%2e%2e/Cargo.toml",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 404, "{path}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
}

#[actix_web::test]
async fn the_api_keeps_its_own_headers() {
    let app = app_with(|_| {}).await;
    let resp = app.get("/health").await;
    assert_eq!(resp.status(), 200);
    assert!(!resp.headers().contains_key("content-security-policy"));
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
}

#[actix_web::test]
async fn the_console_can_be_switched_off() {
    let app = app_with(|c| c.console = false).await;
    let resp = app.get("/").await;
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["location"], "/docs/");
    assert_not_found(app.get("/app/main.js").await).await;
}

#[actix_web::test]
async fn the_console_stays_when_the_docs_are_off() {
    let app = app_with(|c| c.api_docs = false).await;
    let resp = app.get("/").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("/app/main.js"));
    assert_not_found(app.get("/docs/").await).await;
}
