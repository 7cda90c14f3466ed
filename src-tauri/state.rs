//! What the shell keeps for the lifetime of the app.
use std::sync::Arc;

use resetdesk_core::console::Console;
use resetdesk_core::providers::sandbox::Sandbox;

pub struct AppState {
    pub console: Arc<Console>,
    /// The in-app emulator behind the Sandbox connection; serves until the app exits.
    pub sandbox: Sandbox,
}
