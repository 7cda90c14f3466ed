//! What the shell keeps for the lifetime of the app.
use std::sync::Arc;

use resetdesk_core::console::Console;
use resetdesk_core::providers::sandbox::lighthouse::LighthouseSandbox;
use resetdesk_core::providers::sandbox::privilege_secure::PsEmulator;
use resetdesk_core::providers::sandbox::zoho::ZohoSandbox;
use resetdesk_core::providers::sandbox::Sandbox;

pub struct AppState {
    pub console: Arc<Console>,
    /// The in-app emulators behind the sandbox connections. Held, never read: each stops
    /// serving when its last handle is dropped, so they live as long as the app.
    pub _sandbox: Sandbox,
    pub _zoho_sandbox: Arc<ZohoSandbox>,
    pub _ps_sandbox: PsEmulator,
    pub _lighthouse_sandbox: Arc<LighthouseSandbox>,
}
