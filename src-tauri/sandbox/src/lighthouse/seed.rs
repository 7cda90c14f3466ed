//! The seeded MSP: one partner tenant ("Contoso Partners") with two partner users (a
//! technician, and a team lead who approves bulk jobs), and customer tenants reached through
//! GDAP relationships with different role sets. Everything is derived from the seed, so two
//! emulators with the same seed have the same ids.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::role_ids::{self, GLOBAL_READER};

/// Graph's fixed ids of the three phone methods (graph.md §1.3).
pub const MOBILE_PHONE_ID: &str = "3179e48a-750b-4051-897c-87b9720928f7";
pub const ALTERNATE_MOBILE_PHONE_ID: &str = "b6332ec1-7057-4abe-9331-3d72feddfe41";
/// The password method's fixed id: listed, never deleted.
pub const PASSWORD_METHOD_ID: &str = "28c10230-6103-485e-b985-444c60001490";

pub const PARTNER_DOMAIN: &str = "contosopartners.sandbox";
pub const TECHNICIAN_UPN: &str = "tech@contosopartners.sandbox";
pub const TECHNICIAN_DISPLAY_NAME: &str = "Taylor Tech";
/// The second partner user: a team lead, in both GDAP groups (the second person who signs in
/// to approve a bulk job).
pub const LEAD_UPN: &str = "lead@contosopartners.sandbox";
pub const LEAD_DISPLAY_NAME: &str = "Morgan Lead";
/// The partner-tenant security group the technician belongs to (the GDAP access container).
pub const HELPDESK_GROUP_NAME: &str = "GDAP Helpdesk Technicians";
/// A group the technician is NOT in (the lead is): its roles must not count for the technician.
pub const TIER3_GROUP_NAME: &str = "GDAP Tier 3 Escalation";
/// The role-assignable group of every customer tenant (its members are protected like admins).
pub const ROLE_ASSIGNABLE_GROUP_NAME: &str = "Tier 0 Operators";

/// One customer as the caller asks for it.
#[derive(Debug, Clone)]
pub struct CustomerSpec {
    pub display_name: String,
    /// Role template ids assigned to the technician's group in this customer.
    pub technician_roles: Vec<String>,
    /// Role template ids assigned to the Tier 3 group (the technician is not a member).
    pub other_group_roles: Vec<String>,
    pub users: usize,
    /// `active`, or e.g. `expired` (then the customer cannot be reached).
    pub relationship_status: String,
    /// Which seeded users (by their number, `0..users`) are members of the customer's
    /// role-assignable group.
    pub role_assignable_members: Vec<usize>,
    /// Which seeded users (by their number) also have one activated hardware OATH token.
    pub hardware_oath_members: Vec<usize>,
}

impl CustomerSpec {
    pub fn new(display_name: &str, technician_roles: &[&str], users: usize) -> Self {
        Self {
            display_name: display_name.to_string(),
            technician_roles: technician_roles.iter().map(|r| r.to_string()).collect(),
            other_group_roles: Vec::new(),
            users,
            relationship_status: "active".into(),
            role_assignable_members: Vec::new(),
            hardware_oath_members: Vec::new(),
        }
    }
}

/// The default MSP: three customers that allow an MFA reset, one that does not (Helpdesk
/// Administrator only), and one whose relationship expired.
pub fn default_customers(users_per_customer: usize) -> Vec<CustomerSpec> {
    let mut northwind = CustomerSpec::new(
        "Northwind Traders",
        &[
            role_ids::AUTHENTICATION_ADMINISTRATOR,
            role_ids::DIRECTORY_READERS,
        ],
        users_per_customer,
    );
    // Tier 3 holds Privileged Authentication Administrator; the technician does not.
    northwind.other_group_roles = vec![role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR.into()];
    let mut litware = CustomerSpec::new(
        "Litware (expired)",
        &[role_ids::AUTHENTICATION_ADMINISTRATOR],
        users_per_customer,
    );
    litware.relationship_status = "expired".into();
    let mut fabrikam = CustomerSpec::new(
        "Fabrikam",
        &[
            role_ids::AUTHENTICATION_ADMINISTRATOR,
            role_ids::USER_ADMINISTRATOR,
        ],
        users_per_customer,
    );
    // User number 1 is in the customer's role-assignable group: the technician, an
    // Authentication Administrator here, may not reset their methods.
    fabrikam.role_assignable_members = vec![1];
    // User number 2 has a hardware OATH token: only a Privileged Authentication Administrator
    // or Global Administrator may deactivate it, so the technician may not here.
    fabrikam.hardware_oath_members = vec![2];
    let mut woodgrove = CustomerSpec::new(
        "Woodgrove Bank",
        &[
            role_ids::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
            GLOBAL_READER,
        ],
        users_per_customer,
    );
    // The same, where the technician is a Privileged Authentication Administrator (allowed).
    woodgrove.role_assignable_members = vec![1];
    // The same token, where the technician may deactivate it.
    woodgrove.hardware_oath_members = vec![2];
    vec![
        fabrikam,
        northwind,
        woodgrove,
        CustomerSpec::new(
            "Tailspin Toys",
            &[
                role_ids::HELPDESK_ADMINISTRATOR,
                role_ids::DIRECTORY_READERS,
            ],
            users_per_customer,
        ),
        litware,
    ]
}

/// `n` customers that all allow the reset (the benchmark's shape: no hardware OATH tokens).
pub fn uniform_customers(count: usize, users_per_customer: usize) -> Vec<CustomerSpec> {
    (1..=count)
        .map(|i| {
            CustomerSpec::new(
                &format!("Customer {i:02}"),
                &[
                    role_ids::AUTHENTICATION_ADMINISTRATOR,
                    role_ids::DIRECTORY_READERS,
                ],
                users_per_customer,
            )
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodType {
    Password,
    Phone,
    MicrosoftAuthenticator,
    SoftwareOath,
    /// A hardware OATH token: deactivated on beta, never deleted here.
    HardwareOath,
}

impl MethodType {
    pub fn odata_type(self) -> &'static str {
        match self {
            MethodType::Password => "#microsoft.graph.passwordAuthenticationMethod",
            MethodType::Phone => "#microsoft.graph.phoneAuthenticationMethod",
            MethodType::MicrosoftAuthenticator => {
                "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"
            }
            MethodType::SoftwareOath => "#microsoft.graph.softwareOathAuthenticationMethod",
            MethodType::HardwareOath => "#microsoft.graph.hardwareOathAuthenticationMethod",
        }
    }

    /// The collection a v1.0 DELETE goes to (`None`: not deletable). A hardware OATH token is
    /// not: v1.0 has no `hardwareOathMethods` (the single-tenant emulator answers its 400 for
    /// the segment too); it is deactivated on beta instead
    /// (https://learn.microsoft.com/graph/api/hardwareoathauthenticationmethod-deactivate?view=graph-rest-beta).
    pub fn collection(self) -> Option<&'static str> {
        match self {
            MethodType::Password | MethodType::HardwareOath => None,
            MethodType::Phone => Some("phoneMethods"),
            MethodType::MicrosoftAuthenticator => Some("microsoftAuthenticatorMethods"),
            MethodType::SoftwareOath => Some("softwareOathMethods"),
        }
    }
}

/// A hardware OATH token's `device.status` (beta `hardwareOathAuthenticationMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HardwareOathStatus {
    Activated,
    /// Deactivated: still assigned to the user, no longer usable to sign in.
    Deactivated,
}

impl HardwareOathStatus {
    pub fn as_str(self) -> &'static str {
        crate::methods::hardware_oath_status(self == HardwareOathStatus::Activated)
    }
}

/// What a hardware OATH token carries besides its id and display name.
#[derive(Debug, Clone)]
pub struct HardwareToken {
    pub serial_number: String,
    pub manufacturer: String,
    pub model: String,
    pub status: HardwareOathStatus,
}

#[derive(Debug, Clone)]
pub struct Method {
    pub id: String,
    pub kind: MethodType,
    pub phone_number: Option<String>,
    pub phone_type: Option<&'static str>,
    /// The Authenticator's device name, or a hardware token's `device.displayName`.
    pub display_name: Option<String>,
    /// `Some` for a `MethodType::HardwareOath` only.
    pub hardware: Option<HardwareToken>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    /// On another domain than the sign-in name, as in many tenants (a search by mail must
    /// find the user by it).
    pub mail: String,
    pub job_title: &'static str,
    pub department: &'static str,
    /// ISO 8601, UTC, as Graph writes `lastPasswordChangeDateTime`.
    pub last_password_change: String,
    /// Holds a privileged admin role: only a Privileged Authentication Administrator (or
    /// Global Administrator) may delete their methods.
    pub privileged: bool,
    /// A member of the customer's role-assignable group: protected the same way.
    pub in_role_assignable_group: bool,
    pub methods: Vec<Method>,
}

#[derive(Debug, Clone)]
pub struct AccessAssignment {
    pub id: String,
    pub group_id: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub tenant_id: String,
    pub display_name: String,
    pub domain: String,
    pub relationship_id: String,
    pub relationship_status: String,
    pub assignments: Vec<AccessAssignment>,
    /// Ordered by id, for stable paging.
    pub users: BTreeMap<String, User>,
    /// The customer's role-assignable group (`isAssignableToRole: true`); its members are the
    /// users with `in_role_assignable_group`.
    pub role_assignable_group: Group,
}

impl Customer {
    /// Roles of the relationship (every assignment's), as `accessDetails` lists them.
    pub fn relationship_roles(&self) -> Vec<String> {
        let mut roles: Vec<String> = self
            .assignments
            .iter()
            .flat_map(|a| a.roles.iter().cloned())
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    /// Graph's `isAssignableToRole` (https://learn.microsoft.com/graph/api/resources/group):
    /// false for the partner's GDAP security groups, true for a customer's role-assignable one.
    pub is_assignable_to_role: bool,
}

/// A user of the partner tenant who may sign in (the technician, the lead).
#[derive(Debug, Clone)]
pub struct PartnerUser {
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    /// Ids of the partner groups (GDAP access containers) the user is a member of.
    pub groups: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Msp {
    pub partner_tenant_id: String,
    /// The partner's GDAP security groups.
    pub groups: Vec<Group>,
    /// The technician first, then the lead.
    pub partner_users: Vec<PartnerUser>,
    pub customers: Vec<Customer>,
}

impl Msp {
    pub fn customer(&self, tenant_id: &str) -> Option<&Customer> {
        self.customers
            .iter()
            .find(|c| c.tenant_id.eq_ignore_ascii_case(tenant_id))
    }

    pub fn customer_mut(&mut self, tenant_id: &str) -> Option<&mut Customer> {
        self.customers
            .iter_mut()
            .find(|c| c.tenant_id.eq_ignore_ascii_case(tenant_id))
    }

    /// The technician (always seeded, first).
    pub fn technician(&self) -> &PartnerUser {
        &self.partner_users[0]
    }

    pub fn partner_user(&self, user_id: &str) -> Option<&PartnerUser> {
        self.partner_users.iter().find(|u| u.id == user_id)
    }

    /// The partner user signing in as `upn` (case-insensitive, as Entra compares sign-in names).
    pub fn partner_user_by_upn(&self, upn: &str) -> Option<&PartnerUser> {
        self.partner_users
            .iter()
            .find(|u| u.user_principal_name.eq_ignore_ascii_case(upn))
    }

    /// The roles a partner user holds in a customer: only assignments to their groups count
    /// (GDAP grants roles to the access container, a security group, never to a person).
    pub fn roles_of(&self, user_id: &str, customer: &Customer) -> Vec<String> {
        let Some(user) = self.partner_user(user_id) else {
            return Vec::new();
        };
        let mut roles: Vec<String> = customer
            .assignments
            .iter()
            .filter(|a| user.groups.contains(&a.group_id))
            .flat_map(|a| a.roles.iter().cloned())
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// The roles the technician holds in a customer.
    pub fn technician_roles(&self, customer: &Customer) -> Vec<String> {
        self.roles_of(&self.technician().id, customer)
    }
}

/// A stable GUID for `label` under `seed`.
pub fn guid(seed: u64, label: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(label.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
    "Liam", "Maya", "Noor", "Oscar", "Priya",
];
const LAST_NAMES: &[&str] = &[
    "Adams", "Brook", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haas", "Ito", "Jensen",
    "Khan", "Lopez",
];

pub fn build(seed: u64, specs: &[CustomerSpec]) -> Msp {
    let helpdesk = Group {
        id: guid(seed, "group/helpdesk"),
        display_name: HELPDESK_GROUP_NAME.into(),
        is_assignable_to_role: false,
    };
    let tier3 = Group {
        id: guid(seed, "group/tier3"),
        display_name: TIER3_GROUP_NAME.into(),
        is_assignable_to_role: false,
    };
    let customers = specs
        .iter()
        .enumerate()
        .map(|(index, spec)| build_customer(seed, index, spec, &helpdesk.id, &tier3.id))
        .collect();
    let partner_users = vec![
        PartnerUser {
            id: guid(seed, "user/technician"),
            user_principal_name: TECHNICIAN_UPN.into(),
            display_name: TECHNICIAN_DISPLAY_NAME.into(),
            groups: vec![helpdesk.id.clone()],
        },
        PartnerUser {
            id: guid(seed, "user/lead"),
            user_principal_name: LEAD_UPN.into(),
            display_name: LEAD_DISPLAY_NAME.into(),
            groups: vec![helpdesk.id.clone(), tier3.id.clone()],
        },
    ];
    Msp {
        partner_tenant_id: guid(seed, "tenant/partner"),
        groups: vec![helpdesk, tier3],
        partner_users,
        customers,
    }
}

fn build_customer(
    seed: u64,
    index: usize,
    spec: &CustomerSpec,
    helpdesk_group: &str,
    tier3_group: &str,
) -> Customer {
    let tenant_id = guid(seed, &format!("tenant/{index}"));
    let slug: String = spec
        .display_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let domain = format!("{slug}.sandbox");
    let mut assignments = vec![AccessAssignment {
        id: guid(seed, &format!("assignment/{index}/helpdesk")),
        group_id: helpdesk_group.to_string(),
        roles: spec.technician_roles.clone(),
    }];
    if !spec.other_group_roles.is_empty() {
        assignments.push(AccessAssignment {
            id: guid(seed, &format!("assignment/{index}/tier3")),
            group_id: tier3_group.to_string(),
            roles: spec.other_group_roles.clone(),
        });
    }
    let users = (0..spec.users)
        .map(|n| {
            let mut user = build_user(
                seed,
                index,
                n,
                &domain,
                spec.hardware_oath_members.contains(&n),
            );
            user.in_role_assignable_group = spec.role_assignable_members.contains(&n);
            (user.id.clone(), user)
        })
        .collect();
    Customer {
        tenant_id,
        display_name: spec.display_name.clone(),
        domain,
        relationship_id: guid(seed, &format!("relationship/{index}")),
        relationship_status: spec.relationship_status.clone(),
        assignments,
        users,
        role_assignable_group: Group {
            id: guid(seed, &format!("group/{index}/role-assignable")),
            display_name: ROLE_ASSIGNABLE_GROUP_NAME.into(),
            is_assignable_to_role: true,
        },
    }
}

/// (job title, department) pairs the seeded users hold in turn.
const JOBS: &[(&str, &str)] = &[
    ("Accountant", "Finance"),
    ("Sales Representative", "Sales"),
    ("Service Desk Analyst", "IT"),
    ("Warehouse Lead", "Operations"),
    ("Marketing Manager", "Marketing"),
    ("Paralegal", "Legal"),
];

fn build_user(seed: u64, customer: usize, n: usize, domain: &str, hardware_oath: bool) -> User {
    let first = FIRST_NAMES[(n + customer) % FIRST_NAMES.len()];
    let last = LAST_NAMES[(n / FIRST_NAMES.len() + customer) % LAST_NAMES.len()];
    let local = format!("{}.{}{}", first, last, n).to_ascii_lowercase();
    let id = guid(seed, &format!("user/{customer}/{n}"));
    let mut methods = vec![
        Method {
            id: PASSWORD_METHOD_ID.into(),
            kind: MethodType::Password,
            phone_number: None,
            phone_type: None,
            display_name: None,
            hardware: None,
        },
        Method {
            id: MOBILE_PHONE_ID.into(),
            kind: MethodType::Phone,
            phone_number: Some(format!("+1 555{:07}", customer * 100_000 + n)),
            phone_type: Some("mobile"),
            display_name: None,
            hardware: None,
        },
        Method {
            id: guid(seed, &format!("method/{customer}/{n}/authenticator")),
            kind: MethodType::MicrosoftAuthenticator,
            phone_number: None,
            phone_type: None,
            display_name: Some(format!("{first}'s phone")),
            hardware: None,
        },
        Method {
            id: guid(seed, &format!("method/{customer}/{n}/oath")),
            kind: MethodType::SoftwareOath,
            phone_number: None,
            phone_type: None,
            display_name: None,
            hardware: None,
        },
    ];
    // Every other user also has an alternate mobile number: 3 or 4 MFA methods each.
    if n % 2 == 1 {
        methods.push(Method {
            id: ALTERNATE_MOBILE_PHONE_ID.into(),
            kind: MethodType::Phone,
            phone_number: Some(format!("+1 556{:07}", customer * 100_000 + n)),
            phone_type: Some("alternateMobile"),
            display_name: None,
            hardware: None,
        });
    }
    if hardware_oath {
        methods.push(Method {
            id: guid(seed, &format!("method/{customer}/{n}/hardware-oath")),
            kind: MethodType::HardwareOath,
            phone_number: None,
            phone_type: None,
            display_name: Some(format!("{first}'s key fob")),
            hardware: Some(HardwareToken {
                serial_number: format!("{:08}", 20_000_000 + customer * 10_000 + n),
                manufacturer: "Token2".into(),
                model: "C202".into(),
                status: HardwareOathStatus::Activated,
            }),
        });
    }
    let (job_title, department) = JOBS[(n + customer) % JOBS.len()];
    User {
        id,
        user_principal_name: format!("{local}@{domain}"),
        display_name: format!("{first} {last}"),
        given_name: first.to_string(),
        surname: last.to_string(),
        mail: format!("{local}@contact.{domain}"),
        job_title,
        department,
        last_password_change: format!(
            "2026-{:02}-{:02}T{:02}:{:02}:00Z",
            1 + (n + customer) % 11,
            1 + n % 28,
            8 + n % 10,
            (n * 7) % 60
        ),
        // The first user of every customer is one of its Global Administrators.
        privileged: n == 0,
        in_role_assignable_group: false,
        methods,
    }
}
