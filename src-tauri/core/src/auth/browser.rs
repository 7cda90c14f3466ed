//! Who shows the authorization page to the person signing in.
//!
//! The OAuth code ([`super::pkce_loopback`]) only builds the authorization URL and waits on
//! its loopback for the redirect; what happens in between is a [`BrowserLauncher`]'s job.
//! For a real tenant the shell passes the system browser (tauri-plugin-opener; never a
//! webview, whose cookies and input the app could read). For the sandbox,
//! [`SandboxBrowser`] plays the person at the emulator's sign-in page over HTTP. Both go
//! through the same authorize → redirect → code exchange, so the sandbox exercises the real
//! OAuth client.
use async_trait::async_trait;
use reqwest::StatusCode;
use url::Url;

use crate::error::{AppError, ErrorKind, Result};

/// Shows an authorization URL to the person signing in.
#[async_trait]
pub trait BrowserLauncher: Send + Sync {
    /// Opens `url`. A system browser returns once the page is handed over; the sign-in
    /// finishes when the authorization server redirects the browser to the loopback callback.
    async fn open(&self, url: &Url) -> Result<()>;
}

/// Whether `url` may be handed to the operator's browser: an https page, or a plain http one
/// on this machine's loopback (the sandbox's pages). Anything else — `file:`, `javascript:`,
/// a custom scheme that starts a program, plain http over the network — is refused: the
/// addresses ResetDesk opens come from providers' answers and from settings a user can edit.
pub fn check_browser_url(url: &Url) -> Result<()> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    let allowed = match url.scheme() {
        "https" => url.host().is_some(),
        "http" => loopback,
        _ => false,
    };
    if allowed && url.username().is_empty() && url.password().is_none() {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorKind::Provider,
            format!(
                "ResetDesk opens only https pages in the browser; it was asked to open a {} \
                 address, and did not.",
                url.scheme()
            ),
        ))
    }
}

/// The form field the sandbox's sign-in page posts with the chosen account.
pub const SANDBOX_LOGIN_FIELD: &str = "login";

/// Plays the person at the sandbox emulator's sign-in page: loads the page, picks
/// `account_upn`, and follows the redirect to the loopback callback, as a browser would.
///
/// `http` must not follow redirects by itself (see [`SandboxBrowser::new`]): the redirect is
/// read from the `Location` header and visited as a separate step.
#[derive(Debug, Clone)]
pub struct SandboxBrowser {
    pub account_upn: String,
    pub http: reqwest::Client,
}

impl SandboxBrowser {
    /// A sandbox browser with its own HTTP client that does not follow redirects.
    pub fn new(account_upn: impl Into<String>) -> Result<Self> {
        let http = crate::http::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| {
                AppError::internal("Could not create the sandbox's HTTP client")
                    .with_detail(e.to_string())
            })?;
        Ok(Self {
            account_upn: account_upn.into(),
            http,
        })
    }

    fn unreachable(&self, error: reqwest::Error) -> AppError {
        AppError::new(
            ErrorKind::Offline,
            "Could not reach the sandbox's sign-in page; restart ResetDesk if this persists.",
        )
        .with_detail(error.without_url().to_string())
    }

    /// The page's own words, for `detail`: its alert if it shows one (where a sign-in page
    /// says what went wrong), else its text without tags, styles and scripts; kept short.
    fn page_text(html: &str) -> String {
        let text = match html.find("role=\"alert\"") {
            Some(alert) => {
                let from = html[alert..]
                    .find('>')
                    .map_or(html.len(), |i| alert + i + 1);
                let to = html[from..].find("</").map_or(html.len(), |i| from + i);
                html[from..to].to_string()
            }
            None => Self::strip_markup(html),
        };
        let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
        folded.chars().take(300).collect()
    }

    fn strip_markup(html: &str) -> String {
        let mut text = String::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            text.push_str(&rest[..open]);
            text.push(' ');
            let tag = &rest[open..];
            // Skip a style or script element whole: its content is not words on the page.
            let lower = tag.get(..8).unwrap_or(tag).to_ascii_lowercase();
            let skip_to = if lower.starts_with("<style") {
                tag.find("</style>").map(|i| i + "</style>".len())
            } else if lower.starts_with("<script") {
                tag.find("</script>").map(|i| i + "</script>".len())
            } else {
                tag.find('>').map(|i| i + 1)
            };
            match skip_to {
                Some(end) => rest = &tag[end..],
                None => return text,
            }
        }
        text.push_str(rest);
        text
    }
}

impl SandboxBrowser {
    /// Where a redirect answer sends the browser (`Location`, resolved against `base`).
    fn redirect_target(response: &reqwest::Response, base: &Url) -> Result<Url> {
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Provider,
                    format!("The sandbox's sign-in page answered HTTP {status} without a Location to go to."),
                )
            })?;
        base.join(location).map_err(|e| {
            AppError::new(
                ErrorKind::Provider,
                "The sandbox redirected to an address that is not a URL.",
            )
            .with_detail(e.to_string())
        })
    }

    /// Visits a redirect: our own loopback callback, which completes the sign-in. Its page
    /// (success or failure) is what a person would read; the sign-in's outcome is reported
    /// by the loopback listener, so the status here is not judged.
    async fn follow(&self, response: &reqwest::Response, base: &Url) -> Result<()> {
        let target = Self::redirect_target(response, base)?;
        self.http
            .get(target)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        Ok(())
    }
}

#[async_trait]
impl BrowserLauncher for SandboxBrowser {
    async fn open(&self, url: &Url) -> Result<()> {
        // 1. The sign-in page (an account picker). The service may redirect straight back
        //    instead (an error, or `prompt=none`), as a browser would follow.
        let page = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if page.status().is_redirection() {
            return self.follow(&page, url).await;
        }
        if page.status() != StatusCode::OK {
            let status = page.status();
            let text = page.text().await.unwrap_or_default();
            return Err(AppError::not_signed_in(format!(
                "The sandbox's sign-in page did not open (HTTP {status}); sign in again."
            ))
            .with_detail(Self::page_text(&text)));
        }

        // 2. Submit the form: the original query parameters plus the chosen account, posted
        //    back to the same URL, as the page's form does.
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.push((SANDBOX_LOGIN_FIELD.to_string(), self.account_upn.clone()));
        let submitted = self
            .http
            .post(url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = submitted.status();
        if status.is_redirection() {
            // 3. The redirect to the loopback callback.
            return self.follow(&submitted, url).await;
        }
        if status.is_success() && submitted.url() != url {
            return Err(AppError::internal(
                "The HTTP client given to SandboxBrowser follows redirects; build it with \
                 redirect::Policy::none() (or use SandboxBrowser::new).",
            ));
        }
        let text = submitted.text().await.unwrap_or_default();
        Err(AppError::not_signed_in(format!(
            "The sandbox refused to sign in {} (HTTP {status}). Pick one of the demo accounts.",
            self.account_upn
        ))
        .with_detail(Self::page_text(&text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_pages_and_the_loopback_sandbox_are_opened() {
        for ok in [
            "https://accounts.zoho.com/oauth/v3/device",
            "https://login.microsoftonline.com/t/oauth2/v2.0/authorize?x=1",
            "http://127.0.0.1:4000/authorize",
            "http://localhost:4000/",
            "http://[::1]:4000/",
        ] {
            assert!(check_browser_url(&Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        for refused in [
            "http://accounts.zoho.com/oauth/v3/device",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ms-settings:privacy",
            "smb://host/share",
            "https://user:pass@example.com/",
            "http://192.168.1.10/",
        ] {
            let url = Url::parse(refused).unwrap();
            let error = check_browser_url(&url).unwrap_err();
            assert!(error.message.contains("only https"), "{refused}: {error:?}");
        }
    }

    #[test]
    fn page_text_strips_tags_and_folds_space() {
        let html = "<html><body><h1>Unknown account</h1>\n  <p>ghost@contoso.sandbox is not\n here</p></body></html>";
        assert_eq!(
            SandboxBrowser::page_text(html),
            "Unknown account ghost@contoso.sandbox is not here"
        );
    }
}
