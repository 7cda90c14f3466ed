use super::*;
use crate::model::StepStatus;

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
        safety_class: None,
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
        err.message.contains("fails verification") && err.message.contains("move the file aside"),
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
    // An action named by its id, and all fields at once: the Console's (its providers know
    // their ids), in resetdesk-providers' tests/audit_actions.rs.
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
fn a_from_bound_reads_a_day_past_the_window_for_a_clock_set_back_and_no_further() {
    // Oldest first, as appended: the clock was set back four days before entry 2, and half a
    // day before entry 4.
    let (_dir, log) = log_at(&[
        "2026-11-22T10:00:00.000Z",
        "2026-11-18T00:00:00.000Z",
        "2026-11-22T09:00:00.000Z",
        "2026-11-21T12:00:00.000Z",
        "2026-11-22T11:00:00.000Z",
    ]);
    let since = |from: Option<&str>| {
        let filter = AuditFilter {
            from: from.map(String::from),
            ..Default::default()
        };
        seqs(&log.query(&filter, 100).unwrap())
    };
    assert_eq!(
        since(Some("2026-11-22T00:00:00Z")),
        vec![5, 3],
        "entry 4 (half a day before the window) is read through; entry 2 (days before it) ends \
         the read, so entry 1 behind it is not reached"
    );
    assert_eq!(since(None), vec![5, 4, 3, 2, 1], "no bound: every entry");
}

#[test]
fn a_log_longer_than_a_read_block_is_listed_and_queried_whole_newest_first() {
    let (_dir, path, log) = log_with(0);
    log.append_many((1..=1500).map(record).collect()).unwrap();
    assert!(
        fs::metadata(&path).unwrap().len() > 2 * super::BACKWARD_READ_BLOCK as u64,
        "the test reads across blocks"
    );
    let all: Vec<u64> = (1..=1500).rev().collect();
    assert_eq!(seqs(&log.list(usize::MAX).unwrap()), all);
    assert_eq!(seqs(&log.list(3).unwrap()), vec![1500, 1499, 1498]);
    assert!(log.list(0).unwrap().is_empty());
    assert_eq!(
        seqs(&log.query(&AuditFilter::default(), 2000).unwrap()),
        all
    );
    assert!(log.query(&AuditFilter::default(), 0).unwrap().is_empty());
    // A damaged line (and a missing newline at the end) is skipped, the rest still listed.
    let mut text = lines(&path);
    text[700] = "{not an entry".into();
    fs::write(&path, text.join("\n")).unwrap();
    let listed = seqs(&log.list(usize::MAX).unwrap());
    assert_eq!(listed.len(), 1499);
    assert_eq!(
        (listed[0], listed[798], listed[799]),
        (1500, 702, 700),
        "entry 701 (line 700) is left out"
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
        detail: "Called back ••••0142 (mobilePhone in the directory); the user confirmed.".into(),
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

#[test]
fn append_many_continues_the_same_chain_with_one_write() {
    let (_dir, path, log) = log_with(2);
    let entries = log
        .append_many(vec![record(3), record(4), record(5)])
        .unwrap();
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(entries[1].prev_hash, entries[0].hash);
    assert!(log.append_many(Vec::new()).unwrap().is_empty());
    log.append(record(6)).unwrap();
    assert_eq!(lines(&path).len(), 6);
    assert!(log.verify().ok);
    // Reopened: the chain still verifies and continues.
    let reopened = AuditLog::open(&path).unwrap();
    assert_eq!(reopened.append(record(7)).unwrap().seq, 7);
}

#[test]
fn a_reopened_log_continues_its_chain_from_its_last_line_and_the_whole_chain_still_counts() {
    let (_dir, path, log) = log_with(3);
    drop(log);
    // Intact: the chain continues from entry 3, and the whole file verifies.
    let reopened = AuditLog::open(&path).unwrap();
    let fourth = reopened.append(record(4)).unwrap();
    assert_eq!(fourth.seq, 4);
    assert_eq!(fourth.prev_hash, reopened.list(2).unwrap()[1].hash);
    assert!(reopened.verify().ok, "{:?}", reopened.verify());
    drop(reopened);

    // An entry changed in the middle, the last line intact: the log opens at once, and the
    // check of the whole chain refuses what would be appended after it.
    let mut all = lines(&path);
    all[1] = all[1].replace("helpdesk@", "someone@");
    write_lines(&path, &all);
    let reopened = AuditLog::open(&path).unwrap();
    let refused = reopened.ensure_writable().unwrap_err();
    assert!(
        refused.message.contains("fails verification"),
        "{refused:?}"
    );
    assert!(reopened.append(record(5)).is_err());
    assert_eq!(lines(&path).len(), 4, "nothing was written");

    // A last line cut short: the whole file is checked before the log opens, as before.
    let mut all = lines(&path);
    all[1] = lines(&path)[1].replace("someone@", "helpdesk@");
    let cut = all[3][..all[3].len() / 2].to_string();
    fs::write(&path, format!("{}\n{}\n{}\n{cut}", all[0], all[1], all[2])).unwrap();
    let reopened = AuditLog::open(&path).unwrap();
    assert!(reopened.append(record(5)).is_err());
    assert_eq!(reopened.verify().first_broken, Some(4));
}
