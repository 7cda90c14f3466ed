//! Reading entries back out of the log, filtered, and writing them as CSV or JSON Lines.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::filter::EntryMatcher;
use super::{io_error, AuditEntry, AuditFilter};
use crate::error::{AppError, Result};

/// An entry with the exact line it was read from: a JSON Lines export writes the line, not a
/// re-serialisation, so that the exported entries still verify against their hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub entry: AuditEntry,
    pub line: String,
}

/// The entries of `content` that match, oldest first. Lines that are not valid entries are
/// left out here; verification reports them.
pub(super) fn stored_entries(content: &str, matcher: &EntryMatcher) -> Vec<StoredEntry> {
    content
        .lines()
        .filter_map(|line| {
            let entry = serde_json::from_str::<AuditEntry>(line).ok()?;
            matcher.matches(&entry).then(|| StoredEntry {
                entry,
                line: line.to_string(),
            })
        })
        .collect()
}

/// Reads the log file at `path` (without opening it for writing) and returns the entries that
/// match `filter`, oldest first. Unlike [`verify_file`], a missing file is an error: the
/// command line names a file the operator expects to exist.
pub fn read_entries(path: impl AsRef<Path>, filter: &AuditFilter) -> Result<Vec<StoredEntry>> {
    let path = path.as_ref();
    let matcher = filter.matcher()?;
    let bytes = fs::read(path).map_err(|e| io_error("read", path, e))?;
    Ok(stored_entries(&String::from_utf8_lossy(&bytes), &matcher))
}

/// The two export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

impl ExportFormat {
    /// `csv` or `jsonl` (as typed on the command line), case-insensitive.
    pub fn parse(text: &str) -> Result<ExportFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "jsonl" => Ok(ExportFormat::Jsonl),
            _ => Err(AppError::invalid_input(format!(
                "\"{text}\" is not an export format: use csv or jsonl."
            ))),
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        }
    }

    /// A file name to offer in the Save dialog: `resetdesk-audit-<UTC date>.<extension>`.
    pub fn suggested_file_name(self) -> String {
        format!(
            "resetdesk-audit-{}.{}",
            chrono::Utc::now().format("%Y-%m-%d"),
            self.extension()
        )
    }

    /// Writes `entries` in this format; returns how many were written.
    pub fn write(self, entries: &[StoredEntry], writer: impl Write) -> Result<usize> {
        match self {
            ExportFormat::Csv => export_csv(entries.iter().map(|stored| &stored.entry), writer),
            ExportFormat::Jsonl => export_jsonl(entries, writer),
        }
    }
}

/// The CSV header; one row per entry follows.
pub const CSV_COLUMNS: [&str; 16] = [
    "seq",
    "at",
    "operator",
    "connection",
    "tenant",
    "target",
    "action",
    "reason",
    "outcome",
    "message",
    "verification",
    "approver",
    "steps",
    "plan_id",
    "prev_hash",
    "hash",
];

/// "callBack passed: Called back ••••0142 …", or empty when none was recorded.
fn verification_cell(verification: Option<&crate::model::safety::VerificationRecord>) -> String {
    verification
        .map(|v| {
            let result = if v.passed { "passed" } else { "failed" };
            format!("{} {result}: {}", v.method.key(), v.detail)
        })
        .unwrap_or_default()
}

/// Writes `entries` as CSV (RFC 4180, header row first). `steps` is each step as
/// "status: message [request-id]", joined with " | ". A text cell that a spreadsheet would
/// run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading
/// `'`: reasons and names come from callers and the directory, and security teams open these
/// files in spreadsheets.
pub fn export_csv<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    writer: impl Write,
) -> Result<usize> {
    let failed = |e: csv::Error| AppError::internal(format!("Could not write the CSV export: {e}"));
    let mut csv_writer = csv::Writer::from_writer(writer);
    csv_writer.write_record(CSV_COLUMNS).map_err(failed)?;
    let mut written = 0;
    for entry in entries {
        let record = &entry.record;
        let steps = record
            .steps
            .iter()
            .map(|step| {
                let status = serde_json::to_value(step.status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                match &step.request_id {
                    Some(id) => format!("{status}: {} [{id}]", step.message),
                    None => format!("{status}: {}", step.message),
                }
            })
            .collect::<Vec<_>>()
            .join(" | ");
        let outcome = serde_json::to_value(record.outcome)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let row = [
            entry.seq.to_string(),
            entry.at.clone(),
            record.operator.clone(),
            record.connection_id.clone(),
            record.tenant_id.clone(),
            record.target.clone(),
            record.action.clone(),
            record.reason.clone(),
            outcome,
            record.message.clone().unwrap_or_default(),
            verification_cell(record.verification.as_ref()),
            record
                .approval
                .as_ref()
                .map(|a| format!("{} ({})", a.approver, a.approver_roles.join(", ")))
                .unwrap_or_default(),
            steps,
            record.plan_id.clone().unwrap_or_default(),
            entry.prev_hash.clone(),
            entry.hash.clone(),
        ];
        csv_writer
            .write_record(row.iter().map(|cell| spreadsheet_safe(cell).into_owned()))
            .map_err(failed)?;
        written += 1;
    }
    csv_writer
        .flush()
        .map_err(|e| AppError::internal(format!("Could not write the CSV export: {e}")))?;
    Ok(written)
}

fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Writes `entries` as JSON Lines: each entry's stored line verbatim, so an export of the
/// whole log verifies with [`verify_file`] and every exported line keeps its own hash.
pub fn export_jsonl<'a>(
    entries: impl IntoIterator<Item = &'a StoredEntry>,
    mut writer: impl Write,
) -> Result<usize> {
    let failed = |e: std::io::Error| {
        AppError::internal(format!("Could not write the JSON Lines export: {e}"))
    };
    let mut written = 0;
    for stored in entries {
        writer.write_all(stored.line.as_bytes()).map_err(failed)?;
        writer.write_all(b"\n").map_err(failed)?;
        written += 1;
    }
    writer.flush().map_err(failed)?;
    Ok(written)
}
