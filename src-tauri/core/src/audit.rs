//! Append-only, hash-chained audit log of every attempted action: allowed, refused, failed or
//! succeeded. One JSON object per line; each entry carries the hash of the one before, so an
//! edited, removed or reordered line breaks the chain and `verify` names the first broken one.
//! Never a password or a token: the types below have no field that could hold one.
//!
//! ## File format and canonical form
//! The file is JSON Lines, UTF-8, one [`AuditEntry`] per line, each line ended by `\n`.
//! The *canonical form* of an entry is `serde_json::to_string` of `{seq, at, …record…,
//! prevHash}` (see [`canonical_json`]): compact JSON, keys in this fixed order — `seq`, `at`,
//! the [`AuditRecord`] fields in declaration order (`operator` … `message`), `prevHash`.
//! Struct serialisation keeps declaration order whatever serde_json features other crates
//! switch on, so the form does not depend on the build. `hash` = lower-case hex SHA-256 of the
//! canonical form's UTF-8 bytes; `prevHash` = the previous entry's `hash`, or 64 zeros for the
//! first entry; `seq` counts from 1. The line is the canonical form with `,"hash":"<hex>"`
//! inserted before its closing `}` (which is also what serialising the [`AuditEntry`] gives).
//!
//! Verification hashes the bytes *as stored* (the line without its trailing hash member),
//! not a re-serialisation: any changed byte is caught, including an added key, and a field
//! added to the record in a later version does not invalidate older entries.
//!
//! ## After tampering or corruption
//! [`AuditLog::verify`] and [`verify_file`] never panic on a bad line: they report the first
//! entry that does not chain. [`AuditLog::append`] then refuses to write (ErrorKind
//! Internal): continuing the chain after a broken entry would make the tampering look like
//! part of a valid history. To resume, move the file aside (keep it as evidence) and restart.
//! Removing entries from the *end* of the file cannot be seen from the file alone; an open
//! [`AuditLog`] remembers the last entry it wrote and reports that case too.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind as IoErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{AppError, Result};
use crate::execute::Outcome;

/// Overall result of one attempted action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuditOutcome {
    Succeeded,
    /// Some steps succeeded, some did not.
    Partial,
    Failed,
    /// Refused by our authorization check (or the provider's 403) before any change.
    Refused,
}

/// What the caller supplies; `append` adds seq, time and the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub operator: String,
    pub connection_id: String,
    pub tenant_id: String,
    pub target_id: String,
    pub target: String,
    pub action: String,
    pub plan_id: Option<String>,
    /// The plan's step summaries, as shown in the confirmation.
    pub plan: Vec<String>,
    pub reason: String,
    pub outcome: AuditOutcome,
    pub steps: Vec<Outcome>,
    /// Why it was refused or failed, in the words shown to the operator.
    pub message: Option<String>,
    /// How the caller was verified (issue 5), when a verification was recorded. Absent in
    /// entries written before it existed, so their hashes still verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<crate::safety::VerificationRecord>,
    /// Who approved, when a second person had to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::safety::ApprovalRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub seq: u64,
    pub at: String,
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The previous entry's `hash` (64 zeros for the first entry).
    pub prev_hash: String,
    /// Hex SHA-256 over this entry's canonical JSON without `hash`.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditVerification {
    pub ok: bool,
    pub entries: u64,
    /// Sequence number (1-based line) of the first entry that does not chain.
    pub first_broken: Option<u64>,
    pub message: String,
}

/// `prevHash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry without its `hash`, in the order of the line: the canonical form.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Unhashed<'a> {
    seq: u64,
    at: &'a str,
    #[serde(flatten)]
    record: &'a AuditRecord,
    prev_hash: &'a str,
}

/// The canonical form of `entry` (the bytes its `hash` covers when it is written).
pub fn canonical_json(entry: &AuditEntry) -> Result<String> {
    canonical_parts(entry.seq, &entry.at, &entry.record, &entry.prev_hash)
}

fn canonical_parts(seq: u64, at: &str, record: &AuditRecord, prev_hash: &str) -> Result<String> {
    serde_json::to_string(&Unhashed {
        seq,
        at,
        record,
        prev_hash,
    })
    .map_err(|e| AppError::internal(format!("Could not serialise an audit entry: {e}")))
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The member a line ends with, before its closing brace.
const HASH_MEMBER: &str = ",\"hash\":\"";

/// The stored line for a canonical form and its hash.
fn line_of(canonical: &str, hash: &str) -> Result<String> {
    let body = canonical
        .strip_suffix('}')
        .ok_or_else(|| AppError::internal("An audit entry did not serialise to a JSON object."))?;
    Ok(format!("{body}{HASH_MEMBER}{hash}\"}}"))
}

/// Splits a stored line into (canonical form, hash), or `None` if it does not end with a
/// well-formed hash member.
fn split_line(line: &str) -> Option<(String, &str)> {
    let body = line.strip_suffix("\"}")?;
    let start = body.rfind(HASH_MEMBER)?;
    let hash = &body[start + HASH_MEMBER.len()..];
    let well_formed =
        hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    well_formed.then(|| (format!("{}}}", &line[..start]), hash))
}

/// The append-only audit log over one JSON Lines file. Safe to share between threads; the
/// file is written by this process only (one app instance per profile).
pub struct AuditLog {
    path: PathBuf,
    state: Mutex<LogState>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

struct LogState {
    file: File,
    last_seq: u64,
    last_hash: String,
    /// Why appending is refused, once the chain is known to be broken.
    broken: Option<String>,
}

/// What a scan of the file found.
struct Scan {
    verification: AuditVerification,
    /// The last entry that chained correctly.
    last_seq: u64,
    last_hash: String,
}

impl AuditLog {
    /// Opens (creating it and its folders if needed) the log at `path`, and reads it to
    /// continue the chain. The whole file is verified here, since appending to a broken chain
    /// is refused; a broken file still opens, so that it can be listed and verified.
    pub fn open(path: impl AsRef<Path>) -> Result<AuditLog> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| io_error("create the folder of", &path, e))?;
        }
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            // The log names users and operators: readable by its owner only.
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&path)
            .map_err(|e| io_error("open", &path, e))?;
        let scan = scan_file(&path)?;
        let broken = (!scan.verification.ok).then(|| refusal_message(&path, &scan.verification));
        Ok(AuditLog {
            path,
            state: Mutex::new(LogState {
                file,
                last_seq: scan.last_seq,
                last_hash: scan.last_hash,
                broken,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fails with the reason when the log is known to be broken, so that a caller can refuse
    /// to change anything it could not record (checked before an action runs, not after).
    pub fn ensure_writable(&self) -> Result<()> {
        match &self.lock()?.broken {
            Some(reason) => Err(AppError::internal(reason.clone())),
            None => Ok(()),
        }
    }

    /// Adds one entry (seq = previous + 1, `at` = now, chained to the previous hash), writes
    /// it as one line and flushes it to disk before returning.
    pub fn append(&self, record: AuditRecord) -> Result<AuditEntry> {
        let mut state = self.lock()?;
        if let Some(reason) = &state.broken {
            return Err(AppError::internal(reason.clone()));
        }
        let seq = state.last_seq + 1;
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let canonical = canonical_parts(seq, &at, &record, &state.last_hash)?;
        let hash = sha256_hex(&canonical);
        let mut line = line_of(&canonical, &hash)?;
        line.push('\n');
        let entry = AuditEntry {
            seq,
            at,
            record,
            prev_hash: state.last_hash.clone(),
            hash,
        };

        let written = state
            .file
            .write_all(line.as_bytes())
            .and_then(|()| state.file.sync_data());
        if let Err(e) = written {
            // A partial line may now end the file; anything appended after it would not chain.
            let error = io_error("write to", &self.path, e);
            state.broken = Some(format!(
                "{} Later entries are refused so that the log does not continue after a damaged line; verify the log, move it aside and restart.",
                error.message
            ));
            return Err(error);
        }
        state.last_seq = entry.seq;
        state.last_hash = entry.hash.clone();
        Ok(entry)
    }

    /// The newest `limit` entries, newest first. Lines that are not valid entries are left
    /// out here; [`AuditLog::verify`] reports them.
    pub fn list(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let _state = self.lock()?; // no half-written line is read while appending
        let content = read_log(&self.path)?;
        Ok(content
            .lines()
            .rev()
            .filter_map(|line| serde_json::from_str::<AuditEntry>(line).ok())
            .take(limit)
            .collect())
    }

    /// The newest `limit` entries that match `filter`, newest first. A filter that does not
    /// parse (a bad date) is InvalidInput.
    pub fn query(&self, filter: &AuditFilter, limit: usize) -> Result<Vec<AuditEntry>> {
        let matcher = filter.matcher()?;
        let _state = self.lock()?; // no half-written line is read while appending
        let content = read_log(&self.path)?;
        Ok(content
            .lines()
            .rev()
            .filter_map(|line| serde_json::from_str::<AuditEntry>(line).ok())
            .filter(|entry| matcher.matches(entry))
            .take(limit)
            .collect())
    }

    /// Every entry that matches `filter`, oldest first, with its stored line (for an export).
    pub fn export_entries(&self, filter: &AuditFilter) -> Result<Vec<StoredEntry>> {
        let matcher = filter.matcher()?;
        let _state = self.lock()?;
        Ok(stored_entries(&read_log(&self.path)?, &matcher))
    }

    /// Checks the whole chain; also notices entries missing from the end of the file that
    /// this log wrote earlier.
    pub fn verify(&self) -> AuditVerification {
        let state = match self.lock() {
            Ok(state) => state,
            Err(e) => return unreadable(e.message),
        };
        let scan = match scan_file(&self.path) {
            Ok(scan) => scan,
            Err(e) => return unreadable(e.message),
        };
        if scan.verification.ok && scan.last_seq < state.last_seq {
            return AuditVerification {
                ok: false,
                entries: scan.verification.entries,
                first_broken: Some(scan.last_seq + 1),
                message: format!(
                    "Entries {} to {} are missing: the log ends before the last entry ResetDesk wrote.",
                    scan.last_seq + 1,
                    state.last_seq
                ),
            };
        }
        scan.verification
    }

    fn lock(&self) -> Result<MutexGuard<'_, LogState>> {
        self.state.lock().map_err(|_| {
            AppError::internal(
                "The audit log is unusable after an earlier failure; restart ResetDesk.",
            )
        })
    }
}

/// Verifies the log file at `path` without opening it for writing. A missing file is an empty,
/// valid log.
pub fn verify_file(path: impl AsRef<Path>) -> AuditVerification {
    match scan_file(path.as_ref()) {
        Ok(scan) => scan.verification,
        Err(e) => unreadable(e.message),
    }
}

/// Which entries the Activity screen, an export or the command line asks for. Every field is
/// optional, and a blank one asks nothing (the page sends what its inputs hold).
///
/// - `operator`, `target`: case-insensitive substring of the operator's UPN, of the target's
///   UPN or its object id.
/// - `action`: the action's label as stored ("Reset password"), or its IPC name
///   ("resetPassword"); case-insensitive, whole value.
/// - `from`, `to`: RFC 3339, inclusive. A full date (`2026-11-23`) is that UTC day: `from` its
///   first instant, `to` its last. A date-time (`2026-11-23T00:00:00+01:00`) is that instant,
///   which is how the page sends the operator's local days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditFilter {
    pub operator: Option<String>,
    pub target: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<AuditOutcome>,
    pub from: Option<String>,
    pub to: Option<String>,
}

type Instant = chrono::DateTime<chrono::Utc>;

/// A filter checked once (dates parsed, text lower-cased), then applied to every entry.
struct EntryMatcher {
    operator: Option<String>,
    target: Option<String>,
    action: Option<String>,
    outcome: Option<AuditOutcome>,
    from: Option<Instant>,
    to: Option<Instant>,
}

impl AuditFilter {
    /// Fails with InvalidInput when a date does not parse or the range is inverted; lets a
    /// caller refuse a filter before asking the operator anything.
    pub fn check(&self) -> Result<()> {
        self.matcher().map(|_| ())
    }

    fn matcher(&self) -> Result<EntryMatcher> {
        let lowered = |field: &Option<String>| {
            field
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_lowercase)
        };
        let action = lowered(&self.action).map(|action| {
            // The page sends the IPC name of the action; the log stores its label.
            crate::actions::ActionKind::ALL
                .iter()
                .find(|kind| {
                    serde_json::to_value(kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_lowercase))
                        .as_deref()
                        == Some(action.as_str())
                })
                .map(|kind| kind.label().to_lowercase())
                .unwrap_or(action)
        });
        let from = parse_bound("From", self.from.as_deref(), DayEdge::First)?;
        let to = parse_bound("To", self.to.as_deref(), DayEdge::Last)?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(AppError::invalid_input(
                    "The From date is after the To date; swap them or clear one.",
                ));
            }
        }
        Ok(EntryMatcher {
            operator: lowered(&self.operator),
            target: lowered(&self.target),
            action,
            outcome: self.outcome,
            from,
            to,
        })
    }
}

enum DayEdge {
    First,
    Last,
}

/// Parses a `from`/`to` bound; a blank one is no bound.
fn parse_bound(name: &str, text: Option<&str>, edge: DayEdge) -> Result<Option<Instant>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Some(instant.with_timezone(&chrono::Utc)));
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        AppError::invalid_input(format!(
            "The {name} date \"{text}\" is not a date: use YYYY-MM-DD or an RFC 3339 date-time."
        ))
    })?;
    let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(Some(match edge {
        DayEdge::First => start,
        // The last instant of the day, so that `to` stays inclusive like `from`.
        DayEdge::Last => start + chrono::TimeDelta::days(1) - chrono::TimeDelta::nanoseconds(1),
    }))
}

impl EntryMatcher {
    fn matches(&self, entry: &AuditEntry) -> bool {
        let record = &entry.record;
        let contains = |haystack: &str, needle: &str| haystack.to_lowercase().contains(needle);
        if let Some(operator) = &self.operator {
            if !contains(&record.operator, operator) {
                return false;
            }
        }
        if let Some(target) = &self.target {
            if !contains(&record.target, target) && !contains(&record.target_id, target) {
                return false;
            }
        }
        if let Some(action) = &self.action {
            if record.action.to_lowercase() != *action {
                return false;
            }
        }
        if self
            .outcome
            .is_some_and(|outcome| outcome != record.outcome)
        {
            return false;
        }
        if self.from.is_some() || self.to.is_some() {
            // An entry whose time does not parse cannot be placed in a range; verify reports it.
            let Ok(at) = chrono::DateTime::parse_from_rfc3339(&entry.at) else {
                return false;
            };
            let at = at.with_timezone(&chrono::Utc);
            if self.from.is_some_and(|from| at < from) || self.to.is_some_and(|to| at > to) {
                return false;
            }
        }
        true
    }
}

/// An entry with the exact line it was read from: a JSON Lines export writes the line, not a
/// re-serialisation, so that the exported entries still verify against their hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub entry: AuditEntry,
    pub line: String,
}

/// The entries of `content` that match, oldest first. Lines that are not valid entries are
/// left out here; verification reports them.
fn stored_entries(content: &str, matcher: &EntryMatcher) -> Vec<StoredEntry> {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
fn verification_cell(verification: Option<&crate::safety::VerificationRecord>) -> String {
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

fn unreadable(message: String) -> AuditVerification {
    AuditVerification {
        ok: false,
        entries: 0,
        first_broken: None,
        message,
    }
}

fn refusal_message(path: &Path, verification: &AuditVerification) -> String {
    format!(
        "The audit log at {} fails verification: {} ResetDesk will not add to a log that has been altered or damaged; move the file aside (keep it as evidence) and restart to begin a new log.",
        path.display(),
        verification.message
    )
}

fn io_error(what: &str, path: &Path, error: std::io::Error) -> AppError {
    AppError::internal(format!(
        "Could not {what} the audit log at {}: {error}",
        path.display()
    ))
}

/// The file's text; a missing file is empty. Invalid UTF-8 is kept (replaced) so that the
/// damaged line is reported by the scan instead of failing the whole read.
fn read_log(path: &Path) -> Result<String> {
    match fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == IoErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(io_error("read", path, e)),
    }
}

fn scan_file(path: &Path) -> Result<Scan> {
    Ok(scan_text(&read_log(path)?))
}

fn scan_text(content: &str) -> Scan {
    let mut last_seq = 0;
    let mut last_hash = GENESIS_HASH.to_string();

    let mut lines: Vec<&str> = content.split('\n').collect();
    let ends_with_newline = lines.last() == Some(&"");
    if ends_with_newline {
        lines.pop();
    }
    let count = lines.len();

    for (index, line) in lines.into_iter().enumerate() {
        // Line n holds entry n: the first entry that does not chain is named by its line.
        let n = index as u64 + 1;
        let unterminated_last = index + 1 == count && !ends_with_newline;
        match check_line(n, line, unterminated_last, &last_hash) {
            Ok(entry) => {
                last_seq = entry.seq;
                last_hash = entry.hash;
            }
            Err(message) => {
                let verification = AuditVerification {
                    ok: false,
                    entries: last_seq,
                    first_broken: Some(n),
                    message,
                };
                return Scan {
                    verification,
                    last_seq,
                    last_hash,
                };
            }
        }
    }

    let message = match last_seq {
        0 => "The audit log is empty.".to_string(),
        1 => "The audit log's only entry is intact.".to_string(),
        n => format!("All {n} entries of the audit log chain correctly."),
    };
    Scan {
        verification: AuditVerification {
            ok: true,
            entries: last_seq,
            first_broken: None,
            message,
        },
        last_seq,
        last_hash,
    }
}

/// Checks line `n` against the hash of the entry before it; `Err` says what is wrong.
fn check_line(
    n: u64,
    line: &str,
    unterminated_last: bool,
    previous_hash: &str,
) -> Result<AuditEntry, String> {
    let entry: AuditEntry = serde_json::from_str(line).map_err(|e| {
        if unterminated_last {
            format!("Entry {n} (the last line) is incomplete or damaged ({e}); the log may have been cut short.")
        } else {
            format!("Line {n} is not a valid audit entry ({e}); it was edited or damaged.")
        }
    })?;
    let intact = matches!(split_line(line), Some((canonical, hash)) if sha256_hex(&canonical) == hash && entry.hash == hash);
    if !intact {
        return Err(format!(
            "Entry {n} was changed after it was written: its content does not match its hash."
        ));
    }
    if entry.seq != n {
        return Err(format!(
            "Line {n} holds entry {} where entry {n} was expected: entries were removed, inserted or reordered.",
            entry.seq
        ));
    }
    if entry.prev_hash != previous_hash {
        return Err(format!("Entry {n} does not chain to the entry before it: an earlier entry was changed or replaced."));
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::ActionKind;
    use crate::authz::role_ids;
    use crate::execute::StepStatus;
    use crate::model::{DirectoryUser, Operator, RoleRef};
    use crate::password::generate_temporary_password;
    use crate::plan::build_plan;
    use secrecy::ExposeSecret;

    fn record(n: u32) -> AuditRecord {
        AuditRecord {
            verification: None,
            approval: None,
            operator: "helpdesk@contoso.sandbox".into(),
            connection_id: "conn".into(),
            tenant_id: "tenant".into(),
            target_id: format!("user-{n}"),
            target: format!("user{n}@contoso.sandbox"),
            action: "Revoke sessions".into(),
            plan_id: Some(format!("plan-{n}")),
            plan: vec!["Revoke all sessions".into()],
            reason: format!("ticket INC-{n}"),
            outcome: AuditOutcome::Succeeded,
            steps: vec![Outcome {
                step_index: 0,
                status: StepStatus::Succeeded,
                message: "Sessions revoked".into(),
                request_id: Some(format!("req-{n}")),
                at: "2026-11-23T09:00:00.000Z".into(),
            }],
            message: None,
        }
    }

    /// A log with `n` entries in a fresh temporary folder (kept alive by the returned guard).
    fn log_with(n: u32) -> (tempfile::TempDir, PathBuf, AuditLog) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/folder/audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        for i in 1..=n {
            log.append(record(i)).unwrap();
        }
        (dir, path, log)
    }

    fn lines(path: &Path) -> Vec<String> {
        fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    fn write_lines(path: &Path, lines: &[String]) {
        fs::write(
            path,
            lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
    }

    #[test]
    fn entries_chain_from_64_zeros_and_hash_their_canonical_form() {
        let (_dir, path, log) = log_with(3);
        let entries: Vec<AuditEntry> = lines(&path)
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        assert_eq!(entries[2].prev_hash, entries[1].hash);
        for entry in &entries {
            assert!(chrono::DateTime::parse_from_rfc3339(&entry.at).is_ok());
            assert_eq!(entry.hash.len(), 64);
            // The documented canonical form: the line without `hash`, hashed with SHA-256.
            let canonical = canonical_json(entry).unwrap();
            assert!(
                canonical.starts_with(&format!("{{\"seq\":{},\"at\":", entry.seq)),
                "{canonical}"
            );
            assert!(
                canonical.ends_with(&format!(",\"prevHash\":\"{}\"}}", entry.prev_hash)),
                "{canonical}"
            );
            assert_eq!(
                entry.hash,
                hex::encode(Sha256::digest(canonical.as_bytes()))
            );
        }
        let line = &lines(&path)[0];
        assert_eq!(
            line,
            &format!(
                "{},\"hash\":\"{}\"}}",
                &canonical_json(&entries[0]).unwrap().trim_end_matches('}'),
                entries[0].hash
            )
        );
        assert_eq!(
            log.verify(),
            AuditVerification {
                ok: true,
                entries: 3,
                first_broken: None,
                message: "All 3 entries of the audit log chain correctly.".into()
            }
        );
        assert!(verify_file(&path).ok);
    }

    #[test]
    fn reopening_continues_the_chain() {
        let (_dir, path, log) = log_with(2);
        drop(log);
        let reopened = AuditLog::open(&path).unwrap();
        let third = reopened.append(record(3)).unwrap();
        assert_eq!(third.seq, 3);
        assert!(reopened.verify().ok);
        assert_eq!(verify_file(&path).entries, 3);
    }

    #[test]
    fn list_is_newest_first_and_limited() {
        let (_dir, _path, log) = log_with(5);
        let listed = log.list(3).unwrap();
        assert_eq!(
            listed.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![5, 4, 3]
        );
        assert_eq!(listed[0].record, record(5));
        assert_eq!(log.list(100).unwrap().len(), 5);
    }

    #[test]
    fn an_edited_line_is_named() {
        let (_dir, path, log) = log_with(4);
        let mut edited = lines(&path);
        edited[1] = edited[1].replace("ticket INC-2", "ticket INC-9");
        write_lines(&path, &edited);
        let v = verify_file(&path);
        assert_eq!((v.ok, v.first_broken, v.entries), (false, Some(2), 1));
        assert!(
            v.message.contains("changed after it was written"),
            "{}",
            v.message
        );
        assert_eq!(log.verify().first_broken, Some(2));
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_entry() {
        let (_dir, path, _log) = log_with(3);
        let mut all = lines(&path);
        let mut entry: AuditEntry = serde_json::from_str(&all[0]).unwrap();
        entry.record.outcome = AuditOutcome::Failed;
        entry.hash = sha256_hex(&canonical_json(&entry).unwrap());
        all[0] = serde_json::to_string(&entry).unwrap();
        write_lines(&path, &all);
        let v = verify_file(&path);
        assert_eq!((v.ok, v.first_broken), (false, Some(2)));
        assert!(v.message.contains("does not chain"), "{}", v.message);
    }

    #[test]
    fn an_added_key_or_reformatted_line_is_named_and_the_stored_line_is_the_serialised_entry() {
        let (_dir, path, _log) = log_with(2);
        let original = lines(&path);
        let entry: AuditEntry = serde_json::from_str(&original[0]).unwrap();
        assert_eq!(serde_json::to_string(&entry).unwrap(), original[0]);

        let mut added = original.clone();
        added[0] = added[0].replacen("{\"seq\":1,", "{\"seq\":1,\"note\":\"hidden\",", 1);
        write_lines(&path, &added);
        assert_eq!(verify_file(&path).first_broken, Some(1));

        let mut spaced = original.clone();
        spaced[1] = spaced[1].replacen("\"seq\":2", "\"seq\": 2", 1);
        write_lines(&path, &spaced);
        assert_eq!(verify_file(&path).first_broken, Some(2));
    }

    #[test]
    fn a_removed_line_is_named() {
        let (_dir, path, _log) = log_with(4);
        let mut all = lines(&path);
        all.remove(1);
        write_lines(&path, &all);
        let v = verify_file(&path);
        assert_eq!((v.ok, v.first_broken), (false, Some(2)));
        assert!(
            v.message
                .contains("holds entry 3 where entry 2 was expected"),
            "{}",
            v.message
        );
    }

    #[test]
    fn reordered_lines_are_named() {
        let (_dir, path, _log) = log_with(4);
        let mut all = lines(&path);
        all.swap(2, 3);
        write_lines(&path, &all);
        let v = verify_file(&path);
        assert_eq!((v.ok, v.first_broken), (false, Some(3)));
    }

    #[test]
    fn a_line_cut_in_the_middle_is_reported_without_panicking() {
        let (_dir, path, _log) = log_with(3);
        let mut all = lines(&path);
        let half = all[1].len() / 2;
        all[1].truncate(half);
        write_lines(&path, &all);
        let v = verify_file(&path);
        assert_eq!((v.ok, v.first_broken), (false, Some(2)));
        assert!(
            v.message.contains("not a valid audit entry"),
            "{}",
            v.message
        );

        // A last line cut short (a crash while writing) is named as such.
        let (_dir2, path2, _log2) = log_with(2);
        let full = fs::read_to_string(&path2).unwrap();
        fs::write(&path2, &full[..full.len() - 20]).unwrap();
        let v = verify_file(&path2);
        assert_eq!((v.ok, v.first_broken), (false, Some(2)));
        assert!(v.message.contains("incomplete"), "{}", v.message);
    }

    #[test]
    fn garbage_and_blank_lines_are_reported_not_panicked_on() {
        let (_dir, path, _log) = log_with(2);
        let mut all = lines(&path);
        all.insert(1, String::new());
        write_lines(&path, &all);
        assert_eq!(verify_file(&path).first_broken, Some(2));
        fs::write(&path, [0xff_u8, 0xfe, b'{', b'\n']).unwrap();
        let v = verify_file(&path);
        assert_eq!((v.ok, v.first_broken), (false, Some(1)));
    }

    #[test]
    fn entries_removed_from_the_end_are_noticed_by_the_open_log() {
        let (_dir, path, log) = log_with(4);
        let all = lines(&path);
        write_lines(&path, &all[..2]);
        assert!(verify_file(&path).ok, "the file alone cannot tell");
        let v = log.verify();
        assert_eq!((v.ok, v.first_broken), (false, Some(3)));
        assert!(
            v.message.contains("Entries 3 to 4 are missing"),
            "{}",
            v.message
        );
    }

    #[test]
    fn appending_to_a_broken_log_is_refused_but_it_can_still_be_listed() {
        let (_dir, path, log) = log_with(3);
        drop(log);
        let mut all = lines(&path);
        all[0] = all[0].replace("helpdesk@", "someone@");
        write_lines(&path, &all);
        let reopened = AuditLog::open(&path).unwrap();
        let err = reopened.append(record(4)).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Internal);
        assert!(
            err.message.contains("fails verification")
                && err.message.contains("move the file aside"),
            "{}",
            err.message
        );
        assert_eq!(lines(&path).len(), 3, "nothing was written");
        assert_eq!(reopened.list(10).unwrap().len(), 3);
        assert_eq!(reopened.verify().first_broken, Some(1));
    }

    #[test]
    fn an_empty_or_missing_log_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.jsonl");
        assert_eq!(
            verify_file(&missing),
            AuditVerification {
                ok: true,
                entries: 0,
                first_broken: None,
                message: "The audit log is empty.".into()
            }
        );
        let log = AuditLog::open(dir.path().join("new.jsonl")).unwrap();
        assert!(log.verify().ok);
        assert!(log.list(5).unwrap().is_empty());
    }

    #[test]
    fn a_password_reset_record_never_contains_the_temporary_password() {
        let operator = Operator {
            connection_id: "conn".into(),
            tenant_id: "tenant".into(),
            id: "op".into(),
            user_principal_name: "helpdesk@contoso.sandbox".into(),
            display_name: "Helpdesk".into(),
            roles: vec![RoleRef {
                template_id: role_ids::HELPDESK_ADMINISTRATOR.into(),
                display_name: "Helpdesk Administrator".into(),
            }],
        };
        let adele = DirectoryUser {
            id: "adele".into(),
            user_principal_name: "adele.vance@contoso.sandbox".into(),
            display_name: "Adele Vance".into(),
            roles_known: true,
            ..Default::default()
        };
        let password = generate_temporary_password();
        let plan = build_plan(ActionKind::ResetPassword, "conn", &operator, &adele, &[]).unwrap();
        // Everything a caller has at hand goes in; the record has no field for the password.
        let record = AuditRecord {
            verification: None,
            approval: None,
            operator: operator.user_principal_name.clone(),
            connection_id: plan.connection_id.clone(),
            tenant_id: plan.tenant_id.clone(),
            target_id: adele.id.clone(),
            target: adele.user_principal_name.clone(),
            action: plan.action.label().into(),
            plan_id: Some(plan.id.clone()),
            plan: plan.steps.iter().map(|s| s.summary.clone()).collect(),
            reason: "INC-42 locked out".into(),
            outcome: AuditOutcome::Succeeded,
            steps: vec![Outcome {
                step_index: 0,
                status: StepStatus::Succeeded,
                message: "Temporary password set; it must be changed at next sign-in".into(),
                request_id: Some("req-1".into()),
                at: plan.created_at.clone(),
            }],
            message: None,
        };
        let (_dir, path, log) = log_with(0);
        log.append(record).unwrap();
        let written = fs::read_to_string(&path).unwrap();
        assert!(written.contains("Set a temporary password for Adele Vance"));
        assert!(!written.contains(password.expose_secret()));
    }

    /// A record for the filter tests: operator, target, action and outcome set per entry.
    fn varied(operator: &str, target: &str, action: &str, outcome: AuditOutcome) -> AuditRecord {
        AuditRecord {
            verification: None,
            approval: None,
            operator: operator.into(),
            target: target.into(),
            target_id: format!("id-of-{target}"),
            action: action.into(),
            outcome,
            ..record(0)
        }
    }

    fn seqs(entries: &[AuditEntry]) -> Vec<u64> {
        entries.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn query_filters_by_operator_target_action_and_outcome_newest_first() {
        let (_dir, _path, log) = log_with(0);
        log.append(varied(
            "helpdesk@contoso.sandbox",
            "adele.vance@contoso.sandbox",
            "Reset password",
            AuditOutcome::Succeeded,
        ))
        .unwrap();
        log.append(varied(
            "authadmin@contoso.sandbox",
            "adele.vance@contoso.sandbox",
            "Revoke sessions",
            AuditOutcome::Refused,
        ))
        .unwrap();
        log.append(varied(
            "HelpDesk@contoso.sandbox",
            "megan.bowen@contoso.sandbox",
            "Reset password",
            AuditOutcome::Failed,
        ))
        .unwrap();
        log.append(varied(
            "helpdesk@contoso.sandbox",
            "alex.wilber@contoso.sandbox",
            "Require re-register MFA",
            AuditOutcome::Succeeded,
        ))
        .unwrap();

        let query = |filter: AuditFilter| seqs(&log.query(&filter, 100).unwrap());
        assert_eq!(query(AuditFilter::default()), vec![4, 3, 2, 1]);
        let operator = |text: &str| AuditFilter {
            operator: Some(text.into()),
            ..Default::default()
        };
        assert_eq!(
            query(operator("HELPDESK")),
            vec![4, 3, 1],
            "case-insensitive substring"
        );
        assert_eq!(
            query(operator("  ")),
            vec![4, 3, 2, 1],
            "blank asks nothing"
        );
        assert_eq!(
            query(AuditFilter {
                target: Some("Adele".into()),
                ..Default::default()
            }),
            vec![2, 1]
        );
        assert_eq!(
            query(AuditFilter {
                target: Some("id-of-megan".into()),
                ..Default::default()
            }),
            vec![3],
            "the object id matches too"
        );
        assert_eq!(
            query(AuditFilter {
                action: Some("reset password".into()),
                ..Default::default()
            }),
            vec![3, 1]
        );
        assert_eq!(
            query(AuditFilter {
                action: Some("requireReregisterMfa".into()),
                ..Default::default()
            }),
            vec![4],
            "the IPC name of the action"
        );
        assert_eq!(
            query(AuditFilter {
                action: Some("Reset".into()),
                ..Default::default()
            }),
            Vec::<u64>::new(),
            "the action is a whole value"
        );
        assert_eq!(
            query(AuditFilter {
                outcome: Some(AuditOutcome::Refused),
                ..Default::default()
            }),
            vec![2]
        );
        assert_eq!(
            query(AuditFilter {
                operator: Some("helpdesk".into()),
                action: Some("resetPassword".into()),
                outcome: Some(AuditOutcome::Succeeded),
                ..Default::default()
            }),
            vec![1],
            "all fields at once"
        );
        assert_eq!(
            seqs(&log.query(&operator("helpdesk"), 2).unwrap()),
            vec![4, 3],
            "limit after filtering"
        );
    }

    /// Rewrites the `at` of every entry (and re-chains the file) so dates can be tested.
    fn log_at(times: &[&str]) -> (tempfile::TempDir, AuditLog) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut previous = GENESIS_HASH.to_string();
        let mut text = String::new();
        for (i, at) in times.iter().enumerate() {
            let record = record(i as u32 + 1);
            let canonical = canonical_parts(i as u64 + 1, at, &record, &previous).unwrap();
            let hash = sha256_hex(&canonical);
            text.push_str(&line_of(&canonical, &hash).unwrap());
            text.push('\n');
            previous = hash;
        }
        fs::write(&path, text).unwrap();
        assert!(verify_file(&path).ok);
        let log = AuditLog::open(&path).unwrap();
        (dir, log)
    }

    #[test]
    fn query_filters_by_inclusive_date_range() {
        let (_dir, log) = log_at(&[
            "2026-11-21T23:59:59.999Z",
            "2026-11-22T00:00:00.000Z",
            "2026-11-22T23:59:59.999Z",
            "2026-11-23T00:00:00.000Z",
        ]);
        let range = |from: Option<&str>, to: Option<&str>| {
            seqs(
                &log.query(
                    &AuditFilter {
                        from: from.map(String::from),
                        to: to.map(String::from),
                        ..Default::default()
                    },
                    100,
                )
                .unwrap(),
            )
        };
        assert_eq!(
            range(Some("2026-11-22"), Some("2026-11-22")),
            vec![3, 2],
            "a full date is the whole UTC day"
        );
        assert_eq!(range(Some("2026-11-22"), None), vec![4, 3, 2]);
        assert_eq!(range(None, Some("2026-11-22")), vec![3, 2, 1]);
        // A local day sent as date-times: 22 November in UTC+01:00 is 21 Nov 23:00Z to 22 Nov 23:00Z.
        assert_eq!(
            range(
                Some("2026-11-22T00:00:00+01:00"),
                Some("2026-11-22T23:59:59.999+01:00")
            ),
            vec![2, 1]
        );
    }

    #[test]
    fn a_bad_date_or_an_inverted_range_is_invalid_input() {
        let (_dir, _path, log) = log_with(1);
        let err = log
            .query(
                &AuditFilter {
                    from: Some("23/11/2026".into()),
                    ..Default::default()
                },
                10,
            )
            .unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
        assert!(
            err.message.contains("From") && err.message.contains("YYYY-MM-DD"),
            "{}",
            err.message
        );
        let err = log
            .query(
                &AuditFilter {
                    from: Some("2026-11-23".into()),
                    to: Some("2026-11-22".into()),
                    ..Default::default()
                },
                10,
            )
            .unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
        assert!(err.message.contains("after the To date"), "{}", err.message);
    }

    #[test]
    fn a_filter_from_the_page_deserialises_with_missing_fields() {
        let filter: AuditFilter =
            serde_json::from_str(r#"{"operator":"help","outcome":"refused"}"#).unwrap();
        assert_eq!(filter.operator.as_deref(), Some("help"));
        assert_eq!(filter.outcome, Some(AuditOutcome::Refused));
        assert_eq!(filter.to, None);
    }

    #[test]
    fn verification_and_approval_are_chained_and_exported_and_old_entries_still_verify() {
        let (_dir, path, log) = log_with(1); // an entry written without either field
        let verification = crate::safety::VerificationRecord {
            method: crate::safety::VerificationMethod::CallBack,
            passed: true,
            detail: "Called back ••••0142 (mobilePhone in the directory); the user confirmed."
                .into(),
            at: "t".into(),
        };
        let approval = crate::safety::ApprovalRecord {
            approver: "globaladmin@contoso.sandbox".into(),
            approver_id: "ga".into(),
            approver_roles: vec!["Global Administrator".into()],
            at: "t".into(),
        };
        log.append(AuditRecord {
            verification: Some(verification.clone()),
            approval: Some(approval.clone()),
            ..record(2)
        })
        .unwrap();
        assert!(log.verify().ok);
        let text = std::fs::read_to_string(&path).unwrap();
        let first_line = text.lines().next().unwrap();
        assert!(!first_line.contains("verification") && !first_line.contains("approval"));
        let stored = log.list(1).unwrap().remove(0);
        assert_eq!(stored.record.verification, Some(verification));
        assert_eq!(stored.record.approval, Some(approval));

        let entries = log.export_entries(&AuditFilter::default()).unwrap();
        let mut out = Vec::new();
        export_csv(entries.iter().map(|s| &s.entry), &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let cell = |row: usize, name: &str| {
            rows[row][CSV_COLUMNS.iter().position(|c| *c == name).unwrap()].to_string()
        };
        assert_eq!(cell(0, "verification"), "");
        assert_eq!(
            cell(1, "verification"),
            "callBack passed: Called back ••••0142 (mobilePhone in the directory); the user confirmed."
        );
        assert_eq!(
            cell(1, "approver"),
            "globaladmin@contoso.sandbox (Global Administrator)"
        );
    }

    #[test]
    fn csv_export_has_one_row_per_entry_and_parses_back() {
        let (_dir, _path, log) = log_with(0);
        log.append(AuditRecord {
            verification: None,
            approval: None,
            reason: "Caller said \"urgent\", ticket INC-7\nsecond line".into(),
            steps: vec![
                Outcome {
                    step_index: 0,
                    status: StepStatus::Succeeded,
                    message: "Password set".into(),
                    request_id: Some("req-a".into()),
                    at: "t".into(),
                },
                Outcome {
                    step_index: 1,
                    status: StepStatus::Skipped,
                    message: "Not run, an earlier step failed".into(),
                    request_id: None,
                    at: "t".into(),
                },
            ],
            ..record(1)
        })
        .unwrap();
        log.append(AuditRecord {
            verification: None,
            approval: None,
            reason: "=HYPERLINK(\"http://evil\")".into(),
            outcome: AuditOutcome::Refused,
            plan_id: None,
            steps: vec![],
            message: Some(
                "Only a Privileged Authentication Administrator can act on this user.".into(),
            ),
            ..record(2)
        })
        .unwrap();
        let entries = log.export_entries(&AuditFilter::default()).unwrap();
        let mut out = Vec::new();
        assert_eq!(
            export_csv(entries.iter().map(|s| &s.entry), &mut out).unwrap(),
            2
        );

        let mut reader = csv::Reader::from_reader(out.as_slice());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            CSV_COLUMNS.to_vec()
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        let column = |row: &csv::StringRecord, name: &str| {
            row.get(CSV_COLUMNS.iter().position(|c| *c == name).unwrap())
                .unwrap()
                .to_string()
        };
        let first = &rows[0];
        assert_eq!(column(first, "seq"), "1");
        assert_eq!(column(first, "at"), entries[0].entry.at);
        assert_eq!(column(first, "operator"), "helpdesk@contoso.sandbox");
        assert_eq!(column(first, "connection"), "conn");
        assert_eq!(column(first, "tenant"), "tenant");
        assert_eq!(column(first, "target"), "user1@contoso.sandbox");
        assert_eq!(column(first, "action"), "Revoke sessions");
        assert_eq!(
            column(first, "reason"),
            "Caller said \"urgent\", ticket INC-7\nsecond line",
            "quotes, commas and newlines survive"
        );
        assert_eq!(column(first, "outcome"), "succeeded");
        assert_eq!(
            column(first, "steps"),
            "succeeded: Password set [req-a] | skipped: Not run, an earlier step failed"
        );
        assert_eq!(column(first, "plan_id"), "plan-1");
        assert_eq!(column(first, "prev_hash"), GENESIS_HASH);
        assert_eq!(column(first, "hash"), entries[0].entry.hash);
        let second = &rows[1];
        assert_eq!(column(second, "outcome"), "refused");
        assert_eq!(
            column(second, "message"),
            "Only a Privileged Authentication Administrator can act on this user."
        );
        assert_eq!(column(second, "plan_id"), "");
        assert_eq!(column(second, "steps"), "");
        assert_eq!(
            column(second, "reason"),
            "'=HYPERLINK(\"http://evil\")",
            "a formula is not run by a spreadsheet"
        );
        assert_eq!(column(second, "prev_hash"), entries[0].entry.hash);
    }

    #[test]
    fn jsonl_export_of_the_whole_log_is_the_log_and_verifies() {
        let (dir, path, log) = log_with(4);
        let entries = log.export_entries(&AuditFilter::default()).unwrap();
        let exported = dir.path().join("export.jsonl");
        let written = ExportFormat::Jsonl
            .write(&entries, File::create(&exported).unwrap())
            .unwrap();
        assert_eq!(written, 4);
        assert_eq!(
            fs::read_to_string(&exported).unwrap(),
            fs::read_to_string(&path).unwrap()
        );
        let v = verify_file(&exported);
        assert_eq!((v.ok, v.entries), (true, 4), "{}", v.message);

        // A filtered export keeps each line verbatim (its own hash still checks) but, with
        // entries left out, it is not a chain: verify says where the first one is missing.
        let filtered = log
            .export_entries(&AuditFilter {
                target: Some("user3@".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            filtered.iter().map(|s| s.entry.seq).collect::<Vec<_>>(),
            vec![3]
        );
        assert_eq!(filtered[0].line, lines(&path)[2]);
        let mut out = Vec::new();
        export_jsonl(&filtered, &mut out).unwrap();
        fs::write(&exported, out).unwrap();
        assert_eq!(verify_file(&exported).first_broken, Some(1));
    }

    #[test]
    fn read_entries_filters_a_file_and_names_a_missing_one() {
        let (dir, path, _log) = log_with(3);
        let entries = read_entries(
            &path,
            &AuditFilter {
                target: Some("user2".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            entries.iter().map(|s| s.entry.seq).collect::<Vec<_>>(),
            vec![2]
        );
        let err = read_entries(dir.path().join("nope.jsonl"), &AuditFilter::default()).unwrap_err();
        assert!(err.message.contains("nope.jsonl"), "{}", err.message);
    }

    #[test]
    fn export_formats_parse_from_the_command_line_and_the_page() {
        assert_eq!(ExportFormat::parse("CSV").unwrap(), ExportFormat::Csv);
        assert_eq!(ExportFormat::parse("jsonl").unwrap(), ExportFormat::Jsonl);
        assert_eq!(
            ExportFormat::parse("xml").unwrap_err().kind,
            crate::error::ErrorKind::InvalidInput
        );
        assert_eq!(
            serde_json::from_str::<ExportFormat>("\"jsonl\"").unwrap(),
            ExportFormat::Jsonl
        );
        assert_eq!(ExportFormat::Csv.extension(), "csv");
    }
}
