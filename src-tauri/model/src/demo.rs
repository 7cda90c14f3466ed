//! The one place where a sandbox connection differs from a real one: who answers the
//! provider's sign-in page. For a real connection it is the operator, in their browser; for a
//! sandbox connection it is the emulator, on the chosen demo account's behalf. The sandbox
//! crate implements these traits; the core holds them as trait objects and never names an
//! emulator type.

use secrecy::SecretString;

/// The sandbox plays the technician at a Lighthouse partner's sign-in page: it hands out the
/// refresh token an interactive sign-in of `account` would give.
pub trait PartnerSandboxSignIn: Send + Sync {
    fn sign_in(&self, account: &str) -> Option<SecretString>;
}

/// Approves a device code on the operator's behalf: the Zoho sandbox, playing the person at
/// Zoho's verification page (as the Entra sandbox plays its sign-in page).
pub trait DeviceApprover: Send + Sync {
    fn approve(&self, user_code: &str, account: &str) -> bool;
    /// The client secret of the sandbox's registered app (public: it opens only the emulator).
    fn client_secret(&self) -> SecretString;
}
