//! Append-only, hash-chained audit log of every attempted action: allowed, refused, failed or
//! succeeded. One JSON object per line; each entry carries the hash of the one before, so an
//! edited, removed or reordered line breaks the chain and `verify` names the first broken one.
//! Never a password or a token: the types below have no field that could hold one.
//!
//! `filter` selects entries (the Activity screen, exports, the command line); `export` reads
//! them back and writes CSV or JSON Lines.
//!
//! ## File format and canonical form
//! The file is JSON Lines, UTF-8, one [`AuditEntry`] per line, each line ended by `\n`.
//! The *canonical form* of an entry is `serde_json::to_string` of `{seq, at, …record…,
//! prevHash}` (see [`canonical_json`]): compact JSON, keys in this fixed order — `seq`, `at`,
//! the [`AuditRecord`] fields in declaration order (`operator` … `message`, then
//! `verification` and `approval` only when present), `prevHash`.
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

use rev_lines::RawRevLines;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{AppError, Result};
use crate::model::{Outcome, StepStatus};
pub use resetdesk_model::audit::{
    AuditEntry, AuditOutcome, AuditParties, AuditRecord, AuditVerification,
};

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
    /// The whole chain's check, running on its own thread since `open`; settled (joined)
    /// before anything is appended.
    verifying: Option<std::thread::JoinHandle<Result<Scan>>>,
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
    /// continue the chain. The whole file is verified, since appending to a broken chain is
    /// refused; a broken file still opens, so that it can be listed and verified.
    ///
    /// Start-up opens the log before the window is served, and a long log takes a while to
    /// verify (issue 18: 350 ms for 100,000 entries, `benches/audit_log.rs`). So when the
    /// last line is an intact entry, the chain continues from it at once and the rest is
    /// verified on its own thread; the first append (or `ensure_writable`) waits for that
    /// check, so nothing is ever appended to a chain not yet known to hold. Otherwise (an
    /// empty, cut or damaged end) the file is verified here, as before.
    pub fn open(path: impl AsRef<Path>) -> Result<AuditLog> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| io_error("create the folder of", &path, e))?;
        }
        // The log names users and operators: readable by its owner only (and tightened if an
        // older version left it wider).
        crate::private_file::ensure_private(&path, "audit log")?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io_error("open", &path, e))?;
        if let Some(last) = intact_last_entry(&path)? {
            let scanned = path.clone();
            let verifying = std::thread::Builder::new()
                .name("audit-verify".into())
                .spawn(move || scan_file(&scanned))
                .map_err(|e| io_error("verify", &path, e))?;
            return Ok(AuditLog {
                path,
                state: Mutex::new(LogState {
                    file,
                    last_seq: last.seq,
                    last_hash: last.hash,
                    broken: None,
                    verifying: Some(verifying),
                }),
            });
        }
        let scan = scan_file(&path)?;
        let broken = (!scan.verification.ok).then(|| refusal_message(&path, &scan.verification));
        Ok(AuditLog {
            path,
            state: Mutex::new(LogState {
                file,
                last_seq: scan.last_seq,
                last_hash: scan.last_hash,
                broken,
                verifying: None,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Fails with the reason when the log is known to be broken, so that a caller can refuse
    /// to change anything it could not record (checked before an action runs, not after).
    pub fn ensure_writable(&self) -> Result<()> {
        match &self.lock_settled()?.broken {
            Some(reason) => Err(AppError::internal(reason.clone())),
            None => Ok(()),
        }
    }

    /// Adds one entry (seq = previous + 1, `at` = now, chained to the previous hash), writes
    /// it as one line and flushes it to disk before returning.
    pub fn append(&self, record: AuditRecord) -> Result<AuditEntry> {
        let mut state = self.lock_settled()?;
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

    /// Appends several entries with one write and one flush to disk (a bulk job's steps
    /// finishing together): the same chain as that many [`AuditLog::append`] calls, for one
    /// fsync instead of many. All or none: on a write failure none of them counts.
    pub fn append_many(&self, records: Vec<AuditRecord>) -> Result<Vec<AuditEntry>> {
        let mut state = self.lock_settled()?;
        if let Some(reason) = &state.broken {
            return Err(AppError::internal(reason.clone()));
        }
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let (mut seq, mut prev_hash) = (state.last_seq, state.last_hash.clone());
        let mut lines = String::new();
        let mut entries = Vec::with_capacity(records.len());
        for record in records {
            seq += 1;
            let canonical = canonical_parts(seq, &at, &record, &prev_hash)?;
            let hash = sha256_hex(&canonical);
            lines.push_str(&line_of(&canonical, &hash)?);
            lines.push('\n');
            entries.push(AuditEntry {
                seq,
                at: at.clone(),
                record,
                prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                hash,
            });
        }
        if entries.is_empty() {
            return Ok(entries);
        }
        let written = state
            .file
            .write_all(lines.as_bytes())
            .and_then(|()| state.file.sync_data());
        if let Err(e) = written {
            let error = io_error("write to", &self.path, e);
            state.broken = Some(format!(
                "{} Later entries are refused so that the log does not continue after a damaged line; verify the log, move it aside and restart.",
                error.message
            ));
            return Err(error);
        }
        state.last_seq = seq;
        state.last_hash = prev_hash;
        Ok(entries)
    }

    /// The newest `limit` entries, newest first. Lines that are not valid entries are left
    /// out here; [`AuditLog::verify`] reports them.
    pub fn list(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        self.query(&AuditFilter::default(), limit)
    }

    /// The newest `limit` entries that match `filter`, newest first. A filter that does not
    /// parse (a bad date) is InvalidInput. Reading stops at `limit` matches, or where a `from`
    /// bound shows that no older entry can match ([`EntryMatcher::ends_the_search`]): the
    /// safety rules' read of the last day costs that day's entries, not the whole log's.
    pub fn query(&self, filter: &AuditFilter, limit: usize) -> Result<Vec<AuditEntry>> {
        let matcher = filter.matcher()?;
        let _state = self.lock()?; // no half-written line is read while appending
        let mut found = Vec::new();
        if limit == 0 {
            return Ok(found);
        }
        for entry in newest_first(&self.path)? {
            let entry = entry?;
            if matcher.ends_the_search(&entry) {
                break;
            }
            if matcher.matches(&entry) {
                found.push(entry);
                if found.len() == limit {
                    break;
                }
            }
        }
        Ok(found)
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

    /// The state, once the check of the whole chain begun by `open` has finished: a chain
    /// found broken refuses appending from then on, as if `open` had found it.
    fn lock_settled(&self) -> Result<MutexGuard<'_, LogState>> {
        let mut state = self.lock()?;
        if let Some(verifying) = state.verifying.take() {
            let scan = verifying.join().unwrap_or_else(|_| {
                Err(AppError::internal(
                    "The audit log's check stopped unexpectedly; restart ResetDesk.",
                ))
            });
            match scan {
                Ok(scan) if scan.verification.ok => {}
                Ok(scan) => {
                    state.broken = Some(refusal_message(&self.path, &scan.verification));
                }
                Err(error) => state.broken = Some(error.message),
            }
        }
        Ok(state)
    }
}

/// The log's last entry, if the file ends with one whole line holding an entry whose content
/// matches its hash (read from the end: the rest of the file is not read here). `None` for an
/// empty file, a last line cut short or damaged, or one longer than the part read.
fn intact_last_entry(path: &Path) -> Result<Option<AuditEntry>> {
    use std::io::{Read, Seek, SeekFrom};
    /// Far longer than any one entry ResetDesk writes.
    const TAIL: u64 = 256 * 1024;
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == IoErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("read", path, e)),
    };
    let length = file
        .metadata()
        .map_err(|e| io_error("read", path, e))?
        .len();
    let start = length.saturating_sub(TAIL);
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(start))
        .and_then(|_| file.read_to_end(&mut tail))
        .map_err(|e| io_error("read", path, e))?;
    let Some(body) = tail.strip_suffix(b"\n") else {
        return Ok(None); // empty, or the last line is cut short
    };
    let line_start = match body.iter().rposition(|&b| b == b'\n') {
        Some(newline) => newline + 1,
        None if start == 0 => 0, // the file's only line
        None => return Ok(None), // the last line is longer than the part read
    };
    let line = &body[line_start..];
    let Ok(line) = std::str::from_utf8(line) else {
        return Ok(None);
    };
    let Ok(entry) = serde_json::from_str::<AuditEntry>(line) else {
        return Ok(None);
    };
    Ok(check_line(entry.seq, line, false, &entry.prev_hash).ok())
}

/// Verifies the log file at `path` without opening it for writing. A missing file is an empty,
/// valid log.
pub fn verify_file(path: impl AsRef<Path>) -> AuditVerification {
    match scan_file(path.as_ref()) {
        Ok(scan) => scan.verification,
        Err(e) => unreadable(e.message),
    }
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

/// Bytes read at a time from the end of the log: a few hundred entries.
const BACKWARD_READ_BLOCK: usize = 256 * 1024;

/// The entries of the log at `path`, newest first, read backwards from the end of the file a
/// block at a time: a caller that has what it needs stops without reading the rest. Lines that
/// are not valid entries are skipped (verification reports them); a missing file has none.
fn newest_first(path: &Path) -> Result<impl Iterator<Item = Result<AuditEntry>> + '_> {
    let file = match File::open(path) {
        Ok(file) => Some(file),
        Err(e) if e.kind() == IoErrorKind::NotFound => None,
        Err(e) => return Err(io_error("read", path, e)),
    };
    Ok(file
        .into_iter()
        .flat_map(|file| RawRevLines::with_capacity(BACKWARD_READ_BLOCK, file))
        .filter_map(move |line| match line {
            Ok(line) => serde_json::from_slice::<AuditEntry>(&line).ok().map(Ok),
            Err(e) => Some(Err(io_error("read", path, e))),
        }))
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

mod export;
mod filter;
mod forwarded;
/// The overall result of a run, for the audit log: every step done → `Succeeded`; nothing
/// done → `Refused` if our re-check refused, else `Failed`; anything in between → `Partial`.
pub fn overall_outcome(outcomes: &[Outcome]) -> AuditOutcome {
    let succeeded = outcomes
        .iter()
        .filter(|o| o.status == StepStatus::Succeeded)
        .count();
    if succeeded > 0 && succeeded == outcomes.len() {
        AuditOutcome::Succeeded
    } else if succeeded > 0 {
        AuditOutcome::Partial
    } else if outcomes.iter().any(|o| o.status == StepStatus::Refused) {
        AuditOutcome::Refused
    } else {
        AuditOutcome::Failed
    }
}

#[cfg(test)]
mod tests;

use export::stored_entries;
pub use export::{export_csv, export_jsonl, read_entries, ExportFormat, StoredEntry, CSV_COLUMNS};
pub use filter::AuditFilter;
pub use forwarded::{compare_with_forwarded, Comparison};
