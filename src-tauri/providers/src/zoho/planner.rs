//! A Zoho plan's steps: each option of the reset with how it is performed, through the Mail
//! API where Zoho documents it, by hand in Zoho's admin panel otherwise (`super::options`).

use super::{Performed, ZohoOption, ZohoStep, ZohoUser};
use resetdesk_core::seam::{ProviderStep, StepPerformed};

/// The summary's steps of `steps` on `user`.
pub(super) fn plan_steps(steps: &[ZohoStep], user: &ZohoUser) -> Vec<ProviderStep> {
    steps.iter().map(|step| plan_step(step, user)).collect()
}

fn plan_step(step: &ZohoStep, user: &ZohoUser) -> ProviderStep {
    let summary = match step.option {
        ZohoOption::SetPassword => format!("Set a new password for {}", user.email),
        ZohoOption::ClearWebSessions => {
            "Clear the user's web sessions (the reset itself does this)".to_string()
        }
        ZohoOption::ForceChangeOnLogin => {
            "Force the user to change the password on login".to_string()
        }
        ZohoOption::ClearMobileSessionsAndApiTokens => {
            "Clear mobile sessions and API tokens".to_string()
        }
        ZohoOption::EmailNewPassword => "E-mail the new password to the user".to_string(),
        ZohoOption::ResetMfa => format!("Reset the MFA of {}", user.email),
    };
    let performed = match &step.performed {
        Performed::Api { doc } => StepPerformed::Api {
            doc: doc.to_string(),
        },
        Performed::ByHand {
            admin_page_url,
            instructions,
            why,
        } => StepPerformed::ByHand {
            page_url: admin_page_url.clone(),
            instructions: instructions.clone(),
            why: why.to_string(),
        },
    };
    ProviderStep::new(summary, performed)
}
