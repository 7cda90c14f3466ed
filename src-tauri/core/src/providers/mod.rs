//! One module per provider. They reach their service over real HTTP; the emulators of those
//! services (the `resetdesk-sandbox` crate) are reached the same way, by the same code.
pub mod entra;
pub mod lighthouse;
pub mod privilege_secure;
pub mod zoho;
