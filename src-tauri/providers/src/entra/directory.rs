//! The seam between the core and a provider. The Entra provider implements it over
//! Microsoft Graph; every later provider (Lighthouse per customer tenant, Zoho, Privilege
//! Secure) implements what it supports. Implementations must:
//! - retry reads on 429/503 after Retry-After and on other 5xx with backoff;
//! - send a write again only after 429/503 (not processed), and after any other ambiguous
//!   failure (timeout, 5xx) re-read live state before deciding (see DESIGN.md, Retries);
//! - map provider errors to [`AppError`] kinds (403 → Forbidden, 404 → NotFound, …).

use async_trait::async_trait;
use secrecy::SecretString;

use resetdesk_core::error::{AppError, Result};
use resetdesk_core::model::safety::ContactsOnRecord;
use resetdesk_core::model::{
    AuthMethod, DirectoryUser, Operator, Receipt, TemporaryAccessPassPolicy,
};
use resetdesk_core::safety::team::TenantReset;

/// A Temporary Access Pass just issued. The pass is returned by the provider this once; it is
/// a secret (it signs the user in), so Debug output never shows it.
pub struct IssuedTemporaryAccessPass {
    pub pass: SecretString,
    pub lifetime_minutes: u32,
    pub usable_once: bool,
    pub receipt: Receipt,
}

impl std::fmt::Debug for IssuedTemporaryAccessPass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedTemporaryAccessPass")
            .field("pass", &"[redacted]")
            .field("lifetime_minutes", &self.lifetime_minutes)
            .field("usable_once", &self.usable_once)
            .field("receipt", &self.receipt)
            .finish()
    }
}

fn no_temporary_access_pass() -> AppError {
    AppError::invalid_input("This directory does not offer Temporary Access Passes.")
}

#[async_trait]
pub trait Directory: Send + Sync {
    /// The signed-in operator with their directory roles.
    async fn me(&self) -> Result<Operator>;
    /// Users whose display name, UPN or mail starts with / contains a word of `query`
    /// (an empty query lists the first `limit` users by display name).
    async fn search_users(&self, query: &str, limit: usize) -> Result<Vec<DirectoryUser>>;
    /// One user, read live, with `admin_roles` and `in_role_assignable_group` filled.
    async fn get_user(&self, user_id: &str) -> Result<DirectoryUser>;
    /// Every registered method, read live, with `is_default` set.
    async fn list_methods(&self, user_id: &str) -> Result<Vec<AuthMethod>>;
    /// Sets a temporary password that must be changed at next sign-in.
    async fn reset_password(
        &self,
        user_id: &str,
        temporary_password: &SecretString,
    ) -> Result<Receipt>;
    /// Deletes one method (phone, Authenticator, software OATH, …). A 404 means already gone.
    async fn delete_method(&self, user_id: &str, method: &AuthMethod) -> Result<Receipt>;
    /// Deactivates a hardware OATH token (Graph beta); it stays assigned to the user.
    async fn deactivate_hardware_oath(&self, user_id: &str, method_id: &str) -> Result<Receipt>;
    /// Invalidates the user's refresh tokens and session cookies.
    async fn revoke_sessions(&self, user_id: &str) -> Result<Receipt>;
    /// The phone numbers and the manager the directory holds for a user, read live: what the
    /// operator calls back or asks when verifying a caller. Providers that hold neither keep
    /// the default answer (nothing on record).
    async fn contacts_on_record(&self, _user_id: &str) -> Result<ContactsOnRecord> {
        Ok(ContactsOnRecord::default())
    }
    /// The resets the provider's own audit log holds since `since` — any operator's, from any
    /// desktop or the admin centre — for team-wide counting (`safety::team`). `None`: the
    /// provider keeps no such log. A log the operator may not read is an error (Forbidden).
    async fn tenant_resets_since(
        &self,
        _since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Vec<TenantReset>>> {
        Ok(None)
    }
    /// The tenant's Temporary Access Pass policy, read live. Providers without the method
    /// keep the default answer.
    async fn tap_policy(&self) -> Result<TemporaryAccessPassPolicy> {
        Err(no_temporary_access_pass())
    }
    /// Issues a Temporary Access Pass (replacing any the user has) and returns it this once.
    async fn create_temporary_access_pass(
        &self,
        _user_id: &str,
        _lifetime_minutes: u32,
        _usable_once: bool,
    ) -> Result<IssuedTemporaryAccessPass> {
        Err(no_temporary_access_pass())
    }
}
