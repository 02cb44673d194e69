//! stderr's two kinds of lines, in one style: what a user must see (`warning: …`, `error: …`,
//! the same as the `warning:` lines the waiver checks print) and the `-v` log (`tracing`'s
//! own format, with a time and level). A `tracing` warning or error from any module prints as
//! a `warning:`/`error:` line, so a run never interleaves `2026-…Z WARN …` with
//! `warning: file:line:col …`; `-v`'s info and debug events keep tracing's format, where the
//! time is what a reader wants.
//!
//! `serve` is a server: every line of its log keeps tracing's format, and it logs its own
//! life (where it listens, reloads) at the `info` level of the target
//! [`SERVE_LIFECYCLE_TARGET`] without `-v`.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{DefaultFields, Format, Full, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::env::EnvVars;

/// The `tracing` target of `serve`'s lifecycle messages (listening, reloading).
pub const SERVE_LIFECYCLE_TARGET: &str = crate::serve::LIFECYCLE_TARGET;

/// Which kind of command logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStyle {
    /// A command run by a person or a CI step: warnings as `warning:` lines.
    Command,
    /// The webhook server: tracing's format on every line.
    Server,
}

/// Installs the global subscriber: `verbose` 0 shows warnings, 1 info, 2 debug;
/// `STAGEGATE_LOG` replaces the filter.
pub fn init(verbose: u8, color: bool, style: LogStyle) {
    let default = match (verbose, style) {
        (0, LogStyle::Server) => format!("warn,{SERVE_LIFECYCLE_TARGET}=info"),
        (0, LogStyle::Command) => "warn".to_owned(),
        (1, _) => "warn,stagegate=info".to_owned(),
        _ => "warn,stagegate=debug".to_owned(),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env(EnvVars::STAGEGATE_LOG)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false);
    let _ = match style {
        LogStyle::Server => builder.try_init(),
        LogStyle::Command => builder
            .event_format(UserFacing {
                log: Format::default().with_target(false),
            })
            .try_init(),
    };
}

/// Warnings and errors as `warning: …` / `error: …`; the rest in tracing's full format.
struct UserFacing {
    log: Format<Full>,
}

impl<S, N> FormatEvent<S, N> for UserFacing
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let label = match *event.metadata().level() {
            Level::ERROR => "error",
            Level::WARN => "warning",
            _ => return self.log.format_event(ctx, writer, event),
        };
        write!(writer, "{label}: ")?;
        DefaultFields::new().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn warnings_read_like_the_other_warning_lines() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(Level::INFO)
            .event_format(UserFacing {
                log: Format::default().with_target(false),
            })
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!("skipping `x`: bad signature");
            tracing::error!(code = 2, "gave up");
            tracing::info!("collected evidence");
        });
        let text = String::from_utf8(buffer.0.lock().map(|b| b.clone()).unwrap_or_default())
            .unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.first(), Some(&"warning: skipping `x`: bad signature"));
        assert_eq!(lines.get(1), Some(&"error: gave up code=2"));
        // `-v`'s log keeps a time and a level.
        assert!(
            lines
                .get(2)
                .is_some_and(|l| l.contains(" INFO ") && l.ends_with("collected evidence")),
            "{text}"
        );
    }
}
