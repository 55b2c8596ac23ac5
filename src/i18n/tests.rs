use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;
use fluent_templates::fluent_bundle::FluentResource;

use super::*;

const CATALOGUES: [(Lang, &str); 2] = [
    (Lang::ZhCn, include_str!("../../locales/zh-CN/messages.ftl")),
    (Lang::En, include_str!("../../locales/en/messages.ftl")),
];

fn accept(value: &str) -> Option<AcceptLanguage> {
    let req = actix_web::test::TestRequest::default()
        .insert_header((header::ACCEPT_LANGUAGE, value))
        .to_http_request();
    AcceptLanguage::parse(&req).ok()
}

#[test]
fn negotiation_follows_q_values_and_maps_every_chinese_range_to_zh_cn() {
    for (header, default, want) in [
        ("zh-CN", Lang::En, Lang::ZhCn),
        ("zh", Lang::En, Lang::ZhCn),
        ("zh-Hans", Lang::En, Lang::ZhCn),
        ("zh-Hans-CN", Lang::En, Lang::ZhCn),
        ("zh-TW", Lang::En, Lang::ZhCn),
        ("ZH-cn", Lang::En, Lang::ZhCn),
        ("en", Lang::ZhCn, Lang::En),
        ("en-US,en;q=0.9", Lang::ZhCn, Lang::En),
        // the highest q wins, whatever the order
        ("en;q=0.4, zh-CN;q=0.8", Lang::En, Lang::ZhCn),
        ("zh;q=0.3, en-GB;q=0.7", Lang::ZhCn, Lang::En),
        // equal q: the first listed
        ("en;q=0.5, zh;q=0.5", Lang::ZhCn, Lang::En),
        // languages the service lacks are passed over
        ("fr-FR, de;q=0.9, en;q=0.1", Lang::ZhCn, Lang::En),
        ("fr, de", Lang::En, Lang::En),
        ("fr, de", Lang::ZhCn, Lang::ZhCn),
        // q=0 is "not this one"
        ("en;q=0, fr", Lang::ZhCn, Lang::ZhCn),
        ("zh;q=0, en;q=0.1", Lang::ZhCn, Lang::En),
        // `*` is "anything": the default
        ("*", Lang::En, Lang::En),
        ("*, en;q=0.5", Lang::ZhCn, Lang::ZhCn),
    ] {
        assert_eq!(
            negotiate(accept(header).as_ref(), default),
            want,
            "{header} (default {default})"
        );
    }
    assert_eq!(negotiate(None, Lang::ZhCn), Lang::ZhCn);
    assert_eq!(negotiate(None, Lang::En), Lang::En);
}

#[test]
fn tags_parse_as_configuration_takes_them() {
    assert_eq!("zh-CN".parse(), Ok(Lang::ZhCn));
    assert_eq!("zh_Hans".parse(), Ok(Lang::ZhCn));
    assert_eq!("en".parse(), Ok(Lang::En));
    assert_eq!("en-US".parse(), Ok(Lang::En));
    assert_eq!("fr".parse::<Lang>(), Err(()));
    assert_eq!("".parse::<Lang>(), Err(()));
}

/// Each message of a catalogue with the variables it uses.
fn messages(lang: Lang, text: &'static str) -> BTreeMap<String, BTreeSet<String>> {
    fn walk_pattern(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &p.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                walk_expression(expression, out);
            }
        }
    }
    fn walk_expression(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                walk_inline(selector, out);
                for v in variants {
                    walk_pattern(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => walk_inline(i, out),
        }
    }
    fn walk_inline(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => walk_expression(expression, out),
            _ => {}
        }
    }
    let resource = FluentResource::try_new(text.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("{lang}: the catalogue does not parse: {errors:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.entries() {
        match entry {
            ast::Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    walk_pattern(p, &mut vars);
                }
                let previous = out.insert(m.id.name.to_owned(), vars);
                assert!(previous.is_none(), "{lang}: `{}` twice", m.id.name);
            }
            ast::Entry::Junk { content } => panic!("{lang}: unreadable: {content}"),
            _ => {}
        }
    }
    out
}

#[test]
fn both_catalogues_have_every_key_with_the_same_arguments() {
    let [(_, zh), (_, en)] = CATALOGUES;
    let zh = messages(Lang::ZhCn, zh);
    let en = messages(Lang::En, en);
    let zh_keys: BTreeSet<_> = zh.keys().collect();
    let en_keys: BTreeSet<_> = en.keys().collect();
    assert_eq!(
        zh_keys.symmetric_difference(&en_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "keys in one catalogue only"
    );
}

/// Every `msg!("key", …)` in the sources, with the argument names given.
fn keys_in_sources() -> BTreeMap<String, BTreeSet<String>> {
    fn visit(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                visit(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    visit(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file is readable");
        // code only: doc comments show the macro's form with placeholder names
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (at, _) in code.match_indices("msg!(") {
            let rest = code[at + 5..].trim_start();
            let Some(rest) = rest.strip_prefix('"') else {
                continue; // the macro's own definition
            };
            let Some(end) = rest.find('"') else { continue };
            let key = rest[..end].to_owned();
            if key.is_empty()
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                continue; // not a call, e.g. this scanner's own `"msg!("`
            }
            // the arguments: `name = ` up to the macro's closing parenthesis
            let mut depth = 1;
            let mut close = rest.len();
            for (i, c) in rest.char_indices().skip(end + 1) {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let names = keys.entry(key).or_default();
            // `, name = value` parts, split at commas outside brackets
            let mut depth = 0;
            let mut part = String::new();
            for c in rest[end + 1..close].chars().chain([',']) {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if let Some((name, _)) = part.split_once('=') {
                            names.insert(name.trim().to_owned());
                        }
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                part.push(c);
            }
        }
    }
    keys
}

#[test]
fn every_message_the_code_builds_is_in_the_catalogue_and_every_entry_is_used() {
    let used = keys_in_sources();
    assert!(used.len() > 100, "the scan found {} keys", used.len());
    for (lang, text) in CATALOGUES {
        let catalogue = messages(lang, text);
        for (key, given) in &used {
            let Some(wanted) = catalogue.get(key) else {
                panic!("msg!(\"{key}\") has no entry in locales/{lang}/messages.ftl");
            };
            // a translation may leave out an argument (e.g. serde's own English words),
            // but never use one the code does not give
            assert!(
                wanted.is_subset(given),
                "{lang} `{key}` needs {wanted:?}, the code gives {given:?}"
            );
        }
        let unused: Vec<_> = catalogue
            .keys()
            .filter(|k| !used.contains_key(*k))
            .collect();
        assert!(
            unused.is_empty(),
            "{lang}: entries no code uses: {unused:?}"
        );
    }
}

#[test]
fn every_message_reads_differently_in_chinese() {
    let [(_, zh), (_, en)] = CATALOGUES;
    let zh = messages(Lang::ZhCn, zh);
    for (key, mut vars) in messages(Lang::En, en) {
        vars.extend(zh[&key].iter().cloned());
        let key: &'static str = Box::leak(key.into_boxed_str());
        let args = vars
            .into_iter()
            .map(|v| {
                let name: &'static str = Box::leak(v.into_boxed_str());
                (name, Arg::Number(2))
            })
            .collect();
        let m = Msg::new(key, args);
        let (zh, en) = (m.render(Lang::ZhCn), m.render(Lang::En));
        assert_ne!(zh, en, "`{key}` is the same in both languages");
        assert_ne!(zh, key, "`{key}` is missing in zh-CN");
        assert!(
            !en.contains('\u{2068}'),
            "`{key}`: isolation marks in {en:?}"
        );
    }
}

#[test]
fn arguments_and_nested_messages_render_in_the_language_asked() {
    let inner = crate::msg!("between", min = 1, max = 1440);
    let m = crate::msg!("located", pointer = "/minutes", detail = inner);
    assert_eq!(m.render(Lang::En), "/minutes: must be between 1 and 1440");
    assert_eq!(m.render(Lang::ZhCn), "/minutes：必须在 1 到 1440 之间");
    assert_eq!(m.to_string(), m.render(Lang::En));
    let some = crate::msg!("entries-conflict", what = "x", named = "1, 2", more = 0);
    assert_eq!(some.render(Lang::En), "x: hour entries 1, 2");
    let more = crate::msg!("entries-conflict", what = "x", named = "1, 2", more = 3);
    assert_eq!(more.render(Lang::En), "x: hour entries 1, 2 and 3 more");
    assert_eq!(more.render(Lang::ZhCn), "x：工时记录 1, 2等，另有 3 条");
}

#[actix_web::test]
async fn outside_a_request_messages_are_english_and_inside_in_the_negotiated_language() {
    assert_eq!(current(), Lang::En);
    let seen = LANG.scope(Lang::ZhCn, async { current() }).await;
    assert_eq!(seen, Lang::ZhCn);
}
