//! Per action option: performed through a documented API, or by hand in the Zoho admin panel.
//!
//! This is the one table. Adding an endpoint later changes one declaration here (and the
//! call in `client.rs`). The Console shows the difference in the confirmation summary and
//! runs the "finish in Zoho" mechanism for every `ByHand` step.
use serde::{Deserialize, Serialize};

/// The options of the seed's two dialogs (Zoho Directory "Reset password/MFA of a single
/// user", https://help.zoho.com/portal/en/kb/directory/admin-guide/users/articles/reset-password-mfa).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ZohoOption {
    /// The new password itself.
    SetPassword,
    /// "Force users to change the password on login".
    ForceChangeOnLogin,
    /// "Web sessions will be cleared automatically" (always on, cannot be deselected).
    ClearWebSessions,
    /// "Clear mobile sessions and API tokens".
    ClearMobileSessionsAndApiTokens,
    /// "Email the new password to the users".
    EmailNewPassword,
    /// "Reset MFA" (clears the user's MFA configuration).
    ResetMfa,
}

/// How a step is performed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "performed", rename_all = "camelCase")]
pub enum Performed {
    /// By a documented API call; `doc` is the page that documents it.
    Api { doc: &'static str },
    /// In the Zoho admin panel by the operator. `admin_page_url` is filled in per user and
    /// data centre by [`crate::zoho::ZohoClient::by_hand_step`].
    ByHand {
        admin_page_url: String,
        instructions: String,
        /// Why there is no API for it (shown to the operator).
        why: &'static str,
    },
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Declaration {
    pub option: ZohoOption,
    pub api_doc: Option<&'static str>,
    /// What the operator clicks, for `ByHand` rows.
    pub instructions: &'static str,
    pub why: &'static str,
}

/// Zoho Mail's "Reset User Password": the password, and (its current version) the one-time
/// flag and the session reset in the same call.
pub const RESET_PASSWORD_DOC: &str =
    "https://www.zoho.com/mail/help/api/put-reset-user-password.html";

pub const DECLARATIONS: &[Declaration] = &[
    Declaration {
        option: ZohoOption::SetPassword,
        api_doc: Some(RESET_PASSWORD_DOC),
        instructions: "",
        why: "",
    },
    // The same call as the password: `oneTimePassword` (the user must change the password at
    // the next sign-in) and `resetAuthToken` (every session signed out), both sent explicitly.
    Declaration {
        option: ZohoOption::ForceChangeOnLogin,
        api_doc: Some(RESET_PASSWORD_DOC),
        instructions: "",
        why: "",
    },
    // Zoho's admin panel clears web sessions on every reset ("Web sessions will be cleared
    // automatically"); through the API it is the same reset call.
    Declaration {
        option: ZohoOption::ClearWebSessions,
        api_doc: Some(RESET_PASSWORD_DOC),
        instructions: "",
        why: "",
    },
    Declaration {
        option: ZohoOption::ClearMobileSessionsAndApiTokens,
        api_doc: Some(RESET_PASSWORD_DOC),
        instructions: "",
        why: "",
    },
    Declaration {
        option: ZohoOption::EmailNewPassword,
        api_doc: None,
        instructions: "In Zoho Directory: Admin Panel → Users → open the user → Reset Password \
                       with the same new password, select \"Email the new password to the \
                       users\", enter your password and click Reset. Zoho then emails it.",
        why: "No documented Zoho API emails a password to a user; ResetDesk never stores or \
              sends the password itself.",
    },
    Declaration {
        option: ZohoOption::ResetMfa,
        api_doc: None,
        instructions: "In Zoho Directory: Admin Panel → Users → open the user → Reset MFA, \
                       enter your password, click Yes, Reset, then Yes, Reset again.",
        why: "No documented API clears a user's MFA configuration. The Mail API's \
              updateTFAStatus (put-change-tfa-status-user) only switches TFA on or off; it is \
              not documented to clear the configured modes, so it is not a Reset MFA.",
    },
];

pub fn declaration(option: ZohoOption) -> Declaration {
    DECLARATIONS
        .iter()
        .copied()
        .find(|d| d.option == option)
        // Every option has a row (tested); the fallback keeps this panic-free.
        .unwrap_or(Declaration {
            option,
            api_doc: None,
            instructions: "Finish this step in the Zoho Directory admin panel.",
            why: "No documented API.",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_has_exactly_one_row() {
        for option in [
            ZohoOption::SetPassword,
            ZohoOption::ForceChangeOnLogin,
            ZohoOption::ClearWebSessions,
            ZohoOption::ClearMobileSessionsAndApiTokens,
            ZohoOption::EmailNewPassword,
            ZohoOption::ResetMfa,
        ] {
            assert_eq!(
                DECLARATIONS.iter().filter(|d| d.option == option).count(),
                1
            );
            let row = declaration(option);
            assert!(row.api_doc.is_some() || (!row.instructions.is_empty() && !row.why.is_empty()));
        }
        assert!(declaration(ZohoOption::SetPassword).api_doc.is_some());
        assert!(declaration(ZohoOption::ResetMfa).api_doc.is_none());
    }
}
