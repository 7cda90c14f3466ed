//! Files that name users (the offline cache, the bulk-job journal) are readable by their owner
//! only, like the audit log: created 0600, and tightened to 0600 if an older version left them
//! wider. SQLite gives its `-wal` and `-shm` files the permissions of the database file.

use std::path::Path;

use crate::error::{AppError, Result};

/// Makes sure `path` exists and is readable and writable by its owner only (Unix; elsewhere
/// the per-user data folder's ACLs apply).
pub fn ensure_private(path: &Path, what: &str) -> Result<()> {
    let fail = |e: std::io::Error| {
        AppError::internal(format!(
            "Could not open the {what} at {} as a file only your account can read: {e}",
            path.display()
        ))
    };
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        options.open(path).map_err(fail)?;
        let mode = std::fs::metadata(path).map_err(fail)?.permissions().mode() & 0o777;
        if mode != 0o600 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(fail)?;
        }
    }
    #[cfg(not(unix))]
    {
        options.open(path).map_err(fail)?;
    }
    Ok(())
}

/// Test helper: every file in `folder` (SQLite's -wal and -shm included) is 0600.
#[cfg(all(test, unix))]
pub(crate) fn assert_every_file_private(folder: &Path, expected: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let files: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.iter().any(|f| f == expected), "{files:?}");
    for file in files {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_file_is_created_private_and_an_old_wide_one_is_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.db");
        ensure_private(&new, "test file").unwrap();
        assert_eq!(mode(&new), 0o600);

        let old = dir.path().join("old.db");
        std::fs::write(&old, b"kept").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        ensure_private(&old, "test file").unwrap();
        assert_eq!(mode(&old), 0o600);
        assert_eq!(
            std::fs::read(&old).unwrap(),
            b"kept",
            "the content is untouched"
        );
    }
}
