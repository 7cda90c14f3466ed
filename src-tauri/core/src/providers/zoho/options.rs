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
    /// data centre by [`crate::providers::zoho::ZohoClient::by_hand_step`].
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

pub const DECLARATIONS: &[Declaration] = &[
    Declaration {
        option: ZohoOption::SetPassword,
        api_doc: Some("https://www.zoho.com/mail/help/api/put-reset-user-password.html"),
        instructions: "",
        why: "",
    },
    Declaration {
        option: ZohoOption::ForceChangeOnLogin,
        api_doc: None,
        instructions: "In Zoho Directory: Admin Panel → Users → open the user → Reset Password. \
                       Enter the same new password, select \"Force users to change the \
                       password on login\", enter your password and click Reset.",
        why: "The Mail API's resetPassword takes only password and mode; a one-time-password \
              flag is documented only for adding a user (post-add-user-to-org).",
    },
    Declaration {
        option: ZohoOption::ClearWebSessions,
        api_doc: None,
        instructions: "In Zoho Directory: Admin Panel → Users → open the user → Active \
                       sessions, and check that the web sessions are gone (the admin panel's \
                       Reset Password clears them automatically); sign them out if not.",
        why: "No documented API clears a user's web sessions, and the Mail API's \
              resetPassword does not document that it does.",
    },
    Declaration {
        option: ZohoOption::ClearMobileSessionsAndApiTokens,
        api_doc: None,
        instructions: "In Zoho Directory: Admin Panel → Users → open the user → Reset Password \
                       with the same new password, select \"Clear mobile sessions and API \
                       tokens\", enter your password and click Reset.",
        why: "No documented Zoho API signs a user out of mobile apps or revokes their API \
              tokens.",
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
