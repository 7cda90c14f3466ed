//! Enterprise networks (issue 15, item 4): ResetDesk's HTTP clients trust the OS trust store as
//! well as the bundled roots, use the proxy the environment names, and never send loopback
//! traffic (the sandbox's emulators) to it.
//!
//! A local HTTPS endpoint signed by a test CA stands in for a TLS-inspecting proxy's
//! re-signed sites: refused until that CA is in the trust store the test points at
//! (`SSL_CERT_FILE`, which the OS trust store reader honours), then accepted. A small CONNECT
//! proxy records what goes through it. Environment variables are process-wide, so this binary
//! holds one test that sets them in order.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The name a request through the proxy asks for; only the proxy "resolves" it.
const PROXIED_HOST: &str = "resetdesk-proxied.test";

struct TestCa {
    pem: String,
    server: Arc<rustls::ServerConfig>,
}

/// A CA, and a server certificate it signed for localhost, 127.0.0.1 and [`PROXIED_HOST`].
fn test_ca() -> TestCa {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "ResetDesk test inspection CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        PROXIED_HOST.to_string(),
    ])
    .unwrap()
    .signed_by(&leaf_key, &ca, &ca_key)
    .unwrap();
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    )
    .unwrap();
    TestCa {
        pem: ca.pem(),
        server: Arc::new(server),
    }
}

/// Answers every HTTP/1.1 request on `stream` with 200 "ok" and closes.
async fn answer_ok<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(mut stream: S) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let _ = stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        .await;
    let _ = stream.shutdown().await;
}

async fn https_server(config: Arc<rustls::ServerConfig>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    answer_ok(tls).await;
                }
            });
        }
    });
    address
}

async fn http_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer_ok(stream));
        }
    });
    address
}

/// An HTTP proxy that records every request line and tunnels CONNECTs to `upstream`,
/// whatever host they name (it plays the corporate proxy that resolves names the desktop
/// cannot).
async fn connect_proxy(upstream: SocketAddr) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                record.lock().unwrap().push(line.clone());
                if !line.starts_with("CONNECT ") {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                }
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    (address, seen)
}

async fn get(url: &str) -> Result<String, String> {
    let client = resetdesk_core::http::client_builder()
        .build()
        .map_err(|e| format!("{e:?}"))?;
    let answer = client.get(url).send().await.map_err(|e| format!("{e:?}"))?;
    answer.text().await.map_err(|e| format!("{e:?}"))
}

fn set(name: &str, value: &str) {
    std::env::set_var(name, value);
}

#[tokio::test]
async fn the_os_trust_store_and_the_environments_proxy_are_used_and_loopback_goes_direct() {
    for name in [
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }
    let ca = test_ca();
    let https = https_server(Arc::clone(&ca.server)).await;
    let plain = http_server().await;
    let local_url = format!("https://localhost:{}/", https.port());

    // The test CA is in no trust store yet: refused, for the certificate.
    let refused = get(&local_url).await.unwrap_err();
    assert!(
        refused.to_lowercase().contains("certificate") || refused.contains("UnknownIssuer"),
        "{refused}"
    );

    // The organisation installs its CA: the trust store the test points at holds it.
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca-bundle.pem");
    std::fs::write(&bundle, &ca.pem).unwrap();
    set("SSL_CERT_FILE", bundle.to_str().unwrap());
    assert_eq!(get(&local_url).await.unwrap(), "ok");

    // The clients that set up rustls themselves (Privilege Secure's pinning, the syslog
    // forwarder) read the same roots.
    let connector = tokio_rustls::TlsConnector::from(Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(resetdesk_core::http::trusted_roots())
        .with_no_client_auth(),
    ));
    let tcp = TcpStream::connect(https).await.unwrap();
    connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("the OS trust store's CA is trusted by trusted_roots()");

    // A proxy from the environment carries what goes out...
    let (proxy, through_proxy) = connect_proxy(https).await;
    set("HTTPS_PROXY", &format!("http://{proxy}"));
    set("HTTP_PROXY", &format!("http://{proxy}"));
    set("NO_PROXY", "intranet.example");
    let proxied = get(&format!("https://{PROXIED_HOST}/")).await;
    assert_eq!(proxied.as_deref(), Ok("ok"), "{proxied:?}");
    assert_eq!(
        *through_proxy.lock().unwrap(),
        vec![format!("CONNECT {PROXIED_HOST}:443 HTTP/1.1")]
    );

    // ...but loopback (the sandbox's emulators) goes direct, whatever NO_PROXY lists.
    assert_eq!(get(&local_url).await.unwrap(), "ok");
    assert_eq!(
        get(&format!("http://127.0.0.1:{}/", plain.port()))
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        through_proxy.lock().unwrap().len(),
        1,
        "loopback went through the proxy: {:?}",
        through_proxy.lock().unwrap()
    );
}
