//! One interactive sign-in: OAuth 2.0 authorization code + PKCE (S256) with a loopback
//! redirect, for a public client (RFC 8252; reference/graph.md §4.1).
//!
//! 1. Listen on `127.0.0.1:0` (any free port: Entra ignores the port of a loopback redirect
//!    URI) and use `http://127.0.0.1:<port>/callback` as the redirect URI.
//! 2. Build the authorization URL with a random `state` and a PKCE S256 challenge; hand it
//!    to the [`BrowserLauncher`].
//! 3. Accept the one request that carries our `state` back (with a code or an error), answer
//!    it with a small page, and stop listening. Requests of any size above
//!    [`MAX_CALLBACK_REQUEST_BYTES`] and stray requests (favicon, preconnects) are answered and
//!    ignored; the whole wait is bounded by [`SignInOptions::timeout`].
//! 4. Exchange the code with the PKCE verifier at the token endpoint.
use std::sync::Arc;
use std::time::Duration;

use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, Scope};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use url::Url;

use super::browser::BrowserLauncher;
use super::oauth_client::{oauth_client, send_token_request, TokenCall};
use super::token_set::TokenSet;
use crate::error::{AppError, Result};
use crate::model::connection::EntraSettings;

/// How long a sign-in waits for the browser to come back (the person may need to type a
/// password and approve MFA).
pub const DEFAULT_SIGN_IN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The largest request the loopback reads. A genuine callback is a short GET; anything
/// bigger is not one, and reading it unbounded would let a local process exhaust memory.
pub const MAX_CALLBACK_REQUEST_BYTES: usize = 16 * 1024;

/// How long one connection to the loopback may take to send its request. Browsers open
/// speculative connections that never send anything; they must not hold the listener.
const CONNECTION_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections served at once; more are closed unanswered (a browser needs one or two).
const MAX_OPEN_CONNECTIONS: usize = 16;

const CALLBACK_PATH: &str = "/callback";

#[derive(Debug, Clone)]
pub struct SignInOptions {
    /// How long to wait for the browser to come back to the loopback.
    pub timeout: Duration,
    /// Pre-fills the account on the sign-in page (`login_hint`), e.g. the last operator.
    pub login_hint: Option<String>,
    /// `prompt` for the authorization request. Default `select_account`: helpdesk operators
    /// often have a separate admin account, and silently reusing the browser's everyday
    /// session would sign in the wrong one.
    pub prompt: Option<String>,
    /// Ask for an OpenID Connect ID token too (`openid`): who signed in, in which tenant, and
    /// when (`auth_time`). The approver's sign-in checks it.
    pub openid: bool,
}

impl Default for SignInOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_SIGN_IN_TIMEOUT,
            login_hint: None,
            prompt: Some("select_account".into()),
            openid: false,
        }
    }
}

/// Signs in interactively with default options (see [`sign_in_with`]).
pub async fn sign_in(
    settings: &EntraSettings,
    browser: &dyn BrowserLauncher,
    http: &reqwest::Client,
) -> Result<TokenSet> {
    sign_in_with(settings, browser, http, &SignInOptions::default()).await
}

/// Signs in interactively: authorization code + PKCE on a loopback redirect (module docs).
///
/// `http` is used for the code exchange; build it with `redirect(Policy::none())`.
/// The returned [`TokenSet`] holds the refresh token; hand it straight to
/// [`super::TokenManager::from_sign_in`], which moves it into the secret store.
pub async fn sign_in_with(
    settings: &EntraSettings,
    browser: &dyn BrowserLauncher,
    http: &reqwest::Client,
    options: &SignInOptions,
) -> Result<TokenSet> {
    let loopback = Loopback::bind().await?;
    let client = oauth_client(settings, Some(&loopback.redirect_uri))?;
    let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(settings.scopes().into_iter().map(Scope::new))
        .add_scopes(options.openid.then(|| Scope::new("openid".into())))
        .set_pkce_challenge(pkce_challenge)
        .add_extra_param("response_mode", "query");
    if let Some(hint) = &options.login_hint {
        request = request.add_extra_param("login_hint", hint.clone());
    }
    if let Some(prompt) = &options.prompt {
        request = request.add_extra_param("prompt", prompt.clone());
    }
    let (authorize_url, state) = request.url();
    let expected_state = SecretString::from(state.secret().clone());

    // Listen and open concurrently: the sandbox's browser visits the callback before `open`
    // returns. Either side failing ends the sign-in at once.
    let (code, ()) = tokio::try_join!(
        loopback.wait_for_code(expected_state, options.timeout),
        browser.open(&authorize_url),
    )?;

    let code = AuthorizationCode::new(code.expose_secret().to_string());
    let token_http = super::token_http::TokenHttp(http.clone());
    let exchange = client
        .exchange_code(code)
        .set_pkce_verifier(pkce_verifier)
        .request_async(&token_http);
    send_token_request(settings, TokenCall::AuthorizationCode, exchange).await
}

/// The loopback listener of one sign-in.
struct Loopback {
    listener: TcpListener,
    redirect_uri: Url,
}

impl Loopback {
    async fn bind() -> Result<Self> {
        let cannot_listen = |e: std::io::Error| {
            AppError::internal("Could not open a local port to receive the sign-in; sign in again.")
                .with_detail(e.to_string())
        };
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(cannot_listen)?;
        let port = listener.local_addr().map_err(cannot_listen)?.port();
        let redirect_uri =
            Url::parse(&format!("http://127.0.0.1:{port}{CALLBACK_PATH}")).map_err(|e| {
                AppError::internal("Could not build the loopback redirect URI")
                    .with_detail(e.to_string())
            })?;
        Ok(Self {
            listener,
            redirect_uri,
        })
    }

    /// Serves connections until one brings our `state` back with a code (→ the code) or an
    /// error / a foreign state (→ that error), or until `timeout`.
    async fn wait_for_code(
        self,
        expected_state: SecretString,
        timeout: Duration,
    ) -> Result<SecretString> {
        let expected_state: Arc<SecretString> = Arc::new(expected_state);
        // Dropping the set (on return) aborts connections still being read; each connection
        // writes its page before reporting, so a reported one has been answered.
        let mut connections: JoinSet<Verdict> = JoinSet::new();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => {
                    return Err(AppError::not_signed_in(format!(
                        "Sign-in did not finish within {}: the browser never came back to \
                         ResetDesk. Sign in again.",
                        describe_duration(timeout)
                    )));
                }
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _peer)) if connections.len() < MAX_OPEN_CONNECTIONS => {
                        connections.spawn(serve_connection(stream, Arc::clone(&expected_state)));
                    }
                    Ok((stream, _peer)) => drop(stream),
                    Err(error) => {
                        tracing::warn!(%error, "sign-in loopback could not accept a connection");
                        // Out of file descriptors and the like: pause rather than spin.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(finished) = connections.join_next() => match finished {
                    Ok(Verdict::Authorized(code)) => return Ok(code),
                    Ok(Verdict::Failed(error)) => return Err(error),
                    Ok(Verdict::NotACallback) | Err(_) => {}
                },
            }
        }
    }
}

/// "5 minutes", "30 seconds", "1.5 seconds": for the timeout message.
fn describe_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        let minutes = secs / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    } else if duration.subsec_millis() == 0 {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    } else {
        format!("{:.1} seconds", duration.as_secs_f64())
    }
}

/// What one request to the loopback meant for the sign-in.
#[derive(Debug)]
enum Verdict {
    /// Our state came back with an authorization code.
    Authorized(SecretString),
    /// The sign-in is over: the authorization server reported an error, or the state was
    /// not ours.
    Failed(AppError),
    /// Not a callback (another path, another method, no code or error): keep waiting.
    NotACallback,
}

/// The page the loopback answers with.
#[derive(Debug, PartialEq, Eq)]
struct Reply {
    status: u16,
    reason: &'static str,
    title: &'static str,
    text: String,
}

impl Reply {
    fn new(
        status: u16,
        reason: &'static str,
        title: &'static str,
        text: impl Into<String>,
    ) -> Self {
        Self {
            status,
            reason,
            title,
            text: text.into(),
        }
    }

    fn to_http(&self) -> Vec<u8> {
        let body = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>ResetDesk: {title}</title></head>\
             <body style=\"font-family: system-ui, sans-serif; margin: 3em\"><h1>{title}</h1><p>{text}</p></body></html>",
            title = html_escape(self.title),
            text = html_escape(&self.text),
        );
        format!(
            "HTTP/1.1 {} {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
            self.status,
            self.reason,
            body.len()
        )
        .into_bytes()
    }
}

fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

async fn serve_connection(mut stream: TcpStream, expected_state: Arc<SecretString>) -> Verdict {
    let (verdict, reply) =
        match tokio::time::timeout(CONNECTION_READ_TIMEOUT, read_request_head(&mut stream)).await {
            Ok(Ok(head)) => judge_request(&head, expected_state.expose_secret()),
            Ok(Err(HeadError::TooLarge)) => (
                Verdict::NotACallback,
                Reply::new(
                    431,
                    "Request Header Fields Too Large",
                    "Request too large",
                    "This is not a sign-in answer.",
                ),
            ),
            Ok(Err(HeadError::Closed)) | Err(_) => return Verdict::NotACallback,
        };
    // Answer before reporting: once a verdict is in, the listener stops and unreported
    // connections are dropped.
    let _ = stream.write_all(&reply.to_http()).await;
    let _ = stream.shutdown().await;
    verdict
}

enum HeadError {
    TooLarge,
    Closed,
}

/// Reads up to the end of the request head (`\r\n\r\n`), at most the cap. The body, if any,
/// is never read: a callback is a GET.
async fn read_request_head(stream: &mut TcpStream) -> std::result::Result<String, HeadError> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let read = stream
            .read(&mut chunk)
            .await
            .map_err(|_| HeadError::Closed)?;
        if read == 0 {
            return Err(HeadError::Closed);
        }
        head.extend_from_slice(&chunk[..read]);
        if head.len() > MAX_CALLBACK_REQUEST_BYTES {
            return Err(HeadError::TooLarge);
        }
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end);
            return Ok(String::from_utf8_lossy(&head).into_owned());
        }
    }
}

/// Decides what a request head means for the sign-in, and what page to answer.
fn judge_request(head: &str, expected_state: &str) -> (Verdict, Reply) {
    let not_found = || {
        (
            Verdict::NotACallback,
            Reply::new(404, "Not Found", "Not found", "Nothing here."),
        )
    };
    let request_line = head.lines().next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return (
            Verdict::NotACallback,
            Reply::new(400, "Bad Request", "Bad request", "Not an HTTP request."),
        );
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return not_found();
    }
    if method != "GET" {
        return (
            Verdict::NotACallback,
            Reply::new(
                405,
                "Method Not Allowed",
                "Not allowed",
                "The sign-in answer arrives as a GET.",
            ),
        );
    }
    let params = match CallbackParams::parse(query) {
        Ok(params) => params,
        Err(repeated) => {
            return (
                Verdict::NotACallback,
                Reply::new(
                    400,
                    "Bad Request",
                    "Bad request",
                    format!("The parameter {repeated} is repeated."),
                ),
            )
        }
    };
    params.judge(expected_state)
}

/// The parameters of a redirect to the callback (RFC 6749 §4.1.2 and §4.1.2.1).
#[derive(Default)]
struct CallbackParams {
    code: Option<SecretString>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

impl CallbackParams {
    /// Parses the query; a repeated parameter (which RFC 6749 forbids) is refused by name.
    fn parse(query: &str) -> std::result::Result<Self, String> {
        let mut params = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            let repeated = match name.as_ref() {
                "code" => params.code.replace(SecretString::from(value)).is_some(),
                "state" => params.state.replace(value).is_some(),
                "error" => params.error.replace(value).is_some(),
                "error_description" => params.error_description.replace(value).is_some(),
                _ => false,
            };
            if repeated {
                return Err(name.into_owned());
            }
        }
        Ok(params)
    }

    fn judge(self, expected_state: &str) -> (Verdict, Reply) {
        let state_matches = self
            .state
            .as_deref()
            .is_some_and(|state| bool::from(state.as_bytes().ct_eq(expected_state.as_bytes())));
        // An error without a state is still the server's answer (some omit it); an error with
        // a foreign state belongs to another sign-in.
        let foreign_state = match (&self.error, &self.state) {
            (Some(_), None) => false,
            _ => !state_matches,
        };
        if (self.code.is_some() || self.error.is_some()) && foreign_state {
            return (
                Verdict::Failed(AppError::not_signed_in(
                    "Sign-in was stopped: the answer that reached ResetDesk does not belong to the \
                     sign-in it started (state mismatch). This can come from an old browser tab. \
                     Sign in again.",
                )),
                Reply::new(
                    400,
                    "Bad Request",
                    "Sign-in refused",
                    "This answer does not belong to the sign-in ResetDesk started. Return to ResetDesk and sign in again.",
                ),
            );
        }
        if let Some(error) = self.error {
            let explanation = match error.as_str() {
                "access_denied" => {
                    "The sign-in was cancelled, or consent to ResetDesk's permissions was refused."
                }
                "consent_required" | "interaction_required" | "login_required" => {
                    "The sign-in service needs you to sign in or consent again."
                }
                _ => "The sign-in service refused the sign-in.",
            };
            let description = self
                .error_description
                .as_deref()
                .unwrap_or("no description given");
            let app_error = AppError::not_signed_in(format!(
                "{explanation} ({error}: {description}) Sign in again."
            ))
            .with_detail(format!("{error}: {description}"));
            let reply = Reply::new(
                400,
                "Bad Request",
                "Sign-in failed",
                format!("{explanation} ({error}) You can close this tab and return to ResetDesk."),
            );
            return (Verdict::Failed(app_error), reply);
        }
        match self.code {
            Some(code) => (
                Verdict::Authorized(code),
                Reply::new(
                    200,
                    "OK",
                    "Signed in",
                    "Signed in — you can close this tab and return to ResetDesk.",
                ),
            ),
            None => (
                Verdict::NotACallback,
                Reply::new(
                    400,
                    "Bad Request",
                    "Bad request",
                    "This request carries no sign-in answer.",
                ),
            ),
        }
    }
}

/// Compares without stopping at the first difference, so response timing does not reveal
/// how much of a guessed `state` was right.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const STATE: &str = "expected-state-123";

    fn judge(target: &str) -> (Verdict, Reply) {
        judge_request(
            &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:5555"),
            STATE,
        )
    }

    #[test]
    fn callback_with_our_state_yields_the_code() {
        let (verdict, reply) =
            judge("/callback?code=abc%2Fdef&state=expected-state-123&session_state=x");
        match verdict {
            Verdict::Authorized(code) => assert_eq!(code.expose_secret(), "abc/def"),
            other => panic!("expected a code, got {other:?}"),
        }
        assert_eq!(reply.status, 200);
        assert!(reply.text.starts_with("Signed in — you can close this tab"));
    }

    #[test]
    fn state_mismatch_fails_the_sign_in() {
        for target in [
            "/callback?code=abc&state=someone-else",
            "/callback?code=abc",
            "/callback?error=access_denied&state=x",
        ] {
            let (verdict, reply) = judge(target);
            match verdict {
                Verdict::Failed(error) => {
                    assert_eq!(error.kind, ErrorKind::NotSignedIn);
                    assert!(
                        error.message.contains("state mismatch"),
                        "{}",
                        error.message
                    );
                }
                other => panic!("{target}: expected a failure, got {other:?}"),
            }
            assert_eq!(reply.status, 400);
        }
    }

    #[test]
    fn error_redirect_becomes_a_clear_error() {
        let (verdict, reply) =
            judge("/callback?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent&state=expected-state-123");
        let Verdict::Failed(error) = verdict else {
            panic!("expected a failure")
        };
        assert_eq!(error.kind, ErrorKind::NotSignedIn);
        assert!(error.message.contains("cancelled"), "{}", error.message);
        assert!(
            error
                .message
                .contains("AADSTS65004: User declined to consent"),
            "{}",
            error.message
        );
        assert_eq!(
            error.detail.as_deref(),
            Some("access_denied: AADSTS65004: User declined to consent")
        );
        assert_eq!(reply.status, 400);
        // An error without state is still reported as the server's answer.
        let (verdict, _) = judge("/callback?error=server_error");
        let Verdict::Failed(error) = verdict else {
            panic!("expected a failure")
        };
        assert!(error.message.contains("server_error"), "{}", error.message);
    }

    #[test]
    fn stray_requests_are_ignored() {
        for (request, status) in [
            ("GET /favicon.ico HTTP/1.1", 404),
            (
                "POST /callback?code=a&state=expected-state-123 HTTP/1.1",
                405,
            ),
            ("GET /callback HTTP/1.1", 400),
            (
                "GET /callback?code=a&code=b&state=expected-state-123 HTTP/1.1",
                400,
            ),
            ("garbage", 400),
        ] {
            let (verdict, reply) = judge_request(request, STATE);
            assert!(
                matches!(verdict, Verdict::NotACallback),
                "{request}: {verdict:?}"
            );
            assert_eq!(reply.status, status, "{request}");
        }
    }

    #[test]
    fn reply_page_escapes_server_text() {
        let (_, reply) =
            judge("/callback?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=expected-state-123");
        let page = String::from_utf8(reply.to_http()).unwrap();
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
        assert!(page.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    }

    #[test]
    fn verdict_debug_hides_the_code() {
        let (verdict, _) = judge("/callback?code=the-secret-code&state=expected-state-123");
        assert!(!format!("{verdict:?}").contains("the-secret-code"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(describe_duration(DEFAULT_SIGN_IN_TIMEOUT), "5 minutes");
        assert_eq!(describe_duration(Duration::from_secs(1)), "1 second");
        assert_eq!(describe_duration(Duration::from_millis(200)), "0.2 seconds");
    }

    async fn send(redirect: &Url, raw_request: &[u8]) -> String {
        let mut stream =
            TcpStream::connect((redirect.host_str().unwrap(), redirect.port().unwrap()))
                .await
                .unwrap();
        stream.write_all(raw_request).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn loopback_ignores_strays_and_returns_the_code() {
        let loopback = Loopback::bind().await.unwrap();
        let redirect = loopback.redirect_uri.clone();
        assert_eq!(redirect.path(), "/callback");
        assert_eq!(redirect.host_str(), Some("127.0.0.1"));
        let waiting = tokio::spawn(loopback.wait_for_code(STATE.into(), Duration::from_secs(60)));

        // An idle preconnect, an oversized request and a favicon request do not end the wait.
        let _idle = TcpStream::connect((redirect.host_str().unwrap(), redirect.port().unwrap()))
            .await
            .unwrap();
        // One byte over the cap, so the listener has read all of it when it refuses (closing
        // with unread bytes would reset the connection before the answer is read).
        let frame = "GET /callback?pad= HTTP/1.1\r\n\r\n";
        let pad = "x".repeat(MAX_CALLBACK_REQUEST_BYTES + 1 - frame.len());
        let oversized = format!("GET /callback?pad={pad} HTTP/1.1\r\n\r\n");
        assert_eq!(oversized.len(), MAX_CALLBACK_REQUEST_BYTES + 1);
        assert!(send(&redirect, oversized.as_bytes())
            .await
            .starts_with("HTTP/1.1 431"));
        assert!(send(&redirect, b"GET /favicon.ico HTTP/1.1\r\n\r\n")
            .await
            .starts_with("HTTP/1.1 404"));

        let page = send(
            &redirect,
            b"GET /callback?code=c0de&state=expected-state-123 HTTP/1.1\r\n\r\n",
        )
        .await;
        assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
        assert!(page.contains("Signed in"), "{page}");
        let code = waiting.await.unwrap().unwrap();
        assert_eq!(code.expose_secret(), "c0de");
    }

    #[tokio::test]
    async fn loopback_times_out_clearly() {
        let loopback = Loopback::bind().await.unwrap();
        let error = loopback
            .wait_for_code(STATE.into(), Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotSignedIn);
        assert!(
            error.message.contains("did not finish within"),
            "{}",
            error.message
        );
    }
}
