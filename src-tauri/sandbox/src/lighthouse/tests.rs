//! The emulator on its own, over HTTP: tokens per customer, GDAP listing, Entra's rules,
//! per-tenant throttling and the refusal knob. The client's behaviour is tested in
//! `providers::lighthouse` and the crate's integration tests.

use secrecy::ExposeSecret;
use serde_json::Value;

use super::*;

async fn token_for(sandbox: &LighthouseSandbox, tenant: &str) -> reqwest::Response {
    let refresh = sandbox.sign_in_technician();
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
    let plain = fabrikam.users.iter().find(|u| !u.privileged).unwrap();
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
