//! Audit log benchmark (issue 18: "start-up reads the whole audit log"). Not a test: it
//! measures and prints, it asserts nothing.
//!
//! Run: `.ci/bench-audit.sh` (= `cargo bench -p resetdesk-core --bench audit_log`). Optional
//! argument: the number of entries (default 100000).
//!
//! What it does, in one process: writes a log of N entries (each a reset with one step, about
//! the size of a real one) through `AuditLog::append_many`, then times, median of 5:
//! - the baseline: reading the file's bytes (what any start-up that looks at the log pays);
//! - `AuditLog::open`, which the app's start-up runs on the main thread before the window is
//!   served: it reads the last entry, and verifies the whole hash chain on its own thread;
//! - `open` then `ensure_writable`, which waits for that check: the first reset waits for it;
//! - the safety rules' read of the recent entries (`query` with a 24-hour `from`, up to 10,000),
//!   which every reset's confirmation runs: on this log, where every entry is recent (it stops
//!   at 10,000), and on a copy where all but the last 1,000 entries are a month old, as on a
//!   desktop that has been in use for a while (it stops a day past the window's start);
//!
//! and prints each against the baseline.

use std::time::{Duration, Instant};

use resetdesk_core::audit::{AuditFilter, AuditLog, AuditOutcome, AuditRecord};
use resetdesk_core::model::{Outcome, StepStatus};

fn record(n: usize) -> AuditRecord {
    AuditRecord {
        operator: "helpdesk@contoso.com".into(),
        connection_id: "contoso".into(),
        tenant_id: "0f6b2c4e-9a51-4d3e-8a7f-2b1c3d4e5f60".into(),
        target_id: format!("5b7c9d1e-2f3a-4b5c-8d9e-{n:012}"),
        target: format!("user{n}@contoso.com"),
        action: "Reset password".into(),
        plan_id: Some(format!("plan-{n}")),
        plan: vec![
            "Set a new temporary password; the user must change it at next sign-in".into(),
            "Revoke all sessions".into(),
        ],
        reason: format!("INC-{n}: locked out, verified by call back"),
        outcome: AuditOutcome::Succeeded,
        steps: vec![Outcome {
            step_index: 0,
            status: StepStatus::Succeeded,
            message: "Password reset".into(),
            request_id: Some(format!("7d2f0c1a-6b3e-4f5a-9c8d-{n:012}")),
            at: "2026-12-06T09:00:00.000Z".into(),
        }],
        message: None,
        verification: None,
        approval: None,
        safety_class: None,
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn timed<T>(what: impl Fn() -> T) -> Duration {
    median(
        (0..5)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(what());
                started.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let entries: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    {
        let log = AuditLog::open(&path).unwrap();
        for start in (0..entries).step_by(1000) {
            let batch = (start..(start + 1000).min(entries)).map(record).collect();
            log.append_many(batch).unwrap();
        }
    }
    let bytes = std::fs::metadata(&path).unwrap().len();

    let baseline = timed(|| std::fs::read(&path).unwrap().len());
    // Each opened log's check is waited for outside the timed part, so that no check runs
    // beside the next measurement.
    let open = median(
        (0..5)
            .map(|_| {
                let started = Instant::now();
                let log = AuditLog::open(&path).unwrap();
                let elapsed = started.elapsed();
                log.ensure_writable().unwrap();
                elapsed
            })
            .collect(),
    );
    let writable = timed(|| AuditLog::open(&path).unwrap().ensure_writable().unwrap());
    let log = AuditLog::open(&path).unwrap();
    let recent_filter = AuditFilter {
        from: Some(
            (chrono::Utc::now() - chrono::Duration::hours(24))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        ..AuditFilter::default()
    };
    let recent = timed(|| log.query(&recent_filter, 10_000).unwrap().len());
    let aged = dir.path().join("aged.jsonl");
    std::fs::write(&aged, month_old_but_the_last(&path, 1000)).unwrap();
    // Its old part no longer chains (the times were edited): it is only read, never appended to.
    let aged_log = AuditLog::open(&aged).unwrap();
    let last_day = timed(|| aged_log.query(&recent_filter, 10_000).unwrap().len());
    assert_eq!(aged_log.query(&recent_filter, 10_000).unwrap().len(), 1000);

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "Audit log: {entries} entries, {:.1} MiB",
        bytes as f64 / 1_048_576.0
    );
    println!(
        "baseline: read the file's bytes     {:>9.1} ms",
        ms(baseline)
    );
    println!(
        "AuditLog::open (start-up)           {:>9.1} ms  {:>6.2}× the baseline",
        ms(open),
        ms(open) / ms(baseline)
    );
    println!(
        "open, then the whole chain verified {:>9.1} ms  {:>6.2}× the baseline",
        ms(writable),
        ms(writable) / ms(baseline)
    );
    println!(
        "recent entries (24 h, up to 10,000) {:>9.1} ms  {:>6.2}× the baseline",
        ms(recent),
        ms(recent) / ms(baseline)
    );
    println!(
        "  the same, 1,000 in the last day   {:>9.1} ms  {:>6.2}× the baseline",
        ms(last_day),
        ms(last_day) / ms(baseline)
    );
}

/// The log at `path` with the time of every entry but the last `recent` set 30 days back.
fn month_old_but_the_last(path: &std::path::Path, recent: usize) -> String {
    let month_ago = (chrono::Utc::now() - chrono::Duration::days(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let old = lines.len().saturating_sub(recent);
    let mut aged = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        if i < old {
            let mut entry: serde_json::Value = serde_json::from_str(line).unwrap();
            entry["at"] = serde_json::Value::String(month_ago.clone());
            aged.push_str(&entry.to_string());
        } else {
            aged.push_str(line); // as written: the last line still checks against its hash
        }
        aged.push('\n');
    }
    aged
}
