//! Where and how much the app logs. From the first line on, log events go to stderr; once the
//! app knows its log directory (`start_file_log`, called from setup) they also go to a daily
//! rotated file there (`resetdesk.YYYY-MM-DD.log`, the newest `KEEP_LOG_FILES` kept), at the
//! level named by `logLevel` in settings.json (the environment variable `RESETDESK_LOG`, a
//! tracing filter, overrides it).
//!
//! No secret is ever logged: the core's secret types redact themselves, and the level chosen
//! applies to ResetDesk's own code only — libraries (HTTP, TLS, WebView) stay at `warn` or less,
//! so even `trace` never dumps a request's headers or body.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::writer::{EitherWriter, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

/// The key in settings.json that names the log level.
pub const LOG_LEVEL_KEY: &str = "logLevel";
/// The environment variable that overrides the level (any tracing filter, e.g. `debug`).
pub const LOG_ENV: &str = "RESETDESK_LOG";
/// Log files are named `<prefix>.<date>.<suffix>`.
pub const LOG_FILE_PREFIX: &str = "resetdesk";
pub const LOG_FILE_SUFFIX: &str = "log";
/// Daily files kept; older ones are deleted as new ones start.
pub const KEEP_LOG_FILES: usize = 14;
/// The level when settings name none.
pub const DEFAULT_LEVEL: &str = "info";
const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
/// Our own crates: the level chosen applies to them; libraries are capped at `warn`.
const OUR_TARGETS: [&str; 3] = ["resetdesk", "resetdesk_app", "resetdesk_core"];

static LOG_FILE: OnceLock<RollingFileAppender> = OnceLock::new();
static FILTER: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

/// The file half of the log: writes to the rolling file once there is one, to nowhere before.
struct FileSlot;

impl<'a> MakeWriter<'a> for FileSlot {
    type Writer = EitherWriter<<RollingFileAppender as MakeWriter<'a>>::Writer, std::io::Sink>;
    fn make_writer(&'a self) -> Self::Writer {
        match LOG_FILE.get() {
            Some(file) => EitherWriter::A(file.make_writer()),
            None => EitherWriter::B(std::io::sink()),
        }
    }
}

/// Starts logging to stderr (the file joins later). Called once, first thing in `run`.
pub fn init() {
    let filter = env_filter().unwrap_or_else(|| level_filter(DEFAULT_LEVEL).expect("known level"));
    let (filter, handle) = reload::Layer::new(filter);
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let file = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(FileSlot);
    if tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file)
        .try_init()
        .is_ok()
    {
        let _ = FILTER.set(handle);
    }
}

/// What `start_file_log` set up, for the log and the About box.
#[derive(Debug, Clone)]
pub struct FileLog {
    pub dir: PathBuf,
    pub level: String,
}

/// Opens the rotating log file in `dir` and applies `level` (from settings; `None` = default).
/// A level that is not understood falls back to the default, and the returned warning says
/// what was wrong; the environment variable still wins over both.
pub fn start_file_log(
    dir: &Path,
    level: Option<&str>,
) -> Result<(FileLog, Option<String>), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("Could not create the log directory {}: {e}", dir.display()))?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix(LOG_FILE_SUFFIX)
        .max_log_files(KEEP_LOG_FILES)
        .build(dir)
        .map_err(|e| format!("Could not open a log file in {}: {e}", dir.display()))?;
    let _ = LOG_FILE.set(appender);

    let (chosen, warning) = match level.map(parse_level) {
        None => (DEFAULT_LEVEL.to_string(), None),
        Some(Ok(level)) => (level, None),
        Some(Err(reason)) => (DEFAULT_LEVEL.to_string(), Some(reason)),
    };
    let (filter, shown) = match env_filter() {
        Some(filter) => {
            let shown = std::env::var(LOG_ENV).unwrap_or_default();
            (filter, format!("{shown} (from {LOG_ENV})"))
        }
        None => (level_filter(&chosen).expect("parsed level"), chosen),
    };
    if let Some(handle) = FILTER.get() {
        let _ = handle.reload(filter);
    }
    Ok((
        FileLog {
            dir: dir.to_path_buf(),
            level: shown,
        },
        warning,
    ))
}

/// `logLevel` from settings: one of off, error, warn, info, debug, trace (any case).
pub fn parse_level(text: &str) -> Result<String, String> {
    let level = text.trim().to_ascii_lowercase();
    if LEVELS.contains(&level.as_str()) {
        Ok(level)
    } else {
        Err(format!(
            "settings.json: \"{LOG_LEVEL_KEY}\": {text:?} is not a log level; use one of {}. Logging at {DEFAULT_LEVEL}.",
            LEVELS.join(", ")
        ))
    }
}

/// The filter for a level: ours at that level, libraries at `warn` or quieter.
fn level_filter(level: &str) -> Result<EnvFilter, String> {
    let level = parse_level(level)?;
    let libraries = match level.as_str() {
        "off" | "error" | "warn" => level.as_str(),
        _ => "warn",
    };
    let mut directives = vec![libraries.to_string()];
    directives.extend(OUR_TARGETS.iter().map(|t| format!("{t}={level}")));
    EnvFilter::try_new(directives.join(",")).map_err(|e| e.to_string())
}

fn env_filter() -> Option<EnvFilter> {
    std::env::var(LOG_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_checked_and_a_bad_one_says_what_to_use() {
        assert_eq!(parse_level(" Debug ").unwrap(), "debug");
        assert_eq!(parse_level("off").unwrap(), "off");
        let e = parse_level("verbose").unwrap_err();
        assert!(e.contains("\"verbose\"") && e.contains("logLevel"), "{e}");
        assert!(e.contains("error, warn, info, debug, trace"), "{e}");
    }

    #[test]
    fn the_level_applies_to_our_code_and_libraries_stay_at_warn_or_quieter() {
        let directives = |level: &str| -> Vec<String> {
            let text = level_filter(level).unwrap().to_string();
            text.split(',').map(str::to_string).collect()
        };
        let trace = directives("trace");
        assert!(trace.contains(&"warn".to_string()), "{trace:?}");
        for t in OUR_TARGETS {
            assert!(trace.contains(&format!("{t}=trace")), "{trace:?}");
        }
        assert_eq!(trace.len(), OUR_TARGETS.len() + 1, "{trace:?}");
        let error = directives("error");
        assert!(error.contains(&"error".to_string()), "{error:?}");
        assert!(!error.iter().any(|d| d.contains("warn")), "{error:?}");
        assert!(level_filter("loud").is_err());
    }
}
