//! A fifth provider that exists only here: a fake directory with two actions, served to the
//! Console through the provider seam (`resetdesk_core::seam`). Nothing in the Console or the
//! commands names it: the tests that drive it are the proof that a new provider needs only
//! its own folder.
//!
//! Its operators: `admin@fake.test` and `lead@fake.test` may unlock accounts and sign users
//! out, and so may Bob, an owner of the directory (`bob@fake.test`); `viewer@fake.test` may
//! only look. Every operator's password is [`FAKE_PASSWORD`]. A second person approves
//! through the same sign-in. Its users: Ada (locked, with a
//! phone number on record and a registered phone), Bob (locked, an owner of the directory: a
//! privileged user) and Cy (active).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use resetdesk_core::console::{Console, KeychainStatus};
use resetdesk_core::error::{AppError, ErrorKind, Result};
use resetdesk_core::model::connection::{Connection, CustomSettings, ProviderSettings};
use resetdesk_core::model::{AuthMethod, AuthMethodKind};
use resetdesk_core::safety::team::TenantReset;
use resetdesk_core::safety::verification::{ContactsOnRecord, PhoneOnRecord};
use resetdesk_core::safety::SafetyPolicy;
use resetdesk_core::seam::{
    DeclaredAction, PlanDraft, PlanOwner, PlanTarget, Provider, ProviderAccount, ProviderOffer,
    ProviderPlan, ProviderStep, SafetyClass, Session, SignInOutcome, SignInRequest, SignInStep,
    StepPerformed, StepReport, StepState, StepsRun, UserFact, UserPage, UserRow,
    VerificationSources,
};
use resetdesk_core::secrets::MemoryStore;
use secrecy::ExposeSecret;

/// The name connections use to pick this provider.
pub const FAKE_PROVIDER: &str = "fake-directory";
/// The connection [`FakeDirectory::console`] serves.
pub const FAKE_CONNECTION: &str = "fake-1";
pub const FAKE_PASSWORD: &str = "fake-password";
pub const FAKE_ADMIN: &str = "admin@fake.test";
pub const FAKE_VIEWER: &str = "viewer@fake.test";
/// A second administrator: an approver of the admin's requests.
pub const FAKE_LEAD: &str = "lead@fake.test";
/// Bob, a user of the directory and one of its owners, signs in as an administrator too.
pub const FAKE_OWNER: &str = "bob@fake.test";
/// Unlocks a locked account: a reset (the hourly cap counts it).
pub const UNLOCK: &str = "fakeUnlock";
pub const UNLOCK_LABEL: &str = "Unlock account";
/// Signs the user out everywhere: sessions only.
pub const SIGN_OUT: &str = "fakeSignOut";
pub const SIGN_OUT_LABEL: &str = "Sign out everywhere";

#[derive(Debug, Clone)]
struct FakeUser {
    id: String,
    name: String,
    email: String,
    locked: bool,
    /// A phone number on record, which is also registered for sign-in (caller verification
    /// may call it back, or send a code to it).
    phone: Option<String>,
    /// An owner of the fake directory: privileged, as an admin role is.
    owner: bool,
}

#[derive(Default)]
struct FakeState {
    users: Vec<FakeUser>,
    /// Changes made, by (action, user id).
    changes: HashMap<(String, String), u32>,
    /// How long each run waits before it changes anything, as a slow directory would.
    run_delay: std::time::Duration,
    /// Off: the directory has no sign-in for a second person, as a provider that does not
    /// implement one.
    no_approvals: bool,
    /// The directory's own audit log of resets, made from anywhere; `None`: it keeps none.
    audit_log: Option<Vec<TenantReset>>,
}

/// The fake directory and its provider.
pub struct FakeDirectory {
    state: Arc<Mutex<FakeState>>,
}

impl FakeDirectory {
    /// Three users, two of them locked.
    pub fn new() -> Arc<Self> {
        let user = |id: &str, name: &str, locked: bool| FakeUser {
            id: id.to_string(),
            name: name.to_string(),
            email: format!("{id}@fake.test"),
            locked,
            phone: None,
            owner: false,
        };
        let state = FakeState {
            users: vec![
                FakeUser {
                    phone: Some("+1 555 0100".to_string()),
                    ..user("ada", "Ada Locked", true)
                },
                FakeUser {
                    owner: true,
                    ..user("bob", "Bob Locked", true)
                },
                user("cy", "Cy Active", false),
            ],
            changes: HashMap::new(),
            run_delay: std::time::Duration::ZERO,
            no_approvals: false,
            audit_log: None,
        };
        Arc::new(Self {
            state: Arc::new(Mutex::new(state)),
        })
    }

    /// A connection this provider serves.
    pub fn connection(id: &str) -> Connection {
        Connection {
            id: id.to_string(),
            display_name: "Fake directory".to_string(),
            settings: ProviderSettings::Custom(CustomSettings {
                provider: FAKE_PROVIDER.to_string(),
                options: serde_json::json!({ "organisation": "Fake Org" }),
                demo_accounts: Vec::new(),
            }),
            sandbox: false,
        }
    }

    /// How many times `action` changed `user_id`.
    pub fn changes(&self, action: &str, user_id: &str) -> u32 {
        let state = self.state.lock().unwrap();
        state
            .changes
            .get(&(action.to_string(), user_id.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Makes every run wait `delay` before it changes anything.
    pub fn set_run_delay(&self, delay: std::time::Duration) {
        self.state.lock().unwrap().run_delay = delay;
    }

    /// From now on, the directory keeps an audit log of resets, which holds `resets` made
    /// elsewhere (another desktop, the directory's own console).
    pub fn keep_audit_log(&self, resets: Vec<TenantReset>) {
        self.state.lock().unwrap().audit_log = Some(resets);
    }

    /// From now on, takes no second person's sign-in (see `Provider::takes_approvals`).
    pub fn refuse_approvals(&self) {
        self.state.lock().unwrap().no_approvals = true;
    }

    /// Makes `user_id` an owner of the directory (privileged, as an admin role is).
    pub fn make_owner(&self, user_id: &str) {
        let mut state = self.state.lock().unwrap();
        for user in state.users.iter_mut().filter(|u| u.id == user_id) {
            user.owner = true;
        }
    }

    /// Locks `user_id` again (as a user who mistyped their password too often).
    pub fn lock(&self, user_id: &str) {
        let mut state = self.state.lock().unwrap();
        for user in state.users.iter_mut().filter(|u| u.id == user_id) {
            user.locked = true;
        }
    }

    pub fn is_locked(&self, user_id: &str) -> bool {
        let state = self.state.lock().unwrap();
        state.users.iter().any(|u| u.id == user_id && u.locked)
    }

    /// A Console serving only a fake directory, as connection [`FAKE_CONNECTION`], under
    /// `policy`, with its audit log in `data_dir`.
    pub fn console(data_dir: &std::path::Path, policy: SafetyPolicy) -> (Console, Arc<Self>) {
        let directory = Self::new();
        let console = Console::new(
            vec![Self::connection(FAKE_CONNECTION)],
            Arc::new(MemoryStore::new()),
            KeychainStatus::Available,
            data_dir.join("audit.jsonl"),
        )
        .expect("the console opens")
        .with_safety_policy(policy)
        .with_provider(directory.clone());
        (console, directory)
    }

    /// Signs `account` (one of the fake operators) in to [`FAKE_CONNECTION`] with the fake
    /// password.
    pub async fn sign_in(console: &Console, account: &str) {
        let request = SignInRequest {
            account: account.to_string(),
            password: Some(secrecy::SecretString::from(FAKE_PASSWORD)),
            ..Default::default()
        };
        match console.sign_in_with(FAKE_CONNECTION, request).await {
            Ok(SignInOutcome::Done { account: signed_in }) => assert_eq!(signed_in.login, account),
            other => panic!("expected a finished sign-in as {account}, got {other:?}"),
        }
    }
}

#[async_trait]
impl Provider for FakeDirectory {
    fn name(&self) -> &str {
        FAKE_PROVIDER
    }

    fn actions(&self) -> Vec<DeclaredAction> {
        vec![
            DeclaredAction::new(UNLOCK, UNLOCK_LABEL, SafetyClass::Reset),
            DeclaredAction::new(SIGN_OUT, SIGN_OUT_LABEL, SafetyClass::SessionsOnly),
        ]
    }

    fn product(&self) -> &str {
        "Fake directory service"
    }

    fn summary(&self, connection: &Connection) -> Option<String> {
        match &connection.settings {
            ProviderSettings::Custom(custom) => custom
                .options
                .get("organisation")
                .and_then(|o| o.as_str())
                .map(|o| format!("Fake directory · {o}")),
            _ => None,
        }
    }

    async fn sign_in(&self, connection: &Connection, request: SignInRequest) -> Result<SignInStep> {
        let password_ok = request
            .password
            .as_ref()
            .is_some_and(|p| p.expose_secret() == FAKE_PASSWORD);
        let login = request.account.trim().to_ascii_lowercase();
        let administrators = [FAKE_ADMIN, FAKE_LEAD, FAKE_OWNER];
        if !password_ok || !(administrators.contains(&login.as_str()) || login == FAKE_VIEWER) {
            return Err(AppError::new(
                ErrorKind::Denied,
                "The fake directory refused the sign-in: check the account and password.",
            ));
        }
        Ok(SignInStep::Done(Arc::new(FakeSession {
            state: self.state.clone(),
            tenant: connection.id.clone(),
            may_change: administrators.contains(&login.as_str()),
            login,
        })))
    }

    /// The fake directory keeps nothing of a sign-in: an approver's is the same.
    async fn approver_sign_in(
        &self,
        connection: &Connection,
        request: SignInRequest,
    ) -> Result<SignInStep> {
        if !self.takes_approvals() {
            return Err(AppError::invalid_input("No approver sign-in here."));
        }
        self.sign_in(connection, request).await
    }

    fn takes_approvals(&self) -> bool {
        !self.state.lock().unwrap().no_approvals
    }
}

struct FakeSession {
    state: Arc<Mutex<FakeState>>,
    tenant: String,
    login: String,
    may_change: bool,
}

impl FakeSession {
    fn user(&self, user_id: &str) -> Result<FakeUser> {
        let state = self.state.lock().unwrap();
        state
            .users
            .iter()
            .find(|u| u.id == user_id)
            .cloned()
            .ok_or_else(|| {
                AppError::new(ErrorKind::NotFound, "No such user in the fake directory.")
            })
    }

    fn offers(&self, user: &FakeUser) -> Vec<ProviderOffer> {
        let no_right = (!self.may_change)
            .then(|| "Only an administrator of the fake directory may do this.".to_string());
        let unlock_refusal = no_right
            .clone()
            .or_else(|| (!user.locked).then(|| format!("{} is not locked.", user.name)));
        vec![
            ProviderOffer::of(UNLOCK, UNLOCK_LABEL, SafetyClass::Reset, unlock_refusal),
            ProviderOffer::of(
                SIGN_OUT,
                SIGN_OUT_LABEL,
                SafetyClass::SessionsOnly,
                no_right,
            ),
        ]
    }
}

/// Why the directory treats `user` as privileged: an owner, as an admin role is.
fn privileged(user: &FakeUser) -> Option<String> {
    user.owner
        .then(|| "is an owner of the fake directory.".to_string())
}

fn row(user: &FakeUser) -> UserRow {
    UserRow {
        id: user.id.clone(),
        display_name: user.name.clone(),
        login: user.email.clone(),
        detail: Some(if user.locked { "Locked" } else { "Active" }.to_string()),
    }
}

#[async_trait]
impl Session for FakeSession {
    fn account(&self) -> ProviderAccount {
        ProviderAccount {
            name: self.login.clone(),
            login: self.login.clone(),
            role_label: if self.may_change {
                "Administrator"
            } else {
                "Viewer"
            }
            .to_string(),
            signed_in_at: None,
        }
    }

    fn owner(&self) -> PlanOwner {
        PlanOwner {
            // The directory's id of the operator: Bob signs in as the user `bob`.
            operator_id: self.login.trim_end_matches("@fake.test").to_string(),
            operator_label: self.login.clone(),
            tenant_id: self.tenant.clone(),
        }
    }

    async fn search(&self, query: &str, limit: usize) -> Result<Vec<UserRow>> {
        let query = query.to_ascii_lowercase();
        let state = self.state.lock().unwrap();
        Ok(state
            .users
            .iter()
            .filter(|u| u.name.to_ascii_lowercase().contains(&query) || u.email.contains(&query))
            .take(limit)
            .map(row)
            .collect())
    }

    async fn user_page(&self, user_id: &str) -> Result<UserPage> {
        let user = self.user(user_id)?;
        Ok(UserPage {
            user: row(&user),
            offers: self.offers(&user),
            facts: vec![UserFact::new("email", "E-mail", &user.email)],
            fresh_sign_in: None,
            rate: None,
            methods: None,
            methods_error: None,
        })
    }

    async fn plan(&self, user_id: &str, offer: &ProviderOffer) -> Result<PlanDraft> {
        let user = self.user(user_id)?;
        let summary = match offer.action.as_str() {
            UNLOCK => format!("Unlock {}'s account", user.name),
            SIGN_OUT => format!("Sign {} out of every session", user.name),
            other => return Err(AppError::invalid_input(format!("Unknown action {other}."))),
        };
        let target = PlanTarget::new(user.id.clone(), user.name.clone(), user.email.clone());
        let step = ProviderStep::new(
            summary,
            StepPerformed::Api {
                doc: "https://fake.test/api".to_string(),
            },
        );
        let mut draft = PlanDraft::new(target, vec![step], Vec::new());
        draft.privileged = privileged(&user);
        Ok(draft)
    }

    async fn privileged_now(&self, user_id: &str) -> Result<Option<String>> {
        Ok(privileged(&self.user(user_id)?))
    }

    async fn tenant_resets_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Vec<TenantReset>>> {
        let state = self.state.lock().unwrap();
        Ok(state.audit_log.as_ref().map(|log| {
            log.iter()
                .filter(|reset| reset.at >= since)
                .cloned()
                .collect()
        }))
    }

    async fn verification_sources(&self, user_id: &str) -> Option<VerificationSources> {
        let user = self.user(user_id);
        let phone = user.as_ref().ok().and_then(|u| u.phone.clone());
        let contacts = user.as_ref().map(|_| ContactsOnRecord {
            phones: phone
                .iter()
                .map(|number| PhoneOnRecord {
                    id: "phone".to_string(),
                    label: "Phone".to_string(),
                    number: number.clone(),
                })
                .collect(),
            manager: None,
        });
        let methods = user.as_ref().map(|_| {
            phone
                .iter()
                .map(|number| AuthMethod {
                    id: "phone-method".to_string(),
                    kind: AuthMethodKind::Phone,
                    label: "Phone".to_string(),
                    detail: Some(number.clone()),
                    phone_type: Some("mobile".to_string()),
                    is_default: true,
                    status: None,
                    created: None,
                })
                .collect()
        });
        Some(VerificationSources {
            contacts: contacts.map_err(|e| e.clone()),
            methods: methods.map_err(|e| e.clone()),
        })
    }

    async fn run(&self, plan: &ProviderPlan) -> Result<StepsRun> {
        let delay = self.state.lock().unwrap().run_delay;
        tokio::time::sleep(delay).await;
        let mut state = self.state.lock().unwrap();
        let user = state
            .users
            .iter_mut()
            .find(|u| u.id == plan.target.id)
            .ok_or_else(|| AppError::new(ErrorKind::NotFound, "The user is gone."))?;
        if plan.action == UNLOCK {
            user.locked = false;
        }
        *state
            .changes
            .entry((plan.action.clone(), plan.target.id.clone()))
            .or_default() += 1;
        Ok(StepsRun {
            steps: vec![StepReport::of(
                0,
                &plan.steps[0],
                StepState::Done,
                "Done in the fake directory.".to_string(),
            )],
            generated_password: None,
            secret_kind: None,
        })
    }
}
