//! What the shell keeps for the lifetime of the app.
use std::sync::Arc;

use resetdesk_core::console::Console;

pub struct AppState {
    pub console: Arc<Console>,
    /// The in-app emulators behind the sandbox connections. Held for the app's lifetime: each
    /// stops serving when its last handle is dropped. (Read only by the sandbox's outage demo.)
    #[cfg(feature = "sandbox")]
    pub sandbox: crate::sandbox_demo::SandboxDemo,
}
