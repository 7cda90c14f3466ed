//! Audit forwarding to a syslog collector started by each test (plain TCP and TLS with a CA made
//! here): RFC 6587 framing, RFC 5424 header and structured data, MSG equal to the stored line,
//! a backlog kept while the collector is down, and the oldest entries dropped and counted when
//! the queue is full.
use std::sync::Arc;
use std::time::Duration;

use resetdesk_core::audit::{AuditEntry, AuditLog, AuditOutcome, AuditRecord};
use resetdesk_core::audit_forward::{
    AuditForwarder, ForwardOptions, ForwardingStatus, SyslogSettings,
};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpListener;

use resetdesk_providers::EntraConsole;
use resetdesk_testkit as common;

/// Every wait is bounded by this; a healthy run takes milliseconds.
const WAIT: Duration = Duration::from_secs(5);

fn record(i: u64, operator: &str, outcome: AuditOutcome) -> AuditRecord {
    AuditRecord {
        operator: operator.into(),
        connection_id: "sandbox".into(),
        tenant_id: "tenant".into(),
        target_id: format!("user-{i}"),
        target: format!("user{i}@contoso.sandbox"),
        action: "Reset password".into(),
        plan_id: Some(format!("plan-{i}")),
        plan: vec!["Set a temporary password".into()],
        reason: format!("ticket {i}"),
        outcome,
        steps: vec![],
        message: None,
        verification: None,
        approval: None,
        safety_class: None,
    }
}

fn settings(port: u16) -> SyslogSettings {
    SyslogSettings {
        host: "127.0.0.1".into(),
        port,
        tls: false,
        ca_pem: None,
        app_name: "ResetDesk".into(),
        hostname: "desk-1".into(),
    }
}

fn fast_retries(capacity: usize) -> ForwardOptions {
    ForwardOptions {
        capacity,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        io_timeout: WAIT,
        delivered_file: None,
    }
}

/// One RFC 6587 octet-counted frame: `<len> <message>`.
async fn read_frame(stream: &mut (impl AsyncRead + Unpin)) -> String {
    tokio::time::timeout(WAIT, async {
        let mut length = String::new();
        loop {
            let byte = stream.read_u8().await.expect("a frame length");
            if byte == b' ' {
                break;
            }
            assert!(byte.is_ascii_digit(), "frame length has {byte:#x}");
            length.push(byte as char);
        }
        let mut message = vec![0; length.parse().unwrap()];
        stream.read_exact(&mut message).await.unwrap();
        String::from_utf8(message).unwrap()
    })
    .await
    .expect("a frame within the wait")
}

async fn wait_for(forwarder: &AuditForwarder, what: impl Fn(&ForwardingStatus) -> bool) {
    tokio::time::timeout(WAIT, async {
        while !what(&forwarder.status()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("status never matched: {:?}", forwarder.status()));
}

/// A port nothing listens on (until the test binds it again).
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// The raw (still escaped) value of structured-data parameter `name`.
fn sd_param<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    let start = message.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &message[start..];
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return Some(&rest[..i]),
            _ => {}
        }
    }
    None
}

fn seq_of(message: &str) -> u64 {
    sd_param(message, "seq").unwrap().parse().unwrap()
}

fn stored_lines(log: &AuditLog) -> Vec<String> {
    std::fs::read_to_string(log.path())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn append(log: &AuditLog, forwarder: &AuditForwarder, record: AuditRecord) -> AuditEntry {
    let entry = log.append(record).unwrap();
    forwarder.forward(&entry);
    entry
}

#[tokio::test]
async fn entries_arrive_framed_with_header_structured_data_and_the_stored_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path().join("audit.jsonl")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let forwarder = AuditForwarder::start_with(settings(port), fast_retries(100)).unwrap();

    let first = append(
        &log,
        &forwarder,
        record(1, "helpdesk@contoso.sandbox", AuditOutcome::Succeeded),
    );
    let second = append(
        &log,
        &forwarder,
        record(2, r#"odd"name\]@contoso.sandbox"#, AuditOutcome::Refused),
    );

    let (mut stream, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    let messages = [read_frame(&mut stream).await, read_frame(&mut stream).await];
    let lines = stored_lines(&log);

    assert!(
        messages[0].starts_with(&format!(
            "<85>1 {} desk-1 ResetDesk - Resetpassword [resetdesk@32473 seq=\"1\" hash=\"{}\" prevHash=\"{}\" outcome=\"succeeded\" operator=\"helpdesk@contoso.sandbox\" target=\"user1@contoso.sandbox\"] ",
            first.at, first.hash, first.prev_hash
        )),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].starts_with("<84>1 "),
        "refused is a warning: {}",
        messages[1]
    );
    assert_eq!(
        sd_param(&messages[1], "operator"),
        Some(r#"odd\"name\\\]@contoso.sandbox"#)
    );
    assert_eq!(
        sd_param(&messages[1], "prevHash"),
        Some(first.hash.as_str())
    );
    assert_eq!(sd_param(&messages[1], "hash"), Some(second.hash.as_str()));
    for (message, line) in messages.iter().zip(&lines) {
        let msg = &message[message.find("] ").unwrap() + 2..];
        assert_eq!(msg, line, "MSG is the line as stored");
    }
    wait_for(&forwarder, |s| s.enabled && s.connected && s.queued == 0).await;
}

#[tokio::test]
async fn tls_to_a_collector_whose_certificate_a_private_ca_issued() {
    let (listener, acceptor, ca_pem) = tls_collector().await;
    let port = listener.local_addr().unwrap().port();

    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path().join("audit.jsonl")).unwrap();
    let forwarder = AuditForwarder::start_with(
        SyslogSettings {
            host: "localhost".into(),
            tls: true,
            ca_pem: Some(ca_pem),
            ..settings(port)
        },
        fast_retries(100),
    )
    .unwrap();
    append(
        &log,
        &forwarder,
        record(1, "helpdesk@contoso.sandbox", AuditOutcome::Failed),
    );

    let mut stream = accept_tls(&listener, &acceptor).await;
    let message = read_frame(&mut stream).await;
    assert!(message.starts_with("<84>1 "), "{message}");
    assert!(message.ends_with(&stored_lines(&log)[0]), "{message}");

    // Without the private CA the collector is not trusted: nothing is sent, the error says why.
    let untrusting = AuditForwarder::start_with(
        SyslogSettings {
            host: "localhost".into(),
            tls: true,
            ..settings(port)
        },
        fast_retries(100),
    )
    .unwrap();
    untrusting.forward(&log.list(1).unwrap()[0]);
    let (tcp, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    assert!(tokio::time::timeout(WAIT, acceptor.accept(tcp))
        .await
        .unwrap()
        .is_err());
    wait_for(&untrusting, |s| {
        s.last_error.as_deref().is_some_and(|e| e.contains("TLS")) && s.queued == 1
    })
    .await;
}

#[tokio::test]
async fn a_collector_that_is_down_gets_the_backlog_in_order_when_it_comes_up() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path().join("audit.jsonl")).unwrap();
    let port = closed_port().await;
    let forwarder = AuditForwarder::start_with(settings(port), fast_retries(100)).unwrap();

    for i in 1..=3 {
        append(
            &log,
            &forwarder,
            record(i, "helpdesk@contoso.sandbox", AuditOutcome::Succeeded),
        );
    }
    wait_for(&forwarder, |s| s.last_error.is_some() && !s.connected).await;
    assert_eq!(forwarder.status().queued, 3, "the backlog is kept");

    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let (mut stream, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    let mut seqs = Vec::new();
    for _ in 0..3 {
        seqs.push(seq_of(&read_frame(&mut stream).await));
    }
    assert_eq!(seqs, vec![1, 2, 3]);
    wait_for(&forwarder, |s| {
        s.connected && s.queued == 0 && s.last_error.is_none()
    })
    .await;
    assert_eq!(forwarder.status().dropped, 0);
}

#[tokio::test]
async fn a_full_queue_drops_the_oldest_and_the_next_message_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path().join("audit.jsonl")).unwrap();
    let port = closed_port().await;
    let forwarder = AuditForwarder::start_with(settings(port), fast_retries(2)).unwrap();

    // Entry 1 is taken for sending and fails: it waits for a retry outside the queue.
    append(
        &log,
        &forwarder,
        record(1, "helpdesk@contoso.sandbox", AuditOutcome::Succeeded),
    );
    wait_for(&forwarder, |s| s.last_error.is_some()).await;
    // Five more into a queue of two: 2, 3 and 4 are dropped.
    for i in 2..=6 {
        append(
            &log,
            &forwarder,
            record(i, "helpdesk@contoso.sandbox", AuditOutcome::Succeeded),
        );
    }
    let status = forwarder.status();
    assert_eq!((status.dropped, status.queued), (3, 3), "{status:?}");

    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let (mut stream, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    let messages = [
        read_frame(&mut stream).await,
        read_frame(&mut stream).await,
        read_frame(&mut stream).await,
    ];
    assert_eq!(
        messages.iter().map(|m| seq_of(m)).collect::<Vec<_>>(),
        vec![1, 5, 6]
    );
    assert_eq!(sd_param(&messages[0], "dropped"), None);
    assert_eq!(sd_param(&messages[1], "dropped"), Some("3"));
    assert_eq!(sd_param(&messages[2], "dropped"), None);
    assert_eq!(
        stored_lines(&log).len(),
        6,
        "the local log keeps every entry"
    );
}

/// The hook in `Console`: an action it refuses (and audits) reaches the collector.
#[tokio::test]
async fn the_console_forwards_the_entries_it_appends() {
    use resetdesk_core::safety::SafetyPolicy;
    use resetdesk_core::secrets::MemoryStore;
    use resetdesk_providers::entra::actions::ActionKind;

    let sandbox = common::small_sandbox().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let console = common::open_console(
        &sandbox,
        &audit_path,
        Arc::new(MemoryStore::new()),
        SafetyPolicy::default(),
    );
    assert!(!console.forwarding_status().enabled);
    let console = console.with_audit_forwarder(
        AuditForwarder::start_with(settings(port), fast_retries(100)).unwrap(),
    );

    common::sign_in(&console, "authadmin@contoso.sandbox").await;
    let megan = sandbox
        .user_id_by_upn("megan.bowen@contoso.sandbox")
        .unwrap();
    let refused = console
        .plan_action("sandbox", &megan, ActionKind::RequireReregisterMfa)
        .await
        .unwrap_err();
    assert_eq!(refused.kind, resetdesk_core::ErrorKind::Denied);

    let (mut stream, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    let message = read_frame(&mut stream).await;
    assert!(message.starts_with("<84>1 "), "{message}");
    assert_eq!(sd_param(&message, "outcome"), Some("refused"));
    let stored = std::fs::read_to_string(&audit_path).unwrap();
    assert!(
        message.ends_with(&format!("] {}", stored.trim_end())),
        "{message}"
    );
    let status = console.forwarding_status();
    assert!(status.enabled);
    assert_eq!(
        status.destination.as_deref(),
        Some(format!("127.0.0.1:{port} (TCP, not encrypted)").as_str())
    );
}

/// A TLS collector whose certificate a CA made here issued, and the settings that trust it.
async fn tls_collector() -> (TcpListener, tokio_rustls::TlsAcceptor, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![server_cert.der().clone()],
        rustls::pki_types::PrivatePkcs8KeyDer::from(server_key.serialize_der()).into(),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    (
        listener,
        tokio_rustls::TlsAcceptor::from(Arc::new(server_config)),
        ca.pem(),
    )
}

/// The next connection to the collector, past its TLS handshake.
async fn accept_tls(
    listener: &TcpListener,
    acceptor: &tokio_rustls::TlsAcceptor,
) -> tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    let (tcp, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    tokio::time::timeout(WAIT, acceptor.accept(tcp))
        .await
        .unwrap()
        .unwrap()
}

fn kept_place(delivered: &std::path::Path) -> ForwardOptions {
    ForwardOptions {
        delivered_file: Some(delivered.to_path_buf()),
        ..fast_retries(100)
    }
}

fn oldest_first(log: &AuditLog) -> Vec<AuditEntry> {
    let mut entries = log.list(usize::MAX).unwrap();
    entries.reverse();
    entries
}

/// Issue 15: the queue survives the app. Entries appended while the collector was down, then
/// the app stopped, reach a TLS collector after the next start — after an anchor record that
/// names the local log's last entry and the last one delivered — and are not sent twice.
#[tokio::test]
async fn entries_an_exit_left_undelivered_reach_the_tls_collector_after_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let delivered = dir.path().join("syslog-delivered.json");
    let log = AuditLog::open(dir.path().join("audit.jsonl")).unwrap();

    // First run: the collector is down; three entries wait in the queue; the app stops.
    let down =
        AuditForwarder::start_with(settings(closed_port().await), kept_place(&delivered)).unwrap();
    down.catch_up(&oldest_first(&log));
    for i in 1..=3 {
        append(
            &log,
            &down,
            record(i, "helpdesk@contoso.sandbox", AuditOutcome::Succeeded),
        );
    }
    wait_for(&down, |s| s.last_error.is_some() && s.queued == 4).await;
    drop(down);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&delivered).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the forwarder's place is the user's only");
    }

    // Next start: a TLS collector is up.
    let (listener, acceptor, ca_pem) = tls_collector().await;
    let tls_settings = SyslogSettings {
        host: "localhost".into(),
        tls: true,
        ca_pem: Some(ca_pem),
        ..settings(listener.local_addr().unwrap().port())
    };
    let restarted =
        AuditForwarder::start_with(tls_settings.clone(), kept_place(&delivered)).unwrap();
    restarted.catch_up(&oldest_first(&log));
    let mut stream = accept_tls(&listener, &acceptor).await;
    let anchor = read_frame(&mut stream).await;
    assert!(anchor.starts_with("<85>1 "), "a notice: {anchor}");
    assert_eq!(sd_param(&anchor, "anchor"), Some("start"));
    assert_eq!(sd_param(&anchor, "lastSeq"), Some("3"));
    assert_eq!(sd_param(&anchor, "deliveredSeq"), Some("0"));
    assert_eq!(sd_param(&anchor, "consistent"), None);
    let seqs: Vec<u64> = {
        let mut seqs = Vec::new();
        for _ in 0..3 {
            seqs.push(seq_of(&read_frame(&mut stream).await));
        }
        seqs
    };
    assert_eq!(seqs, vec![1, 2, 3]);
    let stored = stored_lines(&log);
    wait_for(&restarted, |s| s.queued == 0 && s.last_error.is_none()).await;
    let place: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&delivered).unwrap()).unwrap();
    assert_eq!(place["seq"], 3);
    assert!(stored[2].contains(place["hash"].as_str().unwrap()));
    drop(restarted);

    // And the start after that sends only its anchor: nothing twice.
    let again = AuditForwarder::start_with(tls_settings, kept_place(&delivered)).unwrap();
    again.catch_up(&oldest_first(&log));
    let mut stream = accept_tls(&listener, &acceptor).await;
    let anchor = read_frame(&mut stream).await;
    assert_eq!(sd_param(&anchor, "deliveredSeq"), Some("3"));
    wait_for(&again, |s| s.queued == 0).await;
    let mut more = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(200), stream.read(&mut more))
            .await
            .is_err(),
        "nothing after the anchor"
    );
}

/// A local log cut short between runs (its last entries deleted) shows in the next start's
/// anchor as a warning, through the Console's own wiring.
#[tokio::test]
async fn a_log_cut_short_between_runs_is_a_warning_in_the_next_anchor() {
    use resetdesk_core::safety::SafetyPolicy;
    use resetdesk_core::secrets::MemoryStore;

    let dir = tempfile::tempdir().unwrap();
    let delivered = dir.path().join("syslog-delivered.json");
    let audit_path = dir.path().join("audit.jsonl");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    {
        let log = AuditLog::open(&audit_path).unwrap();
        let forwarder = AuditForwarder::start_with(settings(port), kept_place(&delivered)).unwrap();
        forwarder.catch_up(&oldest_first(&log));
        for i in 1..=3 {
            append(
                &log,
                &forwarder,
                record(i, "helpdesk@contoso.sandbox", AuditOutcome::Succeeded),
            );
        }
        let (mut stream, _) = tokio::time::timeout(WAIT, listener.accept())
            .await
            .unwrap()
            .unwrap();
        for _ in 0..4 {
            read_frame(&mut stream).await;
        }
        wait_for(&forwarder, |s| s.queued == 0).await;
    }
    // Between runs, someone deletes the last entry.
    let kept: Vec<String> = std::fs::read_to_string(&audit_path)
        .unwrap()
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&audit_path, kept.concat()).unwrap();

    let sandbox = common::small_sandbox().await;
    let console = common::open_console(
        &sandbox,
        &audit_path,
        Arc::new(MemoryStore::new()),
        SafetyPolicy::default(),
    )
    .with_audit_forwarder(
        AuditForwarder::start_with(settings(port), kept_place(&delivered)).unwrap(),
    );
    let (mut stream, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    let anchor = read_frame(&mut stream).await;
    assert!(anchor.starts_with("<84>1 "), "a warning: {anchor}");
    assert_eq!(sd_param(&anchor, "lastSeq"), Some("2"));
    assert_eq!(sd_param(&anchor, "deliveredSeq"), Some("3"));
    assert_eq!(sd_param(&anchor, "consistent"), Some("false"));
    assert!(
        anchor.ends_with("cut short: the local log ends before the entry last delivered."),
        "{anchor}"
    );
    assert!(console.forwarding_status().enabled);
}

/// TLS is the default; plain TCP across the network is refused, and the Console's status says
/// why nothing is forwarded (the Activity screen shows it).
#[tokio::test]
async fn plain_tcp_across_the_network_is_refused_and_the_status_says_why() {
    use resetdesk_core::safety::SafetyPolicy;
    use resetdesk_core::secrets::MemoryStore;

    let by_default: SyslogSettings =
        serde_json::from_value(serde_json::json!({"host": "siem.example", "port": 6514})).unwrap();
    assert!(by_default.tls, "TLS unless set off");
    let refused = AuditForwarder::start(SyslogSettings {
        tls: false,
        ..by_default
    })
    .unwrap_err();
    let sandbox = common::small_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let console = common::open_console(
        &sandbox,
        &dir.path().join("audit.jsonl"),
        Arc::new(MemoryStore::new()),
        SafetyPolicy::default(),
    )
    .with_forwarding_refused(refused.message.clone());
    let status = console.forwarding_status();
    assert!(!status.enabled);
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("plain TCP") && e.contains("siem.example")),
        "{status:?}"
    );
}

/// The fake provider's administrator, signed in to a Console over it.
async fn fake_console(
    dir: &std::path::Path,
) -> (
    resetdesk_core::console::Console,
    Arc<resetdesk_testkit::fake_provider::FakeDirectory>,
) {
    use resetdesk_testkit::fake_provider::{FakeDirectory, FAKE_ADMIN};
    let (console, directory) = FakeDirectory::console(dir, common::safety_rules_off());
    FakeDirectory::sign_in(&console, FAKE_ADMIN).await;
    (console, directory)
}

/// Plans and runs the fake directory's Unlock of `user`.
async fn unlock(
    console: &resetdesk_core::console::Console,
    user: &str,
) -> resetdesk_core::error::Result<resetdesk_core::console::RunResult> {
    use resetdesk_testkit::fake_provider::UNLOCK;
    let plan = console.plan_offered("fake-1", user, UNLOCK).await?;
    console.run_provider_plan(&plan.id, "INC-12", None).await
}

/// Waits (within [`WAIT`]) until the Console's forwarding status matches.
async fn wait_for_console(
    console: &resetdesk_core::console::Console,
    what: impl Fn(&ForwardingStatus) -> bool,
) {
    tokio::time::timeout(WAIT, async {
        while !what(&console.forwarding_status()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("status never matched: {:?}", console.forwarding_status()));
}

#[tokio::test]
async fn a_policy_that_requires_forwarding_makes_resets_wait_while_the_collector_is_behind() {
    use resetdesk_core::ErrorKind;
    use resetdesk_testkit::fake_provider::SIGN_OUT;
    // Required, but nothing forwards: resets are stopped, with why; signing out is no reset.
    let dir = tempfile::tempdir().unwrap();
    let (console, directory) = fake_console(dir.path()).await;
    let console = console.with_required_forwarding(10);
    let stopped = unlock(&console, "ada").await.unwrap_err();
    assert_eq!(stopped.kind, ErrorKind::Denied, "{stopped:?}");
    assert!(
        stopped.message.contains("forwarding is not running"),
        "{stopped:?}"
    );
    assert!(directory.is_locked("ada"), "nothing ran");
    let sign_out = console
        .plan_offered("fake-1", "cy", SIGN_OUT)
        .await
        .unwrap();
    console
        .run_provider_plan(&sign_out.id, "INC-12", None)
        .await
        .unwrap();

    // Forwarding to a collector that is down, and the policy lets no entry wait: the first
    // reset runs (nothing waits yet); the next waits while its entry is not delivered.
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port().await;
    let (console, directory) = fake_console(dir.path()).await;
    let forwarder = AuditForwarder::start_with(settings(port), fast_retries(100)).unwrap();
    let console = console
        .with_audit_forwarder(forwarder)
        .with_required_forwarding(0);
    assert_eq!(console.forwarding_status().queued, 0);
    unlock(&console, "ada").await.expect("within the allowance");
    assert!(!directory.is_locked("ada"));
    let waits = unlock(&console, "bob").await.unwrap_err();
    assert_eq!(waits.kind, ErrorKind::Denied, "{waits:?}");
    assert!(
        waits.message.contains("waiting for the syslog collector")
            && waits.message.contains("Try again"),
        "{waits:?}"
    );
    assert!(directory.is_locked("bob"), "nothing ran");

    // The collector comes up and takes the backlog: the reset runs.
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let (mut stream, _) = tokio::time::timeout(WAIT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    let delivered = console.forwarding_status().queued;
    for _ in 0..delivered {
        read_frame(&mut stream).await;
    }
    wait_for_console(&console, |s| s.queued == 0).await;
    unlock(&console, "bob")
        .await
        .expect("the collector caught up");
    assert!(!directory.is_locked("bob"));
}
