//! What the operator-safety checks show and record: what the confirmation asks for (how the
//! caller must be verified, whether a second person must approve, the hourly cap), the
//! contacts the directory holds for a call-back, and how the caller was verified and who
//! approved, as the audit keeps it. The rules themselves are the core's
//! (`resetdesk_core::safety`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub enum VerificationMethod {
    /// Call the user back on a phone number held in the directory.
    CallBack,
    /// The user's manager (from the directory) confirms who is calling.
    ManagerConfirmation,
    /// A code sent to a method the user already registered, read back by the caller.
    OneTimeCode,
    /// A ticket from the organisation's own verification process.
    Ticket,
    /// Named so that it can be refused with the reason; it never passes.
    KnowledgeQuestions,
}

impl VerificationMethod {
    /// The methods that can verify a caller (knowledge questions are not one of them).
    pub const ACCEPTED: [VerificationMethod; 4] = [
        VerificationMethod::CallBack,
        VerificationMethod::ManagerConfirmation,
        VerificationMethod::OneTimeCode,
        VerificationMethod::Ticket,
    ];

    pub fn label(self) -> &'static str {
        match self {
            VerificationMethod::CallBack => "Call back on a number in the directory",
            VerificationMethod::ManagerConfirmation => "Confirmation by the user's manager",
            VerificationMethod::OneTimeCode => "One-time code to a registered method",
            VerificationMethod::Ticket => "Ticket from the verification process",
            VerificationMethod::KnowledgeQuestions => "Knowledge questions",
        }
    }

    /// The name used in settings and on the wire.
    pub fn key(self) -> &'static str {
        match self {
            VerificationMethod::CallBack => "callBack",
            VerificationMethod::ManagerConfirmation => "managerConfirmation",
            VerificationMethod::OneTimeCode => "oneTimeCode",
            VerificationMethod::Ticket => "ticket",
            VerificationMethod::KnowledgeQuestions => "knowledgeQuestions",
        }
    }
}

/// The verification as the audit entry keeps it. Never holds a code or a full phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRecord {
    pub method: VerificationMethod,
    pub passed: bool,
    /// What was used and what happened, e.g. "Called back ••••1234 (mobilePhone in the
    /// directory); the user confirmed".
    pub detail: String,
    pub at: String,
}

/// The approval as the audit entry keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRecord {
    pub approver: String,
    pub approver_id: String,
    /// The approver's directory roles, as read at their sign-in.
    pub approver_roles: Vec<String>,
    pub at: String,
}

/// A phone number from the user's directory profile (`mobilePhone`, `businessPhones`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct PhoneOnRecord {
    /// Which directory field it comes from, e.g. "mobilePhone" or "businessPhones/0".
    pub id: String,
    pub label: String,
    pub number: String,
}

/// The user's manager as the directory holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ManagerOnRecord {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub phones: Vec<PhoneOnRecord>,
}

/// What the directory holds to reach the user and their manager, read live.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactsOnRecord {
    pub phones: Vec<PhoneOnRecord>,
    pub manager: Option<ManagerOnRecord>,
}

/// A registered method a one-time code can be sent to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct CodeDestination {
    /// The authentication method's id.
    pub id: String,
    pub label: String,
}

/// One method the confirmation offers, with what the directory holds for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct VerificationOption {
    pub method: VerificationMethod,
    pub label: String,
    /// What the operator does, in one or two sentences.
    pub instructions: String,
    /// Why the method cannot be used for this user (no number on record, no manager…).
    pub unavailable: Option<String>,
    pub phones: Vec<PhoneOnRecord>,
    pub manager: Option<ManagerOnRecord>,
    pub destinations: Vec<CodeDestination>,
}

/// How the caller must be verified for this plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRequirement {
    /// `false` when the action needs none, or the organisation made it optional.
    pub required: bool,
    /// The methods offered (empty when the action needs no verification).
    pub options: Vec<VerificationOption>,
    /// Already recorded for this plan: the same operator verified this caller for a request
    /// on the same user moments ago (e.g. a Temporary Access Pass offered after an MFA reset).
    #[serde(default)]
    pub recorded: Option<VerificationRecord>,
}

impl VerificationRequirement {
    pub fn not_required() -> Self {
        Self {
            required: false,
            options: Vec::new(),
            recorded: None,
        }
    }
}

/// Whether this plan needs a second person, and every reason why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequirement {
    pub required: bool,
    pub reasons: Vec<String>,
}

impl ApprovalRequirement {
    pub fn not_required() -> Self {
        Self {
            required: false,
            reasons: Vec::new(),
        }
    }
}

/// How many resets the operator has made in the last hour, against their cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct RateStatus {
    pub used: u32,
    pub limit: u32,
    /// When the cap is reached: when the oldest counted reset leaves the window.
    pub next_allowed_at: Option<String>,
    /// What was counted, when it is not every desktop's resets (the tenant's audit log could
    /// not be read, or the directory keeps none): said on screen.
    #[serde(default)]
    pub note: Option<String>,
}

impl RateStatus {
    pub fn reached(&self) -> bool {
        self.used >= self.limit
    }

    /// The refusal when the cap is reached.
    pub fn refusal(&self) -> String {
        let when = self
            .next_allowed_at
            .as_deref()
            .map(|at| format!(" The next one is possible at {at}."))
            .unwrap_or_default();
        format!(
            "You have made {} resets in the last hour, your organisation's limit.{when} If this is an incident affecting many users, ask a colleague or your security team.",
            self.used
        )
    }
}

/// What the confirmation shows besides the steps: how the caller must be verified, whether a
/// second person must approve and why, and how many resets the operator has left this hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct PlanSafety {
    pub verification: VerificationRequirement,
    pub approval: ApprovalRequirement,
    /// `None` for actions that are not resets.
    pub rate: Option<RateStatus>,
}

impl Default for PlanSafety {
    fn default() -> Self {
        Self::not_applicable()
    }
}

impl PlanSafety {
    /// For an action none of the rules apply to (revoke sessions).
    pub fn not_applicable() -> Self {
        Self {
            verification: VerificationRequirement::not_required(),
            approval: ApprovalRequirement::not_required(),
            rate: None,
        }
    }
}
