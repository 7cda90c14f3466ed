//! One module per provider. They reach their service over real HTTP; the sandbox is an
//! emulator of those services that the same provider code talks to.
pub mod entra;
pub mod lighthouse;
pub mod privilege_secure;
pub mod sandbox;
pub mod zoho;
