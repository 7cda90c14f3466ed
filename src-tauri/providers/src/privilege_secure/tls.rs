//! TLS for a Privilege Secure connection: the normal Web PKI check, or — only when the operator
//! chose it for this connection — one pinned certificate, identified by the SHA-256 of its DER
//! bytes. Never a global "ignore TLS errors".
//!
//! What a pinned fingerprint checks (and what it does not):
//! * the end-entity certificate the server presents is byte-for-byte the pinned one (SHA-256
//!   of its DER encoding), and
//! * the server proves it holds that certificate's private key (the TLS 1.2/1.3 handshake
//!   signature is verified with the certificate's public key, as for any connection).
//!
//! It does NOT check the issuer chain, the validity dates or that the host name is in the
//! certificate: a self-signed appliance certificate often names the machine, not the URL the
//! helpdesk uses, and the operator's explicit trust of that exact certificate replaces those
//! checks. Any other certificate (including a different self-signed one) falls back to the Web
//! PKI check and is refused with its own fingerprint shown.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use resetdesk_core::error::{AppError, ErrorKind, Result};

/// SHA-256 of a certificate's DER bytes, as colon-separated upper-case hex (the form browsers
/// and `openssl x509 -fingerprint -sha256` show).
pub fn certificate_sha256(der: &[u8]) -> String {
    format_fingerprint(&Sha256::digest(der))
}

fn format_fingerprint(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

pub use resetdesk_core::model::connection::parse_fingerprint;

fn ring_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The verifier of every Privilege Secure connection.
#[derive(Debug)]
struct PinnedOrWebPki {
    pinned: Option<[u8; 32]>,
    webpki: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedOrWebPki {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if let Some(pinned) = &self.pinned {
            let presented: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
            if &presented == pinned {
                return Ok(ServerCertVerified::assertion());
            }
        }
        self.webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The rustls client configuration for one connection (`pinned`: the operator's trusted
/// certificate, if any).
pub(crate) fn client_config(pinned: Option<[u8; 32]>) -> Result<rustls::ClientConfig> {
    let provider = ring_provider();
    // The OS trust store too: an on-premises server's certificate is often the organisation's.
    let roots = resetdesk_core::http::trusted_roots();
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| {
            AppError::internal("Could not set up TLS for Privilege Secure")
                .with_detail(e.to_string())
        })?;
    let verifier = Arc::new(PinnedOrWebPki {
        pinned,
        webpki,
        provider: provider.clone(),
    });
    config_with_verifier(provider, verifier)
}

/// A client configuration (safe protocol versions, no client certificate) whose server
/// certificates `verifier` judges.
fn config_with_verifier(
    provider: Arc<CryptoProvider>,
    verifier: Arc<dyn ServerCertVerifier>,
) -> Result<rustls::ClientConfig> {
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            AppError::internal("Could not set up TLS for Privilege Secure")
                .with_detail(e.to_string())
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// Records the end-entity certificate it is shown and refuses it, so the probe handshake
/// stops before any application data is sent.
#[derive(Debug)]
struct RecordOnly {
    seen: Mutex<Option<String>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for RecordOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(certificate_sha256(end_entity.as_ref()));
        }
        Err(rustls::Error::General(
            "certificate recorded by the fingerprint probe".into(),
        ))
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("probe only".into()))
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("probe only".into()))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A separate TLS handshake with `host:port` that only records the end-entity certificate the
/// server presents (SHA-256 fingerprint) and then aborts: nothing is sent to the server.
pub async fn fetch_presented_fingerprint(host: &str, port: u16) -> Result<String> {
    let provider = ring_provider();
    let recorder = Arc::new(RecordOnly {
        seen: Mutex::new(None),
        provider: provider.clone(),
    });
    let config = config_with_verifier(provider, recorder.clone())?;
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| AppError::invalid_input(format!("'{host}' is not a valid server name")))?;
    let offline = |e: String| {
        AppError::new(
            ErrorKind::Offline,
            format!("Could not reach {host}:{port} to read its certificate"),
        )
        .with_detail(e)
    };
    let tcp = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::net::TcpStream::connect((host, port)),
    )
    .await
    .map_err(|_| offline("timed out".into()))?
    .map_err(|e| offline(e.to_string()))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    // The handshake fails by design once the certificate is recorded.
    let _ = tokio::time::timeout(Duration::from_secs(10), connector.connect(name, tcp)).await;
    let seen = recorder.seen.lock().ok().and_then(|s| s.clone());
    seen.ok_or_else(|| {
        AppError::new(
            ErrorKind::Provider,
            format!("{host}:{port} did not present a TLS certificate"),
        )
    })
}

/// The certificate problem rustls reported somewhere in a request error's chain, if any.
pub(crate) fn certificate_error(
    err: &(dyn std::error::Error + 'static),
) -> Option<CertificateError> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(rustls::Error::InvalidCertificate(c)) = e.downcast_ref::<rustls::Error>() {
            return Some(c.clone());
        }
        // `io::Error::source()` skips the error it wraps (hyper-util wraps rustls's error in
        // two of them), so step into the wrapped error explicitly.
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            current = Some(inner as &(dyn std::error::Error + 'static));
            continue;
        }
        current = e.source();
    }
    None
}

/// Plain words for a rustls certificate error.
pub(crate) fn describe(error: &CertificateError) -> &'static str {
    match error {
        CertificateError::UnknownIssuer => {
            "it is self-signed or issued by an authority this computer does not trust"
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "it is not issued for this server name"
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => "it has expired",
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "it is not valid yet"
        }
        CertificateError::Revoked => "it has been revoked",
        _ => "it could not be verified",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_parse_in_the_usual_forms() {
        let fp = certificate_sha256(b"hello");
        let bytes = parse_fingerprint(&fp).unwrap();
        assert_eq!(format_fingerprint(&bytes), fp);
        let plain = fp.replace(':', "").to_lowercase();
        assert_eq!(parse_fingerprint(&plain).unwrap(), bytes);
        assert_eq!(
            parse_fingerprint(&format!("SHA256:{plain}")).unwrap(),
            bytes
        );
    }

    #[test]
    fn bad_fingerprints_are_refused_clearly() {
        for bad in [
            "",
            "abc",
            &"zz".repeat(32),
            &"ab".repeat(31),
            &"ab".repeat(33),
        ] {
            let err = parse_fingerprint(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{bad}");
            assert!(err.message.contains("64 hexadecimal"));
        }
    }
}
