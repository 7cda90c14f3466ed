//! The built-in sandbox (cargo feature `sandbox`, on by default): the emulators of every
//! provider, started with the app on 127.0.0.1, their four demo connections, and who answers
//! their sign-in pages. This is the only module of the app that names an emulator; the core
//! sees the connections' settings and the model's demo sign-in traits, nothing more.
use std::sync::Arc;

use resetdesk_core::connection::Connection;
use resetdesk_core::console::Console;
use resetdesk_sandbox::lighthouse::{LighthouseConfig, LighthouseSandbox};
use resetdesk_sandbox::privilege_secure::PsEmulator;
use resetdesk_sandbox::zoho::ZohoSandbox;
use resetdesk_sandbox::{Sandbox, SandboxConfig};

use crate::startup::SANDBOX_CONNECTION_ID;
use resetdesk_providers::EntraConsole;
use resetdesk_providers::LighthouseConsole;
use resetdesk_providers::ZohoConsole;

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

    /// The demo of team-wide counting (issue 15): a second "desktop" — its own data directory
    /// (`second_desktop_dir`) and audit log, over the same Contoso tenant — where `operator`
    /// resets `user_id`'s password. The first desktop's cap and repeat rule count it from the
    /// tenant's audit log (for an operator who may read it: Global Administrator, in the demo).
    /// Its own rules are off: it stands for another operator's desk, not this one's checks.
    pub async fn reset_from_second_desktop(
        &self,
        second_desktop_dir: &std::path::Path,
        operator: &str,
        user_id: &str,
    ) -> Result<String, resetdesk_core::AppError> {
        use resetdesk_core::auth::SandboxBrowser;
        use resetdesk_core::console::KeychainStatus;
        use resetdesk_core::safety::SafetyPolicy;
        use resetdesk_core::secrets::MemoryStore;
        use resetdesk_providers::entra::actions::ActionKind;
        let contoso = self
            .connections()
            .into_iter()
            .find(|c| c.id == SANDBOX_CONNECTION_ID)
            .expect("the Contoso sandbox connection");
        std::fs::create_dir_all(second_desktop_dir).map_err(|e| {
            resetdesk_core::AppError::internal("Could not make the second desktop's data directory")
                .with_detail(e.to_string())
        })?;
        let rules_off = SafetyPolicy::from_settings(Some(&serde_json::json!({
            "verification": {"required": false, "methods": []},
            "approval": {"privilegedTargets": false, "repeatMfaResetHours": 0},
            "rateLimits": {"resetsPerHour": 100000}
        })))?;
        let second = resetdesk_providers::built_in_console(
            vec![contoso],
            Arc::new(MemoryStore::new()),
            KeychainStatus::Available,
            second_desktop_dir.join("audit.jsonl"),
        )?
        .with_safety_policy(rules_off);
        second
            .sign_in(SANDBOX_CONNECTION_ID, &SandboxBrowser::new(operator)?)
            .await?;
        let plan = second
            .plan_action(SANDBOX_CONNECTION_ID, user_id, ActionKind::ResetPassword)
            .await?;
        let result = second
            .execute_plan(&plan.id, "Demo: a reset from a second desktop")
            .await?;
        tracing::info!(%operator, user = %user_id, outcome = ?result.outcome, "sandbox: a reset from the second desktop (demo)");
        Ok(format!(
            "A second desktop (its own data in {}) reset {}'s password as {operator}: {:?}. The count of your resets reads it from the tenant's audit log.",
            second_desktop_dir.display(),
            plan.target.display_name,
            result.outcome
        ))
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
            Connection::built_in_sandbox(
                SANDBOX_CONNECTION_ID,
                "Sandbox — Contoso (demo)",
                self.entra.entra_settings(),
            ),
            Connection::built_in_sandbox(
                ZOHO_SANDBOX_CONNECTION_ID,
                "Sandbox — Zylker on Zoho (demo)",
                self.zoho.settings(),
            ),
            // The emulator's self-signed certificate, pinned: the sandbox starts trusted.
            Connection::built_in_sandbox(
                PS_SANDBOX_CONNECTION_ID,
                "Sandbox — Privilege Secure (demo)",
                self.privilege_secure.settings(),
            ),
            Connection::built_in_sandbox(
                LIGHTHOUSE_SANDBOX_CONNECTION_ID,
                "Sandbox — Lighthouse partner (demo)",
                self.lighthouse.settings(),
            ),
        ]
    }

    /// Who answers each demo connection's sign-in page, and the demo accounts it offers.
    pub fn wire(&self, console: Console) -> Console {
        console
            .with_outage_demo(SANDBOX_CONNECTION_ID)
            .with_second_desktop_demo(SANDBOX_CONNECTION_ID)
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

#[cfg(test)]
mod tests {
    use super::*;
    use resetdesk_core::auth::SandboxBrowser;
    use resetdesk_core::console::KeychainStatus;
    use resetdesk_core::secrets::MemoryStore;

    #[test]
    fn a_reset_from_the_second_desktop_counts_against_this_desktops_cap() {
        let demo = SandboxDemo::start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let console = demo.wire(
            resetdesk_providers::built_in_console(
                demo.connections(),
                Arc::new(MemoryStore::new()),
                KeychainStatus::Available,
                dir.path().join("audit.jsonl"),
            )
            .unwrap(),
        );
        tauri::async_runtime::block_on(async {
            let operator = "globaladmin@contoso.sandbox";
            console
                .sign_in(
                    SANDBOX_CONNECTION_ID,
                    &SandboxBrowser::new(operator).unwrap(),
                )
                .await
                .unwrap();
            let adele = demo
                .entra
                .user_id_by_upn("adele.vance@contoso.sandbox")
                .unwrap();
            let rate =
                |details: resetdesk_providers::entra::console::UserDetails| details.rate.unwrap();
            let before = rate(
                console
                    .user_details(SANDBOX_CONNECTION_ID, &adele)
                    .await
                    .unwrap(),
            );
            assert_eq!((before.used, before.note), (0, None));

            let said = demo
                .reset_from_second_desktop(&dir.path().join("second-desktop"), operator, &adele)
                .await
                .unwrap();
            assert!(said.contains("Adele Vance's password"), "{said}");
            assert!(
                dir.path()
                    .join("second-desktop")
                    .join("audit.jsonl")
                    .exists(),
                "the second desktop keeps its own audit log"
            );
            let after = rate(
                console
                    .user_details(SANDBOX_CONNECTION_ID, &adele)
                    .await
                    .unwrap(),
            );
            assert_eq!(after.used, 1, "counted from the tenant's audit log");
            assert!(
                console.list_audit(10).unwrap().is_empty(),
                "nothing was written to this desktop's log"
            );
        });
    }
}
