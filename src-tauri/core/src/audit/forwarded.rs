//! Comparing a local audit log with what a SIEM received (issue 15): the forwarded messages
//! carry each entry exactly as the log stored it (`audit_forward`: MSG = the stored line), so
//! a security team can check a desktop's log against the copy it cannot rewrite, and name the
//! first place they part.

/// How a local log compares with the forwarded copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// Every forwarded entry is in the local log, byte for byte. `not_forwarded`: the local
    /// entries the export does not have (sent after it was taken, or never delivered).
    Matches {
        compared: usize,
        not_forwarded: usize,
    },
    /// The first entry where they part, and how.
    Diverges { seq: u64, how: String },
}

/// The forwarded entries of `export`: one syslog message per line (the SIEM's raw messages), or
/// the stored lines alone (a SIEM that exports only MSG). Anchor records and lines with no
/// entry are skipped.
fn forwarded_entries(export: &str) -> Vec<(u64, String)> {
    export
        .lines()
        .filter_map(|line| {
            let start = line.find("{\"seq\":")?;
            let stored = line[start..].trim_end();
            let value: serde_json::Value = serde_json::from_str(stored).ok()?;
            Some((value.get("seq")?.as_u64()?, stored.to_string()))
        })
        .collect()
}

/// Compares the local log's lines (`local`, as stored) with the SIEM's `export`.
pub fn compare_with_forwarded(local: &str, export: &str) -> Comparison {
    let mut local_lines = std::collections::BTreeMap::new();
    for line in local.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(seq) = serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("seq")?.as_u64())
        {
            local_lines.insert(seq, line.trim_end().to_string());
        }
    }
    let mut forwarded = forwarded_entries(export);
    forwarded.sort_by_key(|(seq, _)| *seq);
    forwarded.dedup_by_key(|(seq, _)| *seq);
    let mut compared = 0;
    for (seq, line) in &forwarded {
        match local_lines.get(seq) {
            Some(stored) if stored == line => compared += 1,
            Some(_) => {
                return Comparison::Diverges {
                    seq: *seq,
                    how: "the local entry differs from the one forwarded (rewritten)".into(),
                }
            }
            None => {
                return Comparison::Diverges {
                    seq: *seq,
                    how: "forwarded, but missing from the local log (deleted or cut short)".into(),
                }
            }
        }
    }
    Comparison::Matches {
        compared,
        not_forwarded: local_lines.len() - compared,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"seq":1,"at":"t","hash":"a"}"#;
    const TWO: &str = r#"{"seq":2,"at":"t","hash":"b"}"#;
    const THREE: &str = r#"{"seq":3,"at":"t","hash":"c"}"#;

    fn message(line: &str) -> String {
        format!("<85>1 t desk-1 ResetDesk - Resetpassword [resetdesk@32473 seq=\"1\" hash=\"x\\]y\"] {line}")
    }

    #[test]
    fn a_log_the_siem_holds_in_full_matches_and_later_entries_count_as_not_forwarded() {
        let local = [ONE, TWO, THREE].join("\n");
        let export = format!(
            "<85>1 t desk-1 ResetDesk - anchor [resetdesk@32473 anchor=\"start\" lastSeq=\"0\"] ResetDesk started\n{}\n{}\n",
            message(ONE),
            message(TWO)
        );
        assert_eq!(
            compare_with_forwarded(&local, &export),
            Comparison::Matches {
                compared: 2,
                not_forwarded: 1
            }
        );
        // A SIEM that exports MSG alone.
        assert_eq!(
            compare_with_forwarded(&local, &[ONE, TWO, THREE].join("\n")),
            Comparison::Matches {
                compared: 3,
                not_forwarded: 0
            }
        );
    }

    #[test]
    fn the_first_rewritten_or_deleted_entry_is_named() {
        let rewritten = [ONE, r#"{"seq":2,"at":"t","hash":"B"}"#, THREE].join("\n");
        let export = [ONE, TWO, THREE].map(message).join("\n");
        assert!(matches!(
            compare_with_forwarded(&rewritten, &export),
            Comparison::Diverges { seq: 2, ref how } if how.contains("rewritten")
        ));
        let cut_short = [ONE].join("\n");
        assert!(matches!(
            compare_with_forwarded(&cut_short, &export),
            Comparison::Diverges { seq: 2, ref how } if how.contains("missing")
        ));
    }
}
