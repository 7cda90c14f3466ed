//! How ResetDesk behaves as a desktop app: one instance at a time (a second launch focuses the
//! first), the window's size and position remembered, logs in the platform's log directory,
//! and a panic that writes a report and tells the operator instead of the window vanishing.
//!
//! All of it is done from Rust: the page is granted none of these plugins' commands.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tauri::{AppHandle, Manager, Runtime, WindowEvent};
use tauri_plugin_store::StoreExt;
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

use crate::logging;
use crate::startup::SETTINGS_FILE;

/// The label of the one window (tauri.conf.json).
pub const MAIN_WINDOW: &str = "main";
/// The hidden command line that shows a crash report's message: `resetdesk crash-report FILE`.
pub const CRASH_REPORT_ARG: &str = "crash-report";
/// Crash reports are `crash-<unix seconds>-<pid>.txt` in the log directory.
pub const CRASH_REPORT_PREFIX: &str = "crash-";
/// Set (to anything) in a debug build: setup panics on purpose, to test the crash report.
#[cfg(debug_assertions)]
pub const DEBUG_PANIC_ENV: &str = "RESETDESK_DEBUG_PANIC";

/// Where crash reports go; the temp directory until the log directory is known.
static REPORT_DIR: OnceLock<PathBuf> = OnceLock::new();
static PANICKED: AtomicBool = AtomicBool::new(false);

/// What setup learnt about the log, for the About box.
#[derive(Debug, Clone)]
pub struct LogInfo {
    pub level: String,
}

/// The desktop plugins that only make sense with a real window (not in tests on the mock
/// runtime): single instance first, so a second launch exits before doing anything else.
pub fn with_desktop_plugins(builder: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    let save_generation = Arc::new(AtomicU64::new(0));
    builder
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tracing::info!("a second ResetDesk was started; focusing this window instead");
            focus_main_window(app);
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(window_state_flags())
                .build(),
        )
        .on_window_event(move |window, event| {
            // The plugin saves on close; also save shortly after a move or resize settles, so
            // the place survives a logout or a killed process. (The plugin's own handler
            // records the new size after this one runs, hence the short wait.)
            if matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
                let generation = save_generation.fetch_add(1, Ordering::SeqCst) + 1;
                let latest = Arc::clone(&save_generation);
                let app = window.app_handle().clone();
                tauri::async_runtime::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    if latest.load(Ordering::SeqCst) == generation {
                        if let Err(e) = app.save_window_state(window_state_flags()) {
                            tracing::warn!(error = %e, "could not save the window's size and position");
                        }
                    }
                });
            }
        })
}

/// Size, position and maximized state; not visibility (the window always shows at start).
fn window_state_flags() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

fn focus_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Runs first in setup: the log file at the level from settings, and where crash reports go.
pub fn setup<R: Runtime>(app: &AppHandle<R>) -> Result<(), Box<dyn std::error::Error>> {
    let log_dir = app.path().app_log_dir()?;
    let _ = REPORT_DIR.set(log_dir.clone());
    let level = configured_log_level(app);
    match logging::start_file_log(&log_dir, level.as_deref()) {
        Ok((log, warning)) => {
            tracing::info!(
                version = %app.package_info().version,
                log_dir = %log.dir.display(),
                level = %log.level,
                "ResetDesk started"
            );
            if let Some(warning) = warning {
                tracing::warn!("{warning}");
            }
            app.manage(LogInfo { level: log.level });
        }
        // Not fatal: the app works without a log file; stderr still has the log.
        Err(reason) => tracing::warn!("{reason}"),
    }
    #[cfg(debug_assertions)]
    if std::env::var_os(DEBUG_PANIC_ENV).is_some() {
        panic!("{DEBUG_PANIC_ENV} is set: a deliberate panic to test the crash report");
    }
    Ok(())
}

/// `logLevel` from settings.json, if it is there and a string.
fn configured_log_level<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    let value = app.store(SETTINGS_FILE).ok()?.get(logging::LOG_LEVEL_KEY)?;
    match value {
        serde_json::Value::String(level) => Some(level),
        other => Some(other.to_string()),
    }
}

/// Installs the panic hook: every panic writes a report (message, place, thread, backtrace,
/// version) to the log directory, logs where it is, and opens a message for the operator in
/// a separate process (the window's own thread may be the one that is failing); then the
/// default hook runs as before.
pub fn install_panic_hook() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = panic_message(info.payload());
        let place = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "unknown".into());
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        report_crash(&message, &place, &thread);
        default_hook(info);
    }));
}

/// Writes a crash report (message, place, thread, backtrace, version) to the log directory,
/// logs where it is, and opens a message for the operator in a separate process: for a panic,
/// and for a start-up that failed (`startup::start_beside_window`).
pub fn report_crash(message: &str, place: &str, thread: &str) {
    let backtrace = std::backtrace::Backtrace::force_capture().to_string();
    let dir = REPORT_DIR.get().cloned().unwrap_or_else(std::env::temp_dir);
    let report = crash_report_text(message, place, thread, &backtrace);
    match write_crash_report(&dir, &report) {
        Ok(path) => {
            tracing::error!(report = %path.display(), %message, %place, "ResetDesk failed");
            // One message per run, even if several threads fail.
            if !PANICKED.swap(true, Ordering::SeqCst) {
                open_crash_message(&path);
            }
        }
        Err(e) => eprintln!(
            "ResetDesk: could not write a crash report in {}: {e}",
            dir.display()
        ),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// The report's text. Its first line after the heading is the message shown to the operator.
pub fn crash_report_text(message: &str, place: &str, thread: &str, backtrace: &str) -> String {
    let at = unix_seconds();
    format!(
        "ResetDesk {version} stopped unexpectedly\n\
         message: {message}\n\
         at: {place}\n\
         thread: {thread}\n\
         time (unix seconds): {at}\n\
         os: {os} {arch}\n\n\
         backtrace:\n{backtrace}\n",
        version = env!("CARGO_PKG_VERSION"),
        os = std::env::consts::OS,
        arch = std::env::consts::ARCH,
    )
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Writes a new report file in `dir` (created if needed) and returns its path. An existing
/// report is never overwritten (several in the same second get `-2`, `-3`, … suffixes).
pub fn write_crash_report(dir: &Path, text: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let stem = format!(
        "{CRASH_REPORT_PREFIX}{}-{}",
        unix_seconds(),
        std::process::id()
    );
    let mut last_error = None;
    for n in 1..=100 {
        let name = if n == 1 {
            format!("{stem}.txt")
        } else {
            format!("{stem}-{n}.txt")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free report name")))
}

/// Starts `resetdesk crash-report FILE`, which shows the message, and does not wait for it.
fn open_crash_message(report: &Path) {
    let started = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .arg(CRASH_REPORT_ARG)
            .arg(report)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            // Not this process's stderr: whatever waits on that pipe must see it close when
            // this process ends, not when the operator closes the message.
            .stderr(std::process::Stdio::null())
            .spawn()
    });
    match started {
        Ok(child) => eprintln!("ResetDesk: crash message shown by process {}", child.id()),
        Err(e) => eprintln!("ResetDesk: could not show the crash message: {e}"),
    }
}

/// The operator's message for a report file: what happened, where the report is, what to do.
pub fn crash_message(report: &Path, report_text: &str) -> String {
    let message = report_text
        .lines()
        .find_map(|l| l.strip_prefix("message: "))
        .unwrap_or("an internal error");
    format!(
        "ResetDesk hit an internal error and had to close:\n\n{message}\n\n\
         A report was written to:\n{}\n\n\
         Please send it to your IT team. Your settings and audit log are kept; \
         start ResetDesk again to go on.",
        report.display()
    )
}

/// `resetdesk crash-report FILE`: shows the message of a report as a native dialog and
/// returns the exit code. Runs in its own process, with no Tauri app.
pub fn show_crash_report(report: &Path) -> i32 {
    let text = match std::fs::read_to_string(report) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("Could not read the crash report {}: {e}", report.display());
            return 1;
        }
    };
    let message = crash_message(report, &text);
    eprintln!("{message}");
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title("ResetDesk stopped unexpectedly")
        .set_description(message)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_report_is_written_and_its_message_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("logs");
        let text = crash_report_text(
            "index out of bounds",
            "src-tauri/x.rs:1:2",
            "main",
            "0: frame",
        );
        let first = write_crash_report(&nested, &text).unwrap();
        assert!(first.starts_with(&nested));
        let name = first.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.starts_with(CRASH_REPORT_PREFIX) && name.ends_with(".txt"),
            "{name}"
        );
        let stored = std::fs::read_to_string(&first).unwrap();
        assert!(stored.contains(env!("CARGO_PKG_VERSION")), "{stored}");
        assert!(stored.contains("at: src-tauri/x.rs:1:2") && stored.contains("0: frame"));

        let shown = crash_message(&first, &stored);
        assert!(shown.contains("index out of bounds"), "{shown}");
        assert!(shown.contains(&first.display().to_string()), "{shown}");
        // A report is never overwritten: a second one (same second, same process) gets its
        // own file.
        let second = write_crash_report(&nested, "other").unwrap();
        assert_ne!(second, first);
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "other");
        assert_eq!(std::fs::read_to_string(&first).unwrap(), stored);
    }

    #[test]
    fn an_unreadable_report_is_an_error_exit_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(show_crash_report(&dir.path().join("missing.txt")), 1);
    }

    #[test]
    fn panic_payloads_of_both_kinds_give_their_message() {
        let text: Box<dyn std::any::Any + Send> = Box::new("static text");
        assert_eq!(panic_message(text.as_ref()), "static text");
        let owned: Box<dyn std::any::Any + Send> = Box::new(String::from("formatted 42"));
        assert_eq!(panic_message(owned.as_ref()), "formatted 42");
        let other: Box<dyn std::any::Any + Send> = Box::new(7_u8);
        assert_eq!(panic_message(other.as_ref()), "(no message)");
    }
}
