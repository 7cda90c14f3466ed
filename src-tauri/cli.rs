//! The command line: `resetdesk audit verify FILE` and `resetdesk audit export --format
//! csv|jsonl FILE`, for a security team checking a log away from the window. Without
//! arguments the app starts its window as usual; anything else gets a short usage (exit 2),
//! so a mistyped command never silently opens the app.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use resetdesk_core::audit::{self, AuditFilter, ExportFormat};

pub const USAGE: &str = "\
Usage:
  resetdesk                                          start the app
  resetdesk audit verify FILE                        check FILE's hash chain (exit 0 intact, 1 broken)
  resetdesk audit verify FILE --against EXPORT       also compare it with a SIEM's export of the
                                                     forwarded messages (exit 1 at the first divergence)
  resetdesk audit export --format csv|jsonl FILE     print FILE's entries as CSV or JSON Lines
";

/// Exit code when the arguments are not understood.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Verify {
        file: PathBuf,
        /// A SIEM's export of the forwarded syslog messages (or of their MSG alone).
        against: Option<PathBuf>,
    },
    Export {
        format: ExportFormat,
        file: PathBuf,
    },
    /// `crash-report FILE`: not in the usage; the panic hook starts it to show a report's message.
    CrashReport {
        file: PathBuf,
    },
    Help,
}

/// What the arguments (without the program name) ask for: `Ok(None)` starts the window;
/// `Err` is the reason they are not understood.
pub fn parse(args: &[OsString]) -> Result<Option<Command>, String> {
    let Some(first) = args.first() else {
        return Ok(None);
    };
    let words: Vec<Option<&str>> = args.iter().map(|a| a.to_str()).collect();
    match (first.to_str(), words.get(1).copied().flatten()) {
        (Some("-h" | "--help" | "help"), _) if args.len() == 1 => Ok(Some(Command::Help)),
        (Some("audit"), Some("verify")) => parse_verify(&args[2..]).map(Some),
        (Some("audit"), Some("export")) => parse_export(&args[2..]).map(Some),
        (Some("crash-report"), _) => match &args[1..] {
            [file] => Ok(Some(Command::CrashReport { file: file.into() })),
            _ => Err("crash-report takes exactly one FILE.".into()),
        },
        _ => Err(format!(
            "Unknown arguments: {}",
            args.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        )),
    }
}

/// One FILE and, optionally, `--against EXPORT` (or `--against=EXPORT`), in either order.
fn parse_verify(args: &[OsString]) -> Result<Command, String> {
    let mut file = None;
    let mut against = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let export = match arg.to_str() {
            Some("--against") => Some(PathBuf::from(
                rest.next().ok_or("--against needs the SIEM export FILE.")?,
            )),
            Some(text) if text.starts_with("--against=") => {
                Some(PathBuf::from(&text["--against=".len()..]))
            }
            Some(text) if text.starts_with('-') => return Err(format!("Unknown option {text}.")),
            _ => None,
        };
        match export {
            Some(_) if against.is_some() => return Err("--against is given twice.".into()),
            Some(export) => against = Some(export),
            None if file.is_none() => file = Some(PathBuf::from(arg)),
            None => return Err("audit verify takes exactly one FILE.".into()),
        }
    }
    let file = file.ok_or("audit verify needs the FILE to check.")?;
    Ok(Command::Verify { file, against })
}

/// `--format csv|jsonl` (or `--format=…`) and one FILE, in either order.
fn parse_export(args: &[OsString]) -> Result<Command, String> {
    let mut format = None;
    let mut file = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let value = match arg.to_str() {
            Some("--format") => Some(
                rest.next()
                    .and_then(|v| v.to_str())
                    .ok_or("--format needs csv or jsonl.")?
                    .to_string(),
            ),
            Some(text) if text.starts_with("--format=") => {
                Some(text["--format=".len()..].to_string())
            }
            Some(text) if text.starts_with('-') => return Err(format!("Unknown option {text}.")),
            _ => None,
        };
        match value {
            Some(text) => {
                if format.is_some() {
                    return Err("--format is given twice.".into());
                }
                format = Some(ExportFormat::parse(&text).map_err(|e| e.message)?);
            }
            None if file.is_none() => file = Some(PathBuf::from(arg)),
            None => return Err("audit export takes exactly one FILE.".into()),
        }
    }
    match (format, file) {
        (Some(format), Some(file)) => Ok(Command::Export { format, file }),
        (None, _) => Err("audit export needs --format csv or --format jsonl.".into()),
        (_, None) => Err("audit export needs the FILE to export.".into()),
    }
}

/// Runs `command`, writing results to `out` and problems to `err`; returns the exit code.
pub fn run(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match command {
        Command::Help => {
            let _ = out.write_all(USAGE.as_bytes());
            0
        }
        Command::Verify { file, against } => match verify(file, out, err) {
            0 => against
                .as_ref()
                .map_or(0, |export| compare(file, export, out, err)),
            broken => broken,
        },
        Command::Export { format, file } => export(*format, file, out, err),
        Command::CrashReport { file } => resetdesk_app::show_crash_report(file),
    }
}

fn verify(file: &PathBuf, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // verify_file treats a missing file as an empty, intact log (right for the app's own
    // log); here the operator named a file, so a missing one is an error, not "OK: 0".
    if let Err(e) = std::fs::metadata(file) {
        let _ = writeln!(err, "Cannot read {}: {e}", file.display());
        return 1;
    }
    let verification = audit::verify_file(file);
    match (verification.ok, verification.first_broken) {
        (true, _) => {
            let _ = writeln!(out, "OK: {} entries, chain intact", verification.entries);
            0
        }
        (false, Some(n)) => {
            let _ = writeln!(out, "BROKEN at entry #{n}: {}", verification.message);
            1
        }
        (false, None) => {
            let _ = writeln!(
                err,
                "Cannot verify {}: {}",
                file.display(),
                verification.message
            );
            1
        }
    }
}

/// The local log against a SIEM's export of the forwarded messages: the first divergence, or
/// how many entries match.
fn compare(file: &PathBuf, export: &PathBuf, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path).map_err(|e| format!("Cannot read {}: {e}", path.display()))
    };
    let (local, forwarded) = match (read(file), read(export)) {
        (Ok(local), Ok(forwarded)) => (local, forwarded),
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(err, "{e}");
            return 1;
        }
    };
    match audit::compare_with_forwarded(&local, &forwarded) {
        audit::Comparison::Matches {
            compared,
            not_forwarded,
        } => {
            let _ = writeln!(
                out,
                "OK: {compared} entries match the forwarded copy ({not_forwarded} not in it: written after the export, or not delivered)"
            );
            0
        }
        audit::Comparison::Diverges { seq, how } => {
            let _ = writeln!(out, "DIVERGES at entry #{seq}: {how}");
            1
        }
    }
}

fn export(format: ExportFormat, file: &PathBuf, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let entries = match audit::read_entries(file, &AuditFilter::default()) {
        Ok(entries) => entries,
        Err(e) => {
            let _ = writeln!(err, "{}", e.message);
            return 1;
        }
    };
    // The export still runs (it is how a damaged log is examined), but not silently.
    let verification = audit::verify_file(file);
    if !verification.ok {
        let _ = writeln!(
            err,
            "Warning: {} fails verification: {}",
            file.display(),
            verification.message
        );
    }
    match format.write(&entries, out) {
        Ok(_) => 0,
        Err(e) => {
            let _ = writeln!(err, "{}", e.message);
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use resetdesk_core::audit::{AuditLog, AuditOutcome, AuditRecord};

    fn args(text: &str) -> Vec<OsString> {
        text.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn no_arguments_start_the_window() {
        assert_eq!(parse(&[]), Ok(None));
    }

    #[test]
    fn verify_takes_a_siem_export_to_compare_with_in_either_order() {
        let against = Ok(Some(Command::Verify {
            file: "log.jsonl".into(),
            against: Some("siem.log".into()),
        }));
        assert_eq!(
            parse(&args("audit verify log.jsonl --against siem.log")),
            against
        );
        assert_eq!(
            parse(&args("audit verify --against=siem.log log.jsonl")),
            against
        );
        for (wrong, why) in [
            ("audit verify log.jsonl --against", "needs the SIEM export"),
            (
                "audit verify --against a --against b log.jsonl",
                "given twice",
            ),
            ("audit verify a.jsonl b.jsonl", "exactly one FILE"),
            ("audit verify --against siem.log", "needs the FILE"),
            ("audit verify log.jsonl --compare x", "Unknown option"),
        ] {
            let error = parse(&args(wrong)).unwrap_err();
            assert!(error.contains(why), "{wrong}: {error}");
        }
    }

    #[test]
    fn the_three_subcommands_parse() {
        assert_eq!(
            parse(&args("audit verify /tmp/a.jsonl")),
            Ok(Some(Command::Verify {
                file: "/tmp/a.jsonl".into(),
                against: None,
            }))
        );
        let export = Ok(Some(Command::Export {
            format: ExportFormat::Csv,
            file: "log.jsonl".into(),
        }));
        assert_eq!(parse(&args("audit export --format csv log.jsonl")), export);
        assert_eq!(parse(&args("audit export log.jsonl --format=CSV")), export);
        assert_eq!(
            parse(&args("audit export --format jsonl log.jsonl")),
            Ok(Some(Command::Export {
                format: ExportFormat::Jsonl,
                file: "log.jsonl".into()
            }))
        );
        assert_eq!(parse(&args("--help")), Ok(Some(Command::Help)));
    }

    #[test]
    fn crash_report_takes_one_file_and_is_not_in_the_usage() {
        assert_eq!(
            parse(&args("crash-report /tmp/logs/crash-1-2.txt")),
            Ok(Some(Command::CrashReport {
                file: "/tmp/logs/crash-1-2.txt".into()
            }))
        );
        assert!(parse(&args("crash-report")).is_err());
        assert!(parse(&args("crash-report a b")).is_err());
        // Started by the panic hook only: operators are not told about it.
        assert!(!USAGE.contains("crash-report"));
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for bad in [
            "audit",
            "audit verify",
            "audit verify a b",
            "audit export log.jsonl",
            "audit export --format xml log.jsonl",
            "audit export --format csv",
            "audit export --format csv a b",
            "audit export --format csv --format jsonl a",
            "audit export --output a --format csv b",
            "audit delete a",
            "--devtools",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad} was accepted");
        }
        assert!(parse(&args("audit export --format xml a"))
            .unwrap_err()
            .contains("csv or jsonl"));
    }

    fn run_to_strings(command: &Command) -> (i32, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(command, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    fn log_of(n: u32) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        for i in 1..=n {
            log.append(AuditRecord {
                operator: "helpdesk@contoso.sandbox".into(),
                connection_id: "sandbox".into(),
                tenant_id: "tenant".into(),
                target_id: format!("user-{i}"),
                target: format!("user{i}@contoso.sandbox"),
                action: "Revoke sessions".into(),
                plan_id: None,
                plan: vec![],
                reason: format!("INC-{i}"),
                outcome: AuditOutcome::Succeeded,
                steps: vec![],
                message: None,
                verification: None,
                approval: None,
                safety_class: None,
            })
            .unwrap();
        }
        (dir, path)
    }

    #[test]
    fn verify_reports_ok_broken_or_unreadable() {
        let (dir, path) = log_of(3);
        let (code, out, _) = run_to_strings(&Command::Verify {
            file: path.clone(),
            against: None,
        });
        assert_eq!((code, out.as_str()), (0, "OK: 3 entries, chain intact\n"));

        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("INC-2", "INC-9", 1)).unwrap();
        let (code, out, _) = run_to_strings(&Command::Verify {
            file: path,
            against: None,
        });
        assert_eq!(code, 1);
        assert!(out.starts_with("BROKEN at entry #2: "), "{out}");

        let missing = dir.path().join("missing.jsonl");
        let (code, out, err) = run_to_strings(&Command::Verify {
            file: missing,
            against: None,
        });
        assert_eq!((code, out.as_str()), (1, ""));
        assert!(
            err.contains("Cannot read") && err.contains("missing.jsonl"),
            "{err}"
        );
    }

    #[test]
    fn export_prints_the_entries_and_warns_about_a_broken_log() {
        let (_dir, path) = log_of(2);
        let (code, out, err) = run_to_strings(&Command::Export {
            format: ExportFormat::Jsonl,
            file: path.clone(),
        });
        assert_eq!((code, err.as_str()), (0, ""));
        assert_eq!(out, std::fs::read_to_string(&path).unwrap());

        let (code, out, _) = run_to_strings(&Command::Export {
            format: ExportFormat::Csv,
            file: path.clone(),
        });
        assert_eq!(code, 0);
        assert_eq!(out.lines().count(), 3, "header and two rows: {out}");
        assert!(out.starts_with("seq,at,operator,"), "{out}");

        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("INC-1", "INC-7", 1)).unwrap();
        let (code, _, err) = run_to_strings(&Command::Export {
            format: ExportFormat::Csv,
            file: path,
        });
        assert_eq!(code, 0);
        assert!(
            err.starts_with("Warning:") && err.contains("fails verification"),
            "{err}"
        );
    }
}
