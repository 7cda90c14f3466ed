//! Which entries the Activity screen, an export or the command line asks for.

use serde::{Deserialize, Serialize};

use super::{AuditEntry, AuditOutcome};
use crate::error::{AppError, Result};

/// Which entries the Activity screen, an export or the command line asks for. Every field is
/// optional, and a blank one asks nothing (the page sends what its inputs hold).
///
/// - `operator`, `target`: case-insensitive substring of the operator's UPN, of the target's
///   UPN or its object id.
/// - `action`: the action's label as stored ("Reset password"), or its IPC name
///   ("resetPassword", which the Console turns into its provider's label); case-insensitive,
///   whole value.
/// - `from`, `to`: RFC 3339, inclusive. A full date (`2026-11-23`) is that UTC day: `from` its
///   first instant, `to` its last. A date-time (`2026-11-23T00:00:00+01:00`) is that instant,
///   which is how the page sends the operator's local days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, optional_fields)]
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
pub(super) struct EntryMatcher {
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

    pub(super) fn matcher(&self) -> Result<EntryMatcher> {
        let lowered = |field: &Option<String>| {
            field
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_lowercase)
        };
        // The label as stored; the Console has turned an action's id into its label.
        let action = lowered(&self.action);
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

/// How far past a `from` bound a newest-first read goes on looking. Entries are appended in
/// time order, each stamped with this desktop's clock; a clock set back between two actions
/// puts an older time after a newer one, and the read looks through up to this much of that
/// before it ends. (Whoever sets this desktop's clock can move any local window anyway; the
/// team-wide counts read the directory's own audit log, on its servers' clock.)
fn clock_slack() -> chrono::TimeDelta {
    chrono::TimeDelta::hours(24)
}

impl EntryMatcher {
    /// Whether `entry`, met while reading newest first, ends the search: it is older than the
    /// `from` bound by more than [`clock_slack`], so no entry before it can match either.
    pub(super) fn ends_the_search(&self, entry: &AuditEntry) -> bool {
        let Some(from) = self.from else {
            return false;
        };
        chrono::DateTime::parse_from_rfc3339(&entry.at)
            .is_ok_and(|at| at.with_timezone(&chrono::Utc) < from - clock_slack())
    }

    pub(super) fn matches(&self, entry: &AuditEntry) -> bool {
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
