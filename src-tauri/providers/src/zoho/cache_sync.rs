//! Filling the offline cache from Zoho: the Mail organisation API has no delta query, so every
//! sync reads the organisation's users page by page (`list_users`) and replaces the cache.
use async_trait::async_trait;

use super::client::{UserStatus, ZohoClient, ZohoUser, MAX_PAGE_SIZE};
use resetdesk_core::cache::{CachedUser, DirectorySync, FullSync, SyncProgress};
use resetdesk_core::error::{AppError, Result};

/// Stops a runaway paging loop (a server that always says "more"): 200 pages of 200 users.
const MAX_PAGES: u32 = 200;

#[async_trait]
impl DirectorySync for ZohoClient {
    async fn full_user_sync(&self, progress: &SyncProgress) -> Result<FullSync> {
        let mut users = Vec::new();
        let mut start = Some(0);
        let mut requests = 0;
        while let Some(at) = start {
            if requests >= MAX_PAGES as usize {
                return Err(AppError::internal(
                    "Zoho kept answering with more pages; the offline cache was not updated.",
                ));
            }
            let page = self.list_users(at, MAX_PAGE_SIZE).await?;
            requests += 1;
            progress.add(page.users.len());
            users.extend(page.users.iter().map(cached_user));
            start = page.next_start;
        }
        Ok(FullSync {
            users,
            delta_link: None,
            requests,
        })
    }
}

/// What the cache keeps of a Zoho user: the e-mail address stands in for the UPN, the role
/// for the job title, and the status for "enabled" (only confirmed users can be reset).
fn cached_user(user: &ZohoUser) -> CachedUser {
    CachedUser {
        id: user.zuid.clone(),
        display_name: user.display_name.clone(),
        user_principal_name: user.email.clone(),
        mail: Some(user.email.clone()),
        job_title: Some(user.role.label().to_string()),
        department: None,
        account_enabled: Some(user.status == UserStatus::Confirmed),
        user_type: Some(
            match user.status {
                UserStatus::Confirmed => "confirmed",
                UserStatus::Pending => "pending",
                UserStatus::External => "external",
            }
            .to_string(),
        ),
    }
}
