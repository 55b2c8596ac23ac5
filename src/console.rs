//! The web console (`console/app/`): plain ES modules, embedded in the binary when it is
//! built, served at `/` (the page) and `/app/` (its modules, styles and vendored libraries).
//! It is a client of the public API like any other: it holds no route of its own.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use crate::error::AppError;

/// The console's files: in the binary in release builds, so that it serves them wherever it
/// runs; read from `console/app/` in debug builds, so that a change shows on reload.
/// Type declarations and notes are for developers only.
#[derive(RustEmbed)]
#[folder = "console/app/"]
#[exclude = "*.d.ts"]
#[exclude = "*.md"]
#[exclude = "_*"]
struct Files;

/// Only the console's own files, no inline script or style, no frames; images may be
/// `data:`/`blob:` URLs (QR codes drawn in the page).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data: blob:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(page))
        .route("/app/{path:.*}", web::get().to(file));
}

async fn page(req: HttpRequest) -> Result<HttpResponse, AppError> {
    serve(&req, "index.html")
}

async fn file(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    serve(&req, &path)
}

fn serve(req: &HttpRequest, path: &str) -> Result<HttpResponse, AppError> {
    let file = Files::get(path).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..12]));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, etag))
        // revalidated on every load, so a new binary's console is never mixed with an old one
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if fresh {
        return Ok(resp.finish());
    }
    Ok(resp
        .content_type(content_type(path, file.metadata.mimetype()))
        .body(file.data.into_owned()))
}

/// Text is UTF-8; the rest as `mime_guess` names it.
fn content_type(path: &str, guessed: &str) -> String {
    if guessed.starts_with("text/") || path.ends_with(".js") || path.ends_with(".svg") {
        let base = if path.ends_with(".js") {
            "text/javascript"
        } else {
            guessed
        };
        format!("{base}; charset=utf-8")
    } else {
        guessed.to_owned()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_its_modules_are_in_the_binary() {
        assert!(Files::get("index.html").is_some());
        assert!(Files::get("main.js").is_some());
        assert!(Files::get("vendor/preact-htm.js").is_some());
        // declarations and notes are for developers, not served
        assert!(Files::iter().all(|f| !f.ends_with(".d.ts") && !f.ends_with(".md")));
    }

    #[test]
    fn scripts_and_styles_are_utf8_text() {
        assert_eq!(
            content_type("main.js", "application/javascript"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("style.css", "text/css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("logo.png", "image/png"), "image/png");
    }
}
