//! Netwrix Privilege Secure 4.x (Access Management, formerly SbPAM): sign-in with a second
//! factor, user search, "configured individually or through a group", and Reset 2-Factor Token.
//!
//! Everything here uses the documented REST API (netwrix/privilege-secure, `api-docs/4.2`):
//! * sign-in: `POST /signinBody` `{"Login","Password"}` → token, then `POST /signin2fa` with
//!   `Authorization: Bearer <token>` and the code → the session token (a JWT) — the PowerShell
//!   sample of every API page; renewal with `GET /api/v1/UserToken` before `exp`, as
//!   `powershell/ActivitySessionReport/ActivitySessionReport.ps1` (`Renew-Token`) does;
//! * users known to NPS: `GET /api/v1/ManagedAccount/HostUser/Search` (ManagedAccount/HostUserSearch.md:
//!   `filterText`, `filterEntityType=HostUser`, `take`; rows are `ManagedAccountCandidateView`
//!   with `managed` and `managedAccountId`);
//! * one user: `GET /api/v1/ManagedAccount/ByUserId/{userId}` (GetManagedAccountByUserIdAsync.md,
//!   `ManagedAccountInfo`), and the configured groups an NPS user belongs to:
//!   `GET /api/v1/ManagedAccount/{managedAccountId}/Groups` (GetGroupsAsync.md, `ManagedAccountGroup[]`);
//! * reset: `PUT /api/v1/ManagedAccount/ResetMFA/{id}` (ResetMfaAsync.md, Admin only);
//! * add/remove the individual entry: `POST /api/v1/ManagedAccount` (PostAsync.md, body
//!   `ManagedAccount` `{name,type:"HostUser",userId}`, returns `ManagedAccountInfo`) and
//!   `DELETE /api/v1/ManagedAccount/{managedAccountId}` (DeleteAsync.md, 202);
//! * "is the operator an Administrator": `GET /api/v1/ManagedAccount/Reviewer/Info`
//!   (GetAllReviewersInfoAsync.md), a read-only call documented as "Auth roles: Admin" only
//!   with 403 "User is not an Administrator" otherwise. The API documents no "who am I / my
//!   roles" call, so a 200 from this harmless read is the proof of the Admin role.
//!
//! How "individually or through a group" is read (the docs do not spell it out, so this is our
//! interpretation, written down here): `ManagedAccountCandidateView.managed` is true when the
//! host user is configured as an NPS user in its own right (its `managedAccountId` is that
//! entry). A user who only inherits access through a configured AD group is not `managed`;
//! NPS records group membership as `ManagedAccountJoin` rows (`managedAccountId` ↔
//! `managedAccountGroupId`, Models/sbpam.models.managedaccountjoin.md), so such a user still
//! has an NPS user id (from `ByUserId`), and `…/{id}/Groups` names the configured group(s).
//!
//! The folder has each provider's files: `client` (the calls above and the session token),
//! `models` (their documented reply shapes), `policy` (an Administrator's two actions),
//! `planner` (a plan's steps), `provider` (the provider and its session on the seam); and its
//! own `tls` (the server's certificate, pinned once the operator trusts it).

mod client;
mod models;
mod planner;
mod policy;
mod provider;
mod tls;

pub use client::*;
pub use provider::PrivilegeSecure;
pub use tls::{certificate_sha256, fetch_presented_fingerprint, parse_fingerprint};
