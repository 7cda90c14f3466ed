//! The Entra provider (Microsoft Graph client) against the real sandbox emulator over HTTP,
//! with the emulator's fault knobs: throttling, server errors, hangs, expired tokens and
//! writes that are processed and then answered with an error.
//!
//! Retry delays are shortened with a test [`RetryPolicy`]; no test asserts on timing, only on
//! outcomes and on what the emulator received (its request log).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use resetdesk_core::auth::AccessTokenSource;
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::model::{AuthMethod, AuthMethodKind};
use resetdesk_providers::entra::directory::Directory;
use resetdesk_providers::entra::{http_client, EntraDirectory, RetryPolicy};
use resetdesk_sandbox::{Faults, RecordedRequest, Sandbox, SandboxConfig};
use secrecy::{ExposeSecret, SecretString};

const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const AUTH_ADMIN: &str = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
const ADELE: &str = "adele.vance@contoso.sandbox";

/// Hands out emulator tokens for one operator, like the app's token manager would: keeps the
/// current token until told it was rejected, then mints a new one. Counts both.
struct SandboxTokens {
    sandbox: Sandbox,
    upn: String,
    current: Mutex<Option<String>>,
    issued: AtomicU32,
    invalidated: AtomicU32,
}

impl SandboxTokens {
    fn new(sandbox: &Sandbox, upn: &str) -> Arc<Self> {
        Arc::new(Self {
            sandbox: sandbox.clone(),
            upn: upn.to_string(),
            current: Mutex::new(None),
            issued: AtomicU32::new(0),
            invalidated: AtomicU32::new(0),
        })
    }
}

#[async_trait]
impl AccessTokenSource for SandboxTokens {
    async fn access_token(&self) -> Result<SecretString> {
        let mut current = self.current.lock().unwrap();
        if current.is_none() {
            let token = self.sandbox.issue_access_token(&self.upn).ok_or_else(|| {
                AppError::not_signed_in(format!("the emulator knows no {}", self.upn))
            })?;
            self.issued.fetch_add(1, Ordering::SeqCst);
            *current = Some(token);
        }
        Ok(SecretString::from(current.clone().unwrap()))
    }

    async fn invalidate(&self, rejected: &SecretString) {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
        let mut current = self.current.lock().unwrap();
        if current.as_deref() == Some(rejected.expose_secret()) {
            *current = None;
        }
    }
}

/// Always the same token the emulator does not know: every request is a 401.
struct RejectedTokens {
    invalidated: AtomicU32,
}

#[async_trait]
impl AccessTokenSource for RejectedTokens {
    async fn access_token(&self) -> Result<SecretString> {
        Ok(SecretString::from("not-a-token-the-emulator-issued"))
    }
    async fn invalidate(&self, _rejected: &SecretString) {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
    }
}

/// Short backoffs; the attempt budget is the production one (4 attempts).
fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(60),
    }
}

struct Fixture {
    sandbox: Sandbox,
    tokens: Arc<SandboxTokens>,
    directory: EntraDirectory,
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("the emulator starts")
}

fn directory_for(
    sandbox: &Sandbox,
    tokens: Arc<dyn AccessTokenSource>,
    http: reqwest::Client,
) -> EntraDirectory {
    EntraDirectory::new("sandbox", &sandbox.entra_settings(), tokens, http)
        .with_retry_policy(fast_policy())
}

async fn fixture_as(operator: &str) -> Fixture {
    fixture_with(SandboxConfig::default(), operator).await
}

async fn fixture_with(config: SandboxConfig, operator: &str) -> Fixture {
    let sandbox = Sandbox::start(config).await.expect("the emulator starts");
    let tokens = SandboxTokens::new(&sandbox, operator);
    let directory = directory_for(&sandbox, tokens.clone(), http_client());
    Fixture {
        sandbox,
        tokens,
        directory,
    }
}

async fn fixture() -> Fixture {
    fixture_as("authadmin@contoso.sandbox").await
}

impl Fixture {
    fn user_id(&self, upn: &str) -> String {
        self.sandbox
            .user_id_by_upn(upn)
            .unwrap_or_else(|| panic!("{upn} is seeded"))
    }

    fn requests_to(&self, method: &str, path_suffix: &str) -> Vec<RecordedRequest> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.ends_with(path_suffix))
            .collect()
    }

    fn set_faults(&self, faults: Faults) {
        self.sandbox.set_faults(faults);
    }
}

fn header<'a>(request: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn query_pairs(request: &RecordedRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn method_of(methods: &[AuthMethod], kind: AuthMethodKind) -> AuthMethod {
    methods
        .iter()
        .find(|m| m.kind == kind)
        .cloned()
        .unwrap_or_else(|| panic!("a {kind:?} method"))
}

// ---------------------------------------------------------------------------------------
// Reads

#[tokio::test]
async fn search_finds_users_by_display_name_upn_and_mail() {
    let f = fixture().await;
    let by_name = f.directory.search_users("Adele", 25).await.unwrap();
    assert!(
        by_name.iter().any(|u| u.user_principal_name == ADELE),
        "{by_name:?}"
    );
    let by_upn = f
        .directory
        .search_users("adele.vance@contoso", 25)
        .await
        .unwrap();
    assert!(
        by_upn.iter().any(|u| u.user_principal_name == ADELE),
        "{by_upn:?}"
    );
    let by_mail = f.directory.search_users("megan.bowen@", 25).await.unwrap();
    assert_eq!(
        by_mail
            .iter()
            .map(|u| u.user_principal_name.as_str())
            .collect::<Vec<_>>(),
        vec!["megan.bowen@contoso.sandbox"]
    );

    let adele = by_name
        .iter()
        .find(|u| u.user_principal_name == ADELE)
        .unwrap();
    assert_eq!(adele.connection_id, "sandbox");
    assert_eq!(adele.display_name, "Adele Vance");
    assert!(!adele.roles_known, "search results do not carry roles");

    // Every search was an advanced query: ConsistencyLevel + $count, client-request-id, JSON.
    let searches = f.requests_to("GET", "/v1.0/users");
    assert_eq!(searches.len(), 3);
    for request in &searches {
        assert_eq!(header(request, "consistencylevel"), Some("eventual"));
        assert_eq!(header(request, "accept"), Some("application/json"));
        assert!(
            header(request, "user-agent").is_some_and(|ua| ua.starts_with("ResetDesk/")),
            "{request:?}"
        );
        let client_request_id =
            header(request, "client-request-id").expect("client-request-id sent");
        assert_eq!(client_request_id.len(), 36, "a GUID: {client_request_id}");
        let pairs = query_pairs(request);
        assert!(
            pairs.contains(&("$count".into(), "true".into())),
            "{pairs:?}"
        );
        assert!(
            pairs
                .iter()
                .any(|(k, v)| k == "$search" && v.starts_with("\"displayName:")),
            "{pairs:?}"
        );
    }
    let ids: std::collections::HashSet<_> = searches
        .iter()
        .map(|r| header(r, "client-request-id"))
        .collect();
    assert_eq!(ids.len(), 3, "a fresh client-request-id per request");
}

#[tokio::test]
async fn empty_query_lists_users_by_display_name_and_pages_beyond_100() {
    let f = fixture().await;
    let users = f.directory.search_users("", 250).await.unwrap();
    assert_eq!(users.len(), 250);
    let ids: std::collections::HashSet<_> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids.len(), 250, "no user repeated across pages");
    let names: Vec<String> = users
        .iter()
        .map(|u| u.display_name.to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "ordered by display name");

    let pages = f.requests_to("GET", "/v1.0/users");
    assert_eq!(
        pages.len(),
        3,
        "100 + 100 + 50 by following @odata.nextLink"
    );
    let first = query_pairs(&pages[0]);
    assert!(
        first.contains(&("$orderby".into(), "displayName".into())),
        "{first:?}"
    );
    assert!(
        first.iter().all(|(k, _)| k != "$search"),
        "no $search for an empty query"
    );
}

/// Graph's search page: "If [a clause] contains double quotes or backslash, it should be
/// escaped with a backslash." The emulator parses clauses by that rule; the text the operator
/// typed reaches Graph whole, not with its quotes dropped.
/// <https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections>
#[tokio::test]
async fn a_search_text_with_quotes_and_backslashes_is_escaped_not_cut() {
    let f = fixture().await;
    f.sandbox
        .add_user(r#"Robert "Bob" Builder"#, "bob.builder@contoso.sandbox")
        .unwrap();
    let found = f
        .directory
        .search_users(r#""Bob" Builder"#, 25)
        .await
        .unwrap();
    assert!(
        found
            .iter()
            .any(|u| u.user_principal_name == "bob.builder@contoso.sandbox"),
        "{found:?}"
    );
    let sent = f.requests_to("GET", "/v1.0/users").pop().unwrap();
    let search = url::form_urlencoded::parse(sent.query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "$search")
        .map(|(_, value)| value.into_owned())
        .unwrap();
    assert!(
        search.contains(r#""displayName:\"Bob\" Builder""#),
        "{search}"
    );
    // A backslash, escaped too: the emulator refuses a lone one as Graph's rule implies.
    f.directory
        .search_users(r"CORP\bob", 25)
        .await
        .expect("an escaped backslash is valid $search syntax");
}

#[tokio::test]
async fn search_with_many_matches_follows_next_links_with_consistency_level() {
    // A bigger organisation, so that the most common UPN initial is shared by more than a
    // page of users (the UPN clause of $search is a prefix match).
    let f = fixture_with(
        SandboxConfig {
            users: 1500,
            ..SandboxConfig::default()
        },
        "authadmin@contoso.sandbox",
    )
    .await;
    let all = f.directory.search_users("", 999).await.unwrap();
    let mut counts = std::collections::HashMap::<char, usize>::new();
    for user in &all {
        if let Some(first) = user.user_principal_name.chars().next() {
            *counts.entry(first).or_default() += 1;
        }
    }
    let (letter, expected) = counts.into_iter().max_by_key(|(_, n)| *n).unwrap();
    assert!(
        expected > 100,
        "the seed has a UPN initial shared by more than 100 users ({expected})"
    );
    f.sandbox.clear_requests();

    let found = f
        .directory
        .search_users(&letter.to_string(), 999)
        .await
        .unwrap();
    assert!(found.len() >= expected, "{} < {expected}", found.len());
    let pages = f.requests_to("GET", "/v1.0/users");
    assert!(pages.len() >= 2, "more than one page");
    for page in &pages {
        assert_eq!(
            header(page, "consistencylevel"),
            Some("eventual"),
            "re-sent on {:?}",
            page.query
        );
    }
}

#[tokio::test]
async fn get_user_reads_profile_roles_and_role_assignable_group_membership() {
    let f = fixture().await;
    let megan = f
        .directory
        .get_user(&f.user_id("megan.bowen@contoso.sandbox"))
        .await
        .unwrap();
    assert!(megan.roles_known);
    assert!(
        megan
            .admin_roles
            .iter()
            .any(|r| r.template_id == GLOBAL_ADMIN),
        "{:?}",
        megan.admin_roles
    );
    assert!(!megan.in_role_assignable_group);

    let adele = f.directory.get_user(&f.user_id(ADELE)).await.unwrap();
    assert_eq!(adele.user_principal_name, ADELE);
    assert!(adele.roles_known && adele.admin_roles.is_empty());
    assert!(
        adele.role_assignable_group_known && !adele.in_role_assignable_group,
        "read, and no"
    );
    assert!(adele.last_password_change.is_some() && adele.sign_in_sessions_valid_from.is_some());
    assert_eq!(adele.account_enabled, Some(true));

    let diego = f
        .directory
        .get_user(&f.user_id("diego.siciliani@contoso.sandbox"))
        .await
        .unwrap();
    assert!(diego.in_role_assignable_group);

    let group_reads = f.requests_to("GET", "/transitiveMemberOf/microsoft.graph.group");
    assert_eq!(group_reads.len(), 3);
    for request in group_reads {
        assert_eq!(header(&request, "consistencylevel"), Some("eventual"));
        assert!(query_pairs(&request)
            .contains(&("$filter".into(), "isAssignableToRole eq true".into())));
    }
}

#[tokio::test]
async fn unknown_user_is_not_found() {
    let f = fixture().await;
    let error = f
        .directory
        .get_user("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound, "{error:?}");
    assert!(
        error
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("request-id="),
        "{error:?}"
    );
}

#[tokio::test]
async fn me_reads_the_operator_and_their_roles() {
    let f = fixture().await;
    let me = f.directory.me().await.unwrap();
    assert_eq!(me.user_principal_name, "authadmin@contoso.sandbox");
    assert_eq!(me.tenant_id, f.sandbox.entra_settings().tenant);
    assert_eq!(me.connection_id, "sandbox");
    assert!(
        me.roles.iter().any(|r| r.template_id == AUTH_ADMIN),
        "{:?}",
        me.roles
    );
    assert_eq!(f.requests_to("GET", "/v1.0/me").len(), 1);
}

#[tokio::test]
async fn list_methods_marks_the_default_and_includes_hardware_oath() {
    let f = fixture_as("privauthadmin@contoso.sandbox").await;
    let adele_id = f.user_id(ADELE);
    let methods = f.directory.list_methods(&adele_id).await.unwrap();
    let kinds: Vec<AuthMethodKind> = methods.iter().map(|m| m.kind).collect();
    for kind in [
        AuthMethodKind::Password,
        AuthMethodKind::Phone,
        AuthMethodKind::MicrosoftAuthenticator,
        AuthMethodKind::SoftwareOath,
        AuthMethodKind::HardwareOath,
        AuthMethodKind::Fido2,
        AuthMethodKind::Email,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    let phones: Vec<Option<&str>> = methods
        .iter()
        .filter(|m| m.kind == AuthMethodKind::Phone)
        .map(|m| m.phone_type.as_deref())
        .collect();
    assert!(
        phones.contains(&Some("mobile")) && phones.contains(&Some("alternateMobile")),
        "{phones:?}"
    );

    let defaults: Vec<&AuthMethod> = methods.iter().filter(|m| m.is_default).collect();
    assert_eq!(defaults.len(), 1, "{methods:?}");
    assert_eq!(
        Some(defaults[0].id.clone()),
        f.sandbox.default_method_of(&adele_id)
    );
    assert_eq!(
        (defaults[0].kind, defaults[0].phone_type.as_deref()),
        (AuthMethodKind::Phone, Some("mobile"))
    );

    let hardware = method_of(&methods, AuthMethodKind::HardwareOath);
    assert_eq!(hardware.label, "Hardware OATH token");
    assert!(
        hardware
            .detail
            .as_deref()
            .unwrap_or("")
            .starts_with("Serial "),
        "{hardware:?}"
    );
    assert_eq!(hardware.status.as_deref(), Some("activated"));
    assert_eq!(
        method_of(&methods, AuthMethodKind::Phone).label,
        "Phone number"
    );
    assert_eq!(
        method_of(&methods, AuthMethodKind::Fido2).label,
        "Passkey (FIDO2)"
    );
}

// ---------------------------------------------------------------------------------------
// Throttling, server errors, timeouts, sign-in expiry

#[tokio::test]
async fn throttling_storm_is_waited_out_after_retry_after() {
    let f = fixture().await;
    f.set_faults(Faults {
        throttle_next: 3,
        retry_after_secs: 1,
        ..Faults::default()
    });
    let users = f.directory.search_users("Adele", 10).await.unwrap();
    assert!(users.iter().any(|u| u.user_principal_name == ADELE));
    assert_eq!(
        f.requests_to("GET", "/v1.0/users").len(),
        4,
        "three 429s, then the answer"
    );
}

/// Microsoft's throttling page shows `Retry-After: 2.128`
/// (<https://learn.microsoft.com/graph/throttling>): decimal seconds. The emulator throttles a
/// request that comes back before that wait is over, as Graph does; the client waits as told,
/// so it is throttled exactly once.
#[tokio::test]
async fn a_fractional_retry_after_is_waited_out_before_the_retry() {
    let f = fixture().await;
    f.set_faults(Faults {
        throttle_next: 1,
        retry_after_text: Some("0.6".into()),
        ..Faults::default()
    });
    let users = f.directory.search_users("Adele", 10).await.unwrap();
    assert!(users.iter().any(|u| u.user_principal_name == ADELE));
    assert_eq!(
        f.sandbox.refused_with_retry_after(),
        1,
        "one 429, then the retry after the 0.6 s Graph asked for"
    );
}

/// Microsoft support correlates the attempts of one request by its `client-request-id`
/// (<https://learn.microsoft.com/graph/best-practices-concept#reliability-and-support>): the
/// retries of one logical request send the same one.
#[tokio::test]
async fn the_retries_of_one_request_keep_its_client_request_id() {
    let f = fixture().await;
    f.set_faults(Faults {
        throttle_next: 2,
        retry_after_secs: 0,
        ..Faults::default()
    });
    f.directory.search_users("Adele", 10).await.unwrap();
    let ids: Vec<String> = f
        .requests_to("GET", "/v1.0/users")
        .iter()
        .map(|r| {
            r.headers
                .iter()
                .find(|(name, _)| name == "client-request-id")
                .map(|(_, value)| value.clone())
                .expect("every request has a client-request-id")
        })
        .collect();
    assert_eq!(ids.len(), 3, "two 429s, then the answer");
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");

    // A new logical request gets a new one.
    f.directory.search_users("Megan", 10).await.unwrap();
    let last = f.requests_to("GET", "/v1.0/users").pop().unwrap();
    let last_id = &last
        .headers
        .iter()
        .find(|(name, _)| name == "client-request-id")
        .unwrap()
        .1;
    assert_ne!(last_id, &ids[0]);
}

/// Microsoft asks clients to wait as `Retry-After` says (https://learn.microsoft.com/graph/throttling).
/// An operator waits on the screen, so one request waits at most its budget: a wait within it
/// is honoured in full, one past it ends the request at once, saying how long Graph asked.
#[tokio::test]
async fn a_retry_after_past_the_requests_budget_ends_it_at_once_saying_how_long_graph_asked() {
    let f = fixture().await;
    let tight =
        directory_for(&f.sandbox, f.tokens.clone(), http_client()).with_retry_policy(RetryPolicy {
            max_retry_after: Duration::from_secs(2),
            ..fast_policy()
        });
    f.set_faults(Faults {
        throttle_next: 1,
        retry_after_text: Some("200".into()),
        ..Faults::default()
    });
    let error = tight.search_users("Adele", 10).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled, "{error:?}");
    assert!(error.message.contains("3 minutes 20 seconds"), "{error:?}");
    assert_eq!(
        f.requests_to("GET", "/v1.0/users").len(),
        1,
        "not sent again"
    );

    // Within the budget, the wait asked for is honoured in full, then the request goes through.
    f.set_faults(Faults {
        throttle_next: 1,
        retry_after_text: Some("1.2".into()),
        ..Faults::default()
    });
    let users = tight.search_users("Adele", 10).await.unwrap();
    assert!(users.iter().any(|u| u.user_principal_name == ADELE));
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_reported_as_throttled() {
    let f = fixture().await;
    f.set_faults(Faults {
        throttle_next: 50,
        retry_after_secs: 0,
        ..Faults::default()
    });
    let error = f.directory.search_users("Adele", 10).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled, "{error:?}");
    assert!(
        error.detail.as_deref().unwrap_or("").contains("code="),
        "{error:?}"
    );
    assert_eq!(
        f.requests_to("GET", "/v1.0/users").len(),
        4,
        "bounded attempts"
    );
}

#[tokio::test]
async fn server_error_on_a_read_is_retried_then_succeeds() {
    let f = fixture().await;
    f.set_faults(Faults {
        server_error_next: 2,
        ..Faults::default()
    });
    let id = f.user_id(ADELE);
    let adele = f.directory.get_user(&id).await.unwrap();
    assert_eq!(adele.user_principal_name, ADELE);
    // Not by luck: the two 500s were answered to reads that were then sent again (the user
    // and their roles are read together, so the errors may fall on either).
    let sent: Vec<(String, Option<String>)> = f
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.path.contains(&id))
        .map(|r| (r.path, r.query))
        .collect();
    let distinct: std::collections::HashSet<_> = sent.iter().collect();
    assert_eq!(
        sent.len() - distinct.len(),
        2,
        "each server error was followed by the same read again: {sent:?}"
    );
}

#[tokio::test]
async fn unavailable_service_honours_retry_after_then_succeeds() {
    let f = fixture().await;
    f.set_faults(Faults {
        server_error_next: 2,
        unavailable: true,
        retry_after_secs: 0,
        ..Faults::default()
    });
    let methods = f.directory.search_users("Megan", 10).await.unwrap();
    assert!(!methods.is_empty());
    assert_eq!(f.requests_to("GET", "/v1.0/users").len(), 3);
}

#[tokio::test]
async fn persistent_server_errors_are_reported_as_provider_after_bounded_attempts() {
    let f = fixture().await;
    f.set_faults(Faults {
        server_error_next: 50,
        ..Faults::default()
    });
    let error = f.directory.search_users("Adele", 10).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Provider, "{error:?}");
    assert!(error.message.contains("HTTP 500"), "{error:?}");
    assert_eq!(f.requests_to("GET", "/v1.0/users").len(), 4);
}

#[tokio::test]
async fn slow_reply_is_retried_and_a_hanging_service_is_reported_offline() {
    let f = fixture().await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let directory = directory_for(&f.sandbox, f.tokens.clone(), impatient);

    // One slow reply: the read is sent again and answered.
    f.set_faults(Faults {
        hang_next: 1,
        hang_ms: 3_000,
        ..Faults::default()
    });
    let users = directory.search_users("Adele", 10).await.unwrap();
    assert!(users.iter().any(|u| u.user_principal_name == ADELE));

    // A service that keeps hanging: reported after the bounded attempts.
    f.sandbox.clear_requests();
    f.set_faults(Faults {
        hang_next: 50,
        hang_ms: 3_000,
        ..Faults::default()
    });
    let error = directory.search_users("Adele", 10).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Offline, "{error:?}");
    assert!(
        error.message.contains("did not answer in time"),
        "{error:?}"
    );
    assert_eq!(f.requests_to("GET", "/v1.0/users").len(), 4);
}

#[tokio::test]
async fn unreachable_graph_host_is_reported_offline() {
    // A port that was just free: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sandbox = sandbox().await;
    let mut settings = sandbox.entra_settings();
    settings.graph_base_url = format!("http://127.0.0.1:{port}");
    let directory = EntraDirectory::new(
        "sandbox",
        &settings,
        SandboxTokens::new(&sandbox, ADELE),
        http_client(),
    )
    .with_retry_policy(fast_policy());
    let error = directory.search_users("Adele", 10).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Offline, "{error:?}");
    assert!(
        error
            .message
            .starts_with(&format!("Cannot reach Microsoft Graph at 127.0.0.1:{port}")),
        "{error:?}"
    );
}

#[tokio::test]
async fn expired_token_is_invalidated_and_refreshed_once() {
    let f = fixture().await;
    f.directory.search_users("Adele", 5).await.unwrap();
    assert_eq!(f.tokens.issued.load(Ordering::SeqCst), 1);
    f.sandbox.expire_access_tokens();

    let adele = f.directory.get_user(&f.user_id(ADELE)).await.unwrap();
    assert_eq!(adele.user_principal_name, ADELE);
    // get_user sends its three reads at once, so one to three of them meet the expired
    // token; each reports it and retries with a fresh one.
    assert!(
        f.tokens.invalidated.load(Ordering::SeqCst) >= 1,
        "the rejected token was reported"
    );
    assert!(
        f.tokens.issued.load(Ordering::SeqCst) >= 2,
        "a fresh token was obtained"
    );
}

#[tokio::test]
async fn token_rejected_twice_reports_not_signed_in() {
    let sandbox = sandbox().await;
    let tokens = Arc::new(RejectedTokens {
        invalidated: AtomicU32::new(0),
    });
    let directory = directory_for(&sandbox, tokens.clone(), http_client());
    let error = directory.search_users("Adele", 5).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotSignedIn, "{error:?}");
    assert_eq!(
        error.message,
        "Your sign-in to sandbox has expired. Sign in again."
    );
    assert_eq!(tokens.invalidated.load(Ordering::SeqCst), 2);
    assert_eq!(
        sandbox.requests().len(),
        2,
        "one retry with a fresh token, no more"
    );
}

// ---------------------------------------------------------------------------------------
// Writes

#[tokio::test]
async fn reset_password_sets_a_temporary_password_without_leaking_it() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    let password = SecretString::from("Temp-Pa55word!xyz");
    let receipt = f
        .directory
        .reset_password(&adele_id, &password)
        .await
        .unwrap();
    assert!(receipt.request_id.is_some());
    assert_eq!(receipt.note, None);
    assert_eq!(f.sandbox.password_reset_count(&adele_id), 1);
    let patches = f.requests_to("PATCH", &format!("/v1.0/users/{adele_id}"));
    assert_eq!(patches.len(), 1);
    assert_eq!(
        patches[0].body,
        Some(
            serde_json::json!({"passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"Temp-Pa55word!xyz"}})
        )
    );
    assert!(!format!("{receipt:?}").contains("Temp-Pa55word"));
}

#[tokio::test]
async fn operator_without_a_role_is_refused_by_the_service_as_forbidden() {
    let f = fixture_as("nobody@contoso.sandbox").await;
    let adele_id = f.user_id(ADELE);
    let password = SecretString::from("Temp-Pa55word!xyz");
    let error = f
        .directory
        .reset_password(&adele_id, &password)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Forbidden, "{error:?}");
    assert!(error
        .message
        .starts_with("Microsoft Entra refused: insufficient privileges"));
    assert!(
        error
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("code=Authorization_RequestDenied"),
        "{error:?}"
    );
    assert!(!format!("{error:?}").contains("Temp-Pa55word"));
    let error = f.directory.revoke_sessions(&adele_id).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Forbidden, "{error:?}");
    assert_eq!(f.sandbox.password_reset_count(&adele_id), 0);
    assert_eq!(f.sandbox.sessions_revoked_count(&adele_id), 0);
}

#[tokio::test]
async fn delete_removes_a_method_and_a_second_delete_is_already_removed() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    let methods = f.directory.list_methods(&adele_id).await.unwrap();
    let authenticator = method_of(&methods, AuthMethodKind::MicrosoftAuthenticator);
    let receipt = f
        .directory
        .delete_method(&adele_id, &authenticator)
        .await
        .unwrap();
    assert_eq!(receipt.note, None);
    assert!(f
        .sandbox
        .methods_of(&adele_id)
        .iter()
        .all(|m| m["id"] != authenticator.id.as_str()));

    let again = f
        .directory
        .delete_method(&adele_id, &authenticator)
        .await
        .unwrap();
    assert_eq!(again.note.as_deref(), Some("already removed"));
    assert_eq!(
        f.requests_to(
            "DELETE",
            &format!("/microsoftAuthenticatorMethods/{}", authenticator.id)
        )
        .len(),
        2
    );
}

#[tokio::test]
async fn password_and_hardware_tokens_are_not_deleted() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    let methods = f.directory.list_methods(&adele_id).await.unwrap();
    for kind in [AuthMethodKind::Password, AuthMethodKind::HardwareOath] {
        let error = f
            .directory
            .delete_method(&adele_id, &method_of(&methods, kind))
            .await
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidInput, "{kind:?}");
    }
    assert!(
        f.sandbox.requests().iter().all(|r| r.method != "DELETE"),
        "nothing was sent"
    );
}

#[tokio::test]
async fn deleting_the_default_method_first_is_refused_with_graphs_message() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    let methods = f.directory.list_methods(&adele_id).await.unwrap();
    let default = methods
        .iter()
        .find(|m| m.is_default)
        .cloned()
        .expect("a default method");
    let error = f
        .directory
        .delete_method(&adele_id, &default)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Provider, "{error:?}");
    assert!(error.message.contains("default method"), "{error:?}");
    assert!(
        error
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("code=badRequest"),
        "{error:?}"
    );
}

#[tokio::test]
async fn ambiguous_delete_is_verified_by_rereading_not_sent_twice() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    let methods = f.directory.list_methods(&adele_id).await.unwrap();
    let software = method_of(&methods, AuthMethodKind::SoftwareOath);
    f.sandbox.clear_requests();
    f.set_faults(Faults {
        fail_after_processing_next: 1,
        ..Faults::default()
    });

    let receipt = f
        .directory
        .delete_method(&adele_id, &software)
        .await
        .unwrap();
    assert_eq!(
        receipt.note.as_deref(),
        Some("verified after an ambiguous failure")
    );
    assert_eq!(
        f.requests_to("DELETE", &format!("/softwareOathMethods/{}", software.id))
            .len(),
        1,
        "not re-sent"
    );
    assert_eq!(
        f.requests_to("GET", "/authentication/methods").len(),
        1,
        "state re-read once"
    );
    assert!(f
        .sandbox
        .methods_of(&adele_id)
        .iter()
        .all(|m| m["id"] != software.id.as_str()));
}

#[tokio::test]
async fn write_failed_before_processing_is_sent_once_more_after_the_reread() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    let methods = f.directory.list_methods(&adele_id).await.unwrap();
    let email = method_of(&methods, AuthMethodKind::Email);
    f.sandbox.clear_requests();
    // A 500 that the emulator answers before touching anything: ambiguous to the client.
    f.set_faults(Faults {
        server_error_next: 1,
        ..Faults::default()
    });

    let receipt = f.directory.delete_method(&adele_id, &email).await.unwrap();
    assert_eq!(
        receipt.note.as_deref(),
        Some("sent again after an ambiguous failure showed no effect")
    );
    assert_eq!(
        f.requests_to("DELETE", &format!("/emailMethods/{}", email.id))
            .len(),
        2
    );
    assert!(f
        .sandbox
        .methods_of(&adele_id)
        .iter()
        .all(|m| m["id"] != email.id.as_str()));
}

#[tokio::test]
async fn throttled_write_is_sent_again_after_retry_after() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    f.set_faults(Faults {
        throttle_next: 2,
        retry_after_secs: 0,
        ..Faults::default()
    });
    let receipt = f.directory.revoke_sessions(&adele_id).await.unwrap();
    assert_eq!(receipt.note, None);
    assert_eq!(f.requests_to("POST", "/revokeSignInSessions").len(), 3);
    assert_eq!(f.sandbox.sessions_revoked_count(&adele_id), 1);
}

#[tokio::test]
async fn ambiguous_password_reset_is_verified_by_last_password_change() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    f.set_faults(Faults {
        fail_after_processing_next: 1,
        ..Faults::default()
    });
    let receipt = f
        .directory
        .reset_password(&adele_id, &SecretString::from("Temp-Pa55word!xyz"))
        .await
        .unwrap();
    assert_eq!(
        receipt.note.as_deref(),
        Some("verified after an ambiguous failure")
    );
    assert_eq!(f.sandbox.password_reset_count(&adele_id), 1);
    assert_eq!(
        f.requests_to("PATCH", &format!("/users/{adele_id}")).len(),
        1
    );
}

#[tokio::test]
async fn ambiguous_revoke_is_verified_by_sessions_valid_from() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    f.set_faults(Faults {
        fail_after_processing_next: 1,
        ..Faults::default()
    });
    let receipt = f.directory.revoke_sessions(&adele_id).await.unwrap();
    assert_eq!(
        receipt.note.as_deref(),
        Some("verified after an ambiguous failure")
    );
    assert_eq!(f.sandbox.sessions_revoked_count(&adele_id), 1);
    assert_eq!(f.requests_to("POST", "/revokeSignInSessions").len(), 1);
}

#[tokio::test]
async fn write_whose_outcome_cannot_be_read_is_reported_ambiguous() {
    let f = fixture().await;
    let adele_id = f.user_id(ADELE);
    // Every request hangs past the client's timeout: the PATCH may or may not have been
    // applied, and the re-reads that would tell time out as well.
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let directory = directory_for(&f.sandbox, f.tokens.clone(), impatient);
    f.set_faults(Faults {
        hang_next: 50,
        hang_ms: 1_000,
        ..Faults::default()
    });
    let error = directory
        .reset_password(&adele_id, &SecretString::from("Temp-Pa55word!xyz"))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Ambiguous, "{error:?}");
    assert!(
        error
            .message
            .starts_with("The service did not confirm the password reset."),
        "{error:?}"
    );
    assert!(!format!("{error:?}").contains("Temp-Pa55word"));
    assert_eq!(
        f.requests_to("PATCH", &format!("/users/{adele_id}")).len(),
        1,
        "never sent blindly again"
    );
    assert_eq!(
        f.requests_to("GET", &format!("/users/{adele_id}")).len(),
        4,
        "the re-read was tried, bounded"
    );
}

#[tokio::test]
async fn hardware_token_is_deactivated_on_beta() {
    let f = fixture_as("privauthadmin@contoso.sandbox").await;
    let adele_id = f.user_id(ADELE);
    let methods = f.directory.list_methods(&adele_id).await.unwrap();
    let token = method_of(&methods, AuthMethodKind::HardwareOath);
    let receipt = f
        .directory
        .deactivate_hardware_oath(&adele_id, &token.id)
        .await
        .unwrap();
    assert_eq!(receipt.note, None);
    assert_eq!(
        f.requests_to(
            "POST",
            &format!(
                "/beta/users/{adele_id}/authentication/hardwareOathMethods/{}/deactivate",
                token.id
            )
        )
        .len(),
        1
    );
    let after = f.directory.list_methods(&adele_id).await.unwrap();
    let token_after = method_of(&after, AuthMethodKind::HardwareOath);
    assert_ne!(
        token_after.status.as_deref(),
        Some("activated"),
        "{token_after:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Replies the emulator does not give: a cloud without the beta endpoints.

/// A minimal HTTP/1.1 server answering GETs from a fixed table (path → status, JSON body);
/// each connection serves one request. Enough to play a Graph cloud where the beta
/// authentication endpoints are missing or refused.
async fn stub_graph(routes: Vec<(&'static str, u16, &'static str)>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head);
                let target = head.split_whitespace().nth(1).unwrap_or("");
                let path = target.split('?').next().unwrap_or("");
                let (status, body) = routes
                    .iter()
                    .find(|(p, _, _)| *p == path)
                    .map(|(_, s, b)| (*s, *b))
                    .unwrap_or((
                        404,
                        r#"{"error":{"code":"Request_ResourceNotFound","message":"no route"}}"#,
                    ));
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\nrequest-id: stub-{status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    base
}

struct FixedToken;

#[async_trait]
impl AccessTokenSource for FixedToken {
    async fn access_token(&self) -> Result<SecretString> {
        Ok(SecretString::from("stub-token"))
    }
    async fn invalidate(&self, _rejected: &SecretString) {}
}

fn stub_directory(base: &str) -> EntraDirectory {
    let settings = resetdesk_core::connection::EntraSettings {
        tenant: "contoso.example".into(),
        client_id: "client".into(),
        login_base_url: base.to_string(),
        graph_base_url: base.to_string(),
        demo_accounts: Vec::new(),
    };
    EntraDirectory::new("stub", &settings, Arc::new(FixedToken), http_client())
        .with_retry_policy(fast_policy())
}

const STUB_METHODS: &str = r##"{"value":[
    {"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"3179e48a-750b-4051-897c-87b9720928f7","phoneNumber":"+1 5550100","phoneType":"mobile"},
    {"@odata.type":"#microsoft.graph.passwordAuthenticationMethod","id":"28c10230-6103-485e-b985-444c60001490"}]}"##;

#[tokio::test]
async fn refused_or_missing_beta_endpoints_do_not_fail_the_method_list() {
    let base = stub_graph(vec![
        ("/v1.0/users/u1/authentication/methods", 200, STUB_METHODS),
        (
            "/beta/users/u1/authentication/hardwareOathMethods",
            403,
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#,
        ),
        // signInPreferences answers 404 (no route): no default can be marked.
    ])
    .await;
    let methods = stub_directory(&base).list_methods("u1").await.unwrap();
    let kinds: Vec<AuthMethodKind> = methods.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, vec![AuthMethodKind::Phone, AuthMethodKind::Password]);
    assert!(
        methods.iter().all(|m| !m.is_default),
        "no default without signInPreferences: {methods:?}"
    );
}

#[tokio::test]
async fn a_failing_v1_method_list_still_fails_the_read() {
    let base = stub_graph(vec![(
        "/v1.0/users/u1/authentication/methods",
        403,
        r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#,
    )])
    .await;
    let error = stub_directory(&base).list_methods("u1").await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Forbidden, "{error:?}");
    assert_eq!(
        error.detail.as_deref(),
        Some("code=Authorization_RequestDenied request-id=stub-403")
    );
}

#[tokio::test]
async fn a_paging_link_to_another_host_is_not_followed() {
    let base = stub_graph(vec![(
        "/v1.0/users",
        200,
        r#"{"value":[{"id":"u1","displayName":"A"}],"@odata.nextLink":"https://attacker.example/v1.0/users?$skiptoken=x"}"#,
    )])
    .await;
    let error = stub_directory(&base)
        .search_users("", 50)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Provider, "{error:?}");
    assert!(error.message.contains("another host"), "{error:?}");
}

#[tokio::test]
async fn a_write_to_an_unreachable_host_is_offline_and_not_ambiguous() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let directory = stub_directory(&format!("http://127.0.0.1:{port}"));
    let error = directory.revoke_sessions("u1").await.unwrap_err();
    // The connection was never made, so nothing can have changed.
    assert_eq!(error.kind, ErrorKind::Offline, "{error:?}");
}

#[tokio::test]
async fn ambiguous_deactivation_is_verified_by_the_token_status() {
    let f = fixture_as("privauthadmin@contoso.sandbox").await;
    let adele_id = f.user_id(ADELE);
    let methods = f.directory.list_methods(&adele_id).await.unwrap();
    let token = method_of(&methods, AuthMethodKind::HardwareOath);
    f.set_faults(Faults {
        fail_after_processing_next: 1,
        ..Faults::default()
    });
    let receipt = f
        .directory
        .deactivate_hardware_oath(&adele_id, &token.id)
        .await
        .unwrap();
    assert_eq!(
        receipt.note.as_deref(),
        Some("verified after an ambiguous failure")
    );
    assert_eq!(f.requests_to("POST", "/deactivate").len(), 1, "not re-sent");
    assert_eq!(
        f.sandbox.hardware_oath_of(&adele_id)[0]["device"]["status"],
        "deactivated"
    );
}
