//! The emulator on its own, over HTTP: tokens per customer, GDAP listing, Entra's rules,
//! per-tenant throttling and the refusal knob. The client's behaviour is tested in
//! `providers::lighthouse` and the crate's integration tests.

use secrecy::ExposeSecret;
use serde_json::Value;

use super::*;

async fn token_for(sandbox: &LighthouseSandbox, tenant: &str) -> reqwest::Response {
    token_with(sandbox, &sandbox.sign_in_technician(), tenant).await
}

/// Redeems a partner user's refresh token at `tenant`'s token endpoint.
async fn token_with(
    sandbox: &LighthouseSandbox,
    refresh: &secrecy::SecretString,
    tenant: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/{tenant}/oauth2/v2.0/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("refresh_token", refresh.expose_secret()),
            (
                "scope",
                "https://graph.microsoft.com/.default offline_access",
            ),
        ])
        .send()
        .await
        .unwrap()
}

async fn access_token(sandbox: &LighthouseSandbox, tenant: &str) -> String {
    let body: Value = token_for(sandbox, tenant).await.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

async fn get(sandbox: &LighthouseSandbox, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", sandbox.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// A GET with `ConsistencyLevel: eventual` (the advanced query; `$count=true` is the path's).
async fn get_eventual(sandbox: &LighthouseSandbox, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", sandbox.base_url()))
        .header("ConsistencyLevel", "eventual")
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn delete_phone(sandbox: &LighthouseSandbox, token: &str, user_id: &str) -> u16 {
    reqwest::Client::new()
        .delete(format!(
            "{}/v1.0/users/{user_id}/authentication/phoneMethods/{}",
            sandbox.base_url(),
            seed::MOBILE_PHONE_ID
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn partner_refresh_token_gives_tokens_for_active_customers_only() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let litware = sandbox.customer_by_name("Litware (expired)").unwrap();
    assert_eq!(token_for(&sandbox, &fabrikam.tenant_id).await.status(), 200);
    let refused = token_for(&sandbox, &litware.tenant_id).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn relationships_list_customers_and_roles_in_the_partner_tenant_only() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let partner = access_token(&sandbox, &sandbox.partner_tenant_id()).await;
    let path = "/v1.0/tenantRelationships/delegatedAdminRelationships";
    let body: Value = get(&sandbox, &partner, path).await.json().await.unwrap();
    let relationships = body["value"].as_array().unwrap();
    assert_eq!(relationships.len(), 5);
    assert!(relationships[0]["customer"]["tenantId"].is_string());
    assert!(relationships[0]["accessDetails"]["unifiedRoles"][0]["roleDefinitionId"].is_string());
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let customer = access_token(&sandbox, &fabrikam.tenant_id).await;
    assert_eq!(get(&sandbox, &customer, path).await.status(), 403);
}

#[tokio::test]
async fn helpdesk_only_customer_refuses_method_reads_and_deletes() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let tailspin = sandbox.customer_by_name("Tailspin Toys").unwrap();
    let token = access_token(&sandbox, &tailspin.tenant_id).await;
    assert_eq!(get(&sandbox, &token, "/v1.0/users").await.status(), 200);
    let user = &tailspin.users[1];
    let methods = format!("/v1.0/users/{}/authentication/methods", user.id);
    assert_eq!(get(&sandbox, &token, &methods).await.status(), 403);
}

#[tokio::test]
async fn authentication_administrator_cannot_delete_an_admins_methods() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let token = access_token(&sandbox, &fabrikam.tenant_id).await;
    let admin = fabrikam.users.iter().find(|u| u.privileged).unwrap();
    let url = format!(
        "{}/v1.0/users/{}/authentication/phoneMethods/{}",
        sandbox.base_url(),
        admin.id,
        seed::MOBILE_PHONE_ID
    );
    let client = reqwest::Client::new();
    let refused = client
        .delete(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let plain = fabrikam
        .users
        .iter()
        .find(|u| !u.privileged && !u.in_role_assignable_group)
        .unwrap();
    let url = url.replace(&admin.id, &plain.id);
    assert_eq!(
        client
            .delete(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    // Again: gone, so 404, and the counters tell a repeat from a deletion.
    assert_eq!(
        client
            .delete(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        sandbox.deletions_of(&fabrikam.tenant_id, &plain.id, seed::MOBILE_PHONE_ID),
        1
    );
    assert_eq!(sandbox.deletions_of_missing_methods(), 1);
}

#[tokio::test]
async fn throttles_each_tenant_on_its_own_and_refuses_after_n_deletions() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let northwind = sandbox.customer_by_name("Northwind Traders").unwrap();
    sandbox.set_tenant_throttle(&fabrikam.tenant_id, Some(Throttle::new(2, 1)));
    let fab = access_token(&sandbox, &fabrikam.tenant_id).await;
    let north = access_token(&sandbox, &northwind.tenant_id).await;
    assert_eq!(get(&sandbox, &fab, "/v1.0/users").await.status(), 200);
    assert_eq!(get(&sandbox, &fab, "/v1.0/users").await.status(), 200);
    let throttled = get(&sandbox, &fab, "/v1.0/users").await;
    assert_eq!(throttled.status(), 429);
    assert_eq!(throttled.headers()["retry-after"], "1");
    assert_eq!(get(&sandbox, &north, "/v1.0/users").await.status(), 200);

    sandbox.refuse_after_deletions(&northwind.tenant_id, 1);
    let user = &northwind.users[1];
    let url = |method: &str, collection: &str| {
        format!(
            "{}/v1.0/users/{}/authentication/{collection}/{method}",
            sandbox.base_url(),
            user.id
        )
    };
    let client = reqwest::Client::new();
    let first = client
        .delete(url(seed::MOBILE_PHONE_ID, "phoneMethods"))
        .bearer_auth(&north)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 204);
    let authenticator = &user
        .methods
        .iter()
        .find(|m| m.1 == MethodType::MicrosoftAuthenticator)
        .unwrap()
        .0;
    let second = client
        .delete(url(authenticator, "microsoftAuthenticatorMethods"))
        .bearer_auth(&north)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 403);
}

/// Graph's `GET /users` answers its default property set unless `$select` names others, keeps
/// the selection on the next page, and refuses a property the user type does not have
/// (https://learn.microsoft.com/graph/api/user-list, "Returned only on $select" in
/// https://learn.microsoft.com/graph/api/resources/user).
#[tokio::test]
async fn users_answer_the_default_set_unless_selected_and_the_next_page_keeps_the_selection() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let token = access_token(&sandbox, &fabrikam.tenant_id).await;
    let plain: Value = get(&sandbox, &token, "/v1.0/users?$top=2")
        .await
        .json()
        .await
        .unwrap();
    let first = &plain["value"][0];
    assert!(
        first["mail"].is_string() && first["jobTitle"].is_string(),
        "{first}"
    );
    assert!(
        first.get("department").is_none() && first.get("accountEnabled").is_none(),
        "only on $select: {first}"
    );
    let selected: Value = get(
        &sandbox,
        &token,
        "/v1.0/users?$top=2&$select=id,department,lastPasswordChangeDateTime",
    )
    .await
    .json()
    .await
    .unwrap();
    let first = &selected["value"][0];
    assert!(first["department"].is_string(), "{first}");
    assert!(first["lastPasswordChangeDateTime"].is_string(), "{first}");
    assert!(
        first.get("displayName").is_none(),
        "only what was selected: {first}"
    );
    let next = selected["@odata.nextLink"].as_str().unwrap();
    let path = next.strip_prefix(&sandbox.base_url()).unwrap();
    let second: Value = get(&sandbox, &token, path).await.json().await.unwrap();
    assert!(second["value"][0]["department"].is_string(), "{second}");
    let unknown = get(&sandbox, &token, "/v1.0/users?$select=id,shoeSize").await;
    assert_eq!(unknown.status(), 400);
}

/// A second partner user: the lead signs in (the trait and `sign_in_as`, any case), `/me` and
/// the partner groups are the lead's own, a rotated refresh token stays the lead's, and in
/// Northwind (whose Tier 3 group holds Privileged Authentication Administrator) the lead may
/// reset an admin's method where the technician is refused.
#[tokio::test]
async fn the_lead_signs_in_as_themselves_and_acts_with_both_groups_roles() {
    use resetdesk_model::demo::PartnerSandboxSignIn;
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let partner = sandbox.partner_tenant_id();
    assert!(sandbox.sign_in("LEAD@ContosoPartners.sandbox").is_some());
    let lead_refresh = sandbox.sign_in_as(seed::LEAD_UPN).unwrap();
    let grant: Value = token_with(&sandbox, &lead_refresh, &partner)
        .await
        .json()
        .await
        .unwrap();
    let lead_partner = grant["access_token"].as_str().unwrap().to_string();
    let me: Value = get(&sandbox, &lead_partner, "/v1.0/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["displayName"], seed::LEAD_DISPLAY_NAME, "{me}");
    assert_eq!(me["userPrincipalName"], seed::LEAD_UPN, "{me}");
    assert_eq!(me["id"], sandbox.lead_id(), "{me}");
    assert_ne!(sandbox.lead_id(), sandbox.technician_id());

    let groups_path = "/v1.0/me/transitiveMemberOf/microsoft.graph.group?$count=true";
    let groups: Value = get_eventual(&sandbox, &lead_partner, groups_path)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(groups["value"].as_array().unwrap().len(), 2, "{groups}");
    let technician_partner = access_token(&sandbox, &partner).await;
    let groups: Value = get_eventual(&sandbox, &technician_partner, groups_path)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(groups["value"].as_array().unwrap().len(), 1, "{groups}");
    assert_eq!(groups["value"][0]["displayName"], seed::HELPDESK_GROUP_NAME);
    let me: Value = get(&sandbox, &technician_partner, "/v1.0/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["userPrincipalName"], seed::TECHNICIAN_UPN, "{me}");

    // The refresh token the grant rotated to is still the lead's.
    let rotated = secrecy::SecretString::from(grant["refresh_token"].as_str().unwrap());
    let northwind = sandbox.customer_by_name("Northwind Traders").unwrap();
    let grant: Value = token_with(&sandbox, &rotated, &northwind.tenant_id)
        .await
        .json()
        .await
        .unwrap();
    let lead_north = grant["access_token"].as_str().unwrap().to_string();
    let technician_north = access_token(&sandbox, &northwind.tenant_id).await;
    let admin = northwind.users.iter().find(|u| u.privileged).unwrap();
    assert_eq!(
        delete_phone(&sandbox, &technician_north, &admin.id).await,
        403
    );
    assert_eq!(delete_phone(&sandbox, &lead_north, &admin.id).await, 204);
    assert_eq!(
        sandbox.deletions_of(&northwind.tenant_id, &admin.id, seed::MOBILE_PHONE_ID),
        1
    );
}

#[tokio::test]
async fn an_unknown_account_cannot_sign_in_and_the_demo_accounts_list_technician_then_lead() {
    use resetdesk_model::demo::PartnerSandboxSignIn;
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    assert!(sandbox.sign_in("someone@contosopartners.sandbox").is_none());
    assert!(sandbox.sign_in_as("mallory@example.com").is_none());
    assert!(sandbox.sign_in(seed::TECHNICIAN_UPN).is_some());
    let accounts = sandbox.settings().demo_accounts;
    let upns: Vec<&str> = accounts
        .iter()
        .map(|a| a.user_principal_name.as_str())
        .collect();
    assert_eq!(upns, [seed::TECHNICIAN_UPN, seed::LEAD_UPN]);
    assert_eq!(accounts[1].display_name, "Team lead (approver)");
}

/// A customer's user in a role-assignable group: the membership read needs the advanced query
/// and a user reader, filters on `isAssignableToRole`, and the member is protected like an
/// admin (an Authentication Administrator is refused, a Privileged Authentication
/// Administrator is not).
#[tokio::test]
async fn role_assignable_group_members_are_read_with_an_advanced_query_and_protected() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let token = access_token(&sandbox, &fabrikam.tenant_id).await;
    let members: Vec<&SeededUser> = fabrikam
        .users
        .iter()
        .filter(|u| u.in_role_assignable_group)
        .collect();
    assert_eq!(members.len(), 1, "Fabrikam's user number 1 only");
    let member = members[0];
    assert!(!member.privileged);
    let plain = fabrikam
        .users
        .iter()
        .find(|u| !u.privileged && !u.in_role_assignable_group)
        .unwrap();
    let path = |user: &str| {
        format!("/v1.0/users/{user}/transitiveMemberOf/microsoft.graph.group?$count=true&$filter=isAssignableToRole%20eq%20true")
    };

    // Without `ConsistencyLevel: eventual`: Graph's 400.
    let refused = get(&sandbox, &token, &path(&member.id)).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery", "{body}");

    let groups: Value = get_eventual(&sandbox, &token, &path(&member.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(groups["@odata.count"], 1, "{groups}");
    assert_eq!(groups["value"][0]["isAssignableToRole"], true, "{groups}");
    assert_eq!(
        groups["value"][0]["@odata.type"], "#microsoft.graph.group",
        "{groups}"
    );
    assert_eq!(
        groups["value"][0]["displayName"],
        seed::ROLE_ASSIGNABLE_GROUP_NAME
    );
    let none: Value = get_eventual(&sandbox, &token, &path(&plain.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["@odata.count"], 0, "{none}");
    assert_eq!(none["value"].as_array().unwrap().len(), 0, "{none}");
    // No filter: every group of the user (here the same one); another filter: Graph's 400.
    let all: Value = get_eventual(
        &sandbox,
        &token,
        &format!(
            "/v1.0/users/{}/transitiveMemberOf/microsoft.graph.group?$count=true",
            member.id
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(all["@odata.count"], 1, "{all}");
    let other_filter = get_eventual(
        &sandbox,
        &token,
        &format!(
            "/v1.0/users/{}/transitiveMemberOf/microsoft.graph.group?$count=true&$filter=displayName%20eq%20%27x%27",
            member.id
        ),
    )
    .await;
    assert_eq!(other_filter.status(), 400);
    assert_eq!(
        get_eventual(&sandbox, &token, &path("no-such-user"))
            .await
            .status(),
        404
    );

    // The technician is an Authentication Administrator in Fabrikam: refused for the member,
    // allowed for a plain user until the knob puts them in the group too.
    assert_eq!(delete_phone(&sandbox, &token, &member.id).await, 403);
    assert!(sandbox.add_to_role_assignable_group(&fabrikam.tenant_id, &plain.id));
    assert_eq!(delete_phone(&sandbox, &token, &plain.id).await, 403);
    assert!(
        sandbox
            .customer_by_name("Fabrikam")
            .unwrap()
            .users
            .iter()
            .find(|u| u.id == plain.id)
            .unwrap()
            .in_role_assignable_group
    );
    assert!(!sandbox.add_to_role_assignable_group(&fabrikam.tenant_id, "no-such-user"));

    // In Woodgrove the technician is a Privileged Authentication Administrator: allowed.
    let woodgrove = sandbox.customer_by_name("Woodgrove Bank").unwrap();
    let member = woodgrove
        .users
        .iter()
        .find(|u| u.in_role_assignable_group)
        .unwrap();
    let token = access_token(&sandbox, &woodgrove.tenant_id).await;
    assert_eq!(delete_phone(&sandbox, &token, &member.id).await, 204);
}
