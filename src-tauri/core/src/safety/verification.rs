//! Verifying the caller before a reset (peers-and-security.md §5.2, 1). The confirmation
//! offers the methods the organisation enables, each filled from the directory, read live:
//! the phone numbers to call back (never one the caller gives), the manager to ask, the
//! registered methods a one-time code can go to. The operator records what happened; the
//! record (method, result, what was used) goes into the audit entry.

use std::time::{Duration, Instant};

use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::policy::VerificationPolicy;
use crate::error::{AppError, Result};
use crate::model::{AuthMethod, AuthMethodKind};
pub use resetdesk_model::safety::{
    CodeDestination, ContactsOnRecord, ManagerOnRecord, PhoneOnRecord, VerificationMethod,
    VerificationOption, VerificationRecord, VerificationRequirement,
};

/// Why knowledge questions are refused, wherever they come up.
pub const KNOWLEDGE_QUESTIONS_NEVER_PASS: &str = "knowledge questions (date of birth, employee number, manager's name…) never verify a caller on their own: attackers find the answers. Call back on the number in the directory, ask the manager, send a one-time code to a registered method, or use a ticket from your verification process.";

/// How long a one-time code may be read back.
pub const CODE_VALIDITY: Duration = Duration::from_secs(10 * 60);
/// Wrong codes read back before the verification counts as failed.
pub const MAX_CODE_ATTEMPTS: u32 = 3;
/// Longest ticket reference accepted.
pub const MAX_TICKET_CHARS: usize = 100;

/// The methods `policy` enables, filled from the directory (`contacts`) and the user's
/// registered methods.
pub fn requirement(
    policy: &VerificationPolicy,
    contacts: &ContactsOnRecord,
    methods: &[AuthMethod],
) -> VerificationRequirement {
    let options = policy
        .methods
        .iter()
        .filter(|m| **m != VerificationMethod::KnowledgeQuestions)
        .map(|&method| option_for(method, contacts, methods))
        .collect();
    VerificationRequirement {
        required: policy.required,
        options,
        recorded: None,
    }
}

fn option_for(
    method: VerificationMethod,
    contacts: &ContactsOnRecord,
    methods: &[AuthMethod],
) -> VerificationOption {
    let mut option = VerificationOption {
        method,
        label: method.label().to_string(),
        instructions: String::new(),
        unavailable: None,
        phones: Vec::new(),
        manager: None,
        destinations: Vec::new(),
    };
    match method {
        VerificationMethod::CallBack => {
            option.instructions = "Hang up and call the user back on a number below, from the directory — never on a number the caller gives you. Confirm it is them.".into();
            option.phones = contacts.phones.clone();
            if option.phones.is_empty() {
                option.unavailable =
                    Some("the directory holds no phone number for this user.".into());
            }
        }
        VerificationMethod::ManagerConfirmation => {
            option.instructions = "Contact the user's manager shown below (from the directory), and have them confirm that the caller is the user.".into();
            option.manager = contacts.manager.clone();
            if option.manager.is_none() {
                option.unavailable = Some("the directory names no manager for this user.".into());
            }
        }
        VerificationMethod::OneTimeCode => {
            option.instructions = "Send the code ResetDesk gives you to one of the user's registered methods below (from your helpdesk's SMS or mail tool), and ask the caller to read it back.".into();
            option.destinations = code_destinations(methods);
            if option.destinations.is_empty() {
                option.unavailable = Some(
                    "the user has no registered phone or email method to send a code to.".into(),
                );
            }
        }
        VerificationMethod::Ticket => {
            option.instructions = "Enter the ticket in which your organisation's process verified the caller (e.g. an identity check by HR or security).".into();
        }
        VerificationMethod::KnowledgeQuestions => {
            option.unavailable = Some(KNOWLEDGE_QUESTIONS_NEVER_PASS.into());
        }
    }
    option
}

/// Registered phone and email methods: where a one-time code can go.
fn code_destinations(methods: &[AuthMethod]) -> Vec<CodeDestination> {
    methods
        .iter()
        .filter(|m| matches!(m.kind, AuthMethodKind::Phone | AuthMethodKind::Email))
        .filter_map(|m| {
            let detail = m.detail.as_deref()?.trim();
            (!detail.is_empty()).then(|| CodeDestination {
                id: m.id.clone(),
                label: format!("{} {detail}", m.label),
            })
        })
        .collect()
}

/// What the operator records in the confirmation (from the page; checked here).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(
    rename_all = "camelCase",
    tag = "method",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum VerificationEvidence {
    /// `phone_id` is one of the numbers offered; `confirmed` is whether the user confirmed.
    CallBack {
        phone_id: String,
        confirmed: bool,
    },
    ManagerConfirmation {
        confirmed: bool,
    },
    /// The code the caller read back.
    OneTimeCode {
        code: String,
    },
    Ticket {
        ticket: String,
    },
    KnowledgeQuestions,
}

impl VerificationEvidence {
    pub fn method(&self) -> VerificationMethod {
        match self {
            VerificationEvidence::CallBack { .. } => VerificationMethod::CallBack,
            VerificationEvidence::ManagerConfirmation { .. } => {
                VerificationMethod::ManagerConfirmation
            }
            VerificationEvidence::OneTimeCode { .. } => VerificationMethod::OneTimeCode,
            VerificationEvidence::Ticket { .. } => VerificationMethod::Ticket,
            VerificationEvidence::KnowledgeQuestions => VerificationMethod::KnowledgeQuestions,
        }
    }
}

/// A one-time code waiting to be read back. The code is a secret of this plan only.
pub struct PendingCode {
    code: SecretString,
    destination: CodeDestination,
    created: Instant,
    wrong_attempts: u32,
}

/// The code handed to the operator to send, once.
#[derive(Clone, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "camelCase")]
pub struct CodeToSend {
    pub code: String,
    pub destination: String,
    pub valid_minutes: u64,
}

impl std::fmt::Debug for CodeToSend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeToSend")
            .field("code", &"[redacted]")
            .field("destination", &self.destination)
            .finish()
    }
}

/// Makes a six-digit code for `destination_id`, which must be one the plan offers.
pub fn new_code(
    requirement: &VerificationRequirement,
    destination_id: &str,
) -> Result<(PendingCode, CodeToSend)> {
    let option = offered_option(requirement, VerificationMethod::OneTimeCode)?;
    let destination = option
        .destinations
        .iter()
        .find(|d| d.id == destination_id)
        .cloned()
        .ok_or_else(|| {
            AppError::invalid_input(
                "Choose one of the user's registered methods shown to send the code to.",
            )
        })?;
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let to_send = CodeToSend {
        code: code.clone(),
        destination: destination.label.clone(),
        valid_minutes: CODE_VALIDITY.as_secs() / 60,
    };
    Ok((
        PendingCode {
            code: SecretString::from(code),
            destination,
            created: Instant::now(),
            wrong_attempts: 0,
        },
        to_send,
    ))
}

/// Checks what the operator recorded against what the plan offered. `Ok` with
/// `passed: false` is a failed verification (the caller could not be verified: the action
/// must stop); `Err` is input to correct, and nothing is recorded.
pub fn evaluate(
    requirement: &VerificationRequirement,
    evidence: &VerificationEvidence,
    pending_code: Option<&mut PendingCode>,
    now: &str,
) -> Result<VerificationRecord> {
    let method = evidence.method();
    let option = offered_option(requirement, method)?;
    let record = |passed: bool, detail: String| VerificationRecord {
        method,
        passed,
        detail,
        at: now.to_string(),
    };
    match evidence {
        VerificationEvidence::CallBack {
            phone_id,
            confirmed,
        } => {
            let phone = option
                .phones
                .iter()
                .find(|p| &p.id == phone_id)
                .ok_or_else(|| {
                    AppError::invalid_input(
                        "Choose the directory number you called back; a number the caller gives cannot be used.",
                    )
                })?;
            let called = format!(
                "Called back {} ({} in the directory)",
                mask_phone(&phone.number),
                phone.id
            );
            Ok(if *confirmed {
                record(true, format!("{called}; the user confirmed."))
            } else {
                record(false, format!("{called}; the user did not confirm."))
            })
        }
        VerificationEvidence::ManagerConfirmation { confirmed } => {
            let manager = option.manager.as_ref().ok_or_else(|| {
                AppError::invalid_input("The directory names no manager for this user.")
            })?;
            let asked = format!("Manager {}", manager.user_principal_name);
            Ok(if *confirmed {
                record(true, format!("{asked} confirmed the caller."))
            } else {
                record(false, format!("{asked} did not confirm the caller."))
            })
        }
        VerificationEvidence::OneTimeCode { code } => {
            let pending = pending_code.ok_or_else(|| {
                AppError::invalid_input(
                    "Send a code first, then enter the one the caller reads back.",
                )
            })?;
            let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
            if typed.is_empty() {
                return Err(AppError::invalid_input(
                    "Enter the code the caller reads back.",
                ));
            }
            let sent_to = format!("Code sent to {}", pending.destination.label);
            if pending.created.elapsed() > CODE_VALIDITY {
                return Ok(record(
                    false,
                    format!("{sent_to}; it expired before it was read back."),
                ));
            }
            if bool::from(
                typed
                    .as_bytes()
                    .ct_eq(pending.code.expose_secret().as_bytes()),
            ) {
                return Ok(record(true, format!("{sent_to}; the caller read it back.")));
            }
            pending.wrong_attempts += 1;
            if pending.wrong_attempts >= MAX_CODE_ATTEMPTS {
                return Ok(record(
                    false,
                    format!(
                        "{sent_to}; the caller read back a wrong code {MAX_CODE_ATTEMPTS} times."
                    ),
                ));
            }
            Err(AppError::invalid_input(format!(
                "That is not the code that was sent. {} attempt(s) left.",
                MAX_CODE_ATTEMPTS - pending.wrong_attempts
            )))
        }
        VerificationEvidence::Ticket { ticket } => {
            let ticket = ticket.trim();
            if ticket.is_empty() {
                return Err(AppError::invalid_input(
                    "Enter the ticket in which the caller was verified.",
                ));
            }
            if ticket.chars().count() > MAX_TICKET_CHARS || ticket.chars().any(char::is_control) {
                return Err(AppError::invalid_input(format!(
                    "Enter the ticket reference only (at most {MAX_TICKET_CHARS} characters, one line)."
                )));
            }
            Ok(record(
                true,
                format!("Verified in ticket {ticket} (the organisation's process)."),
            ))
        }
        VerificationEvidence::KnowledgeQuestions => Err(AppError::denied(format!(
            "Not recorded: {KNOWLEDGE_QUESTIONS_NEVER_PASS}"
        ))),
    }
}

/// Keeps the last four digits: the audit says which number without spreading it.
fn mask_phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("••••{tail}")
}

/// The option of `requirement` for `method`, or why it cannot be used.
fn offered_option(
    requirement: &VerificationRequirement,
    method: VerificationMethod,
) -> Result<&VerificationOption> {
    if method == VerificationMethod::KnowledgeQuestions {
        return Err(AppError::denied(format!(
            "Not recorded: {KNOWLEDGE_QUESTIONS_NEVER_PASS}"
        )));
    }
    let option = requirement
        .options
        .iter()
        .find(|o| o.method == method)
        .ok_or_else(|| {
            AppError::invalid_input(format!(
                "\"{}\" is not a verification method your organisation enables. Choose one of those shown.",
                method.label()
            ))
        })?;
    if let Some(why) = &option.unavailable {
        return Err(AppError::invalid_input(format!(
            "{}: {why} Choose another method.",
            method.label()
        )));
    }
    Ok(option)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-11-23T12:00:00.000Z";

    fn contacts() -> ContactsOnRecord {
        ContactsOnRecord {
            phones: vec![PhoneOnRecord {
                id: "mobilePhone".into(),
                label: "Mobile phone".into(),
                number: "+1 425 555 0142".into(),
            }],
            manager: Some(ManagerOnRecord {
                id: "m".into(),
                display_name: "Miriam Graham".into(),
                user_principal_name: "miriam.graham@contoso.sandbox".into(),
                phones: vec![],
            }),
        }
    }

    fn methods() -> Vec<AuthMethod> {
        vec![AuthMethod {
            id: "phone-1".into(),
            kind: AuthMethodKind::Phone,
            label: "Phone number".into(),
            detail: Some("+1 425 555 0142".into()),
            phone_type: Some("mobile".into()),
            is_default: true,
            status: None,
            created: None,
        }]
    }

    fn all_methods() -> VerificationRequirement {
        requirement(&VerificationPolicy::default(), &contacts(), &methods())
    }

    fn evidence(json: &str) -> VerificationEvidence {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_options_come_from_the_directory_and_say_when_one_cannot_be_used() {
        let offered = all_methods();
        assert!(offered.required);
        assert_eq!(offered.options.len(), 4);
        assert_eq!(offered.options[0].phones[0].number, "+1 425 555 0142");
        assert_eq!(
            offered.options[2].destinations[0].label,
            "Phone number +1 425 555 0142"
        );
        let bare = requirement(
            &VerificationPolicy::default(),
            &ContactsOnRecord::default(),
            &[],
        );
        let unavailable: Vec<_> = bare
            .options
            .iter()
            .map(|o| o.unavailable.is_some())
            .collect();
        assert_eq!(unavailable, vec![true, true, true, false]);
    }

    #[test]
    fn a_call_back_passes_only_on_a_directory_number_the_user_confirmed_on() {
        let offered = all_methods();
        let passed = evaluate(
            &offered,
            &evidence(r#"{"method":"callBack","phoneId":"mobilePhone","confirmed":true}"#),
            None,
            NOW,
        )
        .unwrap();
        assert!(passed.passed);
        assert_eq!(
            passed.detail,
            "Called back ••••0142 (mobilePhone in the directory); the user confirmed."
        );
        assert!(!passed.detail.contains("425 555"), "the number is masked");
        let failed = evaluate(
            &offered,
            &evidence(r#"{"method":"callBack","phoneId":"mobilePhone","confirmed":false}"#),
            None,
            NOW,
        )
        .unwrap();
        assert!(!failed.passed);
        let caller_number = evaluate(
            &offered,
            &evidence(r#"{"method":"callBack","phoneId":"+1 555 0100","confirmed":true}"#),
            None,
            NOW,
        )
        .unwrap_err();
        assert!(caller_number.message.contains("caller gives"));
        // A number field from the page is not even accepted.
        assert!(serde_json::from_str::<VerificationEvidence>(
            r#"{"method":"callBack","phoneId":"mobilePhone","number":"+1 555 0100","confirmed":true}"#
        )
        .is_err());
    }

    #[test]
    fn knowledge_questions_never_pass_and_disabled_methods_are_refused() {
        let offered = all_methods();
        let error = evaluate(
            &offered,
            &evidence(r#"{"method":"knowledgeQuestions"}"#),
            None,
            NOW,
        )
        .unwrap_err();
        assert_eq!(error.kind, crate::ErrorKind::Denied);
        assert!(error.message.contains("never verify"));
        let ticket_only = requirement(
            &VerificationPolicy {
                required: true,
                methods: vec![VerificationMethod::Ticket],
            },
            &contacts(),
            &methods(),
        );
        let error = evaluate(
            &ticket_only,
            &evidence(r#"{"method":"managerConfirmation","confirmed":true}"#),
            None,
            NOW,
        )
        .unwrap_err();
        assert!(error
            .message
            .contains("not a verification method your organisation enables"));
    }

    #[test]
    fn manager_confirmation_names_the_manager_from_the_directory() {
        let record = evaluate(
            &all_methods(),
            &evidence(r#"{"method":"managerConfirmation","confirmed":true}"#),
            None,
            NOW,
        )
        .unwrap();
        assert!(record.passed);
        assert!(record.detail.contains("miriam.graham@contoso.sandbox"));
        let nobody = requirement(
            &VerificationPolicy::default(),
            &ContactsOnRecord::default(),
            &methods(),
        );
        assert!(evaluate(
            &nobody,
            &evidence(r#"{"method":"managerConfirmation","confirmed":true}"#),
            None,
            NOW
        )
        .is_err());
    }

    #[test]
    fn a_one_time_code_passes_when_read_back_and_fails_after_three_wrong_codes() {
        let offered = all_methods();
        assert!(new_code(&offered, "not-a-method").is_err());
        let (mut pending, to_send) = new_code(&offered, "phone-1").unwrap();
        assert_eq!(to_send.code.len(), 6);
        assert!(!format!("{to_send:?}").contains(&to_send.code));
        let read_back = format!(r#"{{"method":"oneTimeCode","code":"{}"}}"#, to_send.code);
        let wrong = if to_send.code == "000000" {
            "111111"
        } else {
            "000000"
        };
        let wrong = format!(r#"{{"method":"oneTimeCode","code":"{wrong}"}}"#);

        let first = evaluate(&offered, &evidence(&wrong), Some(&mut pending), NOW).unwrap_err();
        assert!(
            first.message.contains("2 attempt(s) left"),
            "{}",
            first.message
        );
        let record = evaluate(&offered, &evidence(&read_back), Some(&mut pending), NOW).unwrap();
        assert!(record.passed);
        assert!(
            !record.detail.contains(&to_send.code),
            "the code is never recorded"
        );

        let (mut pending, _) = new_code(&offered, "phone-1").unwrap();
        evaluate(&offered, &evidence(&wrong), Some(&mut pending), NOW).unwrap_err();
        evaluate(&offered, &evidence(&wrong), Some(&mut pending), NOW).unwrap_err();
        let third = evaluate(&offered, &evidence(&wrong), Some(&mut pending), NOW).unwrap();
        assert!(!third.passed);
        assert!(evaluate(&offered, &evidence(&read_back), None, NOW).is_err());
    }

    #[test]
    fn a_ticket_must_be_one_short_line() {
        let offered = all_methods();
        let ok = evaluate(
            &offered,
            &evidence(r#"{"method":"ticket","ticket":" HR-4471 "}"#),
            None,
            NOW,
        )
        .unwrap();
        assert!(ok.passed);
        assert!(ok.detail.contains("HR-4471"));
        for bad in ["", "   ", "a\nb"] {
            let json = serde_json::json!({"method": "ticket", "ticket": bad}).to_string();
            assert!(
                evaluate(&offered, &evidence(&json), None, NOW).is_err(),
                "{bad:?}"
            );
        }
    }
}
