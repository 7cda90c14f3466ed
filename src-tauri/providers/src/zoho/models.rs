//! Reading the Mail API's replies: its records are read field by field from JSON (Zoho
//! publishes samples, not schemas), into the client's types.

use serde_json::Value;

use super::policy::MailRole;
use super::{UserStatus, ZohoUser};

/// Zoho ids are 64-bit numbers, sent as numbers or strings.
pub(super) fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A Mail account record → [`ZohoUser`], with the confirmed/pending/external mapping:
/// - pending: the primary address's `isConfirmed` is false ⚠️ (`emailAddress[]` with
///   `mailId`, `isPrimary`, `isConfirmed`, as Zoho Mail account records carry it; the
///   sample on get-org-users-details is the place to confirm it live);
/// - external: the primary address is not on one of the organisation's domains (Zoho One:
///   MFA cannot be reset for "external users" nor "users with unverified domains");
/// - confirmed otherwise.
pub(super) fn user_from(item: &Value, org_domains: &[String]) -> Option<ZohoUser> {
    let zuid = id_of(&item["zuid"])?;
    let addresses = item["emailAddress"].as_array().cloned().unwrap_or_default();
    let primary_entry = addresses
        .iter()
        .find(|a| a["isPrimary"].as_bool() == Some(true))
        .or_else(|| addresses.first());
    let email = item["primaryEmailAddress"]
        .as_str()
        .or_else(|| primary_entry.and_then(|a| a["mailId"].as_str()))
        .or_else(|| item["mailboxAddress"].as_str())
        .unwrap_or_default()
        .to_string();
    if email.is_empty() {
        return None;
    }
    let display_name = item["displayName"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let first = item["firstName"].as_str().unwrap_or("");
            let last = item["lastName"].as_str().unwrap_or("");
            let full = format!("{first} {last}").trim().to_string();
            if full.is_empty() {
                email.clone()
            } else {
                full
            }
        });
    let confirmed = primary_entry
        .and_then(|a| a["isConfirmed"].as_bool())
        .unwrap_or(true);
    let domain = email.rsplit('@').next().unwrap_or("").to_ascii_lowercase();
    let on_org_domain = org_domains.is_empty() || org_domains.contains(&domain);
    let (status, not_resettable_reason) = if !confirmed {
        (
            UserStatus::Pending,
            Some(format!(
                "{email} has not confirmed their Zoho account yet (invitation pending); only \
                 confirmed users can have their password or MFA reset. Ask them to accept the \
                 invitation first."
            )),
        )
    } else if !on_org_domain {
        (
            UserStatus::External,
            Some(format!(
                "{email} is an external user (their address is not on one of the \
                 organisation's domains); Zoho does not let admins reset an external user's \
                 password or MFA."
            )),
        )
    } else {
        (UserStatus::Confirmed, None)
    };
    Some(ZohoUser {
        zuid,
        account_id: id_of(&item["accountId"]),
        email,
        display_name,
        role: MailRole::parse(item["role"].as_str().unwrap_or("member")),
        tfa_enabled: item["tfaEnabled"].as_bool(),
        status,
        not_resettable_reason,
    })
}
