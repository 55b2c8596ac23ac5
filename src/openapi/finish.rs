//! What every operation shares, added once here so that each handler documents only its own
//! answers: the common error responses, the headers read and sent, the bounds of types,
//! `$ref`s for the items of pages, examples and links.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat, Type};
use utoipa::openapi::{
    ContentBuilder, ObjectBuilder, OpenApi as Spec, Ref, RefOr, Response, ResponseBuilder, Schema,
};

use super::{bounds, examples, headers, links, operations_mut};

fn problem(description: &str, retry: bool) -> RefOr<Response> {
    let mut b = ResponseBuilder::new().description(description).content(
        crate::error::PROBLEM_JSON,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    );
    if retry {
        // its schema is stated with the other response headers (`headers`)
        b = b.header(
            "Retry-After",
            HeaderBuilder::new()
                .description(Some("Seconds to wait before retrying"))
                .build(),
        );
    }
    RefOr::T(b.build())
}

/// Adds the answers every operation can give, so that each handler documents only its own:
/// 400 and 414 everywhere (the URL is read first), 413, 415 and 422 where a body is read,
/// 401 where a token is needed, 404 where a path names an object, 409, the optional
/// `Idempotency-Key` and `Idempotent-Replayed` on every creating POST, 412 where `If-Match`
/// is read and 428 where it is required, 500 everywhere, 503 (with Retry-After) everywhere the database is
/// used; `security: []` on the public operations; the optional `Accept-Language`; the form
/// of every header; bounds, `$ref`s for pages, problem examples and links.
pub fn finish(mut spec: Spec) -> Spec {
    for (path, item) in spec.paths.paths.iter_mut() {
        let database = path.starts_with("/api/");
        let creates = item.post.as_ref().is_some_and(|op| {
            op.responses.responses.contains_key("201")
                && !op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| p.name == crate::idempotency::HEADER_NAME)
        });
        if creates {
            if let Some(op) = item.post.as_mut() {
                op.parameters
                    .get_or_insert_with(Vec::new)
                    .push(headers::idempotency_key());
            }
        }
        for op in operations_mut(item) {
            common_answers(op, database);
            if op.security.is_none() {
                // public: login, refresh, liveness and readiness
                op.security = Some(Vec::new());
            }
            op.parameters
                .get_or_insert_with(Vec::new)
                .push(headers::accept_language());
            for parameter in op.parameters.iter_mut().flatten() {
                headers::describe_parameter(parameter);
                if let Some(RefOr::T(schema)) = parameter.schema.as_mut() {
                    single_one_of_as_all_of(schema);
                    bounds::bound(&parameter.name, schema);
                }
            }
            if let Some(body) = op.request_body.as_mut() {
                for content in body.content.values_mut() {
                    if let Some(RefOr::T(schema)) = content.schema.as_mut() {
                        bounds::bound("", schema);
                    }
                }
            }
            for (code, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    downloads(response);
                    for content in response.content.values_mut() {
                        if let Some(RefOr::T(schema)) = content.schema.as_mut() {
                            bounds::bound("", schema);
                        }
                    }
                    examples::add_problem_examples(code, response);
                }
            }
            headers::describe_responses(op);
        }
    }
    links::add_links(&mut spec);
    if let Some(components) = spec.components.as_mut() {
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for (name, schema) in components.schemas.iter_mut() {
            if let RefOr::T(schema) = schema {
                page_items_by_ref(name, schema, &names);
                bounds::bound("", schema);
            }
        }
    }
    spec
}

fn common_answers(op: &mut Operation, database: bool) {
    let has_param = |op: &Operation, name: &str, place: ParameterIn| {
        op.parameters
            .iter()
            .flatten()
            .any(|p| p.name == name && p.parameter_in == place)
    };
    let path_id = has_param(op, "id", ParameterIn::Path);
    let if_match = has_param(op, "If-Match", ParameterIn::Header);
    // an optional If-Match (a create-or-replace PUT) is never missing
    let if_match_required = op.parameters.iter().flatten().any(|p| {
        p.name == "If-Match"
            && p.parameter_in == ParameterIn::Header
            && p.required == utoipa::openapi::Required::True
    });
    let idempotent = has_param(op, crate::idempotency::HEADER_NAME, ParameterIn::Header);
    let needs_token = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = op.request_body.is_some();
    let responses = &mut op.responses.responses;
    let mut add = |code: &str, r: RefOr<Response>| {
        responses.entry(code.to_owned()).or_insert(r);
    };
    if has_body {
        add(
            "400",
            problem("Malformed JSON, or an unreadable request", false),
        );
        add(
            "413",
            problem("The body is larger than the server accepts", false),
        );
        add("415", problem("The body is not application/json", false));
        add(
            "422",
            problem(
                "Invalid fields, each named by a JSON pointer in `errors`",
                false,
            ),
        );
    }
    add(
        "400",
        problem(
            "A path, query or header parameter has the wrong form (a NUL character, an id \
not written in canonical decimal, a value outside its schema)",
            false,
        ),
    );
    add(
        "414",
        problem("The path and query are longer than 8192 bytes", false),
    );
    if needs_token {
        add("401", problem("No valid access token", false));
    }
    if path_id {
        add(
            "404",
            problem("No such object, or it is outside the caller's scope", false),
        );
    }
    if idempotent {
        add(
            "409",
            problem(
                "A request with this Idempotency-Key is still being processed",
                false,
            ),
        );
    }
    if if_match {
        add("412", problem("Changed since it was read", false));
        if if_match_required {
            add("428", problem("No If-Match header", false));
        }
    }
    add(
        "500",
        problem(
            "A fault of the server: the detail is generic, the cause is logged under the \
request's X-Request-Id",
            false,
        ),
    );
    if database {
        add(
            "503",
            problem(
                "The database is unavailable or busy; retry after Retry-After seconds",
                true,
            ),
        );
    }
}

/// A download's body (no JSON, no schema of its own): text as a string, anything else as
/// binary content of its media type.
fn downloads(response: &mut Response) {
    for (media_type, content) in response.content.iter_mut() {
        if content.schema.is_some() || media_type.contains("json") {
            continue;
        }
        let schema = ObjectBuilder::new().schema_type(Type::String);
        let schema = if media_type.starts_with("text/") {
            schema.content_media_type(media_type.as_str())
        } else {
            schema
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .content_media_type(media_type.as_str())
        };
        content.schema = Some(RefOr::T(schema.into()));
    }
}

/// utoipa wraps a `$ref` that has a `default` (an enum parameter's) in a `oneOf` of one
/// schema, which is not a choice; `allOf` of one says "this schema, with this default".
fn single_one_of_as_all_of(schema: &mut Schema) {
    let Schema::OneOf(one) = schema else {
        return;
    };
    if one.items.len() != 1 {
        return;
    }
    let mut all = utoipa::openapi::schema::AllOf::new();
    all.items = std::mem::take(&mut one.items);
    all.description = one.description.take();
    all.default = one.default.take();
    all.examples = std::mem::take(&mut one.examples);
    *schema = Schema::AllOf(all);
}

/// utoipa writes the items of `Page<T>` out in full; point them at `T`'s own schema, so that
/// a generated client has one type per resource.
fn page_items_by_ref(name: &str, schema: &mut Schema, names: &[String]) {
    let Some(item) = name.strip_prefix("Page_") else {
        return;
    };
    if !names.iter().any(|n| n == item) {
        return;
    }
    if let Schema::Object(page) = schema {
        if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
            items.items =
                ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
        }
    }
}
