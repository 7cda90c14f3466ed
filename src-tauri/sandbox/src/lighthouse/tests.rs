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

/// Seeded user number `n` of the customer at `index` in `default_customers` (seed 7, the
/// default config's).
fn seeded_user(customer: &SeededCustomer, index: usize, n: usize) -> SeededUser {
    let id = seed::guid(7, &format!("user/{index}/{n}"));
    customer.users.iter().find(|u| u.id == id).unwrap().clone()
}

async fn deactivate(
    sandbox: &LighthouseSandbox,
    token: &str,
    user_id: &str,
    method_id: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!(
            "{}/beta/users/{user_id}/authentication/hardwareOathMethods/{method_id}/deactivate",
            sandbox.base_url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// A user's hardware OATH tokens as beta `hardwareOathMethods` lists them; v1.0's methods list
/// has none (Graph lists them on beta only).
async fn hardware_tokens_listed(
    sandbox: &LighthouseSandbox,
    token: &str,
    user_id: &str,
) -> Vec<Value> {
    let v1: Value = get(
        sandbox,
        token,
        &format!("/v1.0/users/{user_id}/authentication/methods"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        !v1["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["@odata.type"] == "#microsoft.graph.hardwareOathAuthenticationMethod"),
        "v1.0 lists no hardware token: {v1}"
    );
    let beta: Value = get(
        sandbox,
        token,
        &format!("/beta/users/{user_id}/authentication/hardwareOathMethods"),
    )
    .await
    .json()
    .await
    .unwrap();
    beta["value"].as_array().unwrap().clone()
}

/// Fabrikam's user number 2 has one activated hardware OATH token besides their other
/// methods, listed in the shape the product's parser reads (`parse_method` →
/// `parse_hardware_oath`: the token is the `device`, with its `status`), with a stable id.
#[tokio::test]
async fn fabrikam_user_2_lists_one_activated_hardware_oath_token() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let user = seeded_user(&fabrikam, 0, 2);
    let with_tokens: Vec<&SeededUser> = fabrikam
        .users
        .iter()
        .filter(|u| !u.hardware_oath.is_empty())
        .collect();
    assert_eq!(with_tokens.len(), 1, "user number 2 only");
    let method_id = seed::guid(7, "method/0/2/hardware-oath");
    assert_eq!(
        user.hardware_oath,
        [(method_id.clone(), "activated".into())]
    );
    assert!(user
        .methods
        .contains(&(method_id.clone(), MethodType::HardwareOath)));
    assert_eq!(user.methods.len(), 5, "4 seeded methods and the token");

    let token = access_token(&sandbox, &fabrikam.tenant_id).await;
    let listed = hardware_tokens_listed(&sandbox, &token, &user.id).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let hardware = &listed[0];
    assert_eq!(hardware["id"], method_id.as_str());
    let device = &hardware["device"];
    assert_eq!(device["status"], "activated", "{hardware}");
    assert_eq!(device["serialNumber"], "20000002", "{hardware}");
    assert_eq!(device["manufacturer"], "Token2");
    assert_eq!(device["model"], "C202");
    assert!(device["displayName"].is_string(), "{hardware}");
    assert_eq!(device["assignedTo"]["id"], user.id.as_str());

    // Uniform customers (the benchmark's shape) have none.
    let uniform = seed::uniform_customers(2, 4);
    assert!(uniform.iter().all(|c| c.hardware_oath_members.is_empty()));
}

/// Only a Privileged Authentication Administrator or Global Administrator may deactivate a
/// hardware OATH token: the technician, an Authentication Administrator in Fabrikam, gets the
/// DELETE's 403 and the token stays activated.
#[tokio::test]
async fn authentication_administrator_may_not_deactivate_a_hardware_oath_token() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let user = seeded_user(&fabrikam, 0, 2);
    let method_id = &user.hardware_oath[0].0;
    let token = access_token(&sandbox, &fabrikam.tenant_id).await;
    let refused = deactivate(&sandbox, &token, &user.id, method_id).await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["error"]["code"], "Authorization_RequestDenied",
        "{body}"
    );
    let listed = hardware_tokens_listed(&sandbox, &token, &user.id).await;
    assert_eq!(listed[0]["device"]["status"], "activated");
    assert_eq!(
        sandbox.deactivations_of(&fabrikam.tenant_id, &user.id, method_id),
        0
    );
    assert_eq!(sandbox.stats(&fabrikam.tenant_id).deactivations, 0);
}

/// In Woodgrove the technician is a Privileged Authentication Administrator: the beta
/// deactivation answers 204, the token stays listed as `deactivated`, a repeat answers 204
/// again, and both are counted. Unknown users and methods are the DELETE's 404s, another kind
/// of method a 400, and the route goes through the front door (no token: 401).
#[tokio::test]
async fn privileged_authentication_administrator_deactivates_a_hardware_oath_token() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let woodgrove = sandbox.customer_by_name("Woodgrove Bank").unwrap();
    let user = seeded_user(&woodgrove, 2, 2);
    let method_id = seed::guid(7, "method/2/2/hardware-oath");
    assert_eq!(
        user.hardware_oath,
        [(method_id.clone(), "activated".into())]
    );
    let tenant = &woodgrove.tenant_id;
    let token = access_token(&sandbox, tenant).await;
    let requests_before = sandbox.stats(tenant).requests;

    assert_eq!(
        deactivate(&sandbox, &token, &user.id, &method_id)
            .await
            .status(),
        204
    );
    assert_eq!(sandbox.stats(tenant).requests, requests_before + 1);
    let listed = hardware_tokens_listed(&sandbox, &token, &user.id).await;
    assert_eq!(listed.len(), 1, "still assigned: {listed:?}");
    assert_eq!(listed[0]["device"]["status"], "deactivated");
    let seeded = seeded_user(&sandbox.customer_by_name("Woodgrove Bank").unwrap(), 2, 2);
    assert_eq!(
        seeded.hardware_oath,
        [(method_id.clone(), "deactivated".into())]
    );

    // Idempotent (our assumption): 204 again, counted again.
    assert_eq!(
        deactivate(&sandbox, &token, &user.id, &method_id)
            .await
            .status(),
        204
    );
    assert_eq!(sandbox.deactivations_of(tenant, &user.id, &method_id), 2);
    assert_eq!(sandbox.stats(tenant).deactivations, 2);
    assert_eq!(sandbox.deletions_of(tenant, &user.id, &method_id), 0);
    assert_eq!(sandbox.stats(tenant).deletes, 0);

    let missing_method = deactivate(&sandbox, &token, &user.id, "no-such-method").await;
    assert_eq!(missing_method.status(), 404);
    let body: Value = missing_method.json().await.unwrap();
    assert_eq!(body["error"]["code"], "itemNotFound", "{body}");
    let missing_user = deactivate(&sandbox, &token, "no-such-user", &method_id).await;
    assert_eq!(missing_user.status(), 404);
    let body: Value = missing_user.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound", "{body}");
    let phone = deactivate(&sandbox, &token, &user.id, seed::MOBILE_PHONE_ID).await;
    assert_eq!(phone.status(), 400);
    let body: Value = phone.json().await.unwrap();
    assert_eq!(body["error"]["code"], "badRequest", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("phoneAuthenticationMethod"),
        "{body}"
    );
    assert_eq!(sandbox.stats(tenant).deactivations, 2);

    let anonymous = reqwest::Client::new()
        .post(format!(
            "{}/beta/users/{}/authentication/hardwareOathMethods/{method_id}/deactivate",
            sandbox.base_url(),
            user.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// v1.0 has no `hardwareOathMethods`: a DELETE there is Graph's 400 for the segment (as the
/// single-tenant emulator answers), not a deletion and not a "missing method"; through
/// another collection the token is simply not found. The token stays either way.
#[tokio::test]
async fn a_v1_delete_of_a_hardware_oath_token_is_refused() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    let woodgrove = sandbox.customer_by_name("Woodgrove Bank").unwrap();
    let user = seeded_user(&woodgrove, 2, 2);
    let method_id = &user.hardware_oath[0].0;
    let tenant = &woodgrove.tenant_id;
    let token = access_token(&sandbox, tenant).await;
    let client = reqwest::Client::new();
    let url = |collection: &str| {
        format!(
            "{}/v1.0/users/{}/authentication/{collection}/{method_id}",
            sandbox.base_url(),
            user.id
        )
    };
    let refused = client
        .delete(url("hardwareOathMethods"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BadRequest", "{body}");
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'hardwareOathMethods'."
    );
    assert_eq!(sandbox.stats(tenant).deletes_of_missing, 0);
    let elsewhere = client
        .delete(url("softwareOathMethods"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 404);
    assert_eq!(sandbox.deletions_of(tenant, &user.id, method_id), 0);
    assert_eq!(sandbox.stats(tenant).deletes, 0);
    let listed = hardware_tokens_listed(&sandbox, &token, &user.id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["device"]["status"], "activated");
}

/// Users of `customer` with a mobile phone that anyone with a method manager role may delete.
fn with_a_phone(customer: &SeededCustomer) -> Vec<SeededUser> {
    customer
        .users
        .iter()
        .filter(|u| !u.privileged && !u.in_role_assignable_group)
        .filter(|u| u.methods.iter().any(|(id, _)| id == seed::MOBILE_PHONE_ID))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_customers_audit_log_lists_its_method_deletions_late_and_only_to_an_audit_reader() {
    let sandbox = LighthouseSandbox::start(LighthouseConfig::default())
        .await
        .unwrap();
    // Woodgrove: the technician holds Global Reader there, a role that may read audit logs.
    let woodgrove = sandbox.customer_by_name("Woodgrove Bank").unwrap();
    let token = access_token(&sandbox, &woodgrove.tenant_id).await;
    let users = with_a_phone(&woodgrove);
    let deleted = reqwest::Client::new()
        .delete(format!(
            "{}/v1.0/users/{}/authentication/phoneMethods/{}",
            sandbox.base_url(),
            users[0].id,
            seed::MOBILE_PHONE_ID
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let request_id = deleted.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_string();

    let audits = "/v1.0/auditLogs/directoryAudits";
    let page: Value = get(&sandbox, &token, audits).await.json().await.unwrap();
    let events = page["value"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{page}");
    assert_eq!(
        events[0]["activityDisplayName"],
        "Admin deleted security info"
    );
    assert_eq!(events[0]["correlationId"], request_id.as_str());
    assert_eq!(
        events[0]["initiatedBy"]["user"]["userPrincipalName"],
        seed::TECHNICIAN_UPN
    );
    assert_eq!(events[0]["targetResources"][0]["id"], users[0].id.as_str());
    // The filter the client sends: nothing since a time after the deletion.
    let later = (chrono::Utc::now() + chrono::Duration::minutes(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let page: Value = get(
        &sandbox,
        &token,
        &format!("{audits}?$filter=activityDateTime ge {later}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(page["value"].as_array().unwrap().len(), 0, "{page}");
    // Another activity than the one asked for is left out.
    let page: Value = get(
        &sandbox,
        &token,
        &format!("{audits}?$filter=activityDisplayName eq 'Reset user password'"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(page["value"].as_array().unwrap().len(), 0, "{page}");

    // An event arrives late: logged, not listed until its delay has passed.
    sandbox.set_audit_delay(Duration::from_secs(3600));
    assert_eq!(delete_phone(&sandbox, &token, &users[1].id).await, 204);
    assert_eq!(sandbox.audit_events_of(&woodgrove.tenant_id), 2);
    let page: Value = get(&sandbox, &token, audits).await.json().await.unwrap();
    assert_eq!(page["value"].as_array().unwrap().len(), 1, "{page}");

    // Fabrikam: Authentication and User Administrator, neither of which may read the log.
    let fabrikam = sandbox.customer_by_name("Fabrikam").unwrap();
    let token = access_token(&sandbox, &fabrikam.tenant_id).await;
    let refused = get(&sandbox, &token, audits).await;
    assert_eq!(refused.status(), 403);
    // Each customer keeps its own log.
    assert_eq!(sandbox.audit_events_of(&fabrikam.tenant_id), 0);
}
