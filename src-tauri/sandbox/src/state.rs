//! The emulator's in-memory directory: users, their roles, groups and authentication
//! methods, plus the identity platform's issued codes and tokens. Plain data; the rules that
//! act on it live in the route modules and in `policy`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};

/// The directory roles the emulator knows, with their real role template ids
/// (reference/graph.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    GlobalAdmin,
    PrivilegedAuthAdmin,
    AuthAdmin,
    HelpdeskAdmin,
    PasswordAdmin,
    UserAdmin,
    PrivilegedRoleAdmin,
    GlobalReader,
    SecurityAdmin,
    GroupsAdmin,
    ReportsReader,
    MessageCenterReader,
    DirectoryReaders,
    GuestInviter,
    AuthPolicyAdmin,
}

impl Role {
    pub const ALL: [Role; 15] = [
        Role::GlobalAdmin,
        Role::PrivilegedAuthAdmin,
        Role::AuthAdmin,
        Role::HelpdeskAdmin,
        Role::PasswordAdmin,
        Role::UserAdmin,
        Role::PrivilegedRoleAdmin,
        Role::GlobalReader,
        Role::SecurityAdmin,
        Role::GroupsAdmin,
        Role::ReportsReader,
        Role::MessageCenterReader,
        Role::DirectoryReaders,
        Role::GuestInviter,
        Role::AuthPolicyAdmin,
    ];

    pub fn template_id(self) -> &'static str {
        match self {
            Role::GlobalAdmin => "62e90394-69f5-4237-9190-012177145e10",
            Role::PrivilegedAuthAdmin => "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
            Role::AuthAdmin => "c4e39bd9-1100-46d3-8c65-fb160da0071f",
            Role::HelpdeskAdmin => "729827e3-9c14-49f7-bb1b-9608f156bbb8",
            Role::PasswordAdmin => "966707d0-3269-4727-9be2-8c3a10f19b9d",
            Role::UserAdmin => "fe930be7-5e62-47db-91af-98c3a49a38b1",
            Role::PrivilegedRoleAdmin => "e8611ab8-c189-46e8-94e1-60213ab1f814",
            Role::GlobalReader => "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
            Role::SecurityAdmin => "194ae4cb-b126-40b2-bd5b-6091b380977d",
            Role::GroupsAdmin => "fdd7a751-b60b-444a-984c-02652fe8fa1c",
            Role::ReportsReader => "4a5d8f65-41da-4de4-8968-e035b65339cf",
            Role::MessageCenterReader => "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b",
            Role::DirectoryReaders => "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
            Role::GuestInviter => "95e79109-95c0-4d8e-aee3-d01accf2d47b",
            Role::AuthPolicyAdmin => "0526716b-113d-4c15-b2c8-68e3c22b9f80",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Role::GlobalAdmin => "Global Administrator",
            Role::PrivilegedAuthAdmin => "Privileged Authentication Administrator",
            Role::AuthAdmin => "Authentication Administrator",
            Role::HelpdeskAdmin => "Helpdesk Administrator",
            Role::PasswordAdmin => "Password Administrator",
            Role::UserAdmin => "User Administrator",
            Role::PrivilegedRoleAdmin => "Privileged Role Administrator",
            Role::GlobalReader => "Global Reader",
            Role::SecurityAdmin => "Security Administrator",
            Role::GroupsAdmin => "Groups Administrator",
            Role::ReportsReader => "Reports Reader",
            Role::MessageCenterReader => "Message Center Reader",
            Role::DirectoryReaders => "Directory Readers",
            Role::GuestInviter => "Guest Inviter",
            Role::AuthPolicyAdmin => "Authentication Policy Administrator",
        }
    }
}

/// A directory role activated in the demo tenant (its object id is tenant-specific).
#[derive(Debug, Clone)]
pub struct DirectoryRole {
    pub id: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub is_assignable_to_role: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneType {
    Mobile,
    AlternateMobile,
    Office,
}

impl PhoneType {
    /// Graph's fixed method ids for the three phone slots.
    pub fn method_id(self) -> &'static str {
        match self {
            PhoneType::Mobile => "3179e48a-750b-4051-897c-87b9720928f7",
            PhoneType::AlternateMobile => "b6332ec1-7057-4abe-9331-3d72feddfe41",
            PhoneType::Office => "e37fc753-ff3b-4958-9484-eaa9425c82bc",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PhoneType::Mobile => "mobile",
            PhoneType::AlternateMobile => "alternateMobile",
            PhoneType::Office => "office",
        }
    }
}

pub const PASSWORD_METHOD_ID: &str = "28c10230-6103-485e-b985-444c60001490";
pub const EMAIL_METHOD_ID: &str = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f";

/// What kind of method, with the properties Graph shows for it.
#[derive(Debug, Clone, PartialEq)]
pub enum MethodDetail {
    Password,
    Phone {
        phone_type: PhoneType,
        number: String,
    },
    Authenticator {
        display_name: String,
        device_tag: String,
        app_version: String,
    },
    SoftwareOath,
    /// Beta only; not listed by v1.0 `/methods`.
    HardwareOath {
        serial: String,
        manufacturer: String,
        model: String,
        activated: bool,
    },
    Fido2 {
        display_name: String,
        model: String,
        aaguid: String,
    },
    Email {
        address: String,
    },
    TemporaryAccessPass {
        lifetime_minutes: u32,
        usable_once: bool,
        /// When the pass becomes usable; `None` = when it was created.
        starts: Option<DateTime<Utc>>,
    },
    WindowsHello {
        display_name: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    pub id: String,
    pub created: DateTime<Utc>,
    pub detail: MethodDetail,
}

/// The `/authentication/{collection}` segment a method lives under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodCollection {
    Password,
    Phone,
    Authenticator,
    SoftwareOath,
    HardwareOath,
    Fido2,
    Email,
    TemporaryAccessPass,
    WindowsHello,
}

impl MethodCollection {
    pub fn from_segment(segment: &str) -> Option<Self> {
        Some(match segment {
            "passwordMethods" => Self::Password,
            "phoneMethods" => Self::Phone,
            "microsoftAuthenticatorMethods" => Self::Authenticator,
            "softwareOathMethods" => Self::SoftwareOath,
            "hardwareOathMethods" => Self::HardwareOath,
            "fido2Methods" => Self::Fido2,
            "emailMethods" => Self::Email,
            "temporaryAccessPassMethods" => Self::TemporaryAccessPass,
            "windowsHelloForBusinessMethods" => Self::WindowsHello,
            _ => return None,
        })
    }

    pub fn segment(self) -> &'static str {
        match self {
            Self::Password => "passwordMethods",
            Self::Phone => "phoneMethods",
            Self::Authenticator => "microsoftAuthenticatorMethods",
            Self::SoftwareOath => "softwareOathMethods",
            Self::HardwareOath => "hardwareOathMethods",
            Self::Fido2 => "fido2Methods",
            Self::Email => "emailMethods",
            Self::TemporaryAccessPass => "temporaryAccessPassMethods",
            Self::WindowsHello => "windowsHelloForBusinessMethods",
        }
    }
}

impl Method {
    pub fn collection(&self) -> MethodCollection {
        match self.detail {
            MethodDetail::Password => MethodCollection::Password,
            MethodDetail::Phone { .. } => MethodCollection::Phone,
            MethodDetail::Authenticator { .. } => MethodCollection::Authenticator,
            MethodDetail::SoftwareOath => MethodCollection::SoftwareOath,
            MethodDetail::HardwareOath { .. } => MethodCollection::HardwareOath,
            MethodDetail::Fido2 { .. } => MethodCollection::Fido2,
            MethodDetail::Email { .. } => MethodCollection::Email,
            MethodDetail::TemporaryAccessPass { .. } => MethodCollection::TemporaryAccessPass,
            MethodDetail::WindowsHello { .. } => MethodCollection::WindowsHello,
        }
    }

    /// Methods that can be a user's default second factor (and so block deleting the
    /// default while they exist): phones, Authenticator, OATH tokens that still work.
    pub fn can_be_default(&self) -> bool {
        match &self.detail {
            MethodDetail::Phone { .. }
            | MethodDetail::Authenticator { .. }
            | MethodDetail::SoftwareOath => true,
            MethodDetail::HardwareOath { activated, .. } => *activated,
            _ => false,
        }
    }

    /// The `userPreferredMethodForSecondaryAuthentication` value when this method is default.
    pub fn preference_name(&self) -> Option<&'static str> {
        match &self.detail {
            MethodDetail::Authenticator { .. } => Some("push"),
            MethodDetail::SoftwareOath | MethodDetail::HardwareOath { .. } => Some("oath"),
            MethodDetail::Phone {
                phone_type: PhoneType::Mobile,
                ..
            } => Some("sms"),
            MethodDetail::Phone {
                phone_type: PhoneType::AlternateMobile,
                ..
            } => Some("voiceAlternateMobile"),
            MethodDetail::Phone {
                phone_type: PhoneType::Office,
                ..
            } => Some("voiceOffice"),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub user_principal_name: String,
    pub mail: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub office_location: Option<String>,
    pub mobile_phone: Option<String>,
    pub business_phones: Vec<String>,
    /// The user's manager (`GET /users/{id}?$expand=manager`): what caller verification asks.
    pub manager_id: Option<String>,
    pub account_enabled: bool,
    pub created: DateTime<Utc>,
    pub last_password_change: DateTime<Utc>,
    pub sign_in_sessions_valid_from: DateTime<Utc>,
    pub roles: Vec<Role>,
    /// Ids of the groups the user is a (transitive) member of.
    pub groups: Vec<String>,
    pub methods: Vec<Method>,
    /// Id of the user's default MFA method, one of `methods`.
    pub default_method_id: Option<String>,
    pub system_preferred_mfa: bool,
    /// A mobile-phone default used by voice call rather than SMS.
    pub mobile_default_by_voice: bool,
    /// The last `passwordProfile.forceChangePasswordNextSignIn` set.
    pub force_change_password: bool,
    pub password_reset_count: u32,
    pub sessions_revoked_count: u32,
}

impl User {
    pub fn is_default(&self, method_id: &str) -> bool {
        self.default_method_id.as_deref() == Some(method_id)
    }
}

pub fn graph_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An authorization code waiting to be redeemed (single use, 10 minutes).
pub struct PendingCode {
    pub user_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: String,
    pub expires: Instant,
    /// When the person signed in (Unix seconds): the ID token's `auth_time`.
    pub auth_time: i64,
}

pub struct AccessGrant {
    pub user_id: String,
    pub expires: Instant,
}

pub struct RefreshGrant {
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    /// When the person signed in: a refresh does not sign them in again.
    pub auth_time: i64,
}

pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// How long an expired access token is still recognised (as expired) before being forgotten.
pub const EXPIRED_TOKEN_MEMORY: Duration = Duration::from_secs(3600);

/// What happened to a user, for `/users/delta`.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    Added,
    /// The Graph names of the properties that changed.
    Updated(Vec<&'static str>),
    Deleted,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEntry {
    pub seq: u64,
    pub user_id: String,
    pub kind: ChangeKind,
}

/// The directory's change log: delta tokens are positions (sequence numbers) in it, valid
/// within one epoch and while their position is still kept.
#[derive(Debug, Clone, Default)]
pub struct ChangeLog {
    pub entries: std::collections::VecDeque<ChangeEntry>,
    /// The sequence number the next change gets.
    pub next_seq: u64,
    /// Bumped when every outstanding token is declared expired.
    pub epoch: u64,
    /// Tokens older than this position point at forgotten changes: expired.
    pub floor: u64,
}

/// How many changes the log keeps; a token older than that has expired (as Graph's do).
pub const CHANGE_LOG_CAP: usize = 50_000;

impl ChangeLog {
    pub fn record(&mut self, user_id: &str, kind: ChangeKind) {
        self.entries.push_back(ChangeEntry {
            seq: self.next_seq,
            user_id: user_id.to_string(),
            kind,
        });
        self.next_seq += 1;
        while self.entries.len() > CHANGE_LOG_CAP {
            if let Some(dropped) = self.entries.pop_front() {
                self.floor = dropped.seq + 1;
            }
        }
    }
}

/// Everything the emulator knows, behind one lock.
/// The tenant's Temporary Access Pass method policy (authenticationMethodsPolicy /
/// authenticationMethodConfigurations/TemporaryAccessPass). The defaults are Entra's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporaryAccessPassPolicy {
    pub enabled: bool,
    pub default_lifetime_minutes: u32,
    pub minimum_lifetime_minutes: u32,
    pub maximum_lifetime_minutes: u32,
    pub default_length: u32,
    /// `true`: every pass is one-time use; multi-use passes are refused.
    pub is_usable_once: bool,
}

impl Default for TemporaryAccessPassPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            default_lifetime_minutes: 60,
            minimum_lifetime_minutes: 60,
            maximum_lifetime_minutes: 480,
            default_length: 8,
            is_usable_once: false,
        }
    }
}

pub struct State {
    pub users: Vec<User>,
    pub directory_roles: Vec<DirectoryRole>,
    pub groups: Vec<Group>,
    pub codes: HashMap<String, PendingCode>,
    pub access_tokens: HashMap<String, AccessGrant>,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    pub changes: ChangeLog,
    pub tap_policy: TemporaryAccessPassPolicy,
    /// Which reading of Graph's "Cannot delete default method with other methods configured"
    /// the emulator applies (see `DefaultMethodRule`).
    pub default_method_rule: DefaultMethodRule,
    /// The tenant's directory audit log (the resets made through the emulator).
    pub directory_audits: Vec<crate::audits::AuditEvent>,
    /// How long an audit event takes to be listed (real ones arrive minutes late).
    pub audit_delay: std::time::Duration,
    /// The users' positions in id order, as `/users/delta`'s first round pages them, with the
    /// change sequence and user count it was built at (see [`State::users_in_id_order`]).
    users_by_id: Option<(u64, usize, std::sync::Arc<Vec<usize>>)>,
}

/// When Graph refuses to delete a user's default method. Graph answers "Cannot delete default
/// method with other methods configured. Please change default method before deletion." and
/// Microsoft's own tooling reads it as "the default can only be deleted when it is the only
/// (last) auth method"; which methods count as "other" is not documented, so the emulator
/// offers both readings and the tests run under each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DefaultMethodRule {
    /// Only other methods that could be the default (phone, Authenticator, software OATH, an
    /// active hardware token) block it.
    #[default]
    OtherDefaultCapable,
    /// Any other method but the password blocks it (FIDO2, e-mail, Windows Hello, …).
    AnyOtherMethod,
}

impl State {
    pub fn new(users: Vec<User>, directory_roles: Vec<DirectoryRole>, groups: Vec<Group>) -> Self {
        Self {
            users,
            directory_roles,
            groups,
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            changes: ChangeLog::default(),
            tap_policy: TemporaryAccessPassPolicy::default(),
            default_method_rule: DefaultMethodRule::default(),
            directory_audits: Vec::new(),
            audit_delay: std::time::Duration::ZERO,
            users_by_id: None,
        }
    }

    /// The users' positions in `users`, ordered by id. Sorted once and kept until a user is
    /// added or deleted — each of which is recorded in `changes` — so that paging a large
    /// directory costs a page per request, not a sort of the whole directory.
    pub fn users_in_id_order(&mut self) -> std::sync::Arc<Vec<usize>> {
        let key = (self.changes.next_seq, self.users.len());
        if let Some((seq, len, order)) = &self.users_by_id {
            if (*seq, *len) == key {
                return std::sync::Arc::clone(order);
            }
        }
        let mut order: Vec<usize> = (0..self.users.len()).collect();
        order.sort_by(|&a, &b| self.users[a].id.cmp(&self.users[b].id));
        let order = std::sync::Arc::new(order);
        self.users_by_id = Some((key.0, key.1, std::sync::Arc::clone(&order)));
        order
    }

    /// Graph accepts the object id or the UPN (case-insensitive) wherever it takes a user id.
    pub fn user_index(&self, id_or_upn: &str) -> Option<usize> {
        self.users.iter().position(|user| {
            user.id.eq_ignore_ascii_case(id_or_upn)
                || user.user_principal_name.eq_ignore_ascii_case(id_or_upn)
        })
    }

    pub fn user(&self, id_or_upn: &str) -> Option<&User> {
        self.user_index(id_or_upn).map(|index| &self.users[index])
    }

    /// The user behind a still-valid access token.
    pub fn token_user(&self, token: &str, now: Instant) -> Option<usize> {
        let grant = self.access_tokens.get(token)?;
        if grant.expires <= now {
            return None;
        }
        self.user_index(&grant.user_id)
    }

    pub fn directory_role(&self, role: Role) -> Option<&DirectoryRole> {
        self.directory_roles
            .iter()
            .find(|directory_role| directory_role.role == role)
    }

    /// Signs the user out everywhere the emulator can: every refresh token they hold.
    pub fn revoke_refresh_tokens(&mut self, user_id: &str) {
        self.refresh_tokens
            .retain(|_, grant| grant.user_id != user_id);
    }
}
