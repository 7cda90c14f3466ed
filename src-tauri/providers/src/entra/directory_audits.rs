//! The tenant's directory audit log as team-wide counting reads it (issue 15):
//! `GET /auditLogs/directoryAudits` filtered by `activityDateTime ge …`
//! (<https://learn.microsoft.com/graph/api/directoryaudit-list>; `AuditLog.Read.All`, and a role
//! that may read audit logs — least privileged Reports Reader). Only the resets are kept: a
//! password set by an administrator, and security info (a sign-in method) an administrator
//! deleted or registered — activity names from "Microsoft Entra audit log categories and
//! activities" (<https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities>
//! ⚠️ not checked against the live page).
use chrono::{DateTime, Utc};
use serde::Deserialize;

use resetdesk_core::safety::team::TenantReset;

const RESET_USER_PASSWORD: &str = "Reset user password";
pub(crate) const ADMIN_DELETED_SECURITY_INFO: &str = "Admin deleted security info";
const ADMIN_REGISTERED_SECURITY_INFO: &str = "Admin registered security info";

#[derive(Deserialize)]
pub(super) struct AuditPage {
    #[serde(default)]
    pub value: Vec<DirectoryAudit>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DirectoryAudit {
    #[serde(default)]
    activity_display_name: String,
    activity_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    correlation_id: Option<String>,
    #[serde(default)]
    initiated_by: Option<InitiatedBy>,
    #[serde(default)]
    target_resources: Vec<TargetResource>,
}

#[derive(Deserialize)]
struct InitiatedBy {
    #[serde(default)]
    user: Option<AuditUser>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuditUser {
    #[serde(default)]
    user_principal_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TargetResource {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user_principal_name: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

/// The reset an event records, if it records one a user made (an app's are not an operator's).
pub(crate) fn reset_of(event: DirectoryAudit) -> Option<TenantReset> {
    // A method deleted is (part of) an MFA reset; a pass registered is a reset, not of MFA.
    let mfa = match event.activity_display_name.as_str() {
        ADMIN_DELETED_SECURITY_INFO => true,
        RESET_USER_PASSWORD | ADMIN_REGISTERED_SECURITY_INFO => false,
        _ => return None,
    };
    let initiator = event.initiated_by?.user?.user_principal_name?;
    let target = event.target_resources.into_iter().find(|t| {
        t.kind
            .as_deref()
            .is_none_or(|k| k.eq_ignore_ascii_case("user"))
    })?;
    Some(TenantReset {
        at: event.activity_date_time?,
        initiator,
        target_id: target.id?,
        target: target.user_principal_name.unwrap_or_default(),
        mfa,
        correlation_id: event.correlation_id.filter(|id| !id.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resets_are_read_from_graphs_shape_and_other_activities_are_not() {
        // The shape of the directoryAudit resource page's example, with a reset's values.
        let page: AuditPage = serde_json::from_value(serde_json::json!({
            "value": [
                {
                    "id": "Directory_1", "category": "UserManagement",
                    "correlationId": "da159bfb-54fa-4092-8a41-6dd7fa4c6fcb",
                    "result": "success", "activityDisplayName": "Reset user password",
                    "activityDateTime": "2026-12-06T10:01:02.5Z", "loggedByService": "Core Directory",
                    "initiatedBy": {"app": null, "user": {"id": "u1", "userPrincipalName": "helpdesk@contoso.com"}},
                    "targetResources": [{"id": "t1", "type": "User", "userPrincipalName": "adele@contoso.com"}]
                },
                {
                    "activityDisplayName": "Add member to group", "activityDateTime": "2026-12-06T10:02:00Z",
                    "initiatedBy": {"user": {"userPrincipalName": "helpdesk@contoso.com"}},
                    "targetResources": [{"id": "t1", "type": "User"}]
                },
                {
                    "activityDisplayName": "Admin deleted security info", "activityDateTime": "2026-12-06T10:03:00Z",
                    "initiatedBy": {"app": {"displayName": "Sync"}, "user": null},
                    "targetResources": [{"id": "t1", "type": "User"}]
                }
            ]
        }))
        .unwrap();
        let resets: Vec<TenantReset> = page.value.into_iter().filter_map(reset_of).collect();
        assert_eq!(
            resets.len(),
            1,
            "another activity, and an app's change, are not resets"
        );
        assert_eq!(resets[0].initiator, "helpdesk@contoso.com");
        assert_eq!(resets[0].target_id, "t1");
        assert!(!resets[0].mfa);
        assert_eq!(
            resets[0].correlation_id.as_deref(),
            Some("da159bfb-54fa-4092-8a41-6dd7fa4c6fcb")
        );
    }
}
