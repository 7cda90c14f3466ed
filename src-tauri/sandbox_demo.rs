//! The built-in sandbox (cargo feature `sandbox`, on by default): the emulators of every
//! provider, started with the app on 127.0.0.1, their four demo connections, and who answers
//! their sign-in pages. This is the only module of the app that names an emulator; the core
//! sees the connections' settings and the model's demo sign-in traits, nothing more.
use std::sync::Arc;

use resetdesk_core::connection::{Connection, ProviderSettings};
use resetdesk_core::console::Console;
use resetdesk_sandbox::lighthouse::{LighthouseConfig, LighthouseSandbox};
use resetdesk_sandbox::privilege_secure::PsEmulator;
use resetdesk_sandbox::zoho::ZohoSandbox;
use resetdesk_sandbox::{Sandbox, SandboxConfig};

use crate::startup::SANDBOX_CONNECTION_ID;

const ZOHO_SANDBOX_CONNECTION_ID: &str = "sandbox-zoho";
const PS_SANDBOX_CONNECTION_ID: &str = "sandbox-ps";
const LIGHTHOUSE_SANDBOX_CONNECTION_ID: &str = "sandbox-lighthouse";

/// The running emulators. Held for the app's lifetime: each stops serving when its last handle
/// is dropped.
pub struct SandboxDemo {
    entra: Sandbox,
    zoho: Arc<ZohoSandbox>,
    privilege_secure: PsEmulator,
    lighthouse: Arc<LighthouseSandbox>,
}

impl SandboxDemo {
    /// The demo of a network outage on one of the connections that keep an offline cache
    /// (Contoso on Entra, Zylker on Zoho): while `down`, its emulator drops every connection (as
    /// when the network goes away), so an operator can see offline mode — the cache answering,
    /// marked — and the app noticing when the network is back. `None`: that connection has no
    /// outage demo.
    pub fn set_network_down(&self, connection_id: &str, down: bool) -> Option<()> {
        tracing::info!(connection = %connection_id, down, "sandbox network outage (demo)");
        match connection_id {
            SANDBOX_CONNECTION_ID => self.entra.set_network_down(down),
            ZOHO_SANDBOX_CONNECTION_ID => self.zoho.set_network_down(down),
            _ => return None,
        }
        Some(())
    }

    /// Whether the connection's outage demo is on (the page reads it, so the switch shows the
    /// truth after the screen is left and opened again); `None`: it has none.
    pub fn network_down(&self, connection_id: &str) -> Option<bool> {
        match connection_id {
            SANDBOX_CONNECTION_ID => Some(self.entra.network_down()),
            ZOHO_SANDBOX_CONNECTION_ID => Some(self.zoho.network_down()),
            _ => None,
        }
    }

    pub fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let entra = tauri::async_runtime::block_on(Sandbox::start(SandboxConfig::default()))?;
        tracing::info!(url = %entra.base_url(), "sandbox emulator listening");
        let zoho = Arc::new(tauri::async_runtime::block_on(ZohoSandbox::start(0))?);
        let privilege_secure = tauri::async_runtime::block_on(PsEmulator::start())?;
        let lighthouse = Arc::new(tauri::async_runtime::block_on(LighthouseSandbox::start(
            LighthouseConfig::default(),
        ))?);
        Ok(Self {
            entra,
            zoho,
            privilege_secure,
            lighthouse,
        })
    }

    /// The four built-in connections, first in the Connections screen.
    pub fn connections(&self) -> Vec<Connection> {
        vec![
            Connection {
                id: SANDBOX_CONNECTION_ID.to_string(),
                display_name: "Sandbox — Contoso (demo)".to_string(),
                settings: ProviderSettings::Entra(self.entra.entra_settings()),
                sandbox: true,
            },
            Connection {
                id: ZOHO_SANDBOX_CONNECTION_ID.to_string(),
                display_name: "Sandbox — Zylker on Zoho (demo)".to_string(),
                settings: ProviderSettings::Zoho(self.zoho.settings()),
                sandbox: true,
            },
            Connection {
                id: PS_SANDBOX_CONNECTION_ID.to_string(),
                display_name: "Sandbox — Privilege Secure (demo)".to_string(),
                // The emulator's self-signed certificate, pinned: the sandbox starts trusted.
                settings: ProviderSettings::PrivilegeSecure(self.privilege_secure.settings()),
                sandbox: true,
            },
            Connection {
                id: LIGHTHOUSE_SANDBOX_CONNECTION_ID.to_string(),
                display_name: "Sandbox — Lighthouse partner (demo)".to_string(),
                settings: ProviderSettings::Lighthouse(self.lighthouse.settings()),
                sandbox: true,
            },
        ]
    }

    /// Who answers each demo connection's sign-in page, and the demo accounts it offers.
    pub fn wire(&self, console: Console) -> Console {
        console
            .with_outage_demo(SANDBOX_CONNECTION_ID)
            .with_outage_demo(ZOHO_SANDBOX_CONNECTION_ID)
            .with_zoho_sandbox_approver(ZOHO_SANDBOX_CONNECTION_ID, self.zoho.clone())
            .with_demo_accounts(ZOHO_SANDBOX_CONNECTION_ID, self.zoho.demo_accounts())
            .with_demo_accounts(
                PS_SANDBOX_CONNECTION_ID,
                self.privilege_secure.demo_accounts(),
            )
            .with_lighthouse_sandbox(LIGHTHOUSE_SANDBOX_CONNECTION_ID, self.lighthouse.clone())
    }
}
