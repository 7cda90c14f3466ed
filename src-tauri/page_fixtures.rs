//! The page's test fixtures, written from the sandbox: what the Console answers on the app's own
//! demo connections (wired exactly as the app wires them) — Microsoft Entra (its card, Adele's
//! row, page and reset plan for two operators, Megan's row, a reset run and its audit entry),
//! Lighthouse (its card, the partner's customers, users, offers, two users' pages, a plan and
//! its finished job) and the seam's providers, Zoho Directory and Privilege Secure — saved as
//! JSON under `ui/src/test/sandbox/`. The Vitest tests
//! read them (`ui/src/test/sandbox.ts`), so what they feed the page is what Rust sends, by
//! construction; `.ci/check-generated-types.sh` fails CI when the committed files are stale.
//!
//! What changes from run to run is replaced by stable stand-ins (`stable`): ids drawn at
//! random, times, the emulators' ports and a generated password.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use resetdesk_core::console::{Console, KeychainStatus, PasswordInput};
use resetdesk_core::safety::verification::VerificationEvidence;
use resetdesk_core::seam::{SignInOutcome, SignInRequest};
use resetdesk_core::secrets::{MemoryStore, SecretString};
use serde::Serialize;
use serde_json::{json, Value};

use crate::sandbox_demo::SandboxDemo;
use resetdesk_providers::EntraConsole;
use resetdesk_providers::LighthouseConsole;

const ENTRA: &str = "sandbox";
const LIGHTHOUSE: &str = "sandbox-lighthouse";
const ZOHO: &str = "sandbox-zoho";
const PS: &str = "sandbox-ps";
/// The demo operators the fixtures sign in as (the first of each card's list is the page's default).
const ENTRA_OPERATOR: &str = "authadmin@contoso.sandbox";
/// The Helpdesk Administrator: may reset a password, not require MFA again.
const HELPDESK_OPERATOR: &str = "helpdesk@contoso.sandbox";
const ZOHO_OPERATOR: &str = "ada.admin@zylker.sandbox";
const PS_OPERATOR: &str = "CORP\\nps.admin";
/// The stand-in of a certificate's SHA-256 fingerprint.
const FINGERPRINT: &str =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

/// Replaces what differs between runs by stand-ins that keep the shape: each distinct random id
/// by a numbered one (so a plan's id and its result's `planId` still match), every timestamp by
/// one fixed time, the emulators' ports by 1, a generated password by a fixed one.
struct Stable {
    ids: HashMap<String, String>,
    uuid: regex::Regex,
    time: regex::Regex,
    port: regex::Regex,
    fingerprint: regex::Regex,
}

impl Stable {
    fn new() -> Self {
        Self {
            ids: HashMap::new(),
            uuid: regex::Regex::new(
                r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            )
            .unwrap(),
            time: regex::Regex::new(
                r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
            )
            .unwrap(),
            port: regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap(),
            // The Privilege Secure emulator's certificate is made at each start.
            fingerprint: regex::Regex::new(r"([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}").unwrap(),
        }
    }

    fn value(&mut self, value: Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.text(&text)),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.value(v)).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(key, v)| match (key.as_str(), &v) {
                        ("generatedPassword", Value::String(_)) => {
                            (key, Value::String("Maple-Otter-Lamp-42".to_string()))
                        }
                        ("userCode", Value::String(_)) => (key, Value::String("ABCD-EFGH".into())),
                        // An audit entry's hash chain covers its random ids and times.
                        ("hash" | "prevHash", Value::String(_)) => {
                            (key, Value::String("0".repeat(64)))
                        }
                        // The Privilege Secure emulator draws its demo codes at each start.
                        ("secondFactorCode", Value::String(_)) => {
                            (key, Value::String("246810".into()))
                        }
                        _ => {
                            let v = self.value(v);
                            (key, v)
                        }
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    fn text(&mut self, text: &str) -> String {
        let mut found: Vec<String> = self
            .uuid
            .find_iter(text)
            .map(|m| m.as_str().to_string())
            .collect();
        found.dedup();
        let mut out = text.to_string();
        for id in found {
            let next = self.ids.len() + 1;
            let stand_in = self
                .ids
                .entry(id.to_lowercase())
                .or_insert_with(|| format!("00000000-0000-4000-8000-{next:012}"))
                .clone();
            out = out.replace(&id, &stand_in);
        }
        let out = self.time.replace_all(&out, "2026-11-23T09:00:00Z");
        let out = self.fingerprint.replace_all(&out, FINGERPRINT);
        self.port.replace_all(&out, "127.0.0.1:1").into_owned()
    }
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/test/sandbox")
}

struct Writer {
    stable: Stable,
    written: Vec<String>,
}

impl Writer {
    fn write(&mut self, name: &str, answer: &impl Serialize) {
        let value = self.stable.value(serde_json::to_value(answer).unwrap());
        let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
        std::fs::write(fixtures_dir().join(format!("{name}.json")), text).unwrap();
        self.written.push(name.to_string());
    }
}

/// Signs in as the page does: with the demo account's password and second-factor code.
async fn ps_sign_in(console: &Console) {
    let view = console.connections().await;
    let demo = view
        .iter()
        .find(|c| c.id == PS)
        .and_then(|c| {
            c.demo_accounts
                .iter()
                .find(|a| a.user_principal_name == PS_OPERATOR)
        })
        .cloned()
        .expect("the Privilege Secure card offers its administrator");
    let request = SignInRequest {
        account: demo.user_principal_name,
        password: demo.password.map(SecretString::from),
        code: demo.second_factor_code,
        ..Default::default()
    };
    let done = console.sign_in_with(PS, request).await.unwrap();
    assert!(matches!(done, SignInOutcome::Done { .. }), "{done:?}");
}

/// The Lighthouse card's first demo technician (the page's default).
async fn lighthouse_technician(console: &Console) -> String {
    console
        .connections()
        .await
        .into_iter()
        .find(|c| c.id == LIGHTHOUSE)
        .and_then(|c| {
            c.demo_accounts
                .first()
                .map(|a| a.user_principal_name.clone())
        })
        .expect("the Lighthouse card offers its demo technicians")
}

fn connection(views: &[resetdesk_core::console::ConnectionView], id: &str) -> Value {
    serde_json::to_value(views.iter().find(|c| c.id == id).unwrap()).unwrap()
}

#[test]
fn the_page_fixtures_are_what_rust_answers_on_the_sandbox() {
    let demo = SandboxDemo::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let console = demo.wire(
        resetdesk_providers::built_in_console(
            demo.connections(),
            Arc::new(MemoryStore::new()),
            KeychainStatus::Available,
            dir.path().join("audit.jsonl"),
        )
        .unwrap()
        .with_cache_dir(dir.path())
        .with_job_journal_dir(dir.path()),
    );
    std::fs::create_dir_all(fixtures_dir()).unwrap();
    let mut out = Writer {
        stable: Stable::new(),
        written: Vec::new(),
    };
    tauri::async_runtime::block_on(async {
        let signed_out = console.connections().await;
        out.write(
            "entra-connection-signed-out",
            &connection(&signed_out, ENTRA),
        );
        out.write(
            "lighthouse-connection-signed-out",
            &connection(&signed_out, LIGHTHOUSE),
        );
        out.write("zoho-connection-signed-out", &connection(&signed_out, ZOHO));
        out.write("ps-connection-signed-out", &connection(&signed_out, PS));

        // Zoho Directory: the list, a confirmed and a pending user, Reset password with its
        // options and a generated password, Reset MFA.
        resetdesk_testkit::zoho_sign_in(&console, ZOHO, ZOHO_OPERATOR).await;
        ps_sign_in(&console).await;
        let signed_in = console.connections().await;
        out.write("zoho-connection", &connection(&signed_in, ZOHO));
        out.write("ps-connection", &connection(&signed_in, PS));

        let annette = console.directory_search(ZOHO, "annette").await.unwrap();
        out.write("zoho-search-annette", &annette);
        out.write(
            "zoho-search-pending",
            &console.directory_search(ZOHO, "pat.pending").await.unwrap(),
        );
        let annette_id = annette.users[0].id.clone();
        out.write(
            "zoho-user-annette",
            &console.directory_user(ZOHO, &annette_id).await.unwrap(),
        );
        let options = json!({"forceChangeOnLogin": false, "clearMobileSessionsAndApiTokens": true, "emailNewPassword": true});
        let plan = console
            .plan_provider_action(ZOHO, &annette_id, "zohoResetPassword", Some(options))
            .await
            .unwrap();
        out.write("zoho-password-plan", &plan);
        let password: PasswordInput = serde_json::from_value(json!({
            "mode": "generate", "readAloud": false, "length": 20, "upper": true, "lower": true,
            "digits": true, "symbols": false
        }))
        .unwrap();
        // The organisation's default rules: the caller is verified before a reset (for Zoho,
        // by a ticket: it gives ResetDesk no phone or manager).
        let ticket = VerificationEvidence::Ticket {
            ticket: "HR-77".to_string(),
        };
        console.record_verification(&plan.id, &ticket).unwrap();
        let result = console
            .run_plan(&plan.id, "INC-77", Some(password))
            .await
            .unwrap();
        out.write("zoho-password-result", &result);
        let mfa = console
            .plan_provider_action(ZOHO, &annette_id, "zohoResetMfa", None)
            .await
            .unwrap();
        out.write("zoho-mfa-plan", &mfa);

        // Privilege Secure: the list (how each user gets access), a group member's page and the
        // three-step reset of their own token.
        let users = console.directory_search(PS, "").await.unwrap();
        out.write("ps-search", &users);
        let bob = users
            .users
            .iter()
            .find(|u| u.login.contains("bob"))
            .expect("the sandbox's group member")
            .id
            .clone();
        out.write(
            "ps-user-bob",
            &console.directory_user(PS, &bob).await.unwrap(),
        );
        out.write(
            "ps-token-plan-bob",
            &console
                .plan_provider_action(PS, &bob, "psResetToken", None)
                .await
                .unwrap(),
        );
    });
    tauri::async_runtime::block_on(async {
        // Microsoft Entra, beside the seam: the page's default demo operator, Adele's row, her
        // page (methods and the actions offered, each with Rust's reason) and a reset's plan.
        out.write(
            "entra-sign-in",
            &console
                .sign_in_with(ENTRA, resetdesk_testkit::demo_sign_in(ENTRA_OPERATOR))
                .await
                .unwrap(),
        );
        out.write(
            "entra-connection",
            &connection(&console.connections().await, ENTRA),
        );
        let adele = console.directory_search(ENTRA, "adele").await.unwrap();
        out.write("entra-search-adele", &adele);
        let adele_id = adele.users[0].id.clone();
        out.write(
            "entra-user-adele",
            &console.directory_user(ENTRA, &adele_id).await.unwrap(),
        );
        out.write(
            "entra-reset-plan-adele",
            &console
                .plan_offered(ENTRA, &adele_id, "resetPassword")
                .await
                .unwrap(),
        );

        // Microsoft 365 Lighthouse: the partner's demo technician and the customers they see.
        let technician = lighthouse_technician(&console).await;
        out.write(
            "lighthouse-sign-in",
            &console
                .sign_in_with(LIGHTHOUSE, resetdesk_testkit::demo_sign_in(&technician))
                .await
                .unwrap(),
        );
        out.write(
            "lighthouse-connection",
            &connection(&console.connections().await, LIGHTHOUSE),
        );
        let customers = console.directory_tenants(LIGHTHOUSE).await.unwrap();
        out.write("lighthouse-customers", &customers);

        // Lighthouse, further: the users of every customer reachable, the offer for a customer
        // whose GDAP roles allow the reset (Fabrikam) and with one whose do not (Tailspin Toys),
        // a plain Fabrikam user's page and a Tailspin user's, and the plan and finished job of
        // a reset of that Fabrikam user, a protected one of Fabrikam (left out, with why) and a
        // plain Northwind user.
        let tenant = |name: &str| {
            customers
                .iter()
                .find(|c| c.display_name == name)
                .unwrap_or_else(|| panic!("the partner's customer {name}"))
                .tenant_id
                .clone()
        };
        let (fabrikam, northwind, tailspin) = (
            tenant("Fabrikam"),
            tenant("Northwind Traders"),
            tenant("Tailspin Toys"),
        );
        let active: Vec<String> = customers
            .iter()
            .filter(|c| c.is_active())
            .map(|c| c.tenant_id.clone())
            .collect();
        let users = console
            .directory_tenant_users(LIGHTHOUSE, &active, "")
            .await
            .unwrap();
        out.write("lighthouse-users", &users);
        let offer = |tenants: Vec<String>| {
            let console = &console;
            async move {
                console
                    .directory_tenant_users(LIGHTHOUSE, &tenants, "")
                    .await
                    .unwrap()
                    .offers
            }
        };
        let allowed = offer(vec![fabrikam.clone()]).await;
        assert!(allowed.iter().all(|o| o.offered), "{allowed:?}");
        out.write("lighthouse-offer-fabrikam", &allowed);
        let refused = offer(vec![fabrikam.clone(), tailspin.clone()]).await;
        assert!(refused.iter().all(|o| !o.offered), "{refused:?}");
        out.write("lighthouse-offer-fabrikam-tailspin", &refused);

        // Each user's page, as the page opens it: whether the technician may reset them, and
        // their methods; with the customer it is in (the page knows it: it opened the user there).
        let mut pages: Vec<(String, Value)> = Vec::new();
        for user in &users.users {
            let tenant = &user.user.tenant_id;
            let page = console.directory_user(LIGHTHOUSE, &user.key).await.unwrap();
            pages.push((tenant.clone(), serde_json::to_value(&page).unwrap()));
        }
        let offered = |page: &Value| page["offers"][0]["allowed"] == true;
        // A plain user: offered, and no hardware token (deactivated, not removed).
        let plain = |page: &Value| {
            offered(page)
                && page["methods"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|m| m["kind"] != "hardwareOath")
        };
        let find = |tenant: &str, pick: &dyn Fn(&Value) -> bool, what: &str| {
            pages
                .iter()
                .find(|(in_tenant, page)| in_tenant == tenant && pick(page))
                .unwrap_or_else(|| panic!("{what}"))
                .clone()
        };
        let fabrikam_user = find(&fabrikam, &plain, "a plain Fabrikam user");
        out.write("lighthouse-user-fabrikam", &fabrikam_user.1);
        // That user's reset from their page: the one flow's plan, a step per method.
        let fabrikam_key = &users
            .users
            .iter()
            .find(|u| fabrikam_user.1["user"]["id"] == u.user.id.as_str())
            .expect("the Fabrikam user is listed")
            .key;
        out.write(
            "lighthouse-reset-plan-fabrikam",
            &console
                .plan_offered(LIGHTHOUSE, fabrikam_key, "resetAllMfa")
                .await
                .unwrap(),
        );
        let tailspin_user = find(&tailspin, &|_| true, "a Tailspin Toys user");
        assert!(!offered(&tailspin_user.1), "{}", tailspin_user.1);
        out.write("lighthouse-user-tailspin", &tailspin_user.1);
        let protected = find(
            &fabrikam,
            &|page| !offered(page),
            "a Fabrikam user the technician may not reset",
        );
        let northwind_user = find(&northwind, &plain, "a plain Northwind user");
        let target = |(tenant, page): &(String, Value)| {
            resetdesk_providers::lighthouse::console::TargetRef {
                tenant_id: tenant.clone(),
                user_id: page["user"]["id"].as_str().unwrap().to_string(),
            }
        };
        let plan = console
            .lighthouse_plan_reset(
                LIGHTHOUSE,
                &[
                    target(&fabrikam_user),
                    target(&protected),
                    target(&northwind_user),
                ],
            )
            .await
            .unwrap();
        out.write("lighthouse-plan", &plan);
        // A customer every selected user of which is refused (Fabrikam's protected user beside a
        // Northwind user): the plan lists Northwind alone among its customers, and the refused
        // user only among its users.
        let left_out = console
            .lighthouse_plan_reset(LIGHTHOUSE, &[target(&northwind_user), target(&protected)])
            .await
            .unwrap();
        assert!(
            left_out
                .plan
                .customers
                .iter()
                .all(|c| c.tenant_id != fabrikam),
            "{left_out:?}"
        );
        out.write("lighthouse-plan-customer-left-out", &left_out);
        // The page's one run command: a bulk plan answers the job it started.
        let started = match console.run(&plan.id, "INC-77", None).await.unwrap() {
            resetdesk_core::console::RunOutcome::Job(job) => job,
            other => panic!("a bulk plan runs as a job: {other:?}"),
        };
        // The job runs in the background: its finished view (the running one changes as it goes).
        let mut finished = None;
        for _ in 0..1500 {
            let job = console.job_status(&started.id).await.unwrap();
            if serde_json::to_value(&job).unwrap()["state"] != "running" {
                finished = Some(job);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        out.write(
            "lighthouse-job-finished",
            &finished.expect("the job finishes within 30 s"),
        );
    });
    tauri::async_runtime::block_on(async {
        // Microsoft Entra as the Helpdesk Administrator (the demo operator the page's Entra tests
        // sign in as): their card, Adele's page (Require re-register MFA refused, with Rust's
        // reason), Megan's row, a plan no safety rule applies to (Revoke sessions), then a reset
        // of Adele's password with the caller verified by ticket, its result and audit entry.
        resetdesk_testkit::sign_in(&console, HELPDESK_OPERATOR).await;
        out.write(
            "entra-connection-helpdesk",
            &connection(&console.connections().await, ENTRA),
        );
        let adele_id = console.search_users(ENTRA, "adele").await.unwrap()[0]
            .id
            .clone();
        out.write(
            "entra-user-adele-helpdesk",
            &console.directory_user(ENTRA, &adele_id).await.unwrap(),
        );
        out.write(
            "entra-search-megan",
            &console.search_users(ENTRA, "megan").await.unwrap(),
        );
        out.write(
            "entra-directory-search-megan",
            &console.directory_search(ENTRA, "megan").await.unwrap(),
        );
        out.write(
            "entra-revoke-plan-adele",
            &console
                .plan_offered(ENTRA, &adele_id, "revokeSessions")
                .await
                .unwrap(),
        );
        let plan = console
            .plan_offered(ENTRA, &adele_id, "resetPassword")
            .await
            .unwrap();
        out.write("entra-reset-plan-adele-helpdesk", &plan);
        let ticket = VerificationEvidence::Ticket {
            ticket: "HR-42".to_string(),
        };
        console.record_verification(&plan.id, &ticket).unwrap();
        out.write(
            "entra-reset-result-adele",
            &console.run_plan(&plan.id, "INC-42", None).await.unwrap(),
        );
        let entry = console
            .list_audit(100)
            .unwrap()
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .find(|e| e["planId"] == plan.id.as_str())
            .expect("the reset's audit entry");
        out.write("entra-reset-audit-adele", &entry);
    });
    // Nothing else lies in the folder: a fixture no longer written is a stale one.
    let mut present: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_string()
        })
        .collect();
    present.sort();
    out.written.sort();
    assert_eq!(
        present, out.written,
        "remove the fixtures no test writes any more"
    );
}
