//! A `tracing` subscriber, installed by the runner for the duration of an
//! exploration, that records the user's own events as steps, in place.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};
use weft_sync::record::{user_event, Loc};

/// Targets of the checkers' own diagnostics, which are not the user's.
const ENGINE_TARGETS: [&str; 5] = ["loom", "shuttle", "generator", "corosensei", "weft_sync"];

/// Records DEBUG-and-above events of the user's code into the execution.
#[derive(Debug, Default)]
pub(crate) struct StepRecorder;

impl StepRecorder {
    fn wanted(metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::DEBUG
            && !ENGINE_TARGETS
                .iter()
                .any(|t| metadata.target().starts_with(t))
    }
}

/// An event's message, then its other fields as `name=value`.
#[derive(Default)]
struct Message {
    message: String,
    fields: String,
}

impl Message {
    fn text(self) -> String {
        match (self.message.is_empty(), self.fields.is_empty()) {
            (_, true) => self.message,
            (true, false) => self.fields,
            (false, false) => format!("{} {}", self.message, self.fields),
        }
    }
}

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            if !self.fields.is_empty() {
                self.fields.push(' ');
            }
            let _ = write!(self.fields, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}

impl Subscriber for StepRecorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        Self::wanted(metadata)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // Spans are not recorded; one id serves them all.
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        if !Self::wanted(metadata) {
            return;
        }
        let mut message = Message::default();
        event.record(&mut message);
        let location = Loc {
            file: metadata.file().unwrap_or("<unknown>"),
            line: metadata.line().unwrap_or(0),
            column: 0,
        };
        user_event(format!("{} {}", metadata.level(), message.text()), location);
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// The step recorder's dispatcher, one for every exploration: shuttle
/// keeps the dispatcher of a failed execution's leaked tasks alive, and
/// creating a new one per exploration gets slower the more of those there
/// are.
pub(crate) fn recorder() -> &'static tracing::Dispatch {
    &dispatchers().0
}

/// The dispatcher a search runs under (`crate::rerecord`): a
/// [`NoSubscriber`](tracing::subscriber::NoSubscriber), for which shuttle
/// parks nothing at a task switch, as it does for `Dispatch::none()`.
///
/// Unlike `Dispatch::none()` it is registered with `tracing`, beside the
/// recorder, and that is why it exists: while a single dispatcher is
/// registered, `tracing` asks the registering thread's default whether a
/// callsite is of interest, and caches the answer for every thread. An
/// event first logged under `Dispatch::none()` in one search would then be
/// disabled for good, also in another test's replay under the recorder.
/// With two registered, a callsite is of interest if either wants it.
pub(crate) fn quiet() -> &'static tracing::Dispatch {
    &dispatchers().1
}

fn dispatchers() -> &'static (tracing::Dispatch, tracing::Dispatch) {
    static BOTH: std::sync::OnceLock<(tracing::Dispatch, tracing::Dispatch)> =
        std::sync::OnceLock::new();
    BOTH.get_or_init(|| {
        (
            tracing::Dispatch::new(StepRecorder),
            tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()),
        )
    })
}
