//! The seam between the core and a provider. The Entra provider implements it over
//! Microsoft Graph; every later provider (Lighthouse per customer tenant, Zoho, Privilege
//! Secure) implements what it supports. Implementations must:
//! - retry reads on 429/503 after Retry-After and on other 5xx with backoff;
//! - send a write again only after 429/503 (not processed), and after any other ambiguous
//!   failure (timeout, 5xx) re-read live state before deciding (see DESIGN.md, Retries);
//! - map provider errors to [`AppError`] kinds (403 → Forbidden, 404 → NotFound, …).

use async_trait::async_trait;
use secrecy::SecretString;

use crate::error::Result;
use crate::model::{AuthMethod, DirectoryUser, Operator, Receipt};

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
}
