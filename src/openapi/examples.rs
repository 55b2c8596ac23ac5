//! Examples of the problem documents each error status answers.

/// A real problem document for each status a response can have, made by the same code that
/// answers it, so the examples cannot drift from what the service sends.
pub fn add_problem_examples(code: &str, response: &mut utoipa::openapi::Response) {
    use crate::error::{AppError, FieldError};
    use crate::msg;
    use utoipa::openapi::example::ExampleBuilder;
    let Some(content) = response.content.get_mut(crate::error::PROBLEM_JSON) else {
        return;
    };
    let is_import = matches!(&content.schema,
        Some(utoipa::openapi::RefOr::Ref(r)) if r.ref_location.ends_with("/ImportProblem"));
    if code == "422" && is_import {
        let value = serde_json::to_value(crate::imports::run::example()).ok();
        content
            .examples
            .entry("validation".to_owned())
            .or_insert_with(|| {
                ExampleBuilder::new()
                    .summary("`/problems/validation`: the bad rows of an import")
                    .value(value)
                    .build()
                    .into()
            });
        return;
    }
    let examples: Vec<(&str, AppError)> = match code {
        "400" => vec![
            (
                "malformed-json",
                AppError::MalformedJson(msg!("json-eof", line = 1, column = 17)),
            ),
            (
                "invalid-parameter",
                AppError::InvalidParameter(vec![FieldError::new(
                    "/query/limit",
                    msg!("between", min = 1, max = 200),
                )]),
            ),
        ],
        "401" => vec![(
            "unauthorized",
            AppError::Unauthorized(msg!("invalid-access-token")),
        )],
        "403" => vec![(
            "forbidden",
            AppError::Forbidden(msg!("role-may-not", role = "hr")),
        )],
        "404" => vec![("not-found", AppError::NotFound)],
        "409" => vec![("conflict", AppError::Conflict(msg!("unique-violation")))],
        "412" => vec![("precondition-failed", AppError::PreconditionFailed)],
        "414" => vec![("uri-too-long", AppError::UriTooLong)],
        "413" => vec![("payload-too-large", AppError::PayloadTooLarge)],
        "415" => vec![(
            "unsupported-media-type",
            AppError::UnsupportedMediaType(msg!("body-not-json")),
        )],
        "422" => vec![(
            "validation",
            AppError::Validation(vec![
                FieldError::new("/entries/3/minutes", msg!("between", min = 1, max = 1440)),
                FieldError::new(
                    "/entries/5/volunteer_id",
                    msg!("no-such-volunteer-in-scope"),
                ),
            ]),
        )],
        "428" => vec![("precondition-required", AppError::PreconditionRequired)],
        "429" => vec![(
            "too-many-requests",
            AppError::TooManyRequests {
                retry_after_secs: 12,
            },
        )],
        "500" => vec![(
            "internal",
            // The cause is logged, never sent: the detail is the same for any fault.
            AppError::Internal(anyhow::anyhow!("a fault of the server")),
        )],
        "503" => vec![(
            "service-unavailable",
            AppError::Unavailable {
                detail: msg!("database-unavailable"),
                retry_after_secs: 2,
            },
        )],
        _ => return,
    };
    for (name, error) in examples {
        // in English, whatever the default language: the spec is one document
        let value = serde_json::to_value(error.problem_in(crate::i18n::Lang::En)).ok();
        content.examples.entry(name.to_owned()).or_insert_with(|| {
            ExampleBuilder::new()
                .summary(format!("`/problems/{}`", error.slug()))
                .value(value)
                .into()
        });
    }
}
