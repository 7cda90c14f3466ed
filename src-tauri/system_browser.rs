//! Opens the provider's sign-in page in the operator's default browser (RFC 8252: native apps
//! sign in through the system browser, not an embedded webview), from Rust, so the page needs
//! no opener permission.
use async_trait::async_trait;
use resetdesk_core::auth::BrowserLauncher;
use resetdesk_core::{AppError, ErrorKind};
use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use url::Url;

pub struct SystemBrowser<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> SystemBrowser<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl<R: Runtime> BrowserLauncher for SystemBrowser<R> {
    async fn open(&self, url: &Url) -> Result<(), AppError> {
        // Whoever asks, only an https page (or the sandbox's loopback one) is opened.
        resetdesk_core::auth::check_browser_url(url)?;
        self.app.opener().open_url(url.as_str(), None::<&str>).map_err(|e| {
            AppError::new(
                ErrorKind::Internal,
                "Could not open the default browser for sign-in. Set a default browser and try again.",
            )
            .with_detail(e.to_string())
        })
    }
}
