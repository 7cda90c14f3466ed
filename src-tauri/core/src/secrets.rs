//! The ONLY code that touches the OS keychain. Secrets live under service `ResetDesk`,
//! account `<connection-id>/<secret-name>`.
use secrecy::SecretString;

use crate::error::Result;

pub const KEYCHAIN_SERVICE: &str = "ResetDesk";

pub trait SecretStore: Send + Sync {
    fn get(&self, connection_id: &str, name: &str) -> Result<Option<SecretString>>;
    fn set(&self, connection_id: &str, name: &str, value: &SecretString) -> Result<()>;
    fn delete(&self, connection_id: &str, name: &str) -> Result<()>;
}
