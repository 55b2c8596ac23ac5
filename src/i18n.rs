//! Messages in the caller's language: `Accept-Language` negotiation (RFC 9110 q-values)
//! between Simplified Chinese and English, and the message catalogue (Fluent files under
//! `locales/`, embedded in the binary).
//!
//! A text a client reads (a problem's `title` and `detail`, each `errors[]` entry, the
//! exports' statement lines) is a [`Msg`]: a catalogue key with its arguments, made with
//! [`msg!`](crate::msg) and rendered only when the answer is written, in the language the
//! request negotiated. Pointers, problem `type`s and field values never change with the
//! language: clients switch on those.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, AcceptLanguage, Header, HeaderValue, Preference, Quality};
use actix_web::middleware::Next;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: the texts go into JSON and CSV,
        // where the marks would be invisible noise (and break comparisons).
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the service answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese, for every `zh` range (`zh`, `zh-CN`, `zh-Hans`, `zh-TW`, …).
    ZhCn,
    En,
}

static ZH_CN: LazyLock<LanguageIdentifier> = LazyLock::new(|| {
    "zh-CN"
        .parse()
        .unwrap_or_else(|_| LanguageIdentifier::default())
});
static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| {
    "en".parse()
        .unwrap_or_else(|_| LanguageIdentifier::default())
});

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The language tag, as `Content-Language` states it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::ZhCn => &ZH_CN,
            Lang::En => &EN,
        }
    }

    /// The language a primary subtag (`zh`, `en`, any case) names, if the service has it.
    fn of_primary(primary: &str) -> Option<Lang> {
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::ZhCn)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

impl FromStr for Lang {
    type Err = ();

    /// A tag such as `zh-CN`, `zh`, `zh-Hans` or `en`, `en-US`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let primary = s.split(['-', '_']).next().unwrap_or("");
        Lang::of_primary(primary).ok_or(())
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// The language for an `Accept-Language` header: the range with the highest q-value that
/// names a language the service has (ties in the order listed; `q=0` means "not this
/// one"); `default` when the header is absent, unreadable, names neither, or its best
/// choice is `*`.
pub fn negotiate(accept: Option<&AcceptLanguage>, default: Lang) -> Lang {
    let Some(AcceptLanguage(items)) = accept else {
        return default;
    };
    let mut ranked: Vec<_> = items.iter().filter(|q| q.quality > Quality::ZERO).collect();
    // stable: equal q-values keep the order the client listed them in
    ranked.sort_by_key(|q| std::cmp::Reverse(q.quality));
    for item in ranked {
        match &item.item {
            Preference::Any => return default,
            Preference::Specific(tag) => {
                if let Some(lang) = Lang::of_primary(tag.primary_language()) {
                    return lang;
                }
            }
        }
    }
    default
}

tokio::task_local! {
    /// The language of the request being answered.
    static LANG: Lang;
}

/// The language of the request being answered (English outside of one, e.g. in the CLI).
pub fn current() -> Lang {
    LANG.try_with(|lang| *lang).unwrap_or(Lang::En)
}

/// Middleware: negotiates the request's language, answers everything inside it in that
/// language (errors raised by inner middleware included), and states it with
/// `Content-Language` and `Vary: Accept-Language`.
pub async fn respond_in_language<B: MessageBody + 'static>(
    default: Lang,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let lang = negotiate(AcceptLanguage::parse(&req).ok().as_ref(), default);
    let stated = |headers: &mut header::HeaderMap| {
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.tag()),
        );
        headers.append(header::VARY, HeaderValue::from_static("accept-language"));
    };
    match LANG.scope(lang, next.call(req)).await {
        Ok(mut res) => {
            stated(res.headers_mut());
            Ok(res)
        }
        Err(e) => {
            // rendered now, while the language is known; the server sends it as it is
            let mut res = LANG.scope(lang, async { e.error_response() }).await;
            stated(res.headers_mut());
            Err(InternalError::from_response(e, res).into())
        }
    }
}

/// A message of the catalogue: its key and its arguments, rendered in a language only when
/// the answer is written. Made with [`msg!`](crate::msg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// An argument of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A value shown as it is (a name, a code, a pointer): never translated.
    Text(String),
    Number(i64),
    /// Another message, rendered in the same language.
    Msg(Box<Msg>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}
impl From<Msg> for Arg {
    fn from(v: Msg) -> Self {
        Arg::Msg(Box::new(v))
    }
}
macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Self {
                Arg::Number(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_args!(i16, i32, i64, u16, u32, u64, usize);

impl Msg {
    #[doc(hidden)]
    pub fn new(key: &'static str, args: Vec<(&'static str, Arg)>) -> Msg {
        Msg { key, args }
    }

    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(text) => FluentValue::from(text.as_str()),
                    Arg::Number(n) => FluentValue::from(*n),
                    Arg::Msg(m) => FluentValue::from(m.render(lang)),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        LOCALES
            .try_lookup_complete(lang.id(), self.key, Some(&args))
            .unwrap_or_else(|| {
                // cannot happen for a key in both catalogues (the unit tests check them all)
                tracing::error!(key = self.key, "message missing from the catalogue");
                self.key.to_owned()
            })
    }

    /// The message in the language of the request being answered.
    pub fn localized(&self) -> String {
        self.render(current())
    }
}

/// English, for logs and the command line.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// A message of the catalogue: `msg!("key")`, or `msg!("key", name = value, …)` where each
/// value is text, a number or another `Msg`.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Msg::new($key, vec![$((stringify!($name), $crate::i18n::Arg::from($value))),*])
    };
}

#[cfg(test)]
mod tests;
