//! The Lighthouse client against the multi-tenant emulator over HTTP: customers and the
//! technician's GDAP roles, the offered-action intersection for mixed selections, per-customer
//! tokens from the partner refresh token (cached, refreshed on expiry, rotated in the store),
//! and the reset plan.

use std::sync::Arc;

use resetdesk_core::auth::REFRESH_TOKEN_SECRET;
use resetdesk_core::model::AuthMethodKind;
use resetdesk_core::secrets::{ExposeSecret, MemoryStore, SecretStore};
use resetdesk_core::ErrorKind;
use resetdesk_providers::lighthouse::{
    offered_actions, plan_reset_all_mfa, CustomerAccess, LighthouseAction, LighthouseClient,
    LighthouseEndpoints, PartnerSession,
};
use resetdesk_sandbox::lighthouse::{LighthouseConfig, LighthouseSandbox};

const CONNECTION: &str = "lighthouse-test";

async fn connect(sandbox: &LighthouseSandbox) -> (Arc<LighthouseClient>, Arc<MemoryStore>) {
    let endpoints = LighthouseEndpoints::new(
        &sandbox.base_url(),
        &sandbox.base_url(),
        &sandbox.client_id(),
        &sandbox.partner_tenant_id(),
    )
    .unwrap();
    let store = Arc::new(MemoryStore::new());
    let secrets: Arc<dyn SecretStore> = store.clone();
    let session = PartnerSession::from_sign_in(
        reqwest::Client::new(),
        endpoints,
        CONNECTION,
        secrets,
        sandbox.sign_in_technician(),
    )
    .await
    .unwrap();
    (Arc::new(LighthouseClient::new(session)), store)
}

fn by_name<'a>(customers: &'a [CustomerAccess], name: &str) -> &'a CustomerAccess {
    customers.iter().find(|c| c.display_name == name).unwrap()
}

#[tokio::test]
async fn customers_list_the_technicians_own_gdap_roles() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let (client, _) = connect(&sandbox).await;
    let customers = client.list_customers().await.unwrap();
    assert_eq!(customers.len(), 5);
    let names = |c: &CustomerAccess| -> Vec<String> {
        c.roles.iter().map(|r| r.display_name.clone()).collect()
    };
    // The Tier 3 group's Privileged Authentication Administrator is not the technician's.
    assert_eq!(
        names(by_name(&customers, "Northwind Traders")),
        ["Authentication Administrator", "Directory Readers"]
    );
    let litware = by_name(&customers, "Litware (expired)");
    assert_eq!(litware.relationship_status, "expired");
    assert!(litware.roles.is_empty());
    for customer in &customers {
        let seeded = sandbox.customer_by_name(&customer.display_name).unwrap();
        assert_eq!(customer.tenant_id, seeded.tenant_id);
    }
}

#[tokio::test]
async fn offered_actions_are_the_intersection_over_the_selected_customers() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let (client, _) = connect(&sandbox).await;
    let customers = client.list_customers().await.unwrap();
    let pick = |names: &[&str]| -> Vec<CustomerAccess> {
        names
            .iter()
            .map(|n| by_name(&customers, n).clone())
            .collect()
    };
    let reset = |selection: &[CustomerAccess]| {
        offered_actions(selection)
            .unwrap()
            .into_iter()
            .find(|o| o.action == LighthouseAction::ResetAllMfa)
            .unwrap()
    };

    let allowed = reset(&pick(&["Fabrikam", "Northwind Traders", "Woodgrove Bank"]));
    assert!(allowed.offered, "{allowed:?}");

    let mixed = reset(&pick(&["Fabrikam", "Tailspin Toys", "Woodgrove Bank"]));
    assert!(!mixed.offered);
    assert_eq!(mixed.refusals.len(), 1);
    assert_eq!(mixed.refusals[0].display_name, "Tailspin Toys");
    assert!(mixed.refusals[0]
        .reason
        .contains("resetting authentication methods"));

    let with_expired = reset(&pick(&["Fabrikam", "Litware (expired)", "Tailspin Toys"]));
    let refused: Vec<&str> = with_expired
        .refusals
        .iter()
        .map(|r| r.display_name.as_str())
        .collect();
    assert_eq!(refused, ["Litware (expired)", "Tailspin Toys"]);

    assert!(reset(&pick(&["Tailspin Toys"])).refusals.len() == 1);
}

#[tokio::test]
async fn customer_tokens_are_cached_refreshed_on_expiry_and_the_refresh_token_rotates() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let (client, store) = connect(&sandbox).await;
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let first_refresh = store
        .get(CONNECTION, REFRESH_TOKEN_SECRET)
        .unwrap()
        .unwrap();

    for _ in 0..3 {
        client
            .list_users(CONNECTION, &fabrikam.tenant_id)
            .await
            .unwrap();
    }
    assert_eq!(
        sandbox.stats(&fabrikam.tenant_id).token_grants,
        1,
        "cached in memory"
    );

    sandbox.expire_access_tokens();
    let users = client
        .list_users(CONNECTION, &fabrikam.tenant_id)
        .await
        .unwrap();
    assert_eq!(users.len(), fabrikam.users.len());
    assert_eq!(
        sandbox.stats(&fabrikam.tenant_id).token_grants,
        2,
        "refreshed once after a 401"
    );

    let rotated = store
        .get(CONNECTION, REFRESH_TOKEN_SECRET)
        .unwrap()
        .unwrap();
    assert_ne!(rotated.expose_secret(), first_refresh.expose_secret());
}

#[tokio::test]
async fn unreachable_customer_and_missing_sign_in_are_clear_errors() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let (client, store) = connect(&sandbox).await;
    let litware = sandbox.customer_by_name("Litware (expired)").unwrap();
    let error = client
        .list_users(CONNECTION, &litware.tenant_id)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert!(error.message.contains(&litware.tenant_id));
    assert!(
        !format!("{error:?}").contains("refresh_token="),
        "no secret in the error"
    );

    store.delete(CONNECTION, REFRESH_TOKEN_SECRET).unwrap();
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let error = client
        .list_users(CONNECTION, &fabrikam.tenant_id)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn);
}

/// A customer tenant id is joined to the login URL that receives the partner's refresh token:
/// only a GUID is accepted, never a path.
#[tokio::test]
async fn a_customer_tenant_id_must_be_a_guid_before_it_reaches_the_login_url() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let (client, _) = connect(&sandbox).await;
    for forged in [
        "../common",
        "%2e%2e",
        "organizations",
        "contoso.onmicrosoft.com",
    ] {
        let error = client.list_users(CONNECTION, forged).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{forged:?}: {error:?}");
        assert!(error.message.contains("GUID"), "{error:?}");
    }
}

#[tokio::test]
async fn plan_lists_per_user_the_methods_to_remove_and_refuses_forged_selections() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let (client, _) = connect(&sandbox).await;
    let customers = client.list_customers().await.unwrap();
    let fabrikam = by_name(&customers, "Fabrikam");
    let woodgrove = by_name(&customers, "Woodgrove Bank");
    let mut targets = client
        .list_users(CONNECTION, &fabrikam.tenant_id)
        .await
        .unwrap();
    targets.truncate(3);
    targets.extend(
        client
            .list_users(CONNECTION, &woodgrove.tenant_id)
            .await
            .unwrap()
            .into_iter()
            .take(2),
    );

    let plan = plan_reset_all_mfa(Arc::clone(&client), &customers, &targets)
        .await
        .unwrap();
    assert_eq!(plan.users.len(), 5);
    assert_eq!(plan.customers.len(), 2);
    // A hardware OATH token stays where the technician is an Authentication Administrator
    // (Fabrikam), with a warning; it would be deactivated first in Woodgrove Bank.
    let token_holders: Vec<String> = sandbox
        .customers()
        .iter()
        .flat_map(|c| c.users.iter())
        .filter(|u| !u.hardware_oath.is_empty())
        .map(|u| u.id.clone())
        .collect();
    let mut kept_tokens = 0;
    for user in &plan.users {
        assert!((3..=4).contains(&user.remove.len()), "{user:?}");
        if token_holders.contains(&user.user_id) && user.tenant_id == fabrikam.tenant_id {
            kept_tokens += 1;
            assert_eq!(user.keep, ["Password", "Hardware OATH token"]);
            assert!(
                plan.warnings
                    .iter()
                    .any(|w| w.contains(&user.user_principal_name)
                        && w.contains("stays active: your roles in Fabrikam")),
                "{:?}",
                plan.warnings
            );
        } else if token_holders.contains(&user.user_id) {
            assert_eq!(user.keep, ["Password"]);
            assert_eq!(user.remove[0].kind, AuthMethodKind::HardwareOath);
        } else {
            assert_eq!(user.keep, ["Password"]);
            assert!(user
                .remove
                .iter()
                .all(|m| m.kind != AuthMethodKind::HardwareOath));
        }
        // The mobile number goes last (after any alternate mobile).
        let last = user.remove.last().unwrap();
        assert_eq!(
            (last.kind, last.phone_type.as_deref()),
            (AuthMethodKind::Phone, Some("mobile"))
        );
    }
    assert_eq!(kept_tokens, 1, "Fabrikam's user 2 is among its first three");
    assert_eq!(
        plan.total_methods,
        plan.users.iter().map(|u| u.remove.len()).sum::<usize>()
    );

    // A user of a customer that does not allow the action: refused, whatever the page sent.
    let tailspin = by_name(&customers, "Tailspin Toys");
    let forged = client
        .list_users(CONNECTION, &tailspin.tenant_id)
        .await
        .unwrap();
    let error = plan_reset_all_mfa(client, &customers, &forged[..1])
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
}

/// The user's page shows what the Entra page shows: mail, job title, department and the last
/// password change are selected (Graph returns several only on `$select`).
#[tokio::test]
async fn customer_users_carry_what_the_user_page_shows() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let (client, _store) = connect(&sandbox).await;
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let users = client
        .list_users(CONNECTION, &fabrikam.tenant_id)
        .await
        .unwrap();
    assert_eq!(users.len(), fabrikam.users.len());
    for user in &users {
        assert!(user.mail.is_some(), "{user:?}");
        assert!(
            user.job_title.is_some() && user.department.is_some(),
            "{user:?}"
        );
        assert!(user.last_password_change.is_some(), "{user:?}");
        assert_eq!(user.account_enabled, Some(true), "{user:?}");
    }
}
