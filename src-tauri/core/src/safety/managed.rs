//! The machine-wide **managed policy** (issue 15), the way enterprise desktop software takes
//! one (Firefox's `policies.json`, Chrome's and Edge's managed policies): a file only an
//! administrator can write — on Linux `/etc/resetdesk/policy.json`, root-owned and writable by
//! nobody else. Its `safety` rules are a floor: a per-user setting may make a rule stricter,
//! never weaker; a weaker one is ignored and said so. A policy that cannot be trusted or read
//! stops actions (not the app): falling back to the defaults could loosen a stricter policy.
//!
//! ```json
//! {"safety": {"rateLimits": {"resetsPerHour": 10}, "approval": {"repeatMfaResetHours": 72}}}
//! ```
//!
//! A field the policy leaves out is the safe default — the policy's floor too.
use std::path::Path;

use serde::Deserialize;

use super::policy::SafetyPolicy;
use super::rule_table;
use crate::audit_forward::SyslogSettings;
use crate::model::connection::{Connection, DataCentre, ProviderSettings};

/// Where Linux desktops read the managed policy.
pub const LINUX_POLICY_PATH: &str = "/etc/resetdesk/policy.json";

/// What an administrator can set (and lock) for every user of the machine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedPolicy {
    /// The floor of every safety rule.
    #[serde(default)]
    pub safety: SafetyPolicy,
    /// The collector every audit entry goes to (the settings file's `syslog` shape). The
    /// user's own `syslog` setting is then ignored: they cannot turn forwarding off, nor send
    /// the trail elsewhere.
    #[serde(default)]
    pub syslog: Option<SyslogSettings>,
    /// Forwarding must keep up for a reset to run.
    #[serde(default)]
    pub require_forwarding: Option<RequiredForwarding>,
    /// The directories operators may connect to.
    #[serde(default)]
    pub allowed_connections: AllowedConnections,
    /// Rules (by their settings key, e.g. `rateLimits.resetsPerHour`) no user setting may
    /// change at all — not even to stricter: the policy's value is the rule.
    #[serde(default)]
    pub locks: Vec<String>,
}

impl ManagedPolicy {
    /// The rules in force for a user whose own settings are `user`: each the stricter of the
    /// policy's floor and theirs ([`apply_floor`]), and each locked rule the policy's value
    /// exactly; with every user setting that was ignored.
    pub fn apply(&self, user: &SafetyPolicy) -> (SafetyPolicy, Vec<IgnoredSetting>) {
        let (mut applied, mut ignored) = apply_floor(&self.safety, user);
        let floor = &self.safety;
        for lock in &self.locks {
            let Some(rule) = rule_table::find(lock) else {
                continue; // refused when the policy was read (`checked`)
            };
            (rule.lock)(floor, &mut applied);
            ignored.retain(|i| i.rule != rule.key);
            let (theirs, kept) = ((rule.setting)(user), (rule.setting)(floor));
            if theirs != kept {
                ignored.push(IgnoredSetting {
                    rule: rule.key,
                    theirs,
                    kept,
                    locked: true,
                });
            }
        }
        (applied, ignored)
    }
}

/// The directories operators may add and sign in to. A list left out allows any of its kind;
/// a list given allows only what it names (an empty one, none). The built-in sandbox (the demo
/// organisation, on this machine only) is allowed unless `sandbox` is false.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllowedConnections {
    /// Entra tenants, by the tenant id or domain the connection names.
    pub entra_tenants: Option<Vec<String>>,
    /// Lighthouse partner tenants, by tenant id or domain.
    pub lighthouse_partner_tenants: Option<Vec<String>>,
    /// Zoho data centres (`US`, `EU`, `IN`, …, as the settings name them).
    pub zoho_data_centres: Option<Vec<DataCentre>>,
    /// Privilege Secure servers, by their https address (`https://nps.contoso.com:6500`).
    pub privilege_secure_servers: Option<Vec<String>>,
    pub sandbox: Option<bool>,
}

impl AllowedConnections {
    /// `Err` with why, when the policy does not allow `connection`.
    pub fn check(&self, connection: &Connection) -> std::result::Result<(), String> {
        if connection.sandbox {
            return match self.sandbox {
                Some(false) => Err("the built-in sandbox is turned off".to_string()),
                _ => Ok(()),
            };
        }
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        let origin = |url: &str| url.trim().trim_end_matches('/').to_ascii_lowercase();
        let (allowed, what) = match &connection.settings {
            ProviderSettings::Entra(entra) => (
                self.entra_tenants
                    .as_ref()
                    .map(|list| list.iter().any(|t| same(t, &entra.tenant))),
                format!("the Entra tenant {}", entra.tenant),
            ),
            ProviderSettings::Lighthouse(partner) => (
                self.lighthouse_partner_tenants
                    .as_ref()
                    .map(|list| list.iter().any(|t| same(t, &partner.partner_tenant_id))),
                format!(
                    "the Lighthouse partner tenant {}",
                    partner.partner_tenant_id
                ),
            ),
            ProviderSettings::Zoho(zoho) => (
                self.zoho_data_centres
                    .as_ref()
                    .map(|list| list.contains(&zoho.data_centre)),
                format!(
                    "Zoho's {} data centre",
                    format!("{:?}", zoho.data_centre).to_uppercase()
                ),
            ),
            ProviderSettings::PrivilegeSecure(server) => (
                self.privilege_secure_servers
                    .as_ref()
                    .map(|list| list.iter().any(|u| origin(u) == origin(&server.base_url))),
                format!("the Privilege Secure server {}", server.base_url),
            ),
            // A provider registered through the seam names its own settings: no list here.
            ProviderSettings::Custom(_) => (None, String::new()),
        };
        match allowed {
            Some(false) => Err(format!("it is not among the allowed connections ({what})")),
            _ => Ok(()),
        }
    }
}

/// The policy requires audit forwarding: with none running, resets are refused; while more
/// than `max_queued` entries wait for the collector, a reset waits (is refused with the count,
/// to try again), so that no more than that many changes are known to this desktop only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequiredForwarding {
    pub max_queued: usize,
}

/// What the machine's policy file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagedState {
    /// No policy: the user's settings apply as they are.
    Absent,
    Valid(Box<ManagedPolicy>),
    /// A policy that cannot be trusted or read: actions stop, with this message.
    Refused(String),
}

/// Reads the policy at `path`: absent, valid, or refused with what an administrator must fix.
pub fn read_managed_policy(path: &Path) -> ManagedState {
    read_policy_file(path, |text| {
        serde_json::from_str::<ManagedPolicy>(text).map_err(|e| e.to_string())
    })
}

/// Where macOS keeps ResetDesk's managed preferences (an MDM profile writes them).
pub const MACOS_POLICY_PATH: &str = "/Library/Managed Preferences/app.resetdesk.desktop.plist";

/// Reads macOS managed preferences at `path`: a property list with the keys of `policy.json`
/// (`safety`, `syslog`, `requireForwarding`, `allowedConnections`), checked and applied alike.
pub fn read_managed_plist(path: &Path) -> ManagedState {
    read_policy_file(path, |text| {
        plist::from_bytes::<ManagedPolicy>(text.as_bytes()).map_err(|e| e.to_string())
    })
}

/// The checks every policy file passes, whatever its format: only an administrator can have
/// written it, it parses (`parse`), and its rules are valid.
fn read_policy_file(
    path: &Path,
    parse: impl Fn(&str) -> std::result::Result<ManagedPolicy, String>,
) -> ManagedState {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ManagedState::Absent,
        Err(e) => return refused(path, &format!("it cannot be read ({e})")),
    };
    if let Some(why) = writable_by_others(&metadata) {
        return refused(path, why);
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return refused(path, &format!("it cannot be read ({e})")),
    };
    match parse(&text) {
        Ok(policy) => checked(policy).unwrap_or_else(|why| refused(path, &why)),
        Err(e) => refused(path, &format!("it is not valid ({e})")),
    }
}

/// A parsed policy, if its rules hold together.
fn checked(policy: ManagedPolicy) -> std::result::Result<ManagedState, String> {
    policy.safety.validate().map_err(|e| e.message)?;
    if let Some(unknown) = policy
        .locks
        .iter()
        .find(|lock| rule_table::find(lock).is_none())
    {
        return Err(format!(
            "it locks \"{unknown}\", which is no rule (lockable: {})",
            rule_table::keys().collect::<Vec<_>>().join(", ")
        ));
    }
    if policy.require_forwarding.is_some() && policy.syslog.is_none() {
        return Err(
            "it requires forwarding (\"requireForwarding\") but names no collector (\"syslog\")"
                .to_string(),
        );
    }
    Ok(ManagedState::Valid(Box::new(policy)))
}

/// Where Windows keeps the policy: `HKLM\SOFTWARE\Policies\ResetDesk`, value `Policy` (a
/// string holding the text of `policy.json`), which only administrators (and Group Policy)
/// can write.
pub const WINDOWS_POLICY_KEY: &str = r"HKLM\SOFTWARE\Policies\ResetDesk";

/// Reads the policy from the registry (compiled on Windows only; this Linux CI neither builds
/// nor runs it).
#[cfg(windows)]
pub fn read_windows_policy() -> ManagedState {
    use winreg::enums::HKEY_LOCAL_MACHINE;
    use winreg::RegKey;
    let place = Path::new(WINDOWS_POLICY_KEY);
    let key = match RegKey::predef(HKEY_LOCAL_MACHINE).open_subkey(r"SOFTWARE\Policies\ResetDesk") {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ManagedState::Absent,
        Err(e) => return refused(place, &format!("it cannot be read ({e})")),
    };
    let text: String = match key.get_value("Policy") {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ManagedState::Absent,
        Err(e) => return refused(place, &format!("its Policy value cannot be read ({e})")),
    };
    match serde_json::from_str::<ManagedPolicy>(&text) {
        Ok(policy) => checked(policy).unwrap_or_else(|why| refused(place, &why)),
        Err(e) => refused(place, &format!("it is not valid ({e})")),
    }
}

fn refused(path: &Path, why: &str) -> ManagedState {
    ManagedState::Refused(format!(
        "The managed policy {} cannot be applied: {why}. Actions are stopped until an administrator \
         fixes it; finding and reading users still work.",
        path.display()
    ))
}

/// Why the file could be changed by someone other than an administrator, if it could.
#[cfg(unix)]
fn writable_by_others(metadata: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::MetadataExt;
    if metadata.uid() != 0 {
        return Some("it is not owned by root, so its owner could loosen it");
    }
    if metadata.mode() & 0o022 != 0 {
        return Some("group or other users can write it");
    }
    None
}

#[cfg(not(unix))]
fn writable_by_others(_metadata: &std::fs::Metadata) -> Option<&'static str> {
    None
}

/// A user setting ignored because it was weaker than the managed policy's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredSetting {
    /// The rule's key in the settings, e.g. `rateLimits.resetsPerHour`.
    pub rule: &'static str,
    /// The user's value, as they set it.
    pub theirs: String,
    /// The managed policy's, which applies instead.
    pub kept: String,
    /// The policy locks the rule: the user's setting is ignored even when stricter.
    pub locked: bool,
}

impl std::fmt::Display for IgnoredSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.locked {
            write!(
                f,
                "{}: {} is ignored: the managed policy locks it at {}",
                self.rule, self.theirs, self.kept
            )
        } else {
            write!(
                f,
                "{}: {} is weaker than the managed policy's {}",
                self.rule, self.theirs, self.kept
            )
        }
    }
}

/// The rules in force: each the stricter of the managed floor and the user's setting, and
/// each user setting ignored because it was weaker.
pub fn apply_floor(
    floor: &SafetyPolicy,
    user: &SafetyPolicy,
) -> (SafetyPolicy, Vec<IgnoredSetting>) {
    let mut applied = user.clone();
    let mut ignored = Vec::new();
    for rule in &rule_table::RULES {
        if let Some((theirs, kept)) = (rule.floor)(floor, user, &mut applied) {
            ignored.push(IgnoredSetting {
                rule: rule.key,
                theirs,
                kept,
                locked: false,
            });
        }
    }
    (applied, ignored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safety::VerificationMethod;
    use serde_json::json;

    fn policy(value: serde_json::Value) -> SafetyPolicy {
        SafetyPolicy::from_settings(Some(&value)).unwrap()
    }

    fn policy_of(value: serde_json::Value) -> SafetyPolicy {
        policy(value)
    }

    #[test]
    fn the_example_the_packages_ship_is_a_valid_policy_of_the_defaults() {
        let example: ManagedPolicy = serde_json::from_str(include_str!(
            "../../../../packaging/linux/policy.example.json"
        ))
        .unwrap();
        example.safety.validate().unwrap();
        assert_eq!(example.safety, SafetyPolicy::default());
    }

    #[test]
    fn a_policy_names_the_collector_and_may_require_forwarding() {
        let policy: ManagedPolicy = serde_json::from_value(json!({
            "syslog": {"host": "siem.contoso.com", "port": 6514},
            "requireForwarding": {"maxQueued": 50}
        }))
        .unwrap();
        let syslog = policy.syslog.unwrap();
        assert_eq!(
            (syslog.host.as_str(), syslog.port, syslog.tls),
            ("siem.contoso.com", 6514, true)
        );
        assert_eq!(policy.require_forwarding.unwrap().max_queued, 50);
        let typo =
            serde_json::from_value::<ManagedPolicy>(json!({"requireForwarding": {"maxQueue": 5}}));
        assert!(typo.is_err(), "an unknown key is refused, not ignored");
    }

    #[test]
    fn only_the_allowed_connections_pass_and_the_sandbox_unless_turned_off() {
        let policy: ManagedPolicy = serde_json::from_value(json!({"allowedConnections": {
            "entraTenants": ["contoso.onmicrosoft.com"],
            "zohoDataCentres": ["EU"],
            "privilegeSecureServers": ["https://nps.contoso.com:6500/"]
        }}))
        .unwrap();
        let allowed = &policy.allowed_connections;
        let connection = |settings: serde_json::Value, sandbox: bool| -> Connection {
            let mut value = json!({"id": "c", "displayName": "C", "sandbox": sandbox});
            value
                .as_object_mut()
                .unwrap()
                .extend(settings.as_object().unwrap().clone());
            serde_json::from_value(value).unwrap()
        };
        let entra = |tenant: &str| json!({"entra": {"tenant": tenant, "clientId": "app", "loginBaseUrl": "https://login.microsoftonline.com", "graphBaseUrl": "https://graph.microsoft.com"}});
        assert_eq!(
            allowed.check(&connection(entra("CONTOSO.onmicrosoft.com"), false)),
            Ok(())
        );
        let refused = allowed.check(&connection(entra("fabrikam.onmicrosoft.com"), false));
        assert_eq!(
            refused,
            Err("it is not among the allowed connections (the Entra tenant fabrikam.onmicrosoft.com)".to_string())
        );
        let nps = |url: &str| json!({"privilegeSecure": {"baseUrl": url}});
        assert_eq!(
            allowed.check(&connection(nps("https://NPS.contoso.com:6500"), false)),
            Ok(())
        );
        assert!(
            allowed
                .check(&connection(nps("https://nps.contoso.com"), false))
                .is_err(),
            "another port"
        );
        let zoho = |dc: &str| json!({"zoho": {"data_centre": dc, "client_id": "1000.X", "organization_id": "1"}});
        assert_eq!(allowed.check(&connection(zoho("EU"), false)), Ok(()));
        let us = allowed.check(&connection(zoho("US"), false)).unwrap_err();
        assert!(us.contains("Zoho's US data centre"), "{us}");
        // A kind without a list is open; the sandbox is, unless turned off.
        let lighthouse = json!({"lighthouse": {"partnerTenantId": "p", "clientId": "a", "loginBaseUrl": "https://l", "graphBaseUrl": "https://g"}});
        assert_eq!(allowed.check(&connection(lighthouse, false)), Ok(()));
        assert_eq!(
            allowed.check(&connection(entra("sandbox.example"), true)),
            Ok(())
        );
        let no_sandbox = AllowedConnections {
            sandbox: Some(false),
            ..Default::default()
        };
        assert!(no_sandbox
            .check(&connection(entra("sandbox.example"), true))
            .is_err());
    }

    #[test]
    fn a_locked_rule_is_the_policys_value_even_against_a_stricter_user_setting() {
        let policy: ManagedPolicy = serde_json::from_value(json!({
            "safety": {"rateLimits": {"resetsPerHour": 10}},
            "locks": ["rateLimits.resetsPerHour", "approval.bulkUsersAbove"]
        }))
        .unwrap();
        let user = policy_of(
            json!({"rateLimits": {"resetsPerHour": 3}, "approval": {"repeatMfaResetHours": 48}}),
        );
        let (applied, ignored) = policy.apply(&user);
        assert_eq!(
            applied.rate_limits.resets_per_hour, 10,
            "locked: not the stricter 3"
        );
        assert_eq!(
            applied.approval.repeat_mfa_reset_hours, 48,
            "not locked: the stricter kept"
        );
        assert_eq!(
            applied.approval.bulk_users_above, 25,
            "locked at the policy's (default) value"
        );
        assert_eq!(ignored.len(), 1, "{ignored:?}");
        assert!(ignored[0].locked);
        assert_eq!(
            ignored[0].to_string(),
            "rateLimits.resetsPerHour: 3 is ignored: the managed policy locks it at 10"
        );
        let unknown: ManagedPolicy =
            serde_json::from_value(json!({"locks": ["rateLimits.perHour"]})).unwrap();
        assert!(matches!(checked(unknown), Err(why) if why.contains("which is no rule")));
    }

    #[test]
    fn a_weaker_user_setting_is_ignored_and_said_so_a_stricter_one_kept() {
        let floor = policy(json!({
            "rateLimits": {"resetsPerHour": 10},
            "approval": {"vipUsers": ["ceo@contoso.com"], "repeatMfaResetHours": 48},
            "verification": {"methods": ["callBack", "ticket"]}
        }));
        // The operator's own settings.json tries to loosen every rule.
        let user = policy(json!({
            "verification": {"required": false, "methods": ["ticket", "oneTimeCode"]},
            "approval": {"privilegedTargets": false, "repeatMfaResetHours": 0, "bulkUsersAbove": 500},
            "rateLimits": {"resetsPerHour": 4294967295u32}
        }));
        let (applied, ignored) = apply_floor(&floor, &user);
        assert!(applied.verification.required);
        assert_eq!(
            applied.verification.methods,
            vec![VerificationMethod::Ticket]
        );
        assert!(applied.approval.privileged_targets);
        assert!(applied.is_vip("x", "CEO@contoso.com"));
        assert_eq!(applied.approval.repeat_mfa_reset_hours, 48);
        assert_eq!(applied.approval.bulk_users_above, 25);
        assert_eq!(applied.rate_limits.resets_per_hour, 10);
        assert_eq!(ignored.len(), 6, "{ignored:#?}");
        assert!(ignored.iter().any(|i| i
            .to_string()
            .starts_with("rateLimits.resetsPerHour: 4294967295")));

        // Stricter is kept as the user set it.
        let strict =
            policy(json!({"rateLimits": {"resetsPerHour": 3}, "approval": {"bulkUsersAbove": 5}}));
        let (applied, ignored) = apply_floor(&floor, &strict);
        assert_eq!(applied.rate_limits.resets_per_hour, 3);
        assert_eq!(applied.approval.bulk_users_above, 5);
        assert_eq!(
            applied.approval.repeat_mfa_reset_hours, 48,
            "24 is weaker than 48"
        );
        assert_eq!(ignored.len(), 2, "{ignored:#?}");
    }

    /// Whether files this test creates are root's (the test runs as root, as in CI).
    #[cfg(unix)]
    fn owned_by_root(path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().uid() == 0
    }

    #[cfg(unix)]
    #[test]
    fn only_a_policy_no_user_can_write_is_applied() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            read_managed_policy(&dir.path().join("none.json")),
            ManagedState::Absent
        );
        let path = dir.path().join("policy.json");
        std::fs::write(&path, r#"{"safety": {"rateLimits": {"resetsPerHour": 5}}}"#).unwrap();
        let is_root = owned_by_root(&path);
        if is_root {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let ManagedState::Valid(valid) = read_managed_policy(&path) else {
                panic!("a root-owned 0644 policy applies")
            };
            assert_eq!(valid.safety.rate_limits.resets_per_hour, 5);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
            assert!(
                matches!(read_managed_policy(&path), ManagedState::Refused(why) if why.contains("can write it"))
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
        }
        // Owned by an ordinary user (the test's own, or nobody's): its owner could loosen it.
        assert!(
            matches!(read_managed_policy(&path), ManagedState::Refused(why) if why.contains("not owned by root"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn macos_managed_preferences_are_the_same_policy_as_a_property_list() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.resetdesk.desktop.plist");
        assert_eq!(read_managed_plist(&path), ManagedState::Absent);
        std::fs::write(
            &path,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>safety</key>
  <dict>
    <key>rateLimits</key>
    <dict><key>resetsPerHour</key><integer>5</integer></dict>
  </dict>
  <key>allowedConnections</key>
  <dict>
    <key>zohoDataCentres</key>
    <array><string>EU</string></array>
  </dict>
</dict>
</plist>"#,
        )
        .unwrap();
        if !owned_by_root(&path) {
            return; // only root can make the root-owned file a managed preference is
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let ManagedState::Valid(policy) = read_managed_plist(&path) else {
            panic!(
                "a root-owned property list applies: {:?}",
                read_managed_plist(&path)
            )
        };
        assert_eq!(policy.safety.rate_limits.resets_per_hour, 5);
        assert_eq!(
            policy.allowed_connections.zoho_data_centres,
            Some(vec![DataCentre::Eu])
        );
        // The same checks as policy.json: writable by others, or a typo, refuses it.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(matches!(
            read_managed_plist(&path),
            ManagedState::Refused(_)
        ));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let typo = std::fs::read_to_string(&path)
            .unwrap()
            .replace("resetsPerHour", "resetsPerHours");
        std::fs::write(&path, typo).unwrap();
        assert!(
            matches!(read_managed_plist(&path), ManagedState::Refused(why) if why.contains("not valid"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_policy_that_does_not_parse_or_loosens_a_rule_beyond_validity_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        if !owned_by_root(dir.path()) {
            return; // only root can make the root-owned files this needs
        }
        for (text, expected) in [
            (r#"{"safty": {}}"#, "not valid"),
            (
                r#"{"safety": {"rateLimits": {"resetsPerHour": 0}}}"#,
                "at least 1",
            ),
            ("not json", "not valid"),
            (
                r#"{"requireForwarding": {"maxQueued": 10}}"#,
                "names no collector",
            ),
        ] {
            let path = dir.path().join("policy.json");
            std::fs::write(&path, text).unwrap();
            let state = read_managed_policy(&path);
            assert!(
                matches!(&state, ManagedState::Refused(why) if why.contains(expected) && why.contains("Actions are stopped")),
                "{text}: {state:?}"
            );
        }
    }
}
