//! What the shell keeps for the lifetime of the app.
use std::sync::Arc;

use resetdesk_core::console::Console;
use resetdesk_core::providers::sandbox::Sandbox;

pub struct AppState {
    pub console: Arc<Console>,
    /// The in-app emulator behind the Sandbox connection. Held, never read: it stops serving
    /// when its last handle is dropped, so it lives as long as the app.
    pub _sandbox: Sandbox,
}
