//! Logging: human-readable text by default, JSON lines for log collectors.

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(ClientStreamErrors);
    let _ = match format {
        LogFormat::Text => registry
            .with(fmt::layer().with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
}

/// actix-http logs at ERROR every connection it closes because of what the client sent: a
/// request head over its buffer (answered 431), a request line it cannot parse (400), a
/// client gone mid-request. None is a fault of the server, and an operator's alert on ERROR
/// must not fire for them: they are logged at INFO instead, with the cause.
struct ClientStreamErrors;

const DISPATCHER: &str = "actix_http::h1::dispatcher";

/// The message of an event, as its `message` field records it.
#[derive(Default)]
struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

/// The connection's own report of a request it could not read ("stream error: …").
fn client_stream_error(event: &Event<'_>) -> Option<String> {
    let meta = event.metadata();
    if meta.target() != DISPATCHER || *meta.level() != Level::ERROR {
        return None;
    }
    let mut message = Message::default();
    event.record(&mut message);
    message.0.strip_prefix("stream error: ").map(str::to_owned)
}

impl<S: Subscriber> Layer<S> for ClientStreamErrors {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        match client_stream_error(event) {
            Some(cause) => {
                tracing::info!(%cause, "closed a connection after a request it could not read");
                false
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Keeps (level, target, message) of every event that reaches it.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<(Level, String, String)>>>);

    impl<S: Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            let mut message = Message::default();
            event.record(&mut message);
            if let Ok(mut seen) = self.0.lock() {
                let meta = event.metadata();
                seen.push((*meta.level(), meta.target().to_owned(), message.0));
            }
        }
    }

    /// The layer re-emits through the global dispatcher, as the service installs it (a
    /// scoped one refuses events raised inside its own callbacks); this is the only test
    /// that sets it, and it reads back only the events it raised.
    #[test]
    fn unreadable_requests_are_info_and_other_errors_stay_errors() {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry()
            .with(ClientStreamErrors)
            .with(capture.clone());
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        tracing::error!(target: "actix_http::h1::dispatcher", "stream error: {}", "request parse error: invalid Header provided");
        tracing::error!(target: "actix_http::h1::dispatcher", "Response payload stream error: {}", "broken");
        tracing::error!(target: "telemetry_test", "internal error");
        let seen: Vec<_> = capture
            .0
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, target, message)| {
                target != "volunteer_hours::telemetry" || message.starts_with("closed a connection")
            })
            .filter(|(_, target, _)| {
                [
                    "actix_http::h1::dispatcher",
                    "telemetry_test",
                    "volunteer_hours::telemetry",
                ]
                .contains(&target.as_str())
            })
            .collect();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert_eq!(seen[0].0, Level::INFO, "{seen:?}");
        assert!(seen[0].1.starts_with("volunteer_hours"), "{seen:?}");
        assert_eq!(
            seen[0].2,
            "closed a connection after a request it could not read"
        );
        assert_eq!(
            seen[1].0,
            Level::ERROR,
            "a fault of the response stays an error"
        );
        assert_eq!(seen[2].0, Level::ERROR);
    }
}
