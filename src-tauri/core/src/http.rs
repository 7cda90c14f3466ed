//! What every HTTP client of ResetDesk shares, so that it works where helpdesk desktops sit:
//! behind a TLS-inspecting proxy whose root CA the organisation installs in the OS trust store,
//! and behind the proxy the environment names.
//!
//! - **Trust**: the bundled Mozilla roots *and* the OS trust store (reqwest's
//!   `rustls-tls-native-roots`, i.e. `rustls-native-certs`: on Linux the distribution's bundle,
//!   or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set; the keychain on macOS; the system store on
//!   Windows). Chosen over `rustls-platform-verifier` because reqwest 0.12 supports it as a
//!   feature (its TLS setup stays reqwest's own) and because it reads what Linux admins change
//!   (`update-ca-certificates`, `SSL_CERT_FILE`).
//! - **Proxy**: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (either case), as reqwest
//!   reads them, except that loopback is never proxied: the sandbox's emulators and a local
//!   collector answer on 127.0.0.1, which a corporate proxy cannot reach.
//! - **Retries**: how hard a read is retried before it is reported ([`RetryPolicy`]), which each
//!   provider's client and the offline cache's sync are given.
use std::time::Duration;

use reqwest::{ClientBuilder, NoProxy, Proxy};

/// Hosts never sent through a proxy, whatever `NO_PROXY` says.
const LOOPBACK: &str = "localhost,127.0.0.1,::1";

/// How hard a read (or a not-processed write) is retried before it is reported.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `3` means at most 4 attempts).
    pub max_retries: usize,
    /// First exponential backoff delay (doubled each time, with jitter) when the service
    /// gives no `Retry-After`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// The most one request waits in all for the `Retry-After`s Graph asks for: the operator
    /// is waiting on the screen. Each one is honoured in full within it (Microsoft asks clients
    /// to wait as told, https://learn.microsoft.com/graph/throttling); one that would go past
    /// it ends the request at once, and the error says how long Graph asked to wait.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// A client builder with the trust and proxy setup above; callers add their timeouts and
/// redirect policy.
pub fn client_builder() -> ClientBuilder {
    with_proxy_from_environment(reqwest::Client::builder())
}

/// The roots a client that sets up rustls itself must trust: the bundled ones and the OS's.
pub fn trusted_roots() -> rustls::RootCertStore {
    let mut roots =
        rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        tracing::warn!(%error, "could not read part of the OS trust store");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    tracing::debug!(added, ignored, "OS trust store read");
    roots
}

/// Makes the proxy of one kind of request (https, http, all) from its URL.
type ProxyFor = fn(String) -> reqwest::Result<Proxy>;

/// The environment's proxies, each exempting loopback. reqwest's own lookup is switched off
/// (`no_proxy`) because it has no such exemption.
fn with_proxy_from_environment(builder: ClientBuilder) -> ClientBuilder {
    let exempt = NoProxy::from_string(&match first_set(&["NO_PROXY", "no_proxy"]) {
        Some(listed) => format!("{listed},{LOOPBACK}"),
        None => LOOPBACK.to_string(),
    });
    let mut builder = builder.no_proxy();
    // Scheme-specific first: reqwest uses the first proxy that matches a request.
    let kinds: [(&[&str], ProxyFor); 3] = [
        (&["HTTPS_PROXY", "https_proxy"], |url| Proxy::https(url)),
        (&["HTTP_PROXY", "http_proxy"], |url| Proxy::http(url)),
        (&["ALL_PROXY", "all_proxy"], |url| Proxy::all(url)),
    ];
    for (names, make) in kinds {
        let Some(url) = first_set(names) else {
            continue;
        };
        match make(url) {
            Ok(proxy) => builder = builder.proxy(proxy.no_proxy(exempt.clone())),
            // The variable is the operator's environment: say which one is wrong, go direct.
            Err(error) => {
                tracing::warn!(variable = names[0], %error, "ignoring a proxy setting that is not a URL")
            }
        }
    }
    builder
}

fn first_set(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .filter(|value| !value.trim().is_empty())
}
