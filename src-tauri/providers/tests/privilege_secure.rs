//! The Netwrix Privilege Secure provider against its emulator, over real HTTPS with the
//! emulator's self-signed certificate.

use resetdesk_core::error::ErrorKind;
use resetdesk_providers::privilege_secure::{
    untrusted_certificate_sha256, PrivilegeSecureClient, PrivilegeSecureSettings, PsAccess,
    PsSession, PsStep, StepOutcome,
};
use resetdesk_sandbox::privilege_secure::{
    PsEmulator, ACCESS_GROUP, ADMIN_LOGIN, ADMIN_PASSWORD, REVIEWER_LOGIN, REVIEWER_PASSWORD,
};
use secrecy::SecretString;

fn trusted(emu: &PsEmulator) -> PrivilegeSecureClient {
    PrivilegeSecureClient::new(&PrivilegeSecureSettings {
        base_url: emu.base_url(),
        trusted_certificate_sha256: Some(emu.certificate_sha256().to_string()),
    })
    .expect("client")
}

async fn sign_in(emu: &PsEmulator, login: &str, password: &str) -> PsSession {
    let code = emu.second_factor_code(login).expect("operator");
    trusted(emu)
        .sign_in(login, &SecretString::from(password.to_string()), &code)
        .await
        .expect("sign-in")
}

async fn admin(emu: &PsEmulator) -> PsSession {
    sign_in(emu, ADMIN_LOGIN, ADMIN_PASSWORD).await
}

fn id(emu: &PsEmulator, sam: &str) -> String {
    emu.user_id(sam).expect("seeded user")
}

/// Every sample of the API documentation keeps one web session (a cookie container) across
/// `/signinBody` and `/signin2fa`; the pages do not say the server requires it, so the client
/// must sign in under both readings.
#[tokio::test]
async fn sign_in_keeps_the_web_session_between_its_two_steps_under_either_reading() {
    let emu = PsEmulator::start().await.unwrap();
    for required in [false, true] {
        emu.require_sign_in_cookie(required);
        let session = admin(&emu).await;
        assert!(
            session.operator().is_administrator,
            "cookie required: {required}"
        );
    }
}

/// Finding a user by id searches by their login; the search answers a page at a time
/// (`skip`, `take`, `recordsTotal`: HostUser/Search in the 4.2 API documentation). With more
/// than a page of similar logins the user must still be found.
#[tokio::test]
async fn a_user_is_found_by_id_beyond_the_first_page_of_similar_logins() {
    let emu = PsEmulator::start().await.unwrap();
    for i in 0..150 {
        emu.add_host_user(&format!("lee{i:03}"), &format!("Lee {i}"), false);
    }
    let lee = emu.add_host_user("lee", "Lee Individual", true);
    let session = admin(&emu).await;
    let user = session.user(&lee).await.unwrap();
    assert_eq!(user.id, lee);
    assert!(
        matches!(user.access, PsAccess::Individual { .. }),
        "{user:?}"
    );
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_with_its_fingerprint() {
    let emu = PsEmulator::start().await.unwrap();
    let client = PrivilegeSecureClient::new(&PrivilegeSecureSettings {
        base_url: emu.base_url(),
        trusted_certificate_sha256: None,
    })
    .unwrap();
    let err = client
        .sign_in(
            ADMIN_LOGIN,
            &SecretString::from(ADMIN_PASSWORD.to_string()),
            "000000",
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Provider, "{err:?}");
    assert!(err.message.contains("not trusted"), "{}", err.message);
    assert!(err.message.contains("self-signed"), "{}", err.message);
    assert!(
        err.message.contains(emu.certificate_sha256()),
        "the message names the fingerprint: {}",
        err.message
    );
    assert_eq!(
        untrusted_certificate_sha256(&err),
        Some(emu.certificate_sha256())
    );
    // The password never appears in an error.
    assert!(!format!("{err:?}").contains(ADMIN_PASSWORD));
    // The separate probe reads the same fingerprint.
    assert_eq!(
        client.presented_certificate_sha256().await.unwrap(),
        emu.certificate_sha256()
    );
}

#[tokio::test]
async fn the_trusted_fingerprint_is_accepted_in_any_usual_spelling() {
    let emu = PsEmulator::start().await.unwrap();
    let lower_plain = emu.certificate_sha256().replace(':', "").to_lowercase();
    let client = PrivilegeSecureClient::new(&PrivilegeSecureSettings {
        base_url: emu.base_url(),
        trusted_certificate_sha256: Some(lower_plain),
    })
    .unwrap();
    let code = emu.second_factor_code(ADMIN_LOGIN).unwrap();
    let session = client
        .sign_in(
            ADMIN_LOGIN,
            &SecretString::from(ADMIN_PASSWORD.to_string()),
            &code,
        )
        .await
        .unwrap();
    assert_eq!(session.operator().login, ADMIN_LOGIN);
}

#[tokio::test]
async fn a_wrong_fingerprint_is_refused() {
    let emu = PsEmulator::start().await.unwrap();
    let other = PsEmulator::start().await.unwrap();
    assert_ne!(emu.certificate_sha256(), other.certificate_sha256());
    let client = PrivilegeSecureClient::new(&PrivilegeSecureSettings {
        base_url: emu.base_url(),
        trusted_certificate_sha256: Some(other.certificate_sha256().to_string()),
    })
    .unwrap();
    let code = emu.second_factor_code(ADMIN_LOGIN).unwrap();
    let err = client
        .sign_in(
            ADMIN_LOGIN,
            &SecretString::from(ADMIN_PASSWORD.to_string()),
            &code,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Provider);
    assert!(
        err.message.contains(emu.certificate_sha256()),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_wrong_password_or_code_is_refused_clearly() {
    let emu = PsEmulator::start().await.unwrap();
    let client = trusted(&emu);
    let code = emu.second_factor_code(ADMIN_LOGIN).unwrap();
    let err = client
        .sign_in(
            ADMIN_LOGIN,
            &SecretString::from("wrong-password".to_string()),
            &code,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotSignedIn);
    assert!(err.message.contains("login or password"), "{}", err.message);
    assert!(!format!("{err:?}").contains("wrong-password"));

    let wrong_code = if code == "111111" { "222222" } else { "111111" };
    let err = client
        .sign_in(
            ADMIN_LOGIN,
            &SecretString::from(ADMIN_PASSWORD.to_string()),
            wrong_code,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotSignedIn);
    assert!(
        err.message.contains("second-factor code"),
        "{}",
        err.message
    );

    let err = client
        .sign_in(
            ADMIN_LOGIN,
            &SecretString::from(ADMIN_PASSWORD.to_string()),
            "12 34",
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn administrator_and_non_administrator_are_told_apart() {
    let emu = PsEmulator::start().await.unwrap();
    let admin = admin(&emu).await;
    assert!(admin.operator().is_administrator);
    assert_eq!(admin.operator().login, ADMIN_LOGIN);

    let reviewer = sign_in(&emu, REVIEWER_LOGIN, REVIEWER_PASSWORD).await;
    assert!(!reviewer.operator().is_administrator);
    // A reviewer may search (Auth roles: Admin,Reviewer,App) but not read group memberships
    // (Admin,App) …
    let found = reviewer.search_users("bob", 10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].access, PsAccess::Unknown);
    // … but not reset: refused before anything is sent.
    let err = reviewer
        .reset_token_individual(&id(&emu, "alice"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Denied);
    let err = reviewer
        .reset_token_via_individual_entry(&id(&emu, "bob"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Denied);
    assert_eq!(emu.mfa_reset_count("alice"), 0);
    assert_eq!(emu.individual_entry("bob"), None);
    // Debug of a session never shows the token.
    let debug = format!("{reviewer:?}");
    assert!(
        debug.contains("[redacted]") && !debug.contains("eyJ"),
        "{debug}"
    );
}

#[tokio::test]
async fn search_tells_individual_from_group_inherited_access() {
    let emu = PsEmulator::start().await.unwrap();
    let session = admin(&emu).await;
    let all = session.search_users("", 50).await.unwrap();
    assert_eq!(all.len(), 4);
    let by = |sam: &str| {
        all.iter()
            .find(|u| u.sam_account_name.as_deref() == Some(sam))
            .unwrap_or_else(|| panic!("{sam} in results"))
            .clone()
    };
    assert_eq!(
        by("alice").access,
        PsAccess::Individual {
            managed_account_id: emu.individual_entry("alice").unwrap()
        }
    );
    match by("bob").access {
        PsAccess::ViaGroup { group_name, .. } => assert_eq!(group_name, ACCESS_GROUP),
        other => panic!("bob should inherit access: {other:?}"),
    }
    assert_eq!(by("dave").access, PsAccess::None);

    let found = session.search_users("caro", 10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].sam_account_name.as_deref(), Some("carol"));
    assert!(matches!(found[0].access, PsAccess::ViaGroup { .. }));

    // One user by id, and a clear NotFound / InvalidInput otherwise.
    let bob = session.user(&id(&emu, "bob")).await.unwrap();
    assert!(
        matches!(&bob.access, PsAccess::ViaGroup { group_name, .. } if group_name == ACCESS_GROUP)
    );
    let err = session.user(&id(&emu, "dave")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    let err = session.user("not-a-guid").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn an_individually_configured_user_is_reset_directly() {
    let emu = PsEmulator::start().await.unwrap();
    let session = admin(&emu).await;
    let entry = emu.individual_entry("alice");
    session
        .reset_token_individual(&id(&emu, "alice"))
        .await
        .unwrap();
    assert_eq!(emu.mfa_reset_count("alice"), 1);
    assert_eq!(
        emu.individual_entry("alice"),
        entry,
        "configuration untouched"
    );

    // A group-inherited user is not reset this way (and nothing changes).
    let err = session
        .reset_token_individual(&id(&emu, "bob"))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains(ACCESS_GROUP), "{}", err.message);
    assert_eq!(emu.mfa_reset_count("bob"), 0);
}

#[tokio::test]
async fn a_group_inherited_user_is_reset_in_three_steps_leaving_the_configuration_as_it_was() {
    let emu = PsEmulator::start().await.unwrap();
    let session = admin(&emu).await;
    assert_eq!(emu.individual_entry("bob"), None);
    let report = session
        .reset_token_via_individual_entry(&id(&emu, "bob"))
        .await
        .unwrap();
    let steps: Vec<(PsStep, StepOutcome)> =
        report.steps.iter().map(|s| (s.step, s.outcome)).collect();
    assert_eq!(
        steps,
        vec![
            (PsStep::AddIndividualEntry, StepOutcome::Done),
            (PsStep::ResetToken, StepOutcome::Done),
            (PsStep::RemoveIndividualEntry, StepOutcome::Done),
        ]
    );
    assert!(report.token_reset);
    assert!(report.configuration_restored);
    assert_eq!(report.group_name, ACCESS_GROUP);
    assert!(report.added_managed_account_id.is_some());
    assert_eq!(emu.mfa_reset_count("bob"), 1);
    assert_eq!(
        emu.individual_entry("bob"),
        None,
        "no individual entry left"
    );
    assert_eq!(emu.groups_of("bob"), vec![ACCESS_GROUP.to_string()]);
    // The group's other member is untouched.
    assert_eq!(emu.mfa_reset_count("carol"), 0);
    // And bob still inherits access through the group.
    let bob = session.user(&id(&emu, "bob")).await.unwrap();
    assert!(matches!(bob.access, PsAccess::ViaGroup { .. }));

    // The page gets camelCase JSON.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["configurationRestored"], true);
    assert_eq!(json["steps"][0]["step"], "addIndividualEntry");
}

#[tokio::test]
async fn a_failed_reset_removes_the_added_entry_again_and_says_so() {
    let emu = PsEmulator::start().await.unwrap();
    let session = admin(&emu).await;
    emu.fail_next_reset_mfa(1);
    let report = session
        .reset_token_via_individual_entry(&id(&emu, "carol"))
        .await
        .unwrap();
    let outcomes: Vec<StepOutcome> = report.steps.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        vec![StepOutcome::Done, StepOutcome::Failed, StepOutcome::Done]
    );
    assert!(!report.token_reset);
    assert!(report.configuration_restored);
    assert!(report.steps[1].error.is_some());
    assert!(
        report.steps[2].message.contains("NOT reset"),
        "{}",
        report.steps[2].message
    );
    assert_eq!(
        emu.individual_entry("carol"),
        None,
        "the added entry is gone"
    );
    assert_eq!(emu.mfa_reset_count("carol"), 0);
}

#[tokio::test]
async fn a_failed_add_changes_nothing_and_skips_the_rest() {
    let emu = PsEmulator::start().await.unwrap();
    let session = admin(&emu).await;
    emu.fail_next_create(1);
    let report = session
        .reset_token_via_individual_entry(&id(&emu, "bob"))
        .await
        .unwrap();
    let outcomes: Vec<StepOutcome> = report.steps.iter().map(|s| s.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            StepOutcome::Failed,
            StepOutcome::Skipped,
            StepOutcome::Skipped
        ]
    );
    assert!(!report.token_reset);
    assert!(report.configuration_restored);
    assert_eq!(report.added_managed_account_id, None);
    assert_eq!(emu.individual_entry("bob"), None);
    assert_eq!(emu.mfa_reset_count("bob"), 0);
}

#[tokio::test]
async fn a_failed_removal_is_reported_with_what_to_do() {
    let emu = PsEmulator::start().await.unwrap();
    let session = admin(&emu).await;
    emu.fail_next_delete(1);
    let report = session
        .reset_token_via_individual_entry(&id(&emu, "bob"))
        .await
        .unwrap();
    assert!(report.token_reset);
    assert!(!report.configuration_restored);
    assert_eq!(report.steps[2].outcome, StepOutcome::Failed);
    let left = emu
        .individual_entry("bob")
        .expect("the entry is still there");
    assert!(
        report.steps[2].message.contains(&left),
        "{}",
        report.steps[2].message
    );
    assert!(report.steps[2].message.contains("by hand"));
}

/// The delete page documents 202 Accepted: accepted for processing, not done. The removal
/// is confirmed by reading the user back before the configuration is reported as restored.
#[tokio::test]
async fn a_removal_answered_202_is_confirmed_by_reading_the_user_back() {
    let emu = PsEmulator::start().await.unwrap();
    let session = admin(&emu).await;
    emu.accept_next_delete_without_doing_it(1);
    let report = session
        .reset_token_via_individual_entry(&id(&emu, "bob"))
        .await
        .unwrap();
    assert!(report.token_reset);
    let left = emu
        .individual_entry("bob")
        .expect("the emulator kept the entry");
    assert!(!report.configuration_restored, "{report:?}");
    assert_eq!(report.steps[2].outcome, StepOutcome::Failed);
    assert!(
        report.steps[2].message.contains(&left) && report.steps[2].message.contains("by hand"),
        "{}",
        report.steps[2].message
    );
}

#[tokio::test]
async fn a_token_close_to_expiry_is_renewed() {
    let emu = PsEmulator::start().await.unwrap();
    // Tokens live 30 minutes but are handed out 25 minutes old: 5 minutes left is under the
    // 7-minute margin, so the next call renews first.
    emu.set_token_lifetime(std::time::Duration::from_secs(30 * 60));
    emu.set_token_age(std::time::Duration::from_secs(25 * 60));
    let session = admin(&emu).await;
    let first_expiry = session.token_expires_at().await;
    let before = emu.renewals();
    assert!(before >= 1, "the sign-in's own check already renewed");
    let users = session.search_users("alice", 5).await.unwrap();
    assert_eq!(users.len(), 1);
    assert!(emu.renewals() > before, "the token was renewed");
    // With fresh tokens nothing is renewed.
    emu.set_token_age(std::time::Duration::ZERO);
    let fresh = admin(&emu).await;
    let before = emu.renewals();
    fresh.search_users("alice", 5).await.unwrap();
    assert_eq!(emu.renewals(), before);
    assert!(fresh.token_expires_at().await > first_expiry);
}

#[tokio::test]
async fn an_expired_session_gives_not_signed_in() {
    let emu = PsEmulator::start().await.unwrap();
    let session = admin(&emu).await;
    emu.expire_all_sessions();
    let err = session.search_users("alice", 5).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotSignedIn);
    assert!(err.message.contains("Sign in again"), "{}", err.message);

    // A token that is already expired when issued is refused locally (the sign-in's own
    // Administrator check needs it), without sending it.
    emu.set_token_lifetime(std::time::Duration::from_secs(0));
    let code = emu.second_factor_code(ADMIN_LOGIN).unwrap();
    let err = trusted(&emu)
        .sign_in(
            ADMIN_LOGIN,
            &SecretString::from(ADMIN_PASSWORD.to_string()),
            &code,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotSignedIn);
    assert!(err.message.contains("expired"), "{}", err.message);
}

#[tokio::test]
async fn the_second_factor_code_goes_bare_as_the_samples_send_it_leading_zero_kept() {
    let emu = PsEmulator::start().await.unwrap();
    assert!(emu.set_second_factor_code(ADMIN_LOGIN, "012345"));
    let session = trusted(&emu)
        .sign_in(ADMIN_LOGIN, &SecretString::from(ADMIN_PASSWORD), "012345")
        .await
        .unwrap();
    assert!(session.operator().is_administrator);
    assert_eq!(
        emu.last_second_factor_body().as_deref(),
        Some("012345"),
        "the digits, bare, leading zero kept"
    );
}
