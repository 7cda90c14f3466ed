//! An Entra user as the one users list shows every provider's users (`seam::UserRow`): the
//! name, the user principal name as the login, and one line with the job title and, when the
//! account is disabled, that it is — the two columns Entra's own list had beside the name.

use resetdesk_core::cache::CachedUser;
use resetdesk_core::model::DirectoryUser;
use resetdesk_core::seam::UserRow;

/// A user the live directory answered.
pub fn user_row(user: &DirectoryUser) -> UserRow {
    row(
        &user.id,
        &user.display_name,
        &user.user_principal_name,
        user.job_title.as_deref(),
        user.account_enabled,
    )
}

/// A user of the offline cache (filled from the same directory reads).
pub fn cached_row(user: &CachedUser) -> UserRow {
    row(
        &user.id,
        &user.display_name,
        &user.user_principal_name,
        user.job_title.as_deref(),
        user.account_enabled,
    )
}

fn row(
    id: &str,
    display_name: &str,
    upn: &str,
    job_title: Option<&str>,
    account_enabled: Option<bool>,
) -> UserRow {
    UserRow {
        id: id.to_string(),
        display_name: display_name.to_string(),
        login: upn.to_string(),
        detail: detail(job_title, account_enabled),
    }
}

/// "Job title · Account disabled"; nothing when neither is known.
fn detail(job_title: Option<&str>, account_enabled: Option<bool>) -> Option<String> {
    let parts: Vec<&str> = [
        job_title.map(str::trim).filter(|title| !title.is_empty()),
        (account_enabled == Some(false)).then_some("Account disabled"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detail_line_names_the_job_title_and_a_disabled_account() {
        assert_eq!(
            detail(Some("Engineer"), Some(true)).as_deref(),
            Some("Engineer")
        );
        assert_eq!(
            detail(Some("Engineer"), Some(false)).as_deref(),
            Some("Engineer · Account disabled")
        );
        assert_eq!(
            detail(None, Some(false)).as_deref(),
            Some("Account disabled")
        );
        assert_eq!(detail(Some("  "), None), None);
        assert_eq!(detail(None, None), None);
    }

    #[test]
    fn a_live_user_and_its_cached_copy_show_the_same_row() {
        let live = DirectoryUser {
            id: "u1".into(),
            display_name: "Adele Vance".into(),
            user_principal_name: "adele.vance@contoso.sandbox".into(),
            job_title: Some("Retail Manager".into()),
            account_enabled: Some(false),
            ..DirectoryUser::default()
        };
        let cached = CachedUser {
            id: "u1".into(),
            display_name: "Adele Vance".into(),
            user_principal_name: "adele.vance@contoso.sandbox".into(),
            mail: None,
            job_title: Some("Retail Manager".into()),
            department: None,
            account_enabled: Some(false),
            user_type: None,
        };
        assert_eq!(user_row(&live), cached_row(&cached));
        assert_eq!(user_row(&live).login, "adele.vance@contoso.sandbox");
    }
}
