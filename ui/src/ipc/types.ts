// The types Rust sends and receives. Those with a Rust counterpart are generated from it by ts-rs
// (ui/src/ipc/generated/, written by `cargo test`; CI fails when they are stale), so the page
// cannot drift from what Rust sends. Only types with no Rust counterpart are written here.

export type { AboutInfo } from "./generated/AboutInfo";
export type { ActionKind } from "./generated/ActionKind";
export type { ActionOptions } from "./generated/ActionOptions";
export type { AppError } from "./generated/AppError";
export type { ApprovalRecord } from "./generated/ApprovalRecord";
export type { ApprovalRequirement } from "./generated/ApprovalRequirement";
export type { ApprovalStep } from "./generated/ApprovalStep";
export type { AuditEntry } from "./generated/AuditEntry";
export type { AuditFilter } from "./generated/AuditFilter";
export type { AuditOutcome } from "./generated/AuditOutcome";
export type { AuditRecord } from "./generated/AuditRecord";
export type { AuditVerification } from "./generated/AuditVerification";
export type { AuthMethod } from "./generated/AuthMethod";
export type { AuthMethodKind } from "./generated/AuthMethodKind";
export type { BulkJobState } from "./generated/BulkJobState";
export type { BulkJobView } from "./generated/BulkJobView";
export type { BulkMethodResult } from "./generated/BulkMethodResult";
export type { BulkStepState } from "./generated/BulkStepState";
export type { BulkUserResult } from "./generated/BulkUserResult";
export type { BulkUserState } from "./generated/BulkUserState";
export type { ByHandPage } from "./generated/ByHandPage";
export type { ByHandSettled } from "./generated/ByHandSettled";
export type { ByHandSettlement } from "./generated/ByHandSettlement";
export type { CacheStatus } from "./generated/CacheStatus";
export type { CachedSearch } from "./generated/CachedSearch";
export type { Cloud } from "./generated/Cloud";
export type { CodeDestination } from "./generated/CodeDestination";
export type { CodeToSend } from "./generated/CodeToSend";
export type { ConnectionKind } from "./generated/ConnectionKind";
export type { ConnectionView } from "./generated/ConnectionView";
export type { CustomerAccess } from "./generated/CustomerAccess";
export type { CustomerRefusal } from "./generated/CustomerRefusal";
export type { CustomerSummary } from "./generated/CustomerSummary";
export type { DataCentre } from "./generated/DataCentre";
export type { DemoAccount } from "./generated/DemoAccount";
export type { CachedAnswer } from "./generated/CachedAnswer";
export type { DeviceCodePrompt } from "./generated/DeviceCodePrompt";
export type { DirectoryUser } from "./generated/DirectoryUser";
export type { ErrorKind } from "./generated/ErrorKind";
export type { ExportFormat } from "./generated/ExportFormat";
export type { ExportResult } from "./generated/ExportResult";
export type { ForwardingStatus } from "./generated/ForwardingStatus";
export type { ManagedPolicyView } from "./generated/ManagedPolicyView";
export type { SafetyRuleView } from "./generated/SafetyRuleView";
export type { SafetyRulesView } from "./generated/SafetyRulesView";
export type { FreshSignIn } from "./generated/FreshSignIn";
export type { KeychainStatus } from "./generated/KeychainStatus";
export type { LighthouseAction } from "./generated/LighthouseAction";
export type { LighthouseActionOffer } from "./generated/LighthouseActionOffer";
export type { LighthouseMethodsRow } from "./generated/LighthouseMethodsRow";
export type { LighthousePlan } from "./generated/LighthousePlan";
export type { LighthouseTarget } from "./generated/LighthouseTarget";
export type { LighthouseUser } from "./generated/LighthouseUser";
export type { LighthouseUsers } from "./generated/LighthouseUsers";
export type { LighthouseMethods } from "./generated/LighthouseMethods";
export type { CustomerNotRead } from "./generated/CustomerNotRead";
export type { ManagerOnRecord } from "./generated/ManagerOnRecord";
export type { NewConnection } from "./generated/NewConnection";
export type { NewEntraConnection } from "./generated/NewEntraConnection";
export type { NewLighthouseConnection } from "./generated/NewLighthouseConnection";
export type { NewPrivilegeSecureConnection } from "./generated/NewPrivilegeSecureConnection";
export type { NewZohoConnection } from "./generated/NewZohoConnection";
export type { Operator } from "./generated/Operator";
export type { Outcome } from "./generated/Outcome";
export type { PasswordInput } from "./generated/PasswordInput";
export type { PendingByHandStep } from "./generated/PendingByHandStep";
export type { PhoneOnRecord } from "./generated/PhoneOnRecord";
export type { Plan } from "./generated/Plan";
export type { PlanSafety } from "./generated/PlanSafety";
export type { PlanTarget } from "./generated/PlanTarget";
export type { ProviderAccount } from "./generated/ProviderAccount";
export type { ProviderAction } from "./generated/ProviderAction";
export type { ProviderOffer } from "./generated/ProviderOffer";
export type { ProviderPlan } from "./generated/ProviderPlan";
export type { ProviderStep } from "./generated/ProviderStep";
export type { RateStatus } from "./generated/RateStatus";
export type { ResetPlan } from "./generated/ResetPlan";
export type { RoleRef } from "./generated/RoleRef";
export type { RunResult } from "./generated/RunResult";
export type { SecretKind } from "./generated/SecretKind";
export type { SignInOutcome } from "./generated/SignInOutcome";
export type { Step } from "./generated/Step";
export type { StepKind } from "./generated/StepKind";
export type { StepPerformed } from "./generated/StepPerformed";
export type { StepReport } from "./generated/StepReport";
export type { StepState } from "./generated/StepState";
export type { StepStatus } from "./generated/StepStatus";
export type { TargetSummary } from "./generated/TargetSummary";
export type { TemporaryAccessPassPolicy } from "./generated/TemporaryAccessPassPolicy";
export type { TemporaryAccessPassTerms } from "./generated/TemporaryAccessPassTerms";
export type { FactValue } from "./generated/FactValue";
export type { UserFact } from "./generated/UserFact";
export type { UserPage } from "./generated/UserPage";
export type { UserRow } from "./generated/UserRow";
export type { UserSearch } from "./generated/UserSearch";
export type { UserPlan } from "./generated/UserPlan";
export type { VerificationEvidence } from "./generated/VerificationEvidence";
export type { VerificationMethod } from "./generated/VerificationMethod";
export type { VerificationOption } from "./generated/VerificationOption";
export type { VerificationRecord } from "./generated/VerificationRecord";
export type { VerificationRequirement } from "./generated/VerificationRequirement";
export type { ZohoResetPasswordOptions } from "./generated/ZohoResetPasswordOptions";


import type { ActionKind } from "./generated/ActionKind";
import type { ProviderAction } from "./generated/ProviderAction";

/** Microsoft Entra's actions, as its offers name them (`plan_action` takes them). */
export const ENTRA_ACTIONS: readonly ActionKind[] = ["resetPassword", "requireReregisterMfa", "revokeSessions", "issueTemporaryAccessPass"];

/** The Entra action an offer names, if it is one. */
export function entraActionOf(id: string): ActionKind | undefined {
  return ENTRA_ACTIONS.find((action) => action === id);
}

/** The Zoho and Privilege Secure actions. Offers and plans name an action by its id (a string, since providers of the seam declare their own). */
export const PROVIDER_ACTIONS: readonly ProviderAction[] = ["zohoResetPassword", "zohoResetMfa", "psResetToken", "psResetGroupToken"];

/** The Zoho or Privilege Secure action an offer or plan names, if it is one. */
export function providerActionOf(id: string): ProviderAction | undefined {
  return PROVIDER_ACTIONS.find((action) => action === id);
}
