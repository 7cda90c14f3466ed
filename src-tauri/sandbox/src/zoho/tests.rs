//! The emulator on its own, over HTTP: the two data centres (US at the root, EU under `/eu`),
//! the device flow's `other_dc` answer, and tokens bound to the data centre that issued them.
//! The client's behaviour is tested in the core's `tests/zoho.rs`.

use resetdesk_model::demo::DeviceApprover;
use serde_json::Value;

use super::*;

const OPERATOR: &str = "ada.admin@zylker.sandbox";
const SCOPES: &str = "ZohoMail.organization.accounts.ALL,ZohoMail.organization.domains.READ";

/// `prefix` is `""` for the US data centre and `"/eu"` for the EU one.
fn url(sandbox: &ZohoSandbox, prefix: &str, path: &str) -> String {
    format!("{}{prefix}{path}", sandbox.base_url())
}

/// Starts a device code at `prefix`'s data centre, asking for offline access as the app does:
/// (device_code, user_code, verification_url).
async fn start_device(sandbox: &ZohoSandbox, prefix: &str) -> (String, String, String) {
    start_device_with(sandbox, prefix, "offline").await
}

async fn start_device_with(
    sandbox: &ZohoSandbox,
    prefix: &str,
    access_type: &str,
) -> (String, String, String) {
    let body: Value = reqwest::Client::new()
        .post(url(sandbox, prefix, "/oauth/v3/device/code"))
        .query(&[
            ("client_id", CLIENT_ID),
            ("grant_type", "device_request"),
            ("scope", SCOPES),
            ("access_type", access_type),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = |name: &str| body[name].as_str().unwrap_or_default().to_string();
    (
        text("device_code"),
        text("user_code"),
        text("verification_url"),
    )
}

/// One polling request at `prefix`'s data centre: (HTTP status, body).
async fn poll(sandbox: &ZohoSandbox, prefix: &str, device_code: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url(sandbox, prefix, "/oauth/v3/device/token"))
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "device_token"),
            ("code", device_code),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn refresh(sandbox: &ZohoSandbox, prefix: &str, refresh_token: &str) -> Value {
    reqwest::Client::new()
        .post(url(sandbox, prefix, "/oauth/v2/token"))
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn get(sandbox: &ZohoSandbox, prefix: &str, path: &str, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(url(sandbox, prefix, path))
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Signs the operator in with a code started at `start` and polled at `collect`:
/// (access token, refresh token, api_domain).
async fn sign_in(sandbox: &ZohoSandbox, start: &str, collect: &str) -> (String, String, String) {
    let (device_code, user_code, _) = start_device(sandbox, start).await;
    assert!(sandbox.approve(&user_code, OPERATOR));
    let (status, body) = poll(sandbox, collect, &device_code).await;
    assert_eq!(status, 200, "{body}");
    let text = |name: &str| body[name].as_str().unwrap_or_default().to_string();
    assert!(!text("access_token").is_empty(), "{body}");
    (
        text("access_token"),
        text("refresh_token"),
        text("api_domain"),
    )
}

fn accounts_path() -> String {
    format!("/api/organization/{ZOID}/accounts")
}

#[tokio::test]
async fn the_organisation_data_centre_is_us_by_default_and_moves_to_eu_only_among_played_ones() {
    let sandbox = ZohoSandbox::start(0).await.unwrap();
    assert_eq!(sandbox.organisation_data_centre(), DataCentre::Us);
    assert!(!sandbox.set_organisation_data_centre(DataCentre::In));
    assert_eq!(sandbox.organisation_data_centre(), DataCentre::Us);
    assert!(sandbox.set_organisation_data_centre(DataCentre::Eu));
    assert_eq!(sandbox.organisation_data_centre(), DataCentre::Eu);
    assert!(sandbox.set_organisation_data_centre(DataCentre::Us));
    assert_eq!(sandbox.organisation_data_centre(), DataCentre::Us);
}

#[tokio::test]
async fn settings_stay_us_and_name_the_eu_servers() {
    let sandbox = ZohoSandbox::start(0).await.unwrap();
    let base = sandbox.base_url();
    let settings = sandbox.settings();
    assert_eq!(settings.data_centre, DataCentre::Us);
    assert_eq!(settings.accounts_base_url.as_deref(), Some(base.as_str()));
    assert_eq!(
        settings.other_data_centres,
        vec![DataCentreServers {
            data_centre: DataCentre::Eu,
            accounts_base_url: format!("{base}/eu"),
            mail_base_url: format!("{base}/eu"),
            directory_base_url: format!("{base}/eu/directory"),
        }]
    );
    assert!(settings.validate().is_ok());
    assert!(settings
        .in_data_centre(DataCentre::Eu)
        .unwrap()
        .validate()
        .is_ok());

    let (_, _, us) = start_device(&sandbox, "").await;
    assert_eq!(us, format!("{base}/oauth/v3/device"));
    let (_, _, eu) = start_device(&sandbox, "/eu").await;
    assert_eq!(eu, format!("{base}/eu/oauth/v3/device"));
}

#[tokio::test]
async fn a_code_started_at_us_for_an_eu_organisation_answers_other_dc_then_tokens_at_eu() {
    let sandbox = ZohoSandbox::start(0).await.unwrap();
    assert!(sandbox.set_organisation_data_centre(DataCentre::Eu));
    let (device_code, user_code, _) = start_device(&sandbox, "").await;

    // Before the user grants permission: the usual feedback, at either data centre.
    let (_, body) = poll(&sandbox, "", &device_code).await;
    assert_eq!(body["error"], "authorization_pending");
    let (_, body) = poll(&sandbox, "/eu", &device_code).await;
    assert_eq!(body["error"], "authorization_pending");
    assert_eq!(sandbox.other_dc_answers(), 0);

    assert!(DeviceApprover::approve(&sandbox, &user_code, OPERATOR));

    // At the app's (US) data centre: where the user is, and the grant stays approved.
    for answers in 1..=2 {
        let (status, body) = poll(&sandbox, "", &device_code).await;
        assert_eq!(status, 200);
        assert_eq!(body["error"], "other_dc", "{body}");
        assert_eq!(body["user_location"], "eu", "{body}");
        assert!(body.get("access_token").is_none());
        assert_eq!(sandbox.other_dc_answers(), answers);
    }

    // At the user's (EU) data centre: the tokens, with its api_domain.
    let (status, body) = poll(&sandbox, "/eu", &device_code).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["refresh_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let api_domain = body["api_domain"].as_str().unwrap();
    assert!(api_domain.ends_with("/eu"), "{api_domain}");
    assert_eq!(api_domain, format!("{}/eu", sandbox.base_url()));

    // Collected once only, wherever it is polled again.
    let (_, body) = poll(&sandbox, "/eu", &device_code).await;
    assert_eq!(body["error"], "invalid_code");
    let (_, body) = poll(&sandbox, "", &device_code).await;
    assert_eq!(body["error"], "invalid_code");
    assert_eq!(sandbox.other_dc_answers(), 2);
}

#[tokio::test]
async fn eu_tokens_work_at_eu_only() {
    let sandbox = ZohoSandbox::start(0).await.unwrap();
    assert!(sandbox.set_organisation_data_centre(DataCentre::Eu));
    let (access, refresh_token, _) = sign_in(&sandbox, "/eu", "/eu").await;

    let (status, body) = get(&sandbox, "/eu", &accounts_path(), &access).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"].as_array().is_some_and(|a| !a.is_empty()));
    let (status, body) = get(&sandbox, "", &accounts_path(), &access).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["data"]["errorCode"], "INVALID_OAUTHTOKEN");

    let (status, body) = get(&sandbox, "/eu", "/oauth/user/info", &access).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Email"], OPERATOR);
    let (status, _) = get(&sandbox, "", "/oauth/user/info", &access).await;
    assert_eq!(status, 401);

    let body = refresh(&sandbox, "", &refresh_token).await;
    assert_eq!(body["error"], "invalid_code", "{body}");
    assert!(body.get("access_token").is_none());
    let body = refresh(&sandbox, "/eu", &refresh_token).await;
    let renewed = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        body["api_domain"].as_str(),
        Some(format!("{}/eu", sandbox.base_url()).as_str())
    );
    let (status, _) = get(&sandbox, "/eu", &accounts_path(), &renewed).await;
    assert_eq!(status, 200);
    let (status, _) = get(&sandbox, "", &accounts_path(), &renewed).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_us_organisation_sends_an_eu_poll_back_to_us_and_us_tokens_stay_at_us() {
    let sandbox = ZohoSandbox::start(0).await.unwrap();
    let base = sandbox.base_url();
    let (device_code, user_code, _) = start_device(&sandbox, "/eu").await;
    assert!(sandbox.approve(&user_code, OPERATOR));
    let (_, body) = poll(&sandbox, "/eu", &device_code).await;
    assert_eq!(body["error"], "other_dc", "{body}");
    assert_eq!(body["user_location"], "us");
    let (status, body) = poll(&sandbox, "", &device_code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["api_domain"].as_str(), Some(base.as_str()));
    let access = body["access_token"].as_str().unwrap();
    let refresh_token = body["refresh_token"].as_str().unwrap();

    let (status, _) = get(&sandbox, "", &accounts_path(), access).await;
    assert_eq!(status, 200);
    let (status, _) = get(&sandbox, "/eu", &accounts_path(), access).await;
    assert_eq!(status, 401);
    assert_eq!(
        refresh(&sandbox, "/eu", refresh_token).await["error"],
        "invalid_code"
    );
    assert!(refresh(&sandbox, "", refresh_token).await["access_token"].is_string());
}

#[tokio::test]
async fn the_organisation_is_not_found_at_a_data_centre_it_moved_away_from() {
    let sandbox = ZohoSandbox::start(0).await.unwrap();
    let (access, _, _) = sign_in(&sandbox, "", "").await;
    assert!(sandbox.set_organisation_data_centre(DataCentre::Eu));
    // A US token issued before the move: the organisation is no longer there.
    let (status, body) = get(&sandbox, "", &accounts_path(), &access).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["data"]["errorCode"], "ORG_NOT_FOUND");
    let path = format!("/api/organization/{ZOID}/domains");
    let (status, _) = get(&sandbox, "", &path, &access).await;
    assert_eq!(status, 404);
    // At EU the US token is unknown.
    let (status, _) = get(&sandbox, "/eu", &path, &access).await;
    assert_eq!(status, 401);
    let (status, _) = get(
        &sandbox,
        "/eu",
        &format!("/api/organization/{ZOID}"),
        "none",
    )
    .await;
    assert_eq!(status, 401);
}

/// "If the value is online, only the access token will be provided and it cannot be refreshed
/// by the app once expired" (the initiation request's page): an approver's sign-in asks so.
#[tokio::test]
async fn online_access_gives_an_access_token_and_no_refresh_token() {
    let sandbox = ZohoSandbox::start(0).await.unwrap();
    let (device_code, user_code, _) = start_device_with(&sandbox, "", "online").await;
    assert!(sandbox.approve(&user_code, OPERATOR));
    let (status, body) = poll(&sandbox, "", &device_code).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["access_token"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(body.get("refresh_token").is_none(), "{body}");
}
