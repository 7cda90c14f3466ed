//! End-to-end tests of the emulator over real HTTP (reqwest against a started sandbox).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::*;

const ADELE: &str = "adele.vance@contoso.sandbox";
const MEGAN: &str = "megan.bowen@contoso.sandbox";
const DIEGO: &str = "diego.siciliani@contoso.sandbox";
const MOBILE: &str = "3179e48a-750b-4051-897c-87b9720928f7";
const ALTERNATE_MOBILE: &str = "b6332ec1-7057-4abe-9331-3d72feddfe41";

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        seed: 7,
        users: 250,
    })
    .await
    .expect("sandbox starts")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn operator_token(sandbox: &Sandbox, local: &str) -> String {
    sandbox
        .issue_access_token(&format!("{local}@contoso.sandbox"))
        .expect("operator exists")
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn call(
    sandbox: &Sandbox,
    token: &str,
    method: Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let url = if path_and_query.starts_with("http") {
        path_and_query.to_string()
    } else {
        format!("{}{path_and_query}", sandbox.base_url())
    };
    let mut request = http().request(method, url).bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(sandbox: &Sandbox, token: &str, path: &str) -> Reply {
    call(sandbox, token, Method::GET, path, &[], None).await
}

async fn delete(sandbox: &Sandbox, token: &str, path: &str) -> Reply {
    call(sandbox, token, Method::DELETE, path, &[], None).await
}

fn error_code(reply: &Reply) -> &str {
    reply.body["error"]["code"].as_str().unwrap_or_default()
}

fn password_patch() -> Value {
    json!({"passwordProfile": {"password": "Temp-Pass-2026!", "forceChangePasswordNextSignIn": true}})
}

#[tokio::test]
async fn search_without_consistency_level_is_refused() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    let path = "/v1.0/users?$search=%22displayName:adele%22";
    let refused = get(&sandbox, &token, path).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&refused), "Request_UnsupportedQuery");
    assert!(refused.body["error"]["innerError"]["request-id"].is_string());

    let found = call(
        &sandbox,
        &token,
        Method::GET,
        path,
        &[("ConsistencyLevel", "eventual")],
        None,
    )
    .await;
    assert_eq!(found.status, StatusCode::OK);
    let names: Vec<&str> = found.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&ADELE), "{names:?}");
    assert!(
        names.iter().all(|upn| upn.starts_with("adele")),
        "{names:?}"
    );
}

#[tokio::test]
async fn search_is_word_prefix_on_display_name_and_startswith_elsewhere() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    let eventual = [("ConsistencyLevel", "eventual")];
    let path = "/v1.0/users?$search=%22displayName:vanc%22%20OR%20%22mail:megan.b%22&$count=true";
    let reply = call(&sandbox, &token, Method::GET, path, &eventual, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let upns: Vec<&str> = reply.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert!(upns.contains(&ADELE) && upns.contains(&MEGAN), "{upns:?}");
    assert_eq!(reply.body["@odata.count"], json!(upns.len()));
    // "contains" is not how Graph searches: a middle-of-word fragment finds nobody.
    let path = "/v1.0/users?$search=%22displayName:dele%22";
    let reply = call(&sandbox, &token, Method::GET, path, &eventual, None).await;
    assert_eq!(reply.body["value"], json!([]));
}

#[tokio::test]
async fn paging_follows_next_link_until_done_and_counts_all_users() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "nobody");
    let mut next = Some("/v1.0/users?$top=40&$select=id,displayName".to_string());
    let mut ids = std::collections::HashSet::new();
    let mut pages = 0;
    while let Some(url) = next {
        let reply = get(&sandbox, &token, &url).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        for user in reply.body["value"].as_array().unwrap() {
            assert!(user.get("mail").is_none(), "only the selected properties");
            ids.insert(user["id"].as_str().unwrap().to_string());
        }
        next = reply.body["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(link) = &next {
            assert!(
                link.starts_with(&sandbox.base_url()) && link.contains("$skiptoken="),
                "{link}"
            );
        }
        pages += 1;
    }
    assert_eq!(ids.len(), 250);
    assert_eq!(pages, 7);
}

/// Every id `/users` lists, following its pages.
async fn all_listed_ids(sandbox: &Sandbox, token: &str) -> Vec<String> {
    let mut next = Some("/v1.0/users?$top=999&$select=id".to_string());
    let mut ids = Vec::new();
    while let Some(url) = next {
        let reply = get(sandbox, token, &url).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        for user in reply.body["value"].as_array().unwrap() {
            ids.push(user["id"].as_str().unwrap().to_string());
        }
        next = reply.body["@odata.nextLink"].as_str().map(str::to_string);
    }
    ids
}

#[tokio::test]
async fn the_id_order_kept_between_pages_follows_users_added_and_deleted() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "nobody");
    let before = all_listed_ids(&sandbox, &token).await;
    assert!(before.windows(2).all(|w| w[0] < w[1]), "in id order");
    let added = sandbox
        .add_user("New Starter", "new.starter@contoso.sandbox")
        .unwrap();
    assert!(sandbox.delete_user(&before[3]));
    let after = all_listed_ids(&sandbox, &token).await;
    assert!(after.windows(2).all(|w| w[0] < w[1]), "still in id order");
    assert_eq!(after.len(), before.len());
    assert!(after.contains(&added) && !after.contains(&before[3]));
}

#[tokio::test]
async fn a_forged_skiptoken_past_the_end_is_an_empty_last_page() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "nobody");
    let skiptoken = format!(
        "RFNwdAIA{}",
        URL_SAFE_NO_PAD.encode(format!("users-page:{}", usize::MAX))
    );
    let reply = get(
        &sandbox,
        &token,
        &format!("/v1.0/users?$top=40&$skiptoken={skiptoken}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["value"], json!([]));
    assert!(reply.body.get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn top_out_of_range_is_refused() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "nobody");
    assert_eq!(
        get(&sandbox, &token, "/v1.0/users?$top=1000").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&sandbox, &token, "/v1.0/users?$top=0").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn filter_startswith_and_eq() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    let reply = get(&sandbox, &token, "/v1.0/users?$filter=startswith(displayName,'Adele%20V')%20or%20userPrincipalName%20eq%20'MEGAN.BOWEN@contoso.sandbox'").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut upns: Vec<&str> = reply.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    upns.sort();
    assert_eq!(upns, vec![ADELE, MEGAN]);

    let unsupported = get(
        &sandbox,
        &token,
        "/v1.0/users?$filter=endswith(mail,'sandbox')",
    )
    .await;
    assert_eq!(unsupported.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&unsupported), "Request_UnsupportedQuery");
}

#[tokio::test]
async fn get_user_by_upn_and_select_and_me() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "authadmin");
    let reply = get(
        &sandbox,
        &token,
        "/v1.0/users/adele.vance%40contoso.sandbox",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["displayName"], "Adele Vance");
    assert!(
        reply.body.get("accountEnabled").is_none(),
        "only on $select"
    );
    let reply = get(
        &sandbox,
        &token,
        &format!("/v1.0/users/{ADELE}?$select=accountEnabled,lastPasswordChangeDateTime"),
    )
    .await;
    assert_eq!(reply.body["accountEnabled"], true);
    assert!(reply.body["lastPasswordChangeDateTime"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    let me = get(&sandbox, &token, "/v1.0/me").await;
    assert_eq!(me.body["userPrincipalName"], "authadmin@contoso.sandbox");
    // An OData cast is an advanced query (the transitiveMemberOf page).
    let roles = call(
        &sandbox,
        &token,
        Method::GET,
        "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true",
        &[("ConsistencyLevel", "eventual")],
        None,
    )
    .await;
    assert_eq!(
        roles.body["value"][0]["roleTemplateId"],
        "c4e39bd9-1100-46d3-8c65-fb160da0071f"
    );
    let plain = get(
        &sandbox,
        &token,
        "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole",
    )
    .await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&plain), "Request_UnsupportedQuery");
    let missing = get(&sandbox, &token, "/v1.0/users/nobody-here@contoso.sandbox").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&missing), "Request_ResourceNotFound");
}

#[tokio::test]
async fn role_assignable_groups_need_an_advanced_query() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    let path = format!("/v1.0/users/{DIEGO}/transitiveMemberOf/microsoft.graph.group?$filter=isAssignableToRole%20eq%20true");
    let refused = get(&sandbox, &token, &path).await;
    assert_eq!(error_code(&refused), "Request_UnsupportedQuery");
    let reply = call(
        &sandbox,
        &token,
        Method::GET,
        &format!("{path}&$count=true"),
        &[("ConsistencyLevel", "eventual")],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["value"].as_array().unwrap().len(), 1);
    assert_eq!(reply.body["value"][0]["isAssignableToRole"], true);
}

#[tokio::test]
async fn auth_admin_cannot_reset_a_global_admin_but_privileged_auth_admin_can() {
    let sandbox = sandbox().await;
    let megan = sandbox.user_id_by_upn(MEGAN).unwrap();
    let path = format!("/v1.0/users/{megan}");
    let auth_admin = operator_token(&sandbox, "authadmin");
    let refused = call(
        &sandbox,
        &auth_admin,
        Method::PATCH,
        &path,
        &[],
        Some(password_patch()),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&refused), "Authorization_RequestDenied");
    assert_eq!(
        refused.body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
    assert_eq!(sandbox.password_reset_count(&megan), 0);

    let privileged = operator_token(&sandbox, "privauthadmin");
    let done = call(
        &sandbox,
        &privileged,
        Method::PATCH,
        &path,
        &[],
        Some(password_patch()),
    )
    .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    assert_eq!(sandbox.password_reset_count(&megan), 1);
}

#[tokio::test]
async fn password_rules_unknown_properties_and_self_reset() {
    let sandbox = sandbox().await;
    let helpdesk = operator_token(&sandbox, "helpdesk");
    let adele = format!("/v1.0/users/{ADELE}");
    let weak =
        json!({"passwordProfile": {"password": "password", "forceChangePasswordNextSignIn": true}});
    let reply = call(&sandbox, &helpdesk, Method::PATCH, &adele, &[], Some(weak)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("complexity"));
    let unknown = json!({"jobTitle": "CEO"});
    assert_eq!(
        call(
            &sandbox,
            &helpdesk,
            Method::PATCH,
            &adele,
            &[],
            Some(unknown)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    let own = "/v1.0/users/helpdesk@contoso.sandbox";
    assert_eq!(
        call(
            &sandbox,
            &helpdesk,
            Method::PATCH,
            own,
            &[],
            Some(password_patch())
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Diego is in a role-assignable group: only privileged roles may reset him.
    let diego = format!("/v1.0/users/{DIEGO}");
    assert_eq!(
        call(
            &sandbox,
            &helpdesk,
            Method::PATCH,
            &diego,
            &[],
            Some(password_patch())
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let password_admin = operator_token(&sandbox, "pwdadmin");
    assert_eq!(
        call(
            &sandbox,
            &password_admin,
            Method::PATCH,
            &adele,
            &[],
            Some(password_patch())
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn revoke_sessions_answers_like_graph_and_password_admin_cannot() {
    let sandbox = sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let path = format!("/v1.0/users/{adele}/revokeSignInSessions");
    let password_admin = operator_token(&sandbox, "pwdadmin");
    let refused = call(&sandbox, &password_admin, Method::POST, &path, &[], None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let helpdesk = operator_token(&sandbox, "helpdesk");
    let reply = call(&sandbox, &helpdesk, Method::POST, &path, &[], None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["value"], true);
    assert!(reply.body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#Edm.Boolean"));
    assert_eq!(sandbox.sessions_revoked_count(&adele), 1);
}

#[tokio::test]
async fn default_method_goes_last_and_hardware_tokens_block_until_deactivated() {
    let sandbox = sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let auth_admin = operator_token(&sandbox, "authadmin");
    let base = format!("/v1.0/users/{adele}/authentication");

    let refused = delete(
        &sandbox,
        &auth_admin,
        &format!("{base}/phoneMethods/{MOBILE}"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&refused), "badRequest");
    assert_eq!(
        refused.body["error"]["message"],
        "Cannot delete default method with other methods configured. Please change default method before deletion."
    );

    let methods = sandbox.methods_of(&adele);
    assert!(methods
        .iter()
        .all(|m| m["@odata.type"] != "#microsoft.graph.hardwareOathAuthenticationMethod"));
    for method in &methods {
        let id = method["id"].as_str().unwrap();
        let collection = match method["@odata.type"].as_str().unwrap() {
            "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod" => {
                "microsoftAuthenticatorMethods"
            }
            "#microsoft.graph.softwareOathAuthenticationMethod" => "softwareOathMethods",
            "#microsoft.graph.phoneAuthenticationMethod" if id == ALTERNATE_MOBILE => {
                "phoneMethods"
            }
            _ => continue,
        };
        let reply = delete(&sandbox, &auth_admin, &format!("{base}/{collection}/{id}")).await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{collection}: {}",
            reply.body
        );
    }
    // The hardware token still works, so the default is still not the last second factor.
    let still = delete(
        &sandbox,
        &auth_admin,
        &format!("{base}/phoneMethods/{MOBILE}"),
    )
    .await;
    assert_eq!(still.status, StatusCode::BAD_REQUEST);

    let token_id = sandbox.hardware_oath_of(&adele)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deactivate =
        format!("/beta/users/{adele}/authentication/hardwareOathMethods/{token_id}/deactivate");
    let refused = call(&sandbox, &auth_admin, Method::POST, &deactivate, &[], None).await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "Authentication Administrators cannot manage hardware OATH"
    );
    let privileged = operator_token(&sandbox, "privauthadmin");
    let done = call(&sandbox, &privileged, Method::POST, &deactivate, &[], None).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox.hardware_oath_of(&adele)[0]["device"]["status"],
        "deactivated"
    );

    let last = delete(
        &sandbox,
        &auth_admin,
        &format!("{base}/phoneMethods/{MOBILE}"),
    )
    .await;
    assert_eq!(last.status, StatusCode::NO_CONTENT);
    assert_eq!(sandbox.default_method_of(&adele), None);
    let gone = delete(
        &sandbox,
        &auth_admin,
        &format!("{base}/phoneMethods/{MOBILE}"),
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn alternate_mobile_must_go_before_mobile() {
    let sandbox = sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let privileged = operator_token(&sandbox, "privauthadmin");
    // Move the default to the Authenticator app so only the alternateMobile rule applies.
    let preferences = format!("/beta/users/{adele}/authentication/signInPreferences");
    let body = json!({"userPreferredMethodForSecondaryAuthentication": "push"});
    assert_eq!(
        call(
            &sandbox,
            &privileged,
            Method::PATCH,
            &preferences,
            &[],
            Some(body)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        get(&sandbox, &privileged, &preferences).await.body
            ["userPreferredMethodForSecondaryAuthentication"],
        "push"
    );

    let phones = format!("/v1.0/users/{adele}/authentication/phoneMethods");
    let refused = delete(&sandbox, &privileged, &format!("{phones}/{MOBILE}")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("alternateMobile"));
    assert_eq!(
        delete(
            &sandbox,
            &privileged,
            &format!("{phones}/{ALTERNATE_MOBILE}")
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(&sandbox, &privileged, &format!("{phones}/{MOBILE}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn helpdesk_cannot_read_or_delete_methods_and_auth_admin_sees_masked_phones() {
    let sandbox = sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let helpdesk = operator_token(&sandbox, "helpdesk");
    let path = format!("/v1.0/users/{adele}/authentication/phoneMethods/{ALTERNATE_MOBILE}");
    assert_eq!(
        delete(&sandbox, &helpdesk, &path).await.status,
        StatusCode::FORBIDDEN
    );
    let list = format!("/v1.0/users/{adele}/authentication/methods");
    assert_eq!(
        get(&sandbox, &helpdesk, &list).await.status,
        StatusCode::FORBIDDEN
    );
    let auth_admin = operator_token(&sandbox, "authadmin");
    let reply = get(&sandbox, &auth_admin, &list).await;
    let phone = reply.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == MOBILE)
        .unwrap()
        .clone();
    assert!(
        phone["phoneNumber"].as_str().unwrap().contains("XXXX"),
        "{phone}"
    );
    let global_admin = operator_token(&sandbox, "globaladmin");
    let reply = get(&sandbox, &global_admin, &list).await;
    let phone = reply.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == MOBILE)
        .unwrap()
        .clone();
    assert!(
        !phone["phoneNumber"].as_str().unwrap().contains('X'),
        "{phone}"
    );
}

#[tokio::test]
async fn hardware_oath_is_beta_only() {
    let sandbox = sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let token = operator_token(&sandbox, "privauthadmin");
    let v1 = get(
        &sandbox,
        &token,
        &format!("/v1.0/users/{adele}/authentication/hardwareOathMethods"),
    )
    .await;
    assert_eq!(v1.status, StatusCode::BAD_REQUEST);
    let beta = get(
        &sandbox,
        &token,
        &format!("/beta/users/{adele}/authentication/hardwareOathMethods"),
    )
    .await;
    assert_eq!(beta.status, StatusCode::OK);
    assert_eq!(beta.body["value"][0]["device"]["status"], "activated");
    assert!(beta.body["value"][0]["device"]["serialNumber"].is_string());
}

fn pkce_pair() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode([7u8; 40]);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// Walks the account picker as a browser would and returns the authorization code.
async fn sign_in(sandbox: &Sandbox, login: &str, challenge: &str, redirect_uri: &str) -> String {
    let authorize = format!(
        "{}/{}/oauth2/v2.0/authorize",
        sandbox.base_url(),
        sandbox.tenant_id()
    );
    let settings = sandbox.entra_settings();
    let params = [
        ("client_id", sandbox.client_id()),
        ("response_type", "code".into()),
        ("redirect_uri", redirect_uri.into()),
        ("scope", settings.scopes().join(" ")),
        ("state", "xyz".into()),
        ("code_challenge", challenge.into()),
        ("code_challenge_method", "S256".into()),
    ];
    let page = http().get(&authorize).query(&params).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("authadmin@contoso.sandbox") && html.contains("name=\"code_challenge\""));

    let unknown: Vec<(&str, String)> = params
        .iter()
        .cloned()
        .chain([("login", "ghost@contoso.sandbox".to_string())])
        .collect();
    let again = http().post(&authorize).form(&unknown).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again.text().await.unwrap().contains("AADSTS50034"));

    let form: Vec<(&str, String)> = params
        .iter()
        .cloned()
        .chain([("login", login.to_string())])
        .collect();
    let redirect = http().post(&authorize).form(&form).send().await.unwrap();
    assert_eq!(redirect.status(), StatusCode::FOUND);
    let location = url::Url::parse(redirect.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(redirect_uri));
    let pairs: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs["state"], "xyz");
    pairs["code"].clone()
}

async fn token_request(sandbox: &Sandbox, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let url = format!("{}/{}/oauth2/v2.0/token", sandbox.base_url(), TENANT_DOMAIN);
    let response = http().post(url).form(form).send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn authorization_code_with_pkce_then_refresh_rotation() {
    let sandbox = sandbox().await;
    let (verifier, challenge) = pkce_pair();
    let redirect_uri = "http://127.0.0.1:53682/callback";
    let code = sign_in(
        &sandbox,
        "authadmin@contoso.sandbox",
        &challenge,
        redirect_uri,
    )
    .await;
    let client_id = sandbox.client_id();
    let wrong_verifier = URL_SAFE_NO_PAD.encode([9u8; 40]);
    let exchange = |verifier: String| {
        vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", client_id.clone()),
            ("code", code.clone()),
            ("redirect_uri", redirect_uri.to_string()),
            ("code_verifier", verifier),
        ]
    };
    let as_refs = |form: &Vec<(&'static str, String)>| {
        form.iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>()
    };

    let wrong = as_refs(&exchange(wrong_verifier));
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = token_request(&sandbox, &wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS501481"));
    assert_eq!(body["error_codes"], json!([501481]));

    let right = as_refs(&exchange(verifier.clone()));
    let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, tokens) = token_request(&sandbox, &right).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        get(&sandbox, access, "/v1.0/me").await.body["userPrincipalName"],
        "authadmin@contoso.sandbox"
    );

    // Single use.
    let (status, body) = token_request(&sandbox, &right).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );

    // Rotation: each refresh token works once and brings the next.
    let first_refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let refresh = |token: &str| {
        vec![
            ("grant_type", "refresh_token".to_string()),
            ("client_id", client_id.clone()),
            ("refresh_token", token.to_string()),
        ]
    };
    let form = refresh(&first_refresh);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, renewed) = token_request(&sandbox, &form).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let second_refresh = renewed["refresh_token"].as_str().unwrap();
    assert_ne!(second_refresh, first_refresh);
    let (status, body) = token_request(&sandbox, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    // Revoking sessions ends the refresh tokens too.
    let own = get(&sandbox, access, "/v1.0/me").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revoke = call(
        &sandbox,
        access,
        Method::POST,
        "/v1.0/me/revokeSignInSessions",
        &[],
        None,
    )
    .await;
    assert_eq!(revoke.status, StatusCode::OK);
    assert_eq!(sandbox.sessions_revoked_count(&own), 1);
    let form = refresh(second_refresh);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        token_request(&sandbox, &form).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn authorize_refuses_bad_clients_redirects_and_missing_pkce() {
    let sandbox = sandbox().await;
    let authorize = format!(
        "{}/{}/oauth2/v2.0/authorize",
        sandbox.base_url(),
        sandbox.tenant_id()
    );
    let base = |client: &str, redirect: &str| {
        vec![
            ("client_id", client.to_string()),
            ("response_type", "code".to_string()),
            ("redirect_uri", redirect.to_string()),
            ("scope", "offline_access".to_string()),
            ("state", "s".to_string()),
        ]
    };
    let unknown_client = http()
        .get(&authorize)
        .query(&base("nope", "http://localhost:1/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_client.status(), StatusCode::BAD_REQUEST);
    let remote = http()
        .get(&authorize)
        .query(&base(CLIENT_ID, "https://evil.example/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(remote.status(), StatusCode::BAD_REQUEST);
    let no_pkce = http()
        .get(&authorize)
        .query(&base(CLIENT_ID, "http://localhost:1/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_pkce.status(), StatusCode::FOUND);
    assert!(no_pkce.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=invalid_request"));
    let wrong_tenant = format!("{}/fabrikam.example/oauth2/v2.0/token", sandbox.base_url());
    let reply = http()
        .post(wrong_tenant)
        .form(&[("client_id", CLIENT_ID)])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["error_codes"], json!([90002]));
}

#[tokio::test]
async fn expired_or_unknown_access_tokens_get_401_invalid_authentication_token() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    assert_eq!(
        get(&sandbox, &token, "/v1.0/me").await.status,
        StatusCode::OK
    );
    sandbox.expire_access_tokens();
    let expired = get(&sandbox, &token, "/v1.0/me").await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&expired), "InvalidAuthenticationToken");
    assert!(expired.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let unknown = get(&sandbox, "made-up", "/v1.0/me").await;
    assert_eq!(error_code(&unknown), "InvalidAuthenticationToken");
}

#[tokio::test]
async fn throttle_next_answers_429_with_retry_after_and_does_not_process() {
    let sandbox = sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let token = operator_token(&sandbox, "helpdesk");
    sandbox.set_faults(Faults {
        throttle_next: 1,
        retry_after_secs: 3,
        ..Faults::default()
    });
    let path = format!("/v1.0/users/{adele}");
    let throttled = call(
        &sandbox,
        &token,
        Method::PATCH,
        &path,
        &[("client-request-id", "abc-123")],
        Some(password_patch()),
    )
    .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.headers["retry-after"], "3");
    assert_eq!(error_code(&throttled), "TooManyRequests");
    assert_eq!(throttled.headers["client-request-id"], "abc-123");
    assert_eq!(
        throttled.body["error"]["innerError"]["client-request-id"],
        "abc-123"
    );
    assert_eq!(
        sandbox.password_reset_count(&adele),
        0,
        "a throttled write is not processed"
    );
    // A client waits the 3 s Graph asked for; the test reconfigures the service instead of
    // sleeping (a retry before the wait is over is throttled again, as Graph does).
    sandbox.set_faults(Faults::default());
    let retried = call(
        &sandbox,
        &token,
        Method::PATCH,
        &path,
        &[],
        Some(password_patch()),
    )
    .await;
    assert_eq!(retried.status, StatusCode::NO_CONTENT);
    assert_eq!(sandbox.password_reset_count(&adele), 1);
    assert_eq!(sandbox.faults().throttle_next, 0);
}

#[tokio::test]
async fn server_errors_unavailable_and_fail_after_processing() {
    let sandbox = sandbox().await;
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let token = operator_token(&sandbox, "helpdesk");
    sandbox.set_faults(Faults {
        server_error_next: 1,
        unavailable: true,
        retry_after_secs: 0,
        ..Faults::default()
    });
    let reply = get(&sandbox, &token, "/v1.0/me").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.headers["retry-after"], "0");

    sandbox.set_faults(Faults {
        fail_after_processing_next: 1,
        ..Faults::default()
    });
    // Reads do not use up the knob; the next write does, after being carried out.
    assert_eq!(
        get(&sandbox, &token, "/v1.0/me").await.status,
        StatusCode::OK
    );
    let path = format!("/v1.0/users/{adele}");
    let reply = call(
        &sandbox,
        &token,
        Method::PATCH,
        &path,
        &[],
        Some(password_patch()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_code(&reply), "UnknownError");
    assert_eq!(
        sandbox.password_reset_count(&adele),
        1,
        "processed before failing"
    );
}

#[tokio::test]
async fn throttle_ratio_is_deterministic_for_a_seed() {
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let sandbox = sandbox().await;
        let token = operator_token(&sandbox, "nobody");
        sandbox.set_faults(Faults {
            throttle_ratio: 0.5,
            retry_after_secs: 0,
            ..Faults::default()
        });
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(get(&sandbox, &token, "/v1.0/me").await.status.as_u16());
        }
        outcomes.push(statuses);
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert!(
        outcomes[0].contains(&429) && outcomes[0].contains(&200),
        "{:?}",
        outcomes[0]
    );
}

#[tokio::test]
async fn requests_are_recorded_without_authorization() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    let adele = format!("/v1.0/users/{ADELE}");
    call(
        &sandbox,
        &token,
        Method::PATCH,
        &adele,
        &[],
        Some(password_patch()),
    )
    .await;
    get(&sandbox, &token, "/v1.0/users?$top=5").await;
    let recorded = sandbox.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method, "PATCH");
    let logged_password = if cfg!(feature = "test-support") {
        "Temp-Pass-2026!"
    } else {
        REDACTED
    };
    let expected = json!({"passwordProfile": {"password": logged_password, "forceChangePasswordNextSignIn": true}});
    assert_eq!(
        recorded[0].body,
        Some(expected),
        "the shape is kept, the password only for test-support"
    );
    assert_eq!(recorded[1].query.as_deref(), Some("$top=5"));
    assert!(recorded
        .iter()
        .all(|r| r.headers.iter().all(|(name, _)| name != "authorization")));
    sandbox.clear_requests();
    assert!(sandbox.requests().is_empty());
}

#[tokio::test]
async fn unknown_segments_and_wrong_methods_get_graph_errors() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    let unknown = get(&sandbox, &token, "/v1.0/userz").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.headers.contains_key("request-id"));
    let wrong = call(&sandbox, &token, Method::DELETE, "/v1.0/users", &[], None).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_code(&wrong), "Request_BadRequest");
}

#[tokio::test]
async fn same_seed_same_directory_and_demo_accounts() {
    let first = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let second = Sandbox::start(SandboxConfig::default()).await.unwrap();
    assert_eq!(first.user_principal_names().len(), 500);
    assert_eq!(first.user_principal_names(), second.user_principal_names());
    let adele = first.user_id_by_upn(ADELE).unwrap();
    assert_eq!(Some(adele.clone()), second.user_id_by_upn(ADELE));
    assert_eq!(first.methods_of(&adele), second.methods_of(&adele));
    let token = first.issue_access_token("nobody@contoso.sandbox").unwrap();
    let page_one = get(&first, &token, "/v1.0/users?$top=999").await.body["value"].clone();
    let token = second.issue_access_token("nobody@contoso.sandbox").unwrap();
    assert_eq!(
        page_one,
        get(&second, &token, "/v1.0/users?$top=999").await.body["value"]
    );

    let settings = first.entra_settings();
    assert_eq!(settings.login_base_url, first.base_url());
    assert_eq!(settings.demo_accounts.len(), 7);
    assert!(settings
        .demo_accounts
        .iter()
        .any(|a| a.user_principal_name == "privauthadmin@contoso.sandbox"
            && a.role_label == "Privileged Authentication Administrator"));
    let other = Sandbox::start(SandboxConfig {
        seed: 43,
        users: 500,
    })
    .await
    .unwrap();
    assert_ne!(other.user_id_by_upn(ADELE), Some(adele));
}

#[tokio::test]
async fn count_segment_needs_eventual_consistency() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "nobody");
    let refused = get(&sandbox, &token, "/v1.0/users/$count").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let counted = call(
        &sandbox,
        &token,
        Method::GET,
        "/v1.0/users/$count",
        &[("ConsistencyLevel", "eventual")],
        None,
    )
    .await;
    assert_eq!(counted.body, json!(250));
}

#[tokio::test]
async fn patch_needs_a_json_body_declared_as_json() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let url = format!("{}/v1.0/users/{adele}", sandbox.base_url());
    let undeclared = http()
        .patch(&url)
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body(password_patch().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(undeclared.status(), StatusCode::BAD_REQUEST);
    let empty = call(
        &sandbox,
        &token,
        Method::PATCH,
        &format!("/v1.0/users/{adele}"),
        &[],
        None,
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(sandbox.password_reset_count(&adele), 0);
}

/// Follows `@odata.nextLink` until `@odata.deltaLink`; returns the items and the delta link.
async fn delta_round(sandbox: &Sandbox, token: &str, first: &str) -> (Vec<Value>, String, usize) {
    let mut items = Vec::new();
    let mut url = first.to_string();
    let mut pages = 0;
    loop {
        let reply = get(sandbox, token, &url).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        pages += 1;
        items.extend(reply.body["value"].as_array().unwrap().iter().cloned());
        if let Some(next) = reply.body["@odata.nextLink"].as_str() {
            assert!(reply.body.get("@odata.deltaLink").is_none());
            url = next.to_string();
            continue;
        }
        let delta = reply.body["@odata.deltaLink"]
            .as_str()
            .expect("delta link at the end");
        return (items, delta.to_string(), pages);
    }
}

#[tokio::test]
async fn users_delta_lists_everyone_then_only_changes_and_expires_tokens() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "helpdesk");
    let (everyone, link, pages) = delta_round(
        &sandbox,
        &token,
        "/v1.0/users/delta?$select=id,displayName,userPrincipalName",
    )
    .await;
    assert_eq!(everyone.len(), sandbox.user_count());
    assert!(pages > 1, "paged");
    assert!(link.contains("$deltatoken="), "{link}");
    assert!(
        link.contains("$select="),
        "the selection carries over: {link}"
    );

    // No change: an empty round and a usable new link.
    let (nothing, link, _) = delta_round(&sandbox, &token, &link).await;
    assert!(nothing.is_empty());

    let added = sandbox
        .add_user("Nadia Newcomer", "nadia.newcomer@contoso.sandbox")
        .unwrap();
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    assert!(sandbox.update_user_display_name(&adele, "Adele Vance-Smith"));
    let megan = sandbox.user_id_by_upn(MEGAN).unwrap();
    assert!(sandbox.delete_user(&megan));
    let gone = sandbox
        .add_user("Brief Visitor", "brief@contoso.sandbox")
        .unwrap();
    assert!(sandbox.delete_user(&gone));

    let (changes, link, _) = delta_round(&sandbox, &token, &link).await;
    let by_id = |id: &str| changes.iter().find(|c| c["id"] == id).cloned();
    let new = by_id(&added).expect("added user reported");
    assert_eq!(new["displayName"], "Nadia Newcomer");
    assert_eq!(new["userPrincipalName"], "nadia.newcomer@contoso.sandbox");
    let renamed = by_id(&adele).expect("changed user reported");
    assert_eq!(renamed["displayName"], "Adele Vance-Smith");
    assert!(
        renamed.get("userPrincipalName").is_none(),
        "only changed properties: {renamed}"
    );
    assert_eq!(by_id(&megan).unwrap()["@removed"]["reason"], "changed");
    assert!(by_id(&gone).unwrap().get("@removed").is_some());
    assert_eq!(changes.len(), 4);

    // `latest` gives a link without listing anyone.
    let latest = get(&sandbox, &token, "/v1.0/users/delta?$deltatoken=latest").await;
    assert_eq!(latest.status, StatusCode::OK);
    assert!(latest.body["value"].as_array().unwrap().is_empty());
    assert!(latest.body["@odata.deltaLink"].is_string());

    // Expired: 410 Gone with Graph's code; garbage: 400.
    sandbox.expire_delta_tokens();
    let reply = get(&sandbox, &token, &link).await;
    assert_eq!(reply.status, StatusCode::GONE);
    assert_eq!(error_code(&reply), "syncStateNotFound");
    let reply = get(
        &sandbox,
        &token,
        "/v1.0/users/delta?$deltatoken=bm90LWEtdG9rZW4",
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

const TAP_POLICY_PATH: &str =
    "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";

fn tap_path(user: &str) -> String {
    format!("/v1.0/users/{user}/authentication/temporaryAccessPassMethods")
}

async fn create_tap(sandbox: &Sandbox, token: &str, user: &str, body: Value) -> Reply {
    call(
        sandbox,
        token,
        Method::POST,
        &tap_path(user),
        &[],
        Some(body),
    )
    .await
}

fn taps_of(sandbox: &Sandbox, user_id: &str) -> Vec<Value> {
    sandbox
        .methods_of(user_id)
        .into_iter()
        .filter(|m| m["@odata.type"] == "#microsoft.graph.temporaryAccessPassAuthenticationMethod")
        .collect()
}

#[tokio::test]
async fn the_tap_policy_is_readable_by_authentication_admins_and_above_only() {
    let sandbox = sandbox().await;
    for reader in ["authadmin", "privauthadmin", "globaladmin"] {
        let reply = get(&sandbox, &operator_token(&sandbox, reader), TAP_POLICY_PATH).await;
        assert_eq!(reply.status, StatusCode::OK, "{reader}");
        assert_eq!(
            reply.body["@odata.type"],
            "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
        );
        assert_eq!(reply.body["id"], "TemporaryAccessPass");
        assert_eq!(reply.body["state"], "enabled");
        assert_eq!(reply.body["minimumLifetimeInMinutes"], 60);
        assert_eq!(reply.body["maximumLifetimeInMinutes"], 480);
        assert_eq!(reply.body["defaultLifetimeInMinutes"], 60);
        assert_eq!(reply.body["defaultLength"], 8);
        assert_eq!(reply.body["isUsableOnce"], false);
    }
    for refused in ["helpdesk", "pwdadmin", "nobody", "useradmin"] {
        let reply = get(
            &sandbox,
            &operator_token(&sandbox, refused),
            TAP_POLICY_PATH,
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(error_code(&reply), "Authorization_RequestDenied");
    }
    sandbox.set_tap_policy(TemporaryAccessPassPolicy {
        enabled: false,
        ..Default::default()
    });
    let reply = get(
        &sandbox,
        &operator_token(&sandbox, "authadmin"),
        TAP_POLICY_PATH,
    )
    .await;
    assert_eq!(reply.body["state"], "disabled");
}

#[tokio::test]
async fn a_tap_is_returned_once_replaces_the_previous_one_and_respects_the_policy_range() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "authadmin");
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();

    let first = create_tap(
        &sandbox,
        &token,
        ADELE,
        json!({ "lifetimeInMinutes": 120, "isUsableOnce": true }),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let pass = first.body["temporaryAccessPass"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(pass.len(), 8);
    assert_eq!(first.body["lifetimeInMinutes"], 120);
    assert_eq!(first.body["isUsableOnce"], true);
    assert_eq!(first.body["isUsable"], true);
    assert_eq!(first.body["methodUsabilityReason"], "EnabledByPolicy");

    // Listed afterwards without the pass.
    let listed = taps_of(&sandbox, &adele);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], first.body["id"]);
    assert!(listed[0]["temporaryAccessPass"].is_null());
    let read = get(&sandbox, &token, &tap_path(ADELE)).await;
    assert!(read.body["value"][0]["temporaryAccessPass"].is_null());
    assert!(!read.body.to_string().contains(&pass));

    // Defaults from the policy; the new pass replaces the old one.
    let second = create_tap(&sandbox, &token, ADELE, json!({})).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.body["lifetimeInMinutes"], 60);
    assert_eq!(second.body["isUsableOnce"], false);
    let listed = taps_of(&sandbox, &adele);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], second.body["id"]);

    for lifetime in [59, 481, 0] {
        let refused = create_tap(
            &sandbox,
            &token,
            ADELE,
            json!({ "lifetimeInMinutes": lifetime }),
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(error_code(&refused), "badRequest");
        assert_eq!(
            refused.body["error"]["message"],
            "Invalid LifetimeInMinutes specified. The valid range between 60 and 480."
        );
    }
    let unknown = create_tap(
        &sandbox,
        &token,
        ADELE,
        json!({ "temporaryAccessPass": "mine" }),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(taps_of(&sandbox, &adele)[0]["id"], second.body["id"]);
}

#[tokio::test]
async fn multi_use_passes_need_the_policy_and_a_disabled_method_issues_none() {
    let sandbox = sandbox().await;
    let token = operator_token(&sandbox, "privauthadmin");
    sandbox.set_tap_policy(TemporaryAccessPassPolicy {
        is_usable_once: true,
        ..Default::default()
    });
    let multi = create_tap(&sandbox, &token, ADELE, json!({ "isUsableOnce": false })).await;
    assert_eq!(multi.status, StatusCode::BAD_REQUEST);
    let default = create_tap(&sandbox, &token, ADELE, json!({})).await;
    assert_eq!(default.status, StatusCode::CREATED);
    assert_eq!(default.body["isUsableOnce"], true);

    sandbox.set_tap_policy(TemporaryAccessPassPolicy {
        enabled: false,
        ..Default::default()
    });
    let disabled = create_tap(&sandbox, &token, MEGAN, json!({})).await;
    assert_eq!(disabled.status, StatusCode::BAD_REQUEST);
    let megan = sandbox.user_id_by_upn(MEGAN).unwrap();
    assert!(taps_of(&sandbox, &megan).is_empty());
    // Existing passes show as disabled by policy.
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    assert_eq!(
        taps_of(&sandbox, &adele)[0]["methodUsabilityReason"],
        "DisabledByPolicy"
    );
}

#[tokio::test]
async fn creating_a_tap_follows_the_method_write_roles() {
    let sandbox = sandbox().await;
    let cases = [
        ("authadmin", ADELE, true),
        ("authadmin", MEGAN, false),
        ("authadmin", DIEGO, false),
        ("helpdesk", ADELE, false),
        ("pwdadmin", ADELE, false),
        ("useradmin", ADELE, false),
        ("nobody", ADELE, false),
        ("privauthadmin", MEGAN, true),
        ("globaladmin", DIEGO, true),
    ];
    for (operator, target, allowed) in cases {
        let reply = create_tap(
            &sandbox,
            &operator_token(&sandbox, operator),
            target,
            json!({}),
        )
        .await;
        let expected = if allowed {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            reply.status, expected,
            "{operator} on {target}: {:?}",
            reply.body
        );
    }
    // Not for yourself through the admin endpoint.
    let own = create_tap(
        &sandbox,
        &operator_token(&sandbox, "globaladmin"),
        "globaladmin@contoso.sandbox",
        json!({}),
    )
    .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn directory_audits_list_the_resets_late_filtered_and_only_to_an_audit_reader() {
    let sandbox = sandbox().await;
    sandbox.set_audit_delay(std::time::Duration::from_millis(200));
    let adele = sandbox.user_id_by_upn(ADELE).unwrap();
    let global = operator_token(&sandbox, "globaladmin");
    let reset = call(
        &sandbox,
        &global,
        Method::PATCH,
        &format!("/v1.0/users/{adele}"),
        &[],
        Some(json!({"passwordProfile": {"password": "Temp-Pass-2026!", "forceChangePasswordNextSignIn": true}})),
    )
    .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let request_id = reset.headers["request-id"].to_str().unwrap().to_string();
    // Requiring a change at next sign-in alone sets no password: not a reset.
    let force_only = call(
        &sandbox,
        &global,
        Method::PATCH,
        &format!("/v1.0/users/{adele}"),
        &[],
        Some(json!({"passwordProfile": {"forceChangePasswordNextSignIn": true}})),
    )
    .await;
    assert_eq!(force_only.status, StatusCode::NO_CONTENT);
    let list =
        "/v1.0/auditLogs/directoryAudits?$filter=activityDateTime%20ge%202026-01-01T00:00:00Z";

    // An Authentication Administrator may not read audit logs (directoryaudit-list).
    let auth_admin = operator_token(&sandbox, "authadmin");
    let refused = call(&sandbox, &auth_admin, Method::GET, list, &[], None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["error"]["code"], "Authorization_RequestDenied");

    // Listed only after the delay, as real events arrive late.
    let early = call(&sandbox, &global, Method::GET, list, &[], None).await;
    assert_eq!(early.status, StatusCode::OK);
    assert_eq!(early.body["value"].as_array().unwrap().len(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let listed = call(&sandbox, &global, Method::GET, list, &[], None).await;
    let events = listed.body["value"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{:?}", listed.body);
    assert_eq!(events[0]["activityDisplayName"], "Reset user password");
    assert_eq!(events[0]["correlationId"], request_id.as_str());
    assert_eq!(
        events[0]["initiatedBy"]["user"]["userPrincipalName"],
        "globaladmin@contoso.sandbox"
    );
    assert_eq!(events[0]["targetResources"][0]["id"], adele.as_str());

    // The filters: a later start, another initiator; an unserved filter is refused.
    let later =
        "/v1.0/auditLogs/directoryAudits?$filter=activityDateTime%20ge%202999-01-01T00:00:00Z";
    let none = call(&sandbox, &global, Method::GET, later, &[], None).await;
    assert_eq!(none.body["value"].as_array().unwrap().len(), 0);
    let by_other = "/v1.0/auditLogs/directoryAudits?$filter=initiatedBy/user/userPrincipalName%20eq%20'helpdesk@contoso.sandbox'";
    let none = call(&sandbox, &global, Method::GET, by_other, &[], None).await;
    assert_eq!(none.body["value"].as_array().unwrap().len(), 0);
    let unserved = "/v1.0/auditLogs/directoryAudits?$filter=category%20eq%20'UserManagement'";
    let refused = call(&sandbox, &global, Method::GET, unserved, &[], None).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
}
