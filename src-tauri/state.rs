//! What the shell keeps for the lifetime of the app.
use std::sync::Arc;

use resetdesk_core::console::Console;

pub struct AppState {
    pub console: Arc<Console>,
    /// The in-app emulators behind the sandbox connections. Held, never read: each stops
    /// serving when its last handle is dropped, so they live as long as the app.
    #[cfg(feature = "sandbox")]
    pub _sandbox: crate::sandbox_demo::SandboxDemo,
}
