import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, test } from "vitest";
import * as api from "./api";
import { fromSandbox } from "../test/sandbox";

type Call = [string, unknown];

function recordCalls(answer: (cmd: string) => unknown = () => null): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    return answer(cmd);
  });
  return calls;
}

describe("api: one command per function, with the brief's argument names", () => {
  test.each<[string, () => Promise<unknown>, string, unknown]>([
    ["listConnections", () => api.listConnections(), "list_connections", {}],
    ["signIn with a demo account", () => api.signIn("sandbox", "authadmin@contoso.sandbox"), "sign_in", { connectionId: "sandbox", account: "authadmin@contoso.sandbox" }],
    ["signIn in the browser", () => api.signIn("tenant-a"), "sign_in", { connectionId: "tenant-a" }],
    ["signOut", () => api.signOut("sandbox"), "sign_out", { connectionId: "sandbox" }],
    [
      "addConnection",
      () => api.addConnection({ provider: "entra", displayName: "Contoso", tenant: "contoso.onmicrosoft.com", clientId: "c1", cloud: "public" }),
      "add_connection",
      { connection: { provider: "entra", displayName: "Contoso", tenant: "contoso.onmicrosoft.com", clientId: "c1", cloud: "public" } },
    ],
    ["removeConnection", () => api.removeConnection("entra-1"), "remove_connection", { connectionId: "entra-1" }],
    ["planAction", () => api.planAction("sandbox", "u1", "requireReregisterMfa"), "plan_action", { connectionId: "sandbox", userId: "u1", action: "requireReregisterMfa" }],
    [
      "planAction with options",
      () => api.planAction("sandbox", "u1", "issueTemporaryAccessPass", { tapLifetimeMinutes: 120, tapUsableOnce: true }),
      "plan_action",
      { connectionId: "sandbox", userId: "u1", action: "issueTemporaryAccessPass", options: { tapLifetimeMinutes: 120, tapUsableOnce: true } },
    ],
    [
      "planAction replacing the plan being confirmed",
      () => api.planAction("sandbox", "u1", "resetPassword", { alsoRevokeSessions: false }, "plan-0"),
      "plan_action",
      { connectionId: "sandbox", userId: "u1", action: "resetPassword", options: { alsoRevokeSessions: false }, replaces: "plan-0" },
    ],
    ["runPlan", () => api.runPlan("plan-1", "INC-1"), "run_plan", { planId: "plan-1", reason: "INC-1" }],
    ["sendVerificationCode", () => api.sendVerificationCode("plan-1", "phone-1"), "send_verification_code", { planId: "plan-1", destinationId: "phone-1" }],
    [
      "recordVerification",
      () => api.recordVerification("plan-1", { method: "callBack", phoneId: "mobilePhone", confirmed: true }),
      "record_verification",
      { planId: "plan-1", evidence: { method: "callBack", phoneId: "mobilePhone", confirmed: true } },
    ],
    ["approvePlan (sandbox)", () => api.approvePlan("plan-1", { account: "globaladmin@contoso.sandbox" }), "approve_plan", { planId: "plan-1", account: "globaladmin@contoso.sandbox" }],
    ["approvePlan (browser)", () => api.approvePlan("plan-1"), "approve_plan", { planId: "plan-1" }],
    ["listAudit", () => api.listAudit(200), "list_audit", { limit: 200 }],
    ["listAudit with a filter", () => api.listAudit(50, { operator: "help", outcome: "refused" }), "list_audit", { limit: 50, filter: { operator: "help", outcome: "refused" } }],
    ["exportAudit", () => api.exportAudit("csv"), "export_audit", { format: "csv" }],
    ["exportAudit with a filter", () => api.exportAudit("jsonl", { target: "adele" }), "export_audit", { format: "jsonl", filter: { target: "adele" } }],
    ["verifyAudit", () => api.verifyAudit(), "verify_audit", {}],
    ["sandboxSimulateOutage", () => api.sandboxSimulateOutage("sandbox", true), "sandbox_simulate_outage", { connectionId: "sandbox", down: true }],
    ["sandboxSimulateOutage (read)", () => api.sandboxSimulateOutage("sandbox-zoho"), "sandbox_simulate_outage", { connectionId: "sandbox-zoho" }],
    ["auditForwarding", () => api.auditForwarding(), "audit_forwarding", {}],
    ["safetyRules", () => api.safetyRules(), "safety_rules", {}],
    ["sandboxSecondDesktopReset", () => api.sandboxSecondDesktopReset("u-1"), "sandbox_second_desktop_reset", { userId: "u-1" }],
    ["copyToClipboard", () => api.copyToClipboard("handle-1", 30), "copy_to_clipboard", { handle: "handle-1", clearAfterSeconds: 30 }],
    [
      "addConnection (Zoho)",
      () => api.addConnection({ provider: "zoho", displayName: "Zylker", dataCentre: "EU", clientId: "1000.X", clientSecret: "s", organizationId: "7700001" }),
      "add_connection",
      { connection: { provider: "zoho", displayName: "Zylker", dataCentre: "EU", clientId: "1000.X", clientSecret: "s", organizationId: "7700001" } },
    ],
    [
      "addConnection (Privilege Secure)",
      () => api.addConnection({ provider: "privilegeSecure", displayName: "NPS", baseUrl: "https://nps.example.com" }),
      "add_connection",
      { connection: { provider: "privilegeSecure", displayName: "NPS", baseUrl: "https://nps.example.com" } },
    ],
    ["signIn with a password and a code", () => api.signIn("ps-1", "CORP\\a", "pw", "123456"), "sign_in", { connectionId: "ps-1", account: "CORP\\a", password: "pw", code: "123456" }],
    [
      "signIn waiting for a device code",
      () => api.signIn("sandbox-zoho", "admin@zylker.sandbox", undefined, undefined, "ABCD-EFGH"),
      "sign_in",
      { connectionId: "sandbox-zoho", account: "admin@zylker.sandbox", deviceCode: "ABCD-EFGH" },
    ],
    ["trustCertificate", () => api.trustCertificate("ps-1", "AB:CD"), "trust_certificate", { connectionId: "ps-1", sha256: "AB:CD" }],
    ["directorySearch", () => api.directorySearch("ps-1", "bob"), "directory_search", { connectionId: "ps-1", query: "bob" }],
    ["directoryUser", () => api.directoryUser("ps-1", "p1"), "directory_user", { connectionId: "ps-1", userId: "p1" }],
    ["planAction of a seam provider", () => api.planAction("ps-1", "p1", "psResetToken"), "plan_action", { connectionId: "ps-1", userId: "p1", action: "psResetToken" }],
    [
      "planAction with Zoho options",
      () => api.planAction("zoho-1", "z1", "zohoResetPassword", { forceChangeOnLogin: true, clearMobileSessionsAndApiTokens: false, emailNewPassword: false }),
      "plan_action",
      {
        connectionId: "zoho-1",
        userId: "z1",
        action: "zohoResetPassword",
        options: { forceChangeOnLogin: true, clearMobileSessionsAndApiTokens: false, emailNewPassword: false },
      },
    ],
    [
      "runPlan with a password",
      () => api.runPlan("pp-1", "INC-9", { mode: "generate", readAloud: true, length: 16 }, false),
      "run_plan",
      { planId: "pp-1", reason: "INC-9", password: { mode: "generate", readAloud: true, length: 16 } },
    ],
    ["openByHandPage", () => api.openByHandPage("pp-1", 2), "open_by_hand_page", { planId: "pp-1", stepIndex: 2 }],
    [
      "settleByHandStep (Mark as done)",
      () => api.settleByHandStep("pp-1", 2, { settlement: "done" }),
      "settle_by_hand_step",
      { planId: "pp-1", stepIndex: 2, settlement: { settlement: "done" } },
    ],
    ["directoryTenants", () => api.directoryTenants("lh"), "directory_tenants", { connectionId: "lh" }],
    ["directoryTenantUsers", () => api.directoryTenantUsers("lh", ["t1"], ""), "directory_tenant_users", { connectionId: "lh", tenantIds: ["t1"], query: "" }],
    [
      "directoryTenantMethods",
      () => api.directoryTenantMethods("lh", ["t1"], "ad"),
      "directory_tenant_methods",
      { connectionId: "lh", tenantIds: ["t1"], query: "ad" },
    ],
    [
      "planBulkAction",
      () => api.planBulkAction("lh", ["t1:u1", "t2:u9"], "resetAllMfa"),
      "plan_bulk_action",
      { connectionId: "lh", userIds: ["t1:u1", "t2:u9"], action: "resetAllMfa" },
    ],
    ["runPlan of a bulk plan", () => api.runPlan("lp-1", "INC-7"), "run_plan", { planId: "lp-1", reason: "INC-7" }],
    ["jobStatus", () => api.jobStatus("job-1"), "job_status", { jobId: "job-1" }],
    ["cancelJob", () => api.cancelJob("job-1"), "cancel_job", { jobId: "job-1" }],
    ["unfinishedJobs", () => api.unfinishedJobs(), "unfinished_jobs", {}],
    ["resumeJob", () => api.resumeJob("job-1"), "resume_job", { jobId: "job-1" }],
  ])("%s", async (_name, callApi, command, args) => {
    const calls = recordCalls();
    await callApi();
    expect(calls).toEqual([[command, args]]);
  });

  test("returns what the command answered", async () => {
    const answer = { users: [{ id: "u1", displayName: "Adele Vance", login: "adele@contoso.sandbox", detail: null }], fromCache: null };
    recordCalls((cmd) => (cmd === "directory_search" ? answer : null));
    await expect(api.directorySearch("sandbox", "ad")).resolves.toEqual(answer);
  });
});

describe("api: every rejection becomes an AppError", () => {
  test("a serialised AppError from Rust is passed through", async () => {
    mockIPC(() => {
      throw { kind: "Denied", message: "Only a Privileged Authentication Administrator may do this.", detail: "rule 3" };
    });
    await expect(api.planAction("sandbox", "u1", "resetPassword")).rejects.toEqual({
      kind: "Denied",
      message: "Only a Privileged Authentication Administrator may do this.",
      detail: "rule 3",
    });
  });

  test("a plain string from Tauri (e.g. an ACL refusal) becomes Internal with the text kept", async () => {
    mockIPC(() => {
      throw "Command plan_action not allowed by ACL";
    });
    await expect(api.planAction("sandbox", "u1", "resetPassword")).rejects.toEqual({
      kind: "Internal",
      message: "Command plan_action not allowed by ACL",
      detail: null,
    });
  });

  test("an object that is not an AppError is not mistaken for one", async () => {
    mockIPC(() => {
      throw { kind: "Nonsense", message: 3 };
    });
    const error = await api.verifyAudit().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "Internal", message: "Unexpected error from the application." });
  });

  test("toAppError keeps an Error's message", () => {
    expect(api.toAppError(new Error("boom"))).toEqual({ kind: "Internal", message: "boom", detail: null });
  });
});

describe("api: a lost session is announced", () => {
  test("NotSignedIn from any command notifies the listeners; other errors do not", async () => {
    const heard: string[] = [];
    const unsubscribe = api.onSessionLost((error) => heard.push(error.message));
    mockIPC((cmd) => {
      if (cmd === "directory_search") throw { kind: "NotSignedIn", message: "Your session expired. Sign in again." };
      throw { kind: "Denied", message: "no" };
    });
    await expect(api.directorySearch("sandbox", "a")).rejects.toMatchObject({ kind: "NotSignedIn" });
    await expect(api.planAction("sandbox", "u1", "resetPassword")).rejects.toMatchObject({ kind: "Denied" });
    expect(heard).toEqual(["Your session expired. Sign in again."]);
    unsubscribe();
    await expect(api.directorySearch("sandbox", "a")).rejects.toMatchObject({ kind: "NotSignedIn" });
    expect(heard.length).toBe(1);
  });
});

describe("api: provider helpers", () => {
  test("NotSignedIn from run_plan is the dialog's to handle when the caller says so, not a lost session", async () => {
    const heard: string[] = [];
    const unsubscribe = api.onSessionLost((error) => heard.push(error.message));
    mockIPC(() => {
      throw { kind: "NotSignedIn", message: "Sign in again to confirm it is you." };
    });
    await expect(api.runPlan("pp-1", "INC-1", undefined, false)).rejects.toMatchObject({ kind: "NotSignedIn" });
    expect(heard).toEqual([]);
    // An Entra plan's run: a lost session, announced as from any command.
    await expect(api.runPlan("plan-1", "INC-1")).rejects.toMatchObject({ kind: "NotSignedIn" });
    expect(heard).toEqual(["Sign in again to confirm it is you."]);
    unsubscribe();
  });

  test("isJob tells a bulk plan's started job from a plan's steps, as Rust sends them", () => {
    expect(api.isJob(fromSandbox.lighthouseJobFinished)).toBe(true);
    expect(api.isJob(fromSandbox.entraResetResultAdele)).toBe(false);
  });
});
