//! JSON request bodies: read with the path of any bad value kept, so that each error names
//! it by JSON pointer, and serde's wording turned into the catalogue's messages.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::Msg;
use crate::msg;

/// A JSON request body, parsed with the path of any bad value kept, so that errors can name
/// it by JSON pointer. Syntax errors answer 400 `malformed-json`; well-formed JSON of the
/// wrong shape (types, unknown or missing fields) answers 422 `validation`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(AppError::UnsupportedMediaType(msg!("body-not-json")).into());
            }
            let bytes =
                bytes
                    .await
                    .map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                        Some(actix_web::error::PayloadError::Overflow) => AppError::PayloadTooLarge,
                        _ => AppError::BadRequest(msg!("body-unreadable", cause = e.to_string())),
                    })?;
            parse_json(&bytes).map(ApiJson).map_err(Into::into)
        })
    }
}

/// A JSON value already read, as `T`; errors located by pointer as for a body.
pub fn from_value<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer = json_pointer(e.path());
        AppError::validation(pointer, shape_error(&strip_position(&e.into_inner())))
    })
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // Every body of this API is an object; serde would also accept a struct as an array.
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | None => {}
        Some(b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
            return Err(AppError::validation("", msg!("body-not-object")));
        }
        Some(_) => return Err(AppError::MalformedJson(msg!("json-expected-object"))),
    }
    // Syntax first (400), then shape (422), so that numbers can be read as JSON Schema does.
    let mut value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| AppError::MalformedJson(syntax_error(&e)))?;
    if let Some((mut path, detail)) = normalize(&mut value) {
        path.reverse();
        return Err(AppError::validation(path.concat(), detail));
    }
    from_value(&value)
}

/// One pass over a body before it is read as its type:
/// - JSON Schema counts `5.0` as an integer, so a client's JSON library that writes whole
///   numbers that way is understood: integral floats in the 64-bit range become integers;
/// - U+0000 cannot be stored in any text column: its first occurrence is returned, as the
///   pointer's tokens innermost first, with what is wrong. In a field name it is located
///   at the object, so that the answer never carries the character back.
fn normalize(value: &mut serde_json::Value) -> Option<(Vec<String>, Msg)> {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                // 2^63 is the first float outside i64; every float below it in size is exact
                if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 {
                    *n = serde_json::Number::from(f as i64);
                }
            }
            None
        }
        Value::String(s) => s.contains('\0').then(|| (Vec::new(), msg!("text-has-nul"))),
        Value::Array(items) => items.iter_mut().enumerate().find_map(|(i, item)| {
            normalize(item).map(|(mut path, detail)| {
                path.push(format!("/{i}"));
                (path, detail)
            })
        }),
        Value::Object(fields) => {
            if fields.keys().any(|k| k.contains('\0')) {
                return Some((Vec::new(), msg!("field-name-has-nul")));
            }
            fields.iter_mut().find_map(|(key, item)| {
                normalize(item).map(|(mut path, detail)| {
                    path.push(format!("/{}", key.replace('~', "~0").replace('/', "~1")));
                    (path, detail)
                })
            })
        }
        Value::Bool(_) | Value::Null => None,
    }
}

/// A syntax error in a body, with where it is.
fn syntax_error(e: &serde_json::Error) -> Msg {
    match e.classify() {
        serde_json::error::Category::Eof => msg!("json-eof", line = e.line(), column = e.column()),
        _ => msg!(
            "json-syntax",
            line = e.line(),
            column = e.column(),
            cause = strip_position(e)
        ),
    }
}

/// A well-formed value of the wrong shape, as serde describes it (its wording is stable:
/// `invalid type: …, expected …`, `unknown field …`), in the catalogue's words. The names
/// and values it quotes are kept as they are.
pub fn shape_error(text: &str) -> Msg {
    let quoted = |rest: &str| {
        rest.strip_prefix('`')
            .and_then(|r| r.split_once('`'))
            .map(|(name, tail)| (name.to_owned(), tail.trim_start_matches(", ").to_owned()))
    };
    let pair = |rest: &str| {
        rest.rsplit_once(", expected ")
            .map(|(found, expected)| (kind(found), kind(expected)))
    };
    if let Some((found, expected)) = text.strip_prefix("invalid type: ").and_then(pair) {
        return msg!("json-invalid-type", found = found, expected = expected);
    }
    if let Some((found, expected)) = text.strip_prefix("invalid value: ").and_then(pair) {
        return msg!("json-invalid-value", found = found, expected = expected);
    }
    if let Some((found, expected)) = text.strip_prefix("invalid length ").and_then(pair) {
        return msg!("json-invalid-length", found = found, expected = expected);
    }
    // serde's tail: "expected one of `a`, `b`", "expected `a` or `b`", "there are no fields"
    let allowed = |tail: &str| {
        let list = tail
            .strip_prefix("expected one of ")
            .or_else(|| tail.strip_prefix("expected "))
            .unwrap_or("");
        list.to_owned()
    };
    let unknown = |prefix: &str| {
        let (name, tail) = text.strip_prefix(prefix).and_then(quoted)?;
        Some((name, allowed(&tail), tail))
    };
    if let Some((n, a, e)) = unknown("unknown field ") {
        return msg!("json-unknown-field", field = n, expected = e, allowed = a);
    }
    if let Some((n, a, e)) = unknown("unknown variant ") {
        return msg!(
            "json-unknown-variant",
            variant = n,
            expected = e,
            allowed = a
        );
    }
    if let Some((name, _)) = text.strip_prefix("missing field ").and_then(quoted) {
        return msg!("json-missing-field", field = name);
    }
    if let Some((name, _)) = text.strip_prefix("duplicate field ").and_then(quoted) {
        return msg!("json-duplicate-field", field = name);
    }
    msg!("json-other", cause = text)
}

/// serde's name for a kind of value (`i32`, `a sequence`, `string "x"`), as a message: in
/// English serde's own words, in Chinese the kind's name with the value kept.
fn kind(text: &str) -> Msg {
    const INTEGERS: [&str; 10] = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "isize", "usize",
    ];
    let (word, value) = text.split_once(' ').unwrap_or((text, ""));
    match (word, value) {
        _ if INTEGERS.contains(&text) => msg!("kind-integer", text = text),
        ("f32" | "f64", "") => msg!("kind-number", text = text),
        ("a", "string") | ("string", "") => msg!("kind-string", text = text),
        ("a", "boolean") | ("boolean", "") => msg!("kind-boolean", text = text),
        ("a", "sequence") | ("sequence", "") => msg!("kind-array", text = text),
        ("a", "map") | ("map", "") | ("struct", _) => msg!("kind-object", text = text),
        ("string", v) => msg!("kind-string-value", text = text, value = v),
        ("integer", v) => msg!("kind-integer-value", text = text, value = v),
        ("floating", v) => msg!(
            "kind-number-value",
            text = text,
            value = v.trim_start_matches("point ")
        ),
        ("boolean", v) => msg!("kind-boolean-value", text = text, value = v),
        ("an", "id of 1 or more") => msg!("kind-id", text = text),
        ("null", "") => msg!("kind-null", text = text),
        _ => msg!("kind-other", text = text),
    }
}

/// serde_json appends " at line 1 column 9" to data errors; the pointer already says where.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

pub fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Roster {
        entries: Vec<Entry>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Entry {
        minutes: u16,
    }

    #[test]
    fn wrong_types_are_located_by_pointer() {
        let err =
            parse_json::<Roster>(br#"{"entries":[{"minutes":5},{"minutes":"x"}]}"#).unwrap_err();
        match err {
            AppError::Validation(errors) => assert_eq!(errors[0].pointer, "/entries/1/minutes"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        assert!(matches!(
            parse_json::<Roster>(br#"{"entries":["#),
            Err(AppError::MalformedJson(_))
        ));
        assert!(matches!(
            parse_json::<Roster>(br#"{"entries":[]} trailing"#),
            Err(AppError::MalformedJson(_))
        ));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = parse_json::<Roster>(br#"{"entries":[],"extra":1}"#).unwrap_err();
        assert!(matches!(err, AppError::Validation(_)), "{err:?}");
    }

    #[test]
    fn serde_wording_becomes_messages_that_keep_the_names() {
        for (text, key) in [
            (
                "invalid type: string \"x\", expected u16",
                "json-invalid-type",
            ),
            (
                "invalid value: integer `-1`, expected u32",
                "json-invalid-value",
            ),
            (
                "invalid length 3, expected a tuple of size 2",
                "json-invalid-length",
            ),
            (
                "unknown field `extra`, expected `entries`",
                "json-unknown-field",
            ),
            (
                "unknown variant `x`, expected `approve` or `reject`",
                "json-unknown-variant",
            ),
            ("missing field `entries`", "json-missing-field"),
            ("duplicate field `entries`", "json-duplicate-field"),
            ("input contains invalid characters", "json-other"),
        ] {
            let m = shape_error(text);
            assert_eq!(m.key(), key, "{text}");
            // English reads as serde wrote it
            assert_eq!(m.render(crate::i18n::Lang::En), text);
        }
        let zh = shape_error("unknown variant `x`, expected `approve` or `reject`")
            .render(crate::i18n::Lang::ZhCn);
        assert!(
            zh.contains("`x`") && zh.contains("`approve` or `reject`"),
            "{zh}"
        );
        // kinds of value read in Chinese, the values kept
        for (text, zh) in [
            (
                "invalid type: string \"x\", expected i32",
                "收到 字符串 \"x\"，应为 整数",
            ),
            (
                "invalid type: integer `5`, expected a string",
                "收到 整数 `5`，应为 字符串",
            ),
            (
                "invalid type: map, expected a sequence",
                "收到 对象，应为 数组",
            ),
            (
                "invalid type: floating point `1.5`, expected i64",
                "收到 数字 `1.5`，应为 整数",
            ),
            (
                "invalid type: boolean `true`, expected struct Roster",
                "收到 布尔值 `true`，应为 对象",
            ),
            (
                "invalid value: integer `0`, expected an id of 1 or more",
                "收到 整数 `0`，应为 不小于 1 的编号",
            ),
            (
                "invalid type: null, expected u16",
                "收到 空值 null，应为 整数",
            ),
        ] {
            let got = shape_error(text).render(crate::i18n::Lang::ZhCn);
            assert!(got.ends_with(zh), "{text}: {got}");
            assert_eq!(shape_error(text).render(crate::i18n::Lang::En), text);
        }
    }
}
