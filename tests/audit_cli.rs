//! The built `resetdesk` binary as a security team runs it: `audit verify` and `audit export`
//! on a log written by the core, intact and then tampered with, checking exit codes and output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use resetdesk_core::audit::{AuditLog, AuditOutcome, AuditRecord};

fn resetdesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resetdesk"))
        .args(args)
        // Nothing here may start a window: a CLI path that fell through to the app would hang
        // or fail for want of a display, not pass.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("the resetdesk binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write_log(dir: &Path, entries: u32) -> PathBuf {
    let path = dir.join("audit.jsonl");
    append_entries(&path, 1..=entries, |i| format!("INC-{i}, caller verified"));
    path
}

/// Appends entries `numbers` to the log at `path` (created if absent), their reasons from
/// `reason`.
fn append_entries(
    path: &Path,
    numbers: std::ops::RangeInclusive<u32>,
    reason: impl Fn(u32) -> String,
) {
    let log = AuditLog::open(path).unwrap();
    for i in numbers {
        log.append(AuditRecord {
            operator: "helpdesk@contoso.sandbox".into(),
            connection_id: "sandbox".into(),
            tenant_id: "tenant".into(),
            target_id: format!("user-{i}"),
            target: format!("user{i}@contoso.sandbox"),
            action: "Reset password".into(),
            plan_id: Some(format!("plan-{i}")),
            plan: vec!["Set a temporary password".into()],
            reason: reason(i),
            outcome: AuditOutcome::Succeeded,
            steps: vec![],
            message: None,
            verification: None,
            approval: None,
            safety_class: None,
        })
        .unwrap();
    }
}

#[test]
fn verify_says_ok_for_an_intact_log_and_names_the_first_broken_entry_of_a_tampered_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 3);
    let file = path.to_str().unwrap();

    let good = resetdesk(&["audit", "verify", file]);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
    assert_eq!(text(&good.stdout), "OK: 3 entries, chain intact\n");

    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, original.replacen("INC-2,", "INC-8,", 1)).unwrap();
    let tampered = resetdesk(&["audit", "verify", file]);
    assert_eq!(tampered.status.code(), Some(1));
    let out = text(&tampered.stdout);
    assert!(out.starts_with("BROKEN at entry #2: "), "{out}");
    assert!(out.contains("changed after it was written"), "{out}");

    // A removed line is named too.
    let mut lines: Vec<&str> = original.lines().collect();
    lines.remove(0);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let removed = resetdesk(&["audit", "verify", file]);
    assert_eq!(removed.status.code(), Some(1));
    assert!(text(&removed.stdout).starts_with("BROKEN at entry #1: "));
}

#[test]
fn export_prints_csv_or_the_verbatim_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_log(dir.path(), 2);
    let file = path.to_str().unwrap();

    let jsonl = resetdesk(&["audit", "export", "--format", "jsonl", file]);
    assert_eq!(jsonl.status.code(), Some(0), "{}", text(&jsonl.stderr));
    assert_eq!(text(&jsonl.stdout), std::fs::read_to_string(&path).unwrap());

    let csv = resetdesk(&["audit", "export", "--format", "csv", file]);
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    let out = text(&csv.stdout);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[0].starts_with("seq,at,operator,connection,tenant,target,action,reason,outcome"));
    assert!(
        rows[1].starts_with("1,") && rows[1].contains("\"INC-1, caller verified\""),
        "{}",
        rows[1]
    );
}

#[test]
fn unknown_arguments_print_the_usage_and_exit_2() {
    for args in [
        &["audit", "delete", "x"][..],
        &["--frobnicate"][..],
        &["audit", "export", "x"][..],
    ] {
        let output = resetdesk(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(text(&output.stderr).contains("Usage:"), "{args:?}");
        assert!(output.stdout.is_empty());
    }
    let missing = resetdesk(&["audit", "verify", "/nonexistent/audit.jsonl"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("Cannot read"));
}

/// Issue 15: a security team compares a desktop's log with the SIEM's copy of the forwarded
/// messages. A log cut short or rewritten and re-hashed passes `verify` on its own (its chain
/// is intact); against the export it fails, naming the first entry where they part.
#[test]
fn verify_against_a_siem_export_names_the_first_divergence_that_the_chain_alone_cannot_see() {
    use resetdesk_core::audit::AuditLog;
    use resetdesk_core::audit_forward::{format_message, SyslogSettings};

    let dir = tempfile::tempdir().unwrap();
    let original = write_log(dir.path(), 3);
    // The SIEM's export: one forwarded message per line, as the forwarder sends them.
    let settings: SyslogSettings = serde_json::from_value(
        serde_json::json!({"host": "siem.example", "port": 6514, "hostname": "desk-1"}),
    )
    .unwrap();
    let mut entries = AuditLog::open(&original).unwrap().list(usize::MAX).unwrap();
    entries.reverse();
    let export = dir.path().join("siem-export.log");
    let messages: Vec<String> = entries
        .iter()
        .map(|e| format_message(&settings, e, 0).unwrap())
        .collect();
    std::fs::write(&export, messages.join("\n") + "\n").unwrap();
    let export = export.to_str().unwrap();

    let same = resetdesk(&[
        "audit",
        "verify",
        original.to_str().unwrap(),
        "--against",
        export,
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert!(
        text(&same.stdout).contains("OK: 3 entries match the forwarded copy"),
        "{}",
        text(&same.stdout)
    );

    // Rewritten from entry 2 on (a new reason), the chain re-made after the first entry: whole.
    let first_line = std::fs::read_to_string(&original)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let rewritten = dir.path().join("rewritten.jsonl");
    std::fs::write(&rewritten, format!("{first_line}\n")).unwrap();
    append_entries(&rewritten, 2..=3, |_| "nothing to see".into());
    let rewritten = rewritten.to_str().unwrap();
    assert_eq!(
        resetdesk(&["audit", "verify", rewritten]).status.code(),
        Some(0),
        "its chain alone is intact"
    );
    let parted = resetdesk(&["audit", "verify", "--against", export, rewritten]);
    assert_eq!(parted.status.code(), Some(1));
    assert!(
        text(&parted.stdout).contains("\nDIVERGES at entry #2: "),
        "{}",
        text(&parted.stdout)
    );

    // Cut short: its last entry deleted (a whole chain, still).
    let kept: Vec<String> = std::fs::read_to_string(&original)
        .unwrap()
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    let cut = dir.path().join("cut.jsonl");
    std::fs::write(&cut, kept.concat()).unwrap();
    let cut = cut.to_str().unwrap();
    assert_eq!(resetdesk(&["audit", "verify", cut]).status.code(), Some(0));
    let short = resetdesk(&["audit", "verify", cut, "--against", export]);
    assert_eq!(short.status.code(), Some(1));
    let out = text(&short.stdout);
    assert!(
        out.contains("\nDIVERGES at entry #3: ") && out.contains("missing from the local log"),
        "{out}"
    );
}
