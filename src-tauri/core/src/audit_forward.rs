//! Optional forwarding of each audit entry, as it is written, to a syslog collector (RFC 5424
//! messages over TCP, RFC 6587 octet-counting framing, optionally TLS), so that a central SIEM
//! holds a copy the desktop cannot rewrite.
//!
//! Appending to the local log never waits on the network: [`AuditForwarder::forward`] only
//! puts the entry on a bounded queue that a background task drains. A collector that is down
//! is retried with backoff and the backlog kept, in order; when the queue is full the oldest
//! entry is dropped and the next message sent says how many were (`dropped="N"` in its
//! structured data), so the SIEM sees the gap as well as the hash chain does.
//! An entry holds no secret (see `audit`), so neither does a message.
//!
//! The queue survives the app: the local log is the queue, and the forwarder keeps its place in
//! it (the last entry the collector took, [`Delivered`], in a 0600 file). At each start it sends
//! an **anchor** record — the local log's last sequence number and hash, and the last ones it
//! delivered — then the entries an exit or a crash left undelivered, so a SIEM sees a log cut
//! short or rewritten between runs as a gap ([`AuditForwarder::catch_up`]).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;

use crate::audit::{AuditEntry, AuditOutcome};
use crate::error::{AppError, Result};

/// Where to forward, as read from the settings file (`syslog`). Nothing here is secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyslogSettings {
    pub host: String,
    pub port: u16,
    /// On unless set off; off is allowed only to a collector on this machine (loopback).
    #[serde(default = "tls_by_default")]
    pub tls: bool,
    /// An extra trusted CA (PEM), for a collector whose certificate a private CA issued.
    #[serde(default)]
    pub ca_pem: Option<String>,
    #[serde(default = "default_app_name")]
    pub app_name: String,
    /// HOSTNAME of each message; this machine's name when not set.
    #[serde(default = "local_hostname")]
    pub hostname: String,
}

fn tls_by_default() -> bool {
    true
}

/// A collector on this machine, the only one plain TCP may reach (nothing crosses a network).
fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn default_app_name() -> String {
    "ResetDesk".into()
}

/// This machine's name, or the RFC 5424 nil value when it cannot be told.
fn local_hostname() -> String {
    std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "-".into())
}

/// What the window (and a test) can show about forwarding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ForwardingStatus {
    pub enabled: bool,
    /// Where entries go, e.g. "siem.example:6514 (TLS)"; `None` when not configured.
    pub destination: Option<String>,
    pub connected: bool,
    /// Entries waiting to be delivered (including one being sent).
    pub queued: usize,
    /// Entries dropped since start because the queue was full.
    pub dropped: u64,
    pub last_error: Option<String>,
}

/// Queue size and retry pacing; the defaults suit the app, tests shrink them.
#[derive(Debug, Clone)]
pub struct ForwardOptions {
    pub capacity: usize,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Limit on connecting (and the TLS handshake) and on writing one message.
    pub io_timeout: Duration,
    /// Where the last delivered entry is kept ([`Delivered`]); `None`: nowhere, and
    /// [`AuditForwarder::catch_up`] sends nothing.
    pub delivered_file: Option<PathBuf>,
}

impl Default for ForwardOptions {
    fn default() -> Self {
        Self {
            capacity: 10_000,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            io_timeout: Duration::from_secs(10),
            delivered_file: None,
        }
    }
}

/// The last entry of the local log the collector took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    pub seq: u64,
    pub hash: String,
}

impl Delivered {
    /// What the file says; `None` when there is no file yet (the first run that forwards) or it
    /// cannot be read (said in the log: the anchor then shows no delivered place).
    pub fn read(path: &std::path::Path) -> Option<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "could not read the syslog forwarder's place");
                return None;
            }
        };
        serde_json::from_str(&text)
            .map_err(|e| tracing::warn!(error = %e, "the syslog forwarder's place is not valid; starting from now"))
            .ok()
    }

    /// Written whole (a temporary file renamed over it), readable by its owner only.
    fn write(&self, path: &std::path::Path) -> Result<()> {
        let temporary = path.with_extension("json.tmp");
        let _ = std::fs::remove_file(&temporary);
        crate::private_file::ensure_private(&temporary, "syslog forwarder's place")?;
        let text = serde_json::to_string(self).map_err(|e| {
            AppError::internal(format!("Could not serialise the forwarder's place: {e}"))
        })?;
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| {
                AppError::internal(format!(
                    "Could not keep the syslog forwarder's place at {}: {e}",
                    path.display()
                ))
            })
    }
}

/// What a start tells the collector about the local log (see the module's documentation).
#[derive(Debug, Clone)]
struct Anchor {
    at: String,
    last: Option<Delivered>,
    delivered: Option<Delivered>,
    /// Why the local log and the delivered place disagree, if they do.
    broken: Option<&'static str>,
}

/// Syslog facility authpriv (10): security/authorization messages.
const FACILITY_AUTHPRIV: u8 = 10;
/// Our structured-data id: `resetdesk` at a private enterprise number.
const SD_ID: &str = "resetdesk@32473";

/// The RFC 5424 message of `entry` (without framing). `dropped` > 0 adds `dropped="N"`.
pub fn format_message(
    settings: &SyslogSettings,
    entry: &AuditEntry,
    dropped: u64,
) -> Result<String> {
    let severity = match entry.record.outcome {
        AuditOutcome::Succeeded | AuditOutcome::Pending => 5, // notice
        AuditOutcome::Refused | AuditOutcome::Partial | AuditOutcome::Failed => 4, // warning
    };
    let pri = u16::from(FACILITY_AUTHPRIV) * 8 + severity;
    let outcome = match entry.record.outcome {
        AuditOutcome::Succeeded => "succeeded",
        AuditOutcome::Partial => "partial",
        AuditOutcome::Failed => "failed",
        AuditOutcome::Refused => "refused",
        AuditOutcome::Pending => "pending",
    };
    let msg_id: String = entry.record.action.chars().filter(|c| *c != ' ').collect();
    let mut sd = format!(
        "[{SD_ID} seq=\"{}\" hash=\"{}\" prevHash=\"{}\" outcome=\"{outcome}\" operator=\"{}\" target=\"{}\"",
        entry.seq,
        escape_param_value(&entry.hash),
        escape_param_value(&entry.prev_hash),
        escape_param_value(&entry.record.operator),
        escape_param_value(&entry.record.target),
    );
    if dropped > 0 {
        sd.push_str(&format!(" dropped=\"{dropped}\""));
    }
    sd.push(']');
    // MSG is the entry exactly as the log stores it, so the SIEM can re-check its hash.
    let line = serde_json::to_string(entry)
        .map_err(|e| AppError::internal(format!("Could not serialise an audit entry: {e}")))?;
    Ok(format!(
        "<{pri}>1 {} {} {} - {} {sd} {line}",
        header_field(&entry.at, 64),
        header_field(&settings.hostname, 255),
        header_field(&settings.app_name, 48),
        header_field(&msg_id, 32),
    ))
}

/// RFC 5424 §6.3.3: `"`, `\` and `]` are escaped with a backslash inside a PARAM-VALUE.
pub fn escape_param_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '"' | '\\' | ']') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A header field: printable US-ASCII only, at most `max` characters, `-` when empty (the
/// grammar allows nothing else, and a space would shift every later field).
fn header_field(value: &str, max: usize) -> String {
    let field: String = value
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect();
    if field.is_empty() {
        "-".into()
    } else {
        field
    }
}

/// The anchor record of a start: the local log's last entry and the last one delivered, and
/// a warning when they disagree (a log cut short or rewritten between runs).
fn format_anchor(settings: &SyslogSettings, anchor: &Anchor) -> String {
    let severity = if anchor.broken.is_some() { 4 } else { 5 };
    let pri = u16::from(FACILITY_AUTHPRIV) * 8 + severity;
    let (last_seq, last_hash) = anchor
        .last
        .as_ref()
        .map_or((0, String::new()), |l| (l.seq, l.hash.clone()));
    let mut sd = format!(
        "[{SD_ID} anchor=\"start\" lastSeq=\"{last_seq}\" lastHash=\"{}\"",
        escape_param_value(&last_hash)
    );
    if let Some(delivered) = &anchor.delivered {
        sd.push_str(&format!(
            " deliveredSeq=\"{}\" deliveredHash=\"{}\"",
            delivered.seq,
            escape_param_value(&delivered.hash)
        ));
    }
    let message = match anchor.broken {
        Some(why) => {
            sd.push_str(" consistent=\"false\"");
            format!("ResetDesk started; the local audit log was {why}.")
        }
        None => format!("ResetDesk started; the local audit log is at entry {last_seq}."),
    };
    sd.push(']');
    format!(
        "<{pri}>1 {} {} {} - anchor {sd} {message}",
        header_field(&anchor.at, 64),
        header_field(&settings.hostname, 255),
        header_field(&settings.app_name, 48),
    )
}

/// RFC 6587 octet counting: `<length> <message>`.
pub fn frame(message: &str) -> Vec<u8> {
    let mut framed = format!("{} ", message.len()).into_bytes();
    framed.extend_from_slice(message.as_bytes());
    framed
}

/// What waits to be sent.
enum Item {
    Entry(Box<AuditEntry>),
    Anchor(Anchor),
}

struct Queue {
    entries: VecDeque<Item>,
    /// Dropped since the last message was taken for sending.
    dropped_unreported: u64,
    /// A message taken from the queue is being sent (or waits for a retry).
    in_flight: bool,
}

struct Shared {
    settings: SyslogSettings,
    options: ForwardOptions,
    queue: Mutex<Queue>,
    wake: Notify,
    status: Mutex<ForwardingStatus>,
    /// Set when the last handle is dropped: the delivery task then ends (what is still queued
    /// is in the local log anyway).
    stopped: AtomicBool,
}

impl Shared {
    fn update_status(&self, change: impl FnOnce(&mut ForwardingStatus)) {
        if let Ok(mut status) = self.status.lock() {
            change(&mut status);
        }
    }
}

/// Hands audit entries to a background delivery task. Cheap to clone.
#[derive(Clone)]
pub struct AuditForwarder {
    shared: Arc<Shared>,
    _owner: Arc<StopOnDrop>,
}

/// Dropped with the last [`AuditForwarder`] handle; stops the delivery task.
struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stopped.store(true, Ordering::Release);
        self.0.wake.notify_one();
    }
}

impl std::fmt::Debug for AuditForwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditForwarder")
            .field("settings", &self.shared.settings)
            .finish_non_exhaustive()
    }
}

type Connection = Box<dyn AsyncWrite + Send + Unpin>;

impl AuditForwarder {
    /// Checks the settings and starts the delivery task on the current tokio runtime.
    pub fn start(settings: SyslogSettings) -> Result<Self> {
        Self::start_with(settings, ForwardOptions::default())
    }

    pub fn start_with(settings: SyslogSettings, options: ForwardOptions) -> Result<Self> {
        if settings.host.trim().is_empty() || settings.port == 0 {
            return Err(AppError::invalid_input(
                "The syslog collector needs a host and a port (settings: syslog.host, syslog.port).",
            ));
        }
        if !settings.tls && !is_loopback(&settings.host) {
            return Err(AppError::invalid_input(format!(
                "Audit forwarding to {} over plain TCP would send the audit trail unencrypted across \
                 the network: plain TCP is allowed only to a collector on this machine (localhost, \
                 127.0.0.1 or ::1). Remove \"tls\": false from the syslog settings (TLS is the \
                 default), and give the collector's CA in \"caPem\" if a private CA issued its certificate.",
                settings.host.trim()
            )));
        }
        let tls = if settings.tls {
            Some(tls_connector(&settings)?)
        } else {
            None
        };
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            AppError::internal("Audit forwarding must be started inside the async runtime.")
        })?;
        let destination = format!(
            "{}:{} ({})",
            settings.host.trim(),
            settings.port,
            if settings.tls {
                "TLS"
            } else {
                "TCP, not encrypted"
            }
        );
        let shared = Arc::new(Shared {
            options: ForwardOptions {
                capacity: options.capacity.max(1),
                ..options
            },
            settings,
            queue: Mutex::new(Queue {
                entries: VecDeque::new(),
                dropped_unreported: 0,
                in_flight: false,
            }),
            wake: Notify::new(),
            stopped: AtomicBool::new(false),
            status: Mutex::new(ForwardingStatus {
                enabled: true,
                destination: Some(destination),
                ..Default::default()
            }),
        });
        runtime.spawn(deliver(Arc::clone(&shared), tls));
        Ok(Self {
            _owner: Arc::new(StopOnDrop(Arc::clone(&shared))),
            shared,
        })
    }

    /// Queues `entry` for delivery and returns at once; when the queue is full the oldest
    /// queued entry is dropped and counted.
    pub fn forward(&self, entry: &AuditEntry) {
        if let Ok(mut queue) = self.shared.queue.lock() {
            if queue.entries.len() >= self.shared.options.capacity {
                queue.entries.pop_front();
                queue.dropped_unreported += 1;
                self.shared.update_status(|s| s.dropped += 1);
            }
            queue
                .entries
                .push_back(Item::Entry(Box::new(entry.clone())));
        }
        self.shared.wake.notify_one();
    }

    /// At start, before any new entry: the anchor record, then the entries of `log` (oldest
    /// first) written after the last one delivered — those an exit or a crash left in the
    /// queue. With no place kept yet (the first run that forwards) the history is not sent
    /// again: the anchor says where forwarding starts. Nothing without a `delivered_file`.
    pub fn catch_up(&self, log: &[AuditEntry]) {
        let Some(path) = self.shared.options.delivered_file.as_deref() else {
            return;
        };
        let delivered = Delivered::read(path);
        let last = log.last().map(|e| Delivered {
            seq: e.seq,
            hash: e.hash.clone(),
        });
        let broken = delivered
            .as_ref()
            .and_then(|d| match log.iter().find(|e| e.seq == d.seq) {
                Some(entry) if entry.hash == d.hash => None,
                Some(_) => {
                    Some("rewritten: the entry last delivered has another hash in the local log")
                }
                None if d.seq == 0 => None,
                None => Some("cut short: the local log ends before the entry last delivered"),
            });
        if let Some(why) = broken {
            tracing::warn!(why, "the local audit log disagrees with what was forwarded");
        }
        let undelivered: Vec<AuditEntry> = match (&delivered, broken) {
            (Some(d), None) => log.iter().filter(|e| e.seq > d.seq).cloned().collect(),
            // Nothing kept yet, or a log that no longer matches it: from now on.
            _ => Vec::new(),
        };
        if delivered.is_none() || broken.is_some() {
            // Forwarding starts here: an empty log's place is entry 0, so the first entries are
            // sent after a restart even if this run ends before delivering them.
            let start = last.clone().unwrap_or(Delivered {
                seq: 0,
                hash: String::new(),
            });
            if let Err(e) = start.write(path) {
                tracing::warn!(error = %e.message, "could not keep the syslog forwarder's place");
            }
        }
        let anchor = Anchor {
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            last,
            delivered,
            broken,
        };
        if let Ok(mut queue) = self.shared.queue.lock() {
            let mut items: VecDeque<Item> = std::iter::once(Item::Anchor(anchor))
                .chain(undelivered.into_iter().map(|e| Item::Entry(Box::new(e))))
                .collect();
            items.append(&mut queue.entries);
            queue.entries = items;
        }
        self.shared.wake.notify_one();
    }

    pub fn status(&self) -> ForwardingStatus {
        let mut status = self
            .shared
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        if let Ok(queue) = self.shared.queue.lock() {
            status.queued = queue.entries.len() + usize::from(queue.in_flight);
        }
        status
    }
}

/// Status when forwarding is not configured.
pub fn disabled_status() -> ForwardingStatus {
    ForwardingStatus::default()
}

fn tls_connector(settings: &SyslogSettings) -> Result<tokio_rustls::TlsConnector> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;

    // A collector inside the organisation is often signed by its own CA, in the OS trust store.
    let mut roots = crate::http::trusted_roots();
    if let Some(pem) = settings.ca_pem.as_deref().filter(|p| !p.trim().is_empty()) {
        let bad_ca = |detail: String| {
            AppError::invalid_input(
                "The syslog CA (settings: syslog.caPem) is not a PEM certificate; paste the collector's CA certificate.",
            )
            .with_detail(detail)
        };
        let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| bad_ca(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad_ca("no CERTIFICATE block".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| bad_ca(e.to_string()))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| AppError::internal("Could not set up TLS for syslog").with_detail(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

async fn connect(
    settings: &SyslogSettings,
    tls: Option<&tokio_rustls::TlsConnector>,
) -> std::result::Result<Connection, String> {
    let tcp = TcpStream::connect((settings.host.as_str(), settings.port))
        .await
        .map_err(|e| format!("Could not reach {}:{}: {e}", settings.host, settings.port))?;
    let _ = tcp.set_nodelay(true);
    let Some(tls) = tls else {
        return Ok(Box::new(tcp));
    };
    let name = rustls_pki_types::ServerName::try_from(settings.host.clone())
        .map_err(|e| format!("{} is not a valid TLS server name: {e}", settings.host))?;
    let stream = tls
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {} failed: {e}", settings.host))?;
    Ok(Box::new(stream))
}

/// The delivery task: one message at a time, in order; a failed message is retried (the same
/// bytes, so its `dropped` count is not lost) after a growing pause.
async fn deliver(shared: Arc<Shared>, tls: Option<tokio_rustls::TlsConnector>) {
    let options = shared.options.clone();
    let mut connection: Option<Connection> = None;
    let mut in_flight: Option<Vec<u8>> = None;
    // The entry being sent, to keep as delivered once the collector took it.
    let mut sending: Option<Delivered> = None;
    let mut backoff = options.initial_backoff;
    while !shared.stopped.load(Ordering::Acquire) {
        let framed = match in_flight.take() {
            Some(framed) => framed,
            None => {
                let next = shared.queue.lock().ok().and_then(|mut queue| {
                    let item = queue.entries.pop_front()?;
                    queue.in_flight = true;
                    Some((item, std::mem::take(&mut queue.dropped_unreported)))
                });
                let Some((item, dropped)) = next else {
                    shared.wake.notified().await;
                    continue;
                };
                let message = match &item {
                    Item::Entry(entry) => format_message(&shared.settings, entry, dropped),
                    Item::Anchor(anchor) => Ok(format_anchor(&shared.settings, anchor)),
                };
                sending = match item {
                    Item::Entry(entry) => Some(Delivered {
                        seq: entry.seq,
                        hash: entry.hash,
                    }),
                    Item::Anchor(_) => None,
                };
                match message {
                    Ok(message) => frame(&message),
                    Err(e) => {
                        tracing::error!(error = %e, "could not format an audit entry for syslog");
                        set_in_flight(&shared, false);
                        continue;
                    }
                }
            }
        };

        let sent = async {
            if connection.is_none() {
                let opened = tokio::time::timeout(
                    options.io_timeout,
                    connect(&shared.settings, tls.as_ref()),
                )
                .await
                .map_err(|_| "Connecting to the syslog collector timed out".to_string())??;
                connection = Some(opened);
                shared.update_status(|s| s.connected = true);
            }
            let Some(stream) = connection.as_mut() else {
                return Err("no connection".to_string());
            };
            tokio::time::timeout(options.io_timeout, async {
                stream.write_all(&framed).await?;
                stream.flush().await
            })
            .await
            .map_err(|_| "Writing to the syslog collector timed out".to_string())?
            .map_err(|e| format!("Writing to the syslog collector failed: {e}"))
        }
        .await;

        match sent {
            Ok(()) => {
                backoff = options.initial_backoff;
                if let (Some(place), Some(path)) =
                    (sending.take(), options.delivered_file.as_deref())
                {
                    if let Err(e) = place.write(path) {
                        tracing::warn!(error = %e.message, "could not keep the syslog forwarder's place");
                    }
                }
                set_in_flight(&shared, false);
                shared.update_status(|s| s.last_error = None);
            }
            Err(error) => {
                tracing::warn!(%error, "audit forwarding: will retry");
                connection = None;
                in_flight = Some(framed);
                shared.update_status(|s| {
                    s.connected = false;
                    s.last_error = Some(error);
                });
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(options.max_backoff);
            }
        }
    }
}

fn set_in_flight(shared: &Shared, in_flight: bool) {
    if let Ok(mut queue) = shared.queue.lock() {
        queue.in_flight = in_flight;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditRecord;

    fn settings() -> SyslogSettings {
        serde_json::from_str(r#"{"host":"collector.example","port":6514,"hostname":"desk-7"}"#)
            .unwrap()
    }

    fn entry(outcome: AuditOutcome) -> AuditEntry {
        AuditEntry {
            seq: 3,
            at: "2026-11-23T11:30:00.123Z".into(),
            record: AuditRecord {
                operator: "help\"desk\\@contoso]".into(),
                connection_id: "c".into(),
                tenant_id: "t".into(),
                target_id: "id".into(),
                target: "adele.vance@contoso.sandbox".into(),
                action: "Require re-register MFA".into(),
                plan_id: None,
                plan: vec![],
                reason: "ticket".into(),
                outcome,
                steps: vec![],
                message: None,
                verification: None,
                approval: None,
                safety_class: None,
            },
            prev_hash: "a".repeat(64),
            hash: "b".repeat(64),
        }
    }

    #[test]
    fn settings_default_the_app_name_and_tls_on() {
        let s = settings();
        assert_eq!(
            (s.app_name.as_str(), s.tls, s.ca_pem),
            ("ResetDesk", true, None)
        );
    }

    #[tokio::test]
    async fn plain_tcp_is_refused_except_to_a_collector_on_this_machine() {
        let plain = |host: &str| SyslogSettings {
            host: host.into(),
            tls: false,
            ..settings()
        };
        let refused = AuditForwarder::start(plain("siem.example")).unwrap_err();
        assert_eq!(refused.kind, crate::error::ErrorKind::InvalidInput);
        assert!(
            refused.message.contains("siem.example")
                && refused.message.contains("TLS is the default"),
            "{}",
            refused.message
        );
        assert!(AuditForwarder::start(plain("10.0.0.8")).is_err());
        for local in ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"] {
            assert!(AuditForwarder::start(plain(local)).is_ok(), "{local}");
        }
    }

    #[test]
    fn escaping_covers_quote_backslash_and_bracket_only() {
        assert_eq!(escape_param_value(r#"a"b\c]d=e"#), r#"a\"b\\c\]d=e"#);
        assert_eq!(escape_param_value("plain"), "plain");
    }

    #[test]
    fn a_success_is_authpriv_notice_with_the_header_and_structured_data() {
        let e = entry(AuditOutcome::Succeeded);
        let message = format_message(&settings(), &e, 0).unwrap();
        let expected_sd = format!(
            r#"[resetdesk@32473 seq="3" hash="{}" prevHash="{}" outcome="succeeded" operator="help\"desk\\@contoso\]" target="adele.vance@contoso.sandbox"]"#,
            "b".repeat(64),
            "a".repeat(64)
        );
        let line = serde_json::to_string(&e).unwrap();
        assert_eq!(
            message,
            format!("<85>1 2026-11-23T11:30:00.123Z desk-7 ResetDesk - Requirere-registerMFA {expected_sd} {line}")
        );
    }

    #[test]
    fn refusals_and_failures_are_warnings_and_drops_are_reported() {
        for outcome in [
            AuditOutcome::Refused,
            AuditOutcome::Partial,
            AuditOutcome::Failed,
        ] {
            assert!(format_message(&settings(), &entry(outcome), 0)
                .unwrap()
                .starts_with("<84>1 "));
        }
        let message = format_message(&settings(), &entry(AuditOutcome::Failed), 7).unwrap();
        assert!(message.contains(r#" dropped="7"]"#), "{message}");
    }

    #[test]
    fn framing_counts_octets_not_characters() {
        assert_eq!(frame("é"), b"2 \xc3\xa9".to_vec());
    }

    #[test]
    fn a_blank_host_or_bad_ca_is_invalid_input() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let _guard = rt.enter();
        let blank = SyslogSettings {
            host: " ".into(),
            ..settings()
        };
        let err = AuditForwarder::start(blank).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
        let bad_ca = SyslogSettings {
            tls: true,
            ca_pem: Some("not a certificate".into()),
            ..settings()
        };
        let err = AuditForwarder::start(bad_ca).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
    }
}
