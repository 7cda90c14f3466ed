//! What the shell keeps for the lifetime of the app, and the gate the commands wait at while
//! start-up builds it.
use std::sync::{Arc, OnceLock};

use resetdesk_core::console::Console;
use resetdesk_core::AppError;
use tokio::sync::watch;

pub struct AppState {
    pub console: Arc<Console>,
    /// The in-app emulators behind the sandbox connections. Held for the app's lifetime: each
    /// stops serving when its last handle is dropped. (Read only by the sandbox's outage demo.)
    #[cfg(feature = "sandbox")]
    pub sandbox: crate::sandbox_demo::SandboxDemo,
}

/// The app's state as start-up builds it beside the window rather than before it (see
/// `startup::start_beside_window`): the main thread shows the window and runs the page while
/// the keychain is probed and the Console built, and a command that arrives meanwhile waits
/// here for the result, never for a state that is not there yet.
pub struct AppStart {
    outcome: OnceLock<Result<AppState, AppError>>,
    /// Flips to `true` once `outcome` is set; waiters watch it.
    done: watch::Sender<bool>,
}

impl Default for AppStart {
    fn default() -> Self {
        Self {
            outcome: OnceLock::new(),
            done: watch::channel(false).0,
        }
    }
}

impl AppStart {
    /// The state once start-up has built it, or why it could not (the same error to every
    /// command). Waits while start-up runs.
    pub async fn ready(&self) -> Result<&AppState, AppError> {
        let mut done = self.done.subscribe();
        // `wait_for` looks at the current value first, so a start that finished before this
        // call is seen at once; it errs only if the sender is gone, which lives in `self`.
        let _ = done.wait_for(|finished| *finished).await;
        match self.outcome.get() {
            Some(outcome) => outcome.as_ref().map_err(Clone::clone),
            None => Err(AppError::internal(
                "ResetDesk's start-up ended without a result.",
            )),
        }
    }

    /// Start-up's result, given once; a second is ignored (start-up runs once).
    pub fn finish(&self, outcome: Result<AppState, AppError>) {
        if self.outcome.set(outcome).is_ok() {
            self.done.send_replace(true);
        }
    }
}
