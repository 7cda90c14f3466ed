//! The demo organisation "contoso.sandbox": the named operators and targets of the brief,
//! plus generated users with varied methods and a few admin roles. Everything is derived
//! from the seed (ids and dates included), so two sandboxes with one seed are identical.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::state::{
    DirectoryRole, Group, Method, MethodDetail, PhoneType, Role, State, User, EMAIL_METHOD_ID,
    PASSWORD_METHOD_ID,
};

pub const DOMAIN: &str = "contoso.sandbox";

/// The seeded operators offered by the sign-in page: (upn local part, display name, role).
pub const OPERATORS: &[(&str, &str, Option<Role>)] = &[
    ("authadmin", "Isaiah Langer", Some(Role::AuthAdmin)),
    (
        "privauthadmin",
        "Lidia Holloway",
        Some(Role::PrivilegedAuthAdmin),
    ),
    ("helpdesk", "Lee Gu", Some(Role::HelpdeskAdmin)),
    ("nobody", "Nestor Wilke", None),
    ("globaladmin", "Patti Fernandez", Some(Role::GlobalAdmin)),
    ("useradmin", "Johanna Lorenz", Some(Role::UserAdmin)),
    ("pwdadmin", "Pradeep Gupta", Some(Role::PasswordAdmin)),
];

const FIRST_NAMES: &[&str] = &[
    "Aaron",
    "Abigail",
    "Adrian",
    "Aisha",
    "Amelia",
    "Andre",
    "Beatriz",
    "Benjamin",
    "Carlos",
    "Chloe",
    "Daniel",
    "Elena",
    "Emma",
    "Farah",
    "Felix",
    "Gabriel",
    "Grace",
    "Hannah",
    "Hiroshi",
    "Isabel",
    "Jack",
    "Jamal",
    "Julia",
    "Kenji",
    "Laura",
    "Liam",
    "Lucia",
    "Maria",
    "Mateo",
    "Mia",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Rafael",
    "Sara",
    "Sofia",
    "Thomas",
    "Valentina",
    "William",
    "Yara",
    "Zoe",
];

const LAST_NAMES: &[&str] = &[
    "Adams", "Alvarez", "Baker", "Bennett", "Chen", "Clark", "Costa", "Davis", "Dubois", "Evans",
    "Fischer", "Garcia", "Hansen", "Hughes", "Ibrahim", "Ito", "Jensen", "Kim", "Kowalski",
    "Lopez", "Martin", "Meyer", "Moreau", "Nguyen", "Novak", "Okafor", "Patel", "Perez", "Rossi",
    "Santos", "Schmidt", "Silva", "Singh", "Smith", "Tanaka", "Taylor", "Walker", "Weber",
    "Wilson", "Young",
];

const JOB_TITLES: &[&str] = &[
    "Account Manager",
    "Accountant",
    "Business Analyst",
    "Customer Support Agent",
    "Data Analyst",
    "Designer",
    "Engineer",
    "HR Generalist",
    "Marketing Specialist",
    "Office Manager",
    "Product Manager",
    "Sales Representative",
    "Software Developer",
    "Solutions Architect",
    "Technician",
];

const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Finance",
    "Human Resources",
    "IT",
    "Legal",
    "Marketing",
    "Operations",
    "Sales",
    "Support",
];

const OFFICES: &[&str] = &[
    "Redmond",
    "Seattle",
    "London",
    "Paris",
    "Berlin",
    "Tokyo",
    "São Paulo",
];

const PHONE_MODELS: &[&str] = &[
    "iPhone 15",
    "iPhone 13",
    "Pixel 8",
    "Galaxy S23",
    "Pixel 7a",
];

/// Roles given to some generated users (about 5%), Security Administrator standing for
/// "all other roles" of the matrices.
const GENERATED_ROLES: &[Role] = &[
    Role::GlobalAdmin,
    Role::UserAdmin,
    Role::HelpdeskAdmin,
    Role::SecurityAdmin,
    Role::AuthAdmin,
    Role::PasswordAdmin,
    Role::GlobalReader,
    Role::ReportsReader,
    Role::PrivilegedRoleAdmin,
    Role::GroupsAdmin,
];

/// Midday of a fixed day: every seeded date is measured back from it, never from "now".
fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

struct Seeder {
    rng: StdRng,
    taken_upns: std::collections::HashSet<String>,
    next_upn_number: std::collections::HashMap<String, u32>,
}

impl Seeder {
    fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.gen())
            .into_uuid()
            .to_string()
    }

    fn days_ago(&mut self, min: i64, max: i64) -> DateTime<Utc> {
        let days = self.rng.gen_range(min..=max);
        let minutes = self.rng.gen_range(0..24 * 60);
        epoch() - Duration::days(days) - Duration::minutes(minutes)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.gen_range(0..items.len())]
    }

    fn phone_number(&mut self) -> String {
        format!("+1 425555{:04}", self.rng.gen_range(100..10_000))
    }

    /// first.last@contoso.sandbox, with a number when the name is taken.
    fn unique_upn(&mut self, local: &str) -> String {
        // Remembering the next number per name keeps seeding linear for large directories.
        let counter = self.next_upn_number.entry(local.to_string()).or_insert(1);
        loop {
            let candidate = if *counter == 1 {
                format!("{local}@{DOMAIN}")
            } else {
                format!("{local}{counter}@{DOMAIN}")
            };
            *counter += 1;
            if self.taken_upns.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    fn method(&mut self, detail: MethodDetail) -> Method {
        let id = match &detail {
            MethodDetail::Password => PASSWORD_METHOD_ID.to_string(),
            MethodDetail::Email { .. } => EMAIL_METHOD_ID.to_string(),
            MethodDetail::Phone { phone_type, .. } => phone_type.method_id().to_string(),
            _ => self.uuid(),
        };
        let created = self.days_ago(1, 600);
        Method {
            id,
            created,
            detail,
        }
    }

    fn phone(&mut self, phone_type: PhoneType) -> Method {
        let number = self.phone_number();
        self.method(MethodDetail::Phone { phone_type, number })
    }

    fn authenticator(&mut self) -> Method {
        let display_name = self.pick(PHONE_MODELS).to_string();
        let app_version = format!(
            "6.{}.{}",
            self.rng.gen_range(6..9),
            self.rng.gen_range(0..30)
        );
        self.method(MethodDetail::Authenticator {
            display_name,
            device_tag: "SoftwareTokenActivated".into(),
            app_version,
        })
    }

    fn hardware_oath(&mut self) -> Method {
        let serial = format!("{:08}", self.rng.gen_range(10_000_000..100_000_000u32));
        self.method(MethodDetail::HardwareOath {
            serial,
            manufacturer: "Token2".into(),
            model: "C202".into(),
            activated: true,
        })
    }

    fn fido2(&mut self) -> Method {
        self.method(MethodDetail::Fido2 {
            display_name: "Security key".into(),
            model: "YubiKey 5 NFC".into(),
            aaguid: "2fc0579f-8113-47ea-b116-bb5a8db9202a".into(),
        })
    }

    fn email(&mut self, address: String) -> Method {
        self.method(MethodDetail::Email { address })
    }

    #[allow(clippy::too_many_arguments)]
    fn user(
        &mut self,
        given_name: &str,
        surname: &str,
        upn: String,
        job_title: &str,
        department: &str,
        roles: Vec<Role>,
        methods: Vec<Method>,
        default_method_id: Option<String>,
    ) -> User {
        let id = self.uuid();
        let created = self.days_ago(400, 1500);
        let last_password_change = self.days_ago(0, 200);
        let office_location = Some(self.pick(OFFICES).to_string());
        let mobile_phone = methods.iter().find_map(|method| match &method.detail {
            MethodDetail::Phone {
                phone_type: PhoneType::Mobile,
                number,
            } => Some(number.clone()),
            _ => None,
        });
        User {
            id,
            display_name: format!("{given_name} {surname}"),
            given_name: given_name.to_string(),
            surname: surname.to_string(),
            mail: Some(upn.clone()),
            user_principal_name: upn,
            job_title: Some(job_title.to_string()),
            department: Some(department.to_string()),
            office_location,
            mobile_phone,
            business_phones: Vec::new(),
            manager_id: None,
            account_enabled: true,
            created,
            last_password_change,
            sign_in_sessions_valid_from: last_password_change,
            roles,
            groups: Vec::new(),
            methods,
            default_method_id,
            system_preferred_mfa: true,
            mobile_default_by_voice: false,
            force_change_password: false,
            password_reset_count: 0,
            sessions_revoked_count: 0,
        }
    }

    fn operator(&mut self, local: &str, display_name: &str, role: Option<Role>) -> User {
        let (given, surname) = display_name.split_once(' ').unwrap_or((display_name, ""));
        let upn = self.unique_upn(local);
        let password = self.method(MethodDetail::Password);
        let authenticator = self.authenticator();
        let mobile = self.phone(PhoneType::Mobile);
        let default = Some(authenticator.id.clone());
        let job = role
            .map(Role::display_name)
            .unwrap_or("IT Support Specialist");
        let mut user = self.user(
            given,
            surname,
            upn,
            job,
            "IT",
            role.into_iter().collect(),
            vec![],
            default,
        );
        user.methods = vec![password, mobile, authenticator];
        user.mobile_phone = user.methods.iter().find_map(|method| match &method.detail {
            MethodDetail::Phone { number, .. } => Some(number.clone()),
            _ => None,
        });
        user
    }

    /// Every kind of method, the mobile phone the default (Adele's and Lee's), created in the
    /// order the seed has always drawn them, so every seeded value stays as it was.
    fn every_kind_of_method(&mut self, email: &str) -> (Vec<Method>, Option<String>) {
        let mobile = self.phone(PhoneType::Mobile);
        let default = Some(mobile.id.clone());
        let methods = vec![
            self.method(MethodDetail::Password),
            mobile,
            self.phone(PhoneType::AlternateMobile),
            self.authenticator(),
            self.method(MethodDetail::SoftwareOath),
            self.hardware_oath(),
            self.fido2(),
            self.email(email.into()),
        ];
        (methods, default)
    }

    fn named_targets(&mut self, tier_zero_group: &str) -> Vec<User> {
        let mut targets = Vec::new();

        // Adele: every kind of method, mobile phone as the default.
        let upn = self.unique_upn("adele.vance");
        let (methods, default) = self.every_kind_of_method("adele.vance@outlook.example");
        targets.push(self.user(
            "Adele",
            "Vance",
            upn,
            "Retail Manager",
            "Retail",
            vec![],
            methods,
            default,
        ));

        // Megan: a Global Administrator with several methods.
        let upn = self.unique_upn("megan.bowen");
        let authenticator = self.authenticator();
        let default = Some(authenticator.id.clone());
        let methods = vec![
            self.method(MethodDetail::Password),
            self.phone(PhoneType::Mobile),
            authenticator,
            self.method(MethodDetail::SoftwareOath),
            self.fido2(),
        ];
        targets.push(self.user(
            "Megan",
            "Bowen",
            upn,
            "Marketing Manager",
            "Marketing",
            vec![Role::GlobalAdmin],
            methods,
            default,
        ));

        // Alex: a Helpdesk Administrator.
        let upn = self.unique_upn("alex.wilber");
        let mobile = self.phone(PhoneType::Mobile);
        let default = Some(mobile.id.clone());
        let methods = vec![
            self.method(MethodDetail::Password),
            mobile,
            self.authenticator(),
        ];
        targets.push(self.user(
            "Alex",
            "Wilber",
            upn,
            "Marketing Assistant",
            "Marketing",
            vec![Role::HelpdeskAdmin],
            methods,
            default,
        ));

        // Diego: no role himself, but in a role-assignable group.
        let upn = self.unique_upn("diego.siciliani");
        let authenticator = self.authenticator();
        let default = Some(authenticator.id.clone());
        let methods = vec![
            self.method(MethodDetail::Password),
            authenticator,
            self.phone(PhoneType::Office),
        ];
        let mut diego = self.user(
            "Diego",
            "Siciliani",
            upn,
            "HR Manager",
            "Human Resources",
            vec![],
            methods,
            default,
        );
        diego.groups.push(tier_zero_group.to_string());
        targets.push(diego);

        // Lee: Adele's twin (every kind of method, no role), for the tests and demos that
        // reset everything, so that Adele's methods stay for the ones that read them.
        let upn = self.unique_upn("lee.gu");
        let (methods, default) = self.every_kind_of_method("lee.gu@outlook.example");
        targets.push(self.user(
            "Lee",
            "Gu",
            upn,
            "Director",
            "Manufacturing",
            vec![],
            methods,
            default,
        ));

        targets
    }

    /// A generated user's methods: always a password, then a random mix; the default is the
    /// strongest second factor they have.
    fn generated_methods(&mut self, mail: &str) -> (Vec<Method>, Option<String>) {
        let mut methods = vec![self.method(MethodDetail::Password)];
        if self.rng.gen_bool(0.12) {
            return (methods, None);
        }
        let has_mobile = self.rng.gen_bool(0.6);
        if has_mobile {
            methods.push(self.phone(PhoneType::Mobile));
            if self.rng.gen_bool(0.2) {
                methods.push(self.phone(PhoneType::AlternateMobile));
            }
        }
        if self.rng.gen_bool(0.15) {
            methods.push(self.phone(PhoneType::Office));
        }
        if self.rng.gen_bool(0.55) {
            let authenticator = self.authenticator();
            methods.push(authenticator);
        }
        if self.rng.gen_bool(0.15) {
            methods.push(self.method(MethodDetail::SoftwareOath));
        }
        if self.rng.gen_bool(0.08) {
            let token = self.hardware_oath();
            methods.push(token);
        }
        if self.rng.gen_bool(0.15) {
            let key = self.fido2();
            methods.push(key);
        }
        if self.rng.gen_bool(0.3) {
            let personal = mail.replace(DOMAIN, "outlook.example");
            methods.push(self.email(personal));
        }
        if self.rng.gen_bool(0.05) {
            let tap = self.method(MethodDetail::TemporaryAccessPass {
                lifetime_minutes: 60,
                usable_once: true,
                starts: None,
            });
            methods.push(tap);
        }
        if self.rng.gen_bool(0.2) {
            let device = format!("DESKTOP-{:06X}", self.rng.gen_range(0..0xFF_FFFF));
            methods.push(self.method(MethodDetail::WindowsHello {
                display_name: device,
            }));
        }
        let prefer_phone = self.rng.gen_bool(0.3);
        let default = {
            let find = |wanted: fn(&MethodDetail) -> bool| {
                methods
                    .iter()
                    .find(|method| wanted(&method.detail))
                    .map(|method| method.id.clone())
            };
            let authenticator = find(|detail| matches!(detail, MethodDetail::Authenticator { .. }));
            let mobile = find(|detail| {
                matches!(
                    detail,
                    MethodDetail::Phone {
                        phone_type: PhoneType::Mobile,
                        ..
                    }
                )
            });
            let rest = methods
                .iter()
                .find(|method| method.can_be_default())
                .map(|method| method.id.clone());
            if prefer_phone {
                mobile.or(authenticator).or(rest)
            } else {
                authenticator.or(mobile).or(rest)
            }
        };
        (methods, default)
    }

    fn generated_user(&mut self, tier_zero_group: &str) -> User {
        let given = self.pick(FIRST_NAMES);
        let surname = self.pick(LAST_NAMES);
        let upn = self.unique_upn(&format!(
            "{}.{}",
            given.to_lowercase(),
            surname.to_lowercase()
        ));
        let job = self.pick(JOB_TITLES);
        let department = self.pick(DEPARTMENTS);
        let roles = if self.rng.gen_bool(0.05) {
            vec![GENERATED_ROLES[self.rng.gen_range(0..GENERATED_ROLES.len())]]
        } else {
            Vec::new()
        };
        let (methods, default) = self.generated_methods(&upn);
        let mut user = self.user(
            given, surname, upn, job, department, roles, methods, default,
        );
        if self.rng.gen_bool(0.04) {
            user.mail = None;
        }
        if self.rng.gen_bool(0.03) {
            user.account_enabled = false;
        }
        if self.rng.gen_bool(0.3) {
            user.business_phones = vec![self.phone_number()];
        }
        user.system_preferred_mfa = self.rng.gen_bool(0.7);
        if self.rng.gen_bool(0.01) {
            user.groups.push(tier_zero_group.to_string());
        }
        user
    }
}

/// Builds the demo directory. `user_count` is the total; the named operators and targets are
/// always present even when it is smaller.
pub fn build(seed: u64, user_count: usize) -> State {
    let mut seeder = Seeder {
        rng: StdRng::seed_from_u64(seed),
        taken_upns: Default::default(),
        next_upn_number: Default::default(),
    };

    let directory_roles: Vec<DirectoryRole> = Role::ALL
        .iter()
        .map(|role| DirectoryRole {
            id: seeder.uuid(),
            role: *role,
        })
        .collect();
    let groups = vec![
        Group {
            id: seeder.uuid(),
            display_name: "Tier 0 Administrators".into(),
            is_assignable_to_role: true,
        },
        Group {
            id: seeder.uuid(),
            display_name: "Sales and Marketing".into(),
            is_assignable_to_role: false,
        },
    ];
    let tier_zero = groups[0].id.clone();

    let mut users: Vec<User> = OPERATORS
        .iter()
        .map(|(local, name, role)| seeder.operator(local, name, *role))
        .collect();
    users.extend(seeder.named_targets(&tier_zero));
    if let Some(diego) = users.iter_mut().find(|user| user.given_name == "Diego") {
        diego.groups.push(groups[1].id.clone());
    }
    while users.len() < user_count {
        let user = seeder.generated_user(&tier_zero);
        users.push(user);
    }
    add_desk_phones_and_managers(&mut users);
    State::new(users, directory_roles, groups)
}

/// Gives most users a business phone and everyone but the first of each department a manager
/// (that first one, who reports to the first user). Derived from the order, not the random
/// generator, so every other seeded value stays as it was.
fn add_desk_phones_and_managers(users: &mut [User]) {
    let mut heads: Vec<(String, String)> = Vec::new();
    let top = users.first().map(|u| u.id.clone());
    for (index, user) in users.iter_mut().enumerate() {
        // Every fifth user has no desk phone: call-back then offers the mobile number only.
        if index % 5 != 4 {
            user.business_phones = vec![format!("+1 425 555 {:04}", 1000 + index)];
        }
        let department = user.department.clone().unwrap_or_default();
        match heads.iter().find(|(d, _)| *d == department) {
            Some((_, head)) => user.manager_id = Some(head.clone()),
            None => {
                heads.push((department, user.id.clone()));
                user.manager_id = top.clone().filter(|top| *top != user.id);
            }
        }
    }
}

/// A plain member user added after seeding (tests add users to exercise delta sync): random
/// id, no roles, no methods but a password, created now.
pub fn new_member(display_name: &str, user_principal_name: &str) -> User {
    let now = Utc::now();
    let (given_name, surname) = display_name.split_once(' ').unwrap_or((display_name, ""));
    User {
        id: uuid::Uuid::new_v4().to_string(),
        display_name: display_name.to_string(),
        given_name: given_name.to_string(),
        surname: surname.to_string(),
        user_principal_name: user_principal_name.to_string(),
        mail: Some(user_principal_name.to_string()),
        job_title: None,
        department: None,
        office_location: None,
        mobile_phone: None,
        business_phones: Vec::new(),
        manager_id: None,
        account_enabled: true,
        created: now,
        last_password_change: now,
        sign_in_sessions_valid_from: now,
        roles: Vec::new(),
        groups: Vec::new(),
        methods: vec![Method {
            id: PASSWORD_METHOD_ID.to_string(),
            created: now,
            detail: MethodDetail::Password,
        }],
        default_method_id: None,
        system_preferred_mfa: true,
        mobile_default_by_voice: false,
        force_change_password: false,
        password_reset_count: 0,
        sessions_revoked_count: 0,
    }
}
