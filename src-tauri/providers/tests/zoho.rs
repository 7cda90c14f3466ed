//! The Zoho provider against its emulator over real HTTP: device sign-in (approve, deny,
//! expire, slow_down), refresh with the token in a MemoryStore, the operator's role →
//! permissions, users (paging, search, confirmed/pending/external), reset password (typed,
//! generated, refused), the by-hand declarations, throttling, 5xx and expired tokens.
use std::sync::Arc;
use std::time::Duration;

use resetdesk_core::auth::AccessTokenSource;
use resetdesk_core::secrets::{ExposeSecret, MemoryStore, SecretStore, SecretString};
use resetdesk_core::ErrorKind;
use resetdesk_providers::zoho::auth::{CLIENT_SECRET_SECRET, REFRESH_TOKEN_SECRET};
use resetdesk_providers::zoho::{
    DeviceSignIn, MailRole, PasswordChoice, PasswordStyle, Performed, PollOutcome, ResetOutcome,
    ResetPasswordOptions, UserStatus, ZohoClient, ZohoOperator, ZohoOption, ZohoSession,
};
use resetdesk_sandbox::zoho::{
    ZohoFaults, ZohoSandbox, CLIENT_SECRET, CONFIRMED_USER, EXTERNAL_USER, OPERATORS, PENDING_USER,
    SECOND_ADMIN,
};

const CONNECTION: &str = "zoho-sandbox";
const SUPER: &str = "sam.super@zylker.sandbox";
const ADMIN: &str = "ada.admin@zylker.sandbox";
const MEMBER: &str = "mo.member@zylker.sandbox";
const FRESH: Duration = Duration::from_secs(300);

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn device(sandbox: &ZohoSandbox, store: Arc<MemoryStore>) -> DeviceSignIn {
    let sign_in = DeviceSignIn::new(CONNECTION, sandbox.settings(), store, http());
    sign_in
        .save_client_secret(&SecretString::from(CLIENT_SECRET))
        .await
        .unwrap();
    sign_in
}

/// Signs in as `email` (the sandbox approves the code on the operator's behalf).
async fn sign_in(sandbox: &ZohoSandbox, store: Arc<MemoryStore>, email: &str) -> ZohoClient {
    let sign_in = device(sandbox, store).await;
    let authorization = sign_in.start().await.unwrap();
    assert!(sandbox.approve_device(&authorization.user_code, email));
    match sign_in.poll_once(&authorization).await.unwrap() {
        PollOutcome::Approved(session) => ZohoClient::new(Arc::new(*session), http()),
        other => panic!("expected approval, got {other:?}"),
    }
}

async fn started(extra_users: usize) -> (ZohoSandbox, Arc<MemoryStore>) {
    (
        ZohoSandbox::start(extra_users).await.unwrap(),
        Arc::new(MemoryStore::new()),
    )
}

fn typed(password: &str) -> PasswordChoice {
    PasswordChoice::Typed(SecretString::from(password))
}

/// A reset with the dialog's default options, by an operator who signed in moments ago (most
/// tests vary only who, whom and which password).
trait ResetNow {
    async fn reset_password_now(
        &self,
        operator: &ZohoOperator,
        zuid: &str,
        choice: PasswordChoice,
    ) -> resetdesk_core::error::Result<ResetOutcome>;
}

impl ResetNow for ZohoClient {
    async fn reset_password_now(
        &self,
        operator: &ZohoOperator,
        zuid: &str,
        choice: PasswordChoice,
    ) -> resetdesk_core::error::Result<ResetOutcome> {
        self.reset_password(
            operator,
            zuid,
            choice,
            ResetPasswordOptions::default(),
            FRESH,
        )
        .await
    }
}

#[tokio::test]
async fn approved_device_sign_in_keeps_the_refresh_token_in_the_store_only() {
    let (sandbox, store) = started(0).await;
    let sign_in = device(&sandbox, store.clone()).await;
    let authorization = sign_in.start().await.unwrap();
    assert!(authorization
        .verification_url
        .starts_with(&sandbox.base_url()));
    assert_eq!(
        authorization.interval,
        Duration::from_secs(1),
        "1000 ms as documented"
    );
    assert!(
        !format!("{authorization:?}").contains("1004."),
        "device code hidden"
    );

    assert!(matches!(
        sign_in.poll_once(&authorization).await.unwrap(),
        PollOutcome::Pending
    ));
    assert!(sandbox.approve_device(&authorization.user_code, ADMIN));
    let session = match sign_in.poll_once(&authorization).await.unwrap() {
        PollOutcome::Approved(session) => session,
        other => panic!("{other:?}"),
    };
    assert!(session.signed_in_at().is_some());
    let refresh = store
        .get(CONNECTION, REFRESH_TOKEN_SECRET)
        .unwrap()
        .unwrap();
    assert!(refresh.expose_secret().starts_with("1000."));
    assert!(!format!("{session:?}").contains(refresh.expose_secret()));

    let client = ZohoClient::new(Arc::new(*session), http());
    let operator = client.operator().await.unwrap();
    assert_eq!(operator.email, ADMIN);
    assert_eq!(operator.display_name, "Ada Admin");
    // A collected code cannot be spent twice.
    let again = sign_in.poll_once(&authorization).await.unwrap_err();
    assert_eq!(again.kind, ErrorKind::NotSignedIn);
}

#[tokio::test]
async fn denied_and_expired_codes_say_to_start_again() {
    let (sandbox, store) = started(0).await;
    let sign_in = device(&sandbox, store.clone()).await;

    let denied = sign_in.start().await.unwrap();
    assert!(sandbox.deny_device(&denied.user_code));
    let error = sign_in.poll_once(&denied).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn);
    assert!(error.message.contains("denied"), "{}", error.message);

    let expired = sign_in.start().await.unwrap();
    assert!(sandbox.expire_device(&expired.user_code));
    let error = sign_in.poll_once(&expired).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn);
    assert!(error.message.contains("expired"), "{}", error.message);
    assert!(store
        .get(CONNECTION, REFRESH_TOKEN_SECRET)
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn polling_too_fast_gets_slow_down_and_waiting_then_succeeds() {
    let (sandbox, store) = started(0).await;
    sandbox.set_faults(ZohoFaults {
        min_poll_interval: Some(Duration::from_secs(3600)),
        ..ZohoFaults::default()
    });
    let mut sign_in = device(&sandbox, store).await;
    let authorization = sign_in.start().await.unwrap();
    assert!(matches!(
        sign_in.poll_once(&authorization).await.unwrap(),
        PollOutcome::Pending
    ));
    assert!(matches!(
        sign_in.poll_once(&authorization).await.unwrap(),
        PollOutcome::SlowDown
    ));

    sandbox.set_faults(ZohoFaults::default());
    assert!(sandbox.approve_device(&authorization.user_code, SUPER));
    let session = sign_in
        .wait_for_approval(&authorization, Duration::from_secs(1))
        .await
        .unwrap();
    let operator = ZohoClient::new(Arc::new(session), http())
        .operator()
        .await
        .unwrap();
    assert_eq!(operator.permissions.role, MailRole::SuperAdmin);
}

/// The initiation page gives `interval` and `expires_in` in milliseconds
/// (https://www.zoho.com/accounts/protocol/oauth/devices/initiation-request.html): 500 is half
/// a second, not 500 s. Whatever arrives, the client polls at least a second apart (never in a
/// tight loop) and a huge lifetime neither panics nor outlives a sign-in's few minutes.
#[tokio::test]
async fn the_device_interval_is_read_in_milliseconds_and_bounded() {
    let (sandbox, store) = started(0).await;
    let sign_in = DeviceSignIn::new(CONNECTION, sandbox.settings(), store, http());
    let poll = |interval: u64, expires_in: u64| ZohoFaults {
        device_interval: Some(interval),
        device_expires_in: Some(expires_in),
        ..ZohoFaults::default()
    };

    sandbox.set_faults(poll(500, 300_000));
    let half_a_second = sign_in.start().await.unwrap();
    assert!(
        half_a_second.interval <= Duration::from_secs(1),
        "500 ms read as {:?}",
        half_a_second.interval
    );

    sandbox.set_faults(poll(0, u64::MAX));
    let zero = sign_in.start().await.unwrap();
    assert!(
        zero.interval >= Duration::from_secs(1),
        "{:?}",
        zero.interval
    );
    let lifetime = zero.expires_at - chrono::Utc::now();
    assert!(
        lifetime <= chrono::Duration::minutes(30),
        "a sign-in code lives minutes, not {lifetime}"
    );
}

/// A user id becomes a path segment of the Mail API: `\\` is read as `/` and `%2e%2e` as `..`
/// by URL parsing, so anything but a ZUID (digits) or a plain e-mail address is refused before
/// a request is sent.
#[tokio::test]
async fn a_user_id_that_could_steer_the_request_path_is_refused_before_sending() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, SUPER).await;
    let before = sandbox.mail_requests();
    for forged in [
        "..\\..\\accounts",
        "%2e%2e/%2e%2e",
        "123/../456",
        "12 34",
        "a@b/c",
        "",
    ] {
        let error = client.user(forged).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{forged:?}: {error:?}");
    }
    assert_eq!(sandbox.mail_requests(), before, "nothing was sent");
    let user = client.user(CONFIRMED_USER).await.unwrap();
    assert!(client.user(&user.zuid).await.is_ok(), "a ZUID is accepted");
}

#[tokio::test]
async fn without_a_client_secret_polling_is_invalid_input() {
    let (sandbox, store) = started(0).await;
    let sign_in = DeviceSignIn::new(CONNECTION, sandbox.settings(), store.clone(), http());
    let authorization = sign_in.start().await.unwrap();
    let error = sign_in.poll_once(&authorization).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(error.message.contains("client secret"));
    assert!(store
        .get(CONNECTION, CLIENT_SECRET_SECRET)
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_from_the_store() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store.clone(), ADMIN).await;
    let first = client
        .session()
        .access_token()
        .await
        .unwrap()
        .expose_secret()
        .to_string();
    sandbox.expire_access_tokens();
    // The cached token looks valid to us but Zoho says 401: the client refreshes and retries.
    let operator = client.operator().await.unwrap();
    assert_eq!(operator.email, ADMIN);
    let second = client
        .session()
        .access_token()
        .await
        .unwrap()
        .expose_secret()
        .to_string();
    assert_ne!(first, second, "a new access token was fetched");

    // At a later start: resume from the store alone.
    let resumed = ZohoSession::resume(CONNECTION, sandbox.settings(), store.clone(), http())
        .await
        .unwrap()
        .expect("a saved sign-in");
    assert!(resumed.signed_in_at().is_none());
    let resumed = ZohoClient::new(Arc::new(resumed), http());
    assert_eq!(resumed.operator().await.unwrap().email, ADMIN);
}

#[tokio::test]
async fn a_revoked_refresh_token_means_not_signed_in_and_is_deleted() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store.clone(), ADMIN).await;
    sandbox.revoke_refresh_tokens();
    sandbox.expire_access_tokens();
    let error = client.operator().await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(error.message.contains("sign in again"), "{}", error.message);
    assert!(store
        .get(CONNECTION, REFRESH_TOKEN_SECRET)
        .unwrap()
        .is_none());
    let resumed = ZohoSession::resume(CONNECTION, sandbox.settings(), store, http())
        .await
        .unwrap();
    assert!(resumed.is_none());
}

#[tokio::test]
async fn the_operators_role_decides_what_is_offered() {
    let (sandbox, store) = started(0).await;
    for (email, _, role) in OPERATORS {
        let client = sign_in(&sandbox, store.clone(), email).await;
        let permissions = client.operator().await.unwrap().permissions;
        let admin = *role != "member";
        assert_eq!(permissions.may_reset_password, admin, "{email}");
        assert_eq!(permissions.may_manage_mfa, admin, "{email}");
        assert_eq!(permissions.reason.is_some(), !admin, "{email}");
    }
    // A member cannot list users: Zoho answers 403, mapped with a message that says why.
    let member = sign_in(&sandbox, store, MEMBER).await;
    let error = member.list_users(0, 10).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert!(error.message.contains("admin"));
}

#[tokio::test]
async fn users_page_and_search() {
    let (sandbox, store) = started(25).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    let mut all = Vec::new();
    let mut start = Some(0);
    let mut pages = 0;
    while let Some(at) = start {
        let page = client.list_users(at, 10).await.unwrap();
        assert!(page.users.len() <= 10);
        all.extend(page.users);
        start = page.next_start;
        pages += 1;
    }
    assert_eq!(pages, 4, "32 users in pages of 10");
    assert_eq!(all.len(), 7 + 25);
    let unique: std::collections::HashSet<_> = all.iter().map(|u| u.zuid.clone()).collect();
    assert_eq!(unique.len(), all.len(), "no user twice across pages");

    let found = client.search_users("annette", 5).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].email, CONFIRMED_USER);
    assert_eq!(found[0].display_name, "Annette Charbonneau");
    assert_eq!(
        client.search_users("  ", 5).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(
        client.user("nobody@zylker.sandbox").await.unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn only_confirmed_users_are_resettable() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    let confirmed = client.user(CONFIRMED_USER).await.unwrap();
    assert_eq!(confirmed.status, UserStatus::Confirmed);
    assert!(confirmed.not_resettable_reason.is_none());
    let pending = client.user(PENDING_USER).await.unwrap();
    assert_eq!(pending.status, UserStatus::Pending);
    let external = client.user(EXTERNAL_USER).await.unwrap();
    assert_eq!(external.status, UserStatus::External);

    let operator = client.operator().await.unwrap();
    for (email, hint) in [(PENDING_USER, "invitation"), (EXTERNAL_USER, "external")] {
        let zuid = sandbox.zuid_of(email).unwrap();
        let error = client
            .reset_password_now(&operator, &zuid, typed("Kettle-Brave-482"))
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{email}");
        assert!(error.message.contains(hint), "{email}: {}", error.message);
        assert_eq!(sandbox.password_resets(email), 0);
        let mfa = client.plan_reset_mfa(&operator, &zuid).await.unwrap_err();
        assert_eq!(mfa.kind, ErrorKind::InvalidInput);
    }
}

#[tokio::test]
async fn reset_with_a_typed_password() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    let operator = client.operator().await.unwrap();
    let zuid = sandbox.zuid_of(CONFIRMED_USER).unwrap();
    let outcome = client
        .reset_password(
            &operator,
            &zuid,
            typed("Kettle-Brave-482"),
            ResetPasswordOptions {
                force_change_on_login: true,
                clear_mobile_sessions_and_api_tokens: true,
                email_new_password: false,
            },
            FRESH,
        )
        .await
        .unwrap();
    assert!(outcome.generated_password.is_none());
    assert!(sandbox.password_is(CONFIRMED_USER, "Kettle-Brave-482"));
    assert_eq!(sandbox.password_resets(CONFIRMED_USER), 1);
    let step = |option| outcome.steps.iter().find(|s| s.option == option).cloned();
    let set = step(ZohoOption::SetPassword).unwrap();
    assert!(set.done && matches!(set.performed, Performed::Api { .. }));
    // Force change and the sessions go in the same call as the password: done, through the API.
    for option in [
        ZohoOption::ClearWebSessions,
        ZohoOption::ForceChangeOnLogin,
        ZohoOption::ClearMobileSessionsAndApiTokens,
    ] {
        let done = step(option).unwrap_or_else(|| panic!("{option:?} missing"));
        assert!(done.done, "{option:?} done with the reset");
        assert!(
            matches!(done.performed, Performed::Api { .. }),
            "{option:?}"
        );
    }
    assert!(step(ZohoOption::EmailNewPassword).is_none(), "not chosen");
    let applied = sandbox.last_reset(CONFIRMED_USER).unwrap();
    assert!(applied.one_time_password && applied.reset_auth_token);
    assert_eq!(
        applied.auth_token_spellings,
        ["resetAuthToken", "resetAuthtoken"],
        "both of the page's spellings, agreeing"
    );
}

#[tokio::test]
async fn an_unticked_option_is_sent_as_false_not_left_to_zohos_default_of_true() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    let operator = client.operator().await.unwrap();
    let zuid = sandbox.zuid_of(CONFIRMED_USER).unwrap();
    let outcome = client
        .reset_password(
            &operator,
            &zuid,
            typed("Kettle-Brave-482"),
            ResetPasswordOptions {
                force_change_on_login: false,
                clear_mobile_sessions_and_api_tokens: false,
                email_new_password: true,
            },
            FRESH,
        )
        .await
        .unwrap();
    let applied = sandbox.last_reset(CONFIRMED_USER).unwrap();
    assert!(!applied.one_time_password, "force change was not chosen");
    assert!(
        !applied.reset_auth_token,
        "mobile sessions were not to be cleared"
    );
    // Only the e-mail is left to do by hand.
    let by_hand: Vec<_> = outcome.steps.iter().filter(|s| !s.done).collect();
    assert_eq!(by_hand.len(), 1, "{by_hand:?}");
    assert_eq!(by_hand[0].option, ZohoOption::EmailNewPassword);
    assert!(matches!(by_hand[0].performed, Performed::ByHand { .. }));
}

#[tokio::test]
async fn reset_with_a_generated_read_aloud_password() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, SUPER).await;
    let operator = client.operator().await.unwrap();
    // The super admin may reset another admin.
    let zuid = sandbox.zuid_of(SECOND_ADMIN).unwrap();
    let outcome = client
        .reset_password_now(
            &operator,
            &zuid,
            PasswordChoice::Generate(PasswordStyle::read_aloud()),
        )
        .await
        .unwrap();
    let generated = outcome.generated_password.as_ref().expect("shown once");
    assert!(sandbox.password_is(SECOND_ADMIN, generated.expose_secret()));
    assert_eq!(generated.expose_secret().split('-').count(), 5);
    assert!(!format!("{outcome:?}").contains(generated.expose_secret()));
}

#[tokio::test]
async fn weak_passwords_are_refused_and_nothing_changes() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    let operator = client.operator().await.unwrap();
    let zuid = sandbox.zuid_of(CONFIRMED_USER).unwrap();
    let before = sandbox.mail_requests();
    for weak in ["", "short1A", "alllowercase"] {
        let error = client
            .reset_password_now(&operator, &zuid, typed(weak))
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{weak:?}");
    }
    // Our check passes this one; Zoho's policy refuses it (400 envelope), mapped with its text.
    let error = client
        .reset_password_now(&operator, &zuid, typed("Password123!"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(
        error.message.contains("too easy to guess"),
        "{}",
        error.message
    );
    assert!(!format!("{error:?}").contains("Password123!"));
    assert_eq!(sandbox.password_resets(CONFIRMED_USER), 0);
    assert!(sandbox.mail_requests() > before, "the reads went out");
}

#[tokio::test]
async fn operators_without_the_right_role_are_refused_before_anything_is_sent() {
    let (sandbox, store) = started(0).await;
    let member = sign_in(&sandbox, store.clone(), MEMBER).await;
    let operator = member.operator().await.unwrap();
    let zuid = sandbox.zuid_of(CONFIRMED_USER).unwrap();
    let error = member
        .reset_password_now(&operator, &zuid, typed("Kettle-Brave-482"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert_eq!(
        member
            .plan_reset_mfa(&operator, &zuid)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Denied
    );

    let admin = sign_in(&sandbox, store, ADMIN).await;
    let operator = admin.operator().await.unwrap();
    let other_admin = sandbox.zuid_of(SECOND_ADMIN).unwrap();
    let error = admin
        .reset_password_now(&operator, &other_admin, typed("Kettle-Brave-482"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Denied);
    assert!(error.message.contains("super admin"));
    assert_eq!(sandbox.password_resets(SECOND_ADMIN), 0);
}

#[tokio::test]
async fn a_resumed_session_needs_a_fresh_sign_in_before_a_reset() {
    let (sandbox, store) = started(0).await;
    let first = sign_in(&sandbox, store.clone(), ADMIN).await;
    let resumed = ZohoSession::resume(CONNECTION, sandbox.settings(), store, http())
        .await
        .unwrap()
        .unwrap();
    let client = ZohoClient::new(Arc::new(resumed), http());
    let operator = client.operator().await.unwrap();
    let zuid = sandbox.zuid_of(CONFIRMED_USER).unwrap();
    let error = client
        .reset_password_now(&operator, &zuid, typed("Kettle-Brave-482"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn);
    assert!(error.message.contains("recent sign-in"));
    assert_eq!(sandbox.password_resets(CONFIRMED_USER), 0);
    // An old sign-in is refused too.
    let signed_in_at = first.session().signed_in_at().expect("interactive sign-in");
    let later = signed_in_at + Duration::from_secs(600);
    let error = first
        .session()
        .require_fresh_sign_in(FRESH, later)
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn);
    assert!(first
        .session()
        .require_fresh_sign_in(FRESH, signed_in_at + Duration::from_secs(60))
        .is_ok());
}

#[tokio::test]
async fn every_option_without_an_api_is_declared_by_hand() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    let operator = client.operator().await.unwrap();
    let user = client.user(CONFIRMED_USER).await.unwrap();
    let steps = client.plan_reset_password(
        &user,
        ResetPasswordOptions {
            force_change_on_login: true,
            clear_mobile_sessions_and_api_tokens: true,
            email_new_password: true,
        },
    );
    assert_eq!(steps.len(), 5);
    let directory = format!("{}/directory", sandbox.base_url());
    for step in &steps {
        match (&step.option, &step.performed) {
            // The password, force change and the sessions: one documented call.
            (
                ZohoOption::SetPassword
                | ZohoOption::ForceChangeOnLogin
                | ZohoOption::ClearWebSessions
                | ZohoOption::ClearMobileSessionsAndApiTokens,
                Performed::Api { doc },
            ) => {
                assert!(doc.contains("put-reset-user-password"))
            }
            // Only the e-mail has no API: by hand, with where and what to click.
            (
                option @ ZohoOption::EmailNewPassword,
                Performed::ByHand {
                    admin_page_url,
                    instructions,
                    why,
                },
            ) => {
                assert!(admin_page_url.starts_with(&directory), "{option:?}");
                assert!(instructions.contains(CONFIRMED_USER), "{option:?}");
                assert!(!why.is_empty(), "{option:?}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let mfa = client.plan_reset_mfa(&operator, &user.zuid).await.unwrap();
    assert_eq!(mfa.len(), 1);
    match &mfa[0].performed {
        Performed::ByHand {
            instructions, why, ..
        } => {
            assert!(instructions.contains("Yes, Reset"));
            assert!(why.contains("updateTFAStatus"));
        }
        other => panic!("Reset MFA must be by hand: {other:?}"),
    }
}

#[tokio::test]
async fn throttling_is_retried_after_retry_after_then_reported() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    client.user(CONFIRMED_USER).await.unwrap(); // organisation domains are now cached
    let before = sandbox.mail_requests();
    sandbox.set_faults(ZohoFaults {
        throttle_next: 1,
        retry_after_secs: 0,
        ..ZohoFaults::default()
    });
    assert_eq!(
        client.user(CONFIRMED_USER).await.unwrap().email,
        CONFIRMED_USER
    );
    assert_eq!(sandbox.mail_requests() - before, 2, "one 429, one retry");

    sandbox.set_faults(ZohoFaults {
        throttle_next: 10,
        retry_after_secs: 0,
        ..ZohoFaults::default()
    });
    let error = client.user(CONFIRMED_USER).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    // A Retry-After longer than we wait is reported at once.
    sandbox.set_faults(ZohoFaults {
        throttle_next: 1,
        retry_after_secs: 3600,
        ..ZohoFaults::default()
    });
    let error = client.user(CONFIRMED_USER).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert!(error.message.contains("3600"), "{}", error.message);
}

#[tokio::test]
async fn server_errors_are_provider_errors_and_ambiguous_on_a_reset() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    let operator = client.operator().await.unwrap();
    let zuid = sandbox.zuid_of(CONFIRMED_USER).unwrap();
    client.user(&zuid).await.unwrap();
    sandbox.set_faults(ZohoFaults {
        server_error_next: 1,
        ..ZohoFaults::default()
    });
    assert_eq!(
        client.list_users(0, 10).await.unwrap_err().kind,
        ErrorKind::Provider
    );

    // The live read before the reset passes; the PUT itself gets the 500: the outcome is
    // unknown, and the message says to check before trying again.
    sandbox.set_faults(ZohoFaults {
        server_error_next_write: 1,
        ..ZohoFaults::default()
    });
    let error = client
        .reset_password_now(&operator, &zuid, typed("Kettle-Brave-482"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Ambiguous, "{error:?}");
    assert!(
        error.message.contains("Check the user"),
        "{}",
        error.message
    );
    assert_eq!(sandbox.password_resets(CONFIRMED_USER), 0);
}

#[tokio::test]
async fn a_token_close_to_expiry_is_refreshed_before_use() {
    let (sandbox, store) = started(0).await;
    // Tokens that live 30 s are inside the 60 s refresh margin from the start.
    sandbox.set_faults(ZohoFaults {
        token_lifetime: Some(Duration::from_secs(30)),
        ..ZohoFaults::default()
    });
    let client = sign_in(&sandbox, store, ADMIN).await;
    let first = client.session().access_token().await.unwrap();
    let second = client.session().access_token().await.unwrap();
    assert_ne!(
        first.expose_secret(),
        second.expose_secret(),
        "each call refreshed, since every token is near expiry"
    );
    assert_eq!(client.operator().await.unwrap().email, ADMIN);
}

#[tokio::test]
async fn saved_secrets_are_not_sent_to_servers_the_settings_name_since() {
    let (sandbox, store) = started(0).await;
    sign_in(&sandbox, store.clone(), ADMIN).await;
    let (other, connections) = resetdesk_testkit::counting_listener().await;

    // The accounts server moved: the refresh token (and the client secret) would go there.
    let mut moved = sandbox.settings();
    moved.accounts_base_url = Some(other.clone());
    let error = ZohoSession::resume(CONNECTION, moved.clone(), store.clone(), http())
        .await
        .expect_err("refused");
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert!(
        error.message.contains("did not send it there"),
        "{}",
        error.message
    );
    assert!(store
        .get(CONNECTION, REFRESH_TOKEN_SECRET)
        .unwrap()
        .is_none());
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no secret was sent to the new server"
    );

    // The mail API moved (where access tokens go): the sign-in is refused the same way.
    sign_in(&sandbox, store.clone(), ADMIN).await;
    let mut moved = sandbox.settings();
    moved.mail_base_url = Some(other);
    assert!(
        ZohoSession::resume(CONNECTION, moved.clone(), store.clone(), http())
            .await
            .is_err()
    );
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);

    // A new sign-in under the moved settings: the client secret saved for the old ones is
    // refused before the token request (and kept: the settings may be put back).
    let device = DeviceSignIn::new(CONNECTION, moved, store.clone(), http());
    let authorization = device.start().await.unwrap();
    assert!(sandbox.approve_device(&authorization.user_code, ADMIN));
    let refused = device.poll_once(&authorization).await.unwrap_err();
    assert!(refused.message.contains("client secret"), "{refused:?}");
    assert!(
        refused.message.contains("did not send it there"),
        "{refused:?}"
    );
    assert!(store
        .get(CONNECTION, CLIENT_SECRET_SECRET)
        .unwrap()
        .is_some());
}

/// Zoho Mail allows so many requests a window per operator and locks the API for a while past
/// it (the emulator enforces it, citing the page). A full sync of a 6,000-user organisation
/// needs 31 pages: paced to the limit the connection's settings give, it syncs whole and is
/// never refused.
#[tokio::test]
async fn a_large_organisation_syncs_whole_paced_to_the_request_limit() {
    use resetdesk_core::cache::{DirectorySync, SyncProgress};
    let (sandbox, store) = started(6_000).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    client.user(CONFIRMED_USER).await.unwrap(); // organisation domains are now cached
    let before = sandbox.mail_requests();
    let synced = client
        .full_user_sync(&SyncProgress::default())
        .await
        .expect("the whole organisation");
    assert!(synced.users.len() > 6_000, "{}", synced.users.len());
    assert!(synced.requests > 30, "more pages than one window allows");
    assert_eq!(
        sandbox.limited_requests(),
        0,
        "no request went over the limit"
    );
    assert_eq!(
        sandbox.mail_requests() - before,
        synced.requests as u32,
        "one request a page: nothing was refused and sent again"
    );
}

/// A 429 holds every request of the connection for what Zoho asked, not only the one refused.
#[tokio::test]
async fn a_429_holds_the_next_requests_too() {
    let (sandbox, store) = started(0).await;
    let client = sign_in(&sandbox, store, ADMIN).await;
    client.user(CONFIRMED_USER).await.unwrap();
    sandbox.set_faults(ZohoFaults {
        throttle_next: 1,
        retry_after_secs: 3600,
        ..ZohoFaults::default()
    });
    let error = client.user(CONFIRMED_USER).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    let before = sandbox.mail_requests();
    let held = client.list_users(0, 10).await.unwrap_err();
    assert_eq!(held.kind, ErrorKind::Throttled, "{held:?}");
    assert!(held.message.contains("wait"), "{}", held.message);
    assert_eq!(
        sandbox.mail_requests(),
        before,
        "nothing is sent while Zoho asked to wait"
    );
}
