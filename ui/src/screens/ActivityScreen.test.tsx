import { fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { auditEntry, sandboxActions } from "../test/fixtures";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import { ActivityScreen } from "./ActivityScreen";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;
const rows = () => [...document.querySelectorAll('[data-testid="audit-row"]')] as HTMLElement[];

describe("activity", () => {
  test("lists up to 200 entries newest first, with outcome and reason; a row expands to steps, request ids and hash", async () => {
    const ipc = mockCommands({
      list_audit: () => [
        auditEntry(1),
        auditEntry(3, { outcome: "refused", reason: "INC-3", steps: [], message: "Denied by policy" }),
        auditEntry(2, { outcome: "partial" }),
      ],
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(3));
    expect(ipc.callsOf("list_audit")).toEqual([{ limit: 200 }]);
    expect(rows().map((r) => r.getAttribute("data-seq"))).toEqual(["3", "2", "1"]);
    expect(rows()[0].textContent).toContain("Refused");
    expect(rows()[0].textContent).toContain("INC-3");
    expect(rows()[1].textContent).toContain("Partially succeeded");
    expect(rows()[2].textContent).toContain("Reset password");

    fireEvent.click(rows()[2].querySelector('[data-testid="audit-expand"]')!);
    const details = await waitFor(() => {
      const found = document.querySelector('[data-testid="audit-details"]');
      expect(found).not.toBeNull();
      return found!;
    });
    expect(details.textContent).toContain(auditEntry(1).steps[0].requestId!);
    expect(details.textContent).toContain(auditEntry(1).hash);
  });

  test("an entry shows how the caller was verified and who approved", async () => {
    mockCommands({
      list_audit: () => [
        auditEntry(1, {
          verification: {
            method: "callBack",
            passed: true,
            detail: "Called back ••••0142 (mobilePhone in the directory); the user confirmed.",
            at: "2026-11-23T12:00:00Z",
          },
          approval: {
            approver: "globaladmin@contoso.sandbox",
            approverId: "ga",
            approverRoles: ["Global Administrator"],
            at: "2026-11-23T12:01:00Z",
          },
        }),
      ],
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(1));
    fireEvent.click(rows()[0].querySelector('[data-testid="audit-expand"]')!);
    await waitFor(() => expect(document.querySelector('[data-testid="audit-verification"]')).not.toBeNull());
    expect(document.querySelector('[data-testid="audit-verification"]')!.textContent).toContain(
      "(call back on a directory number, passed): Called back ••••0142",
    );
    expect(document.querySelector('[data-testid="audit-approval"]')!.textContent).toContain(
      "globaladmin@contoso.sandbox (Global Administrator)",
    );
  });

  test("says whether entries are forwarded to a syslog collector, and warns when delivery is behind", async () => {
    mockCommands({
      list_audit: () => [],
      audit_forwarding: () => ({
        enabled: true,
        destination: "siem.contoso.com:6514 (TLS)",
        connected: false,
        queued: 12,
        dropped: 0,
        lastError: "connection refused",
      }),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    const line = await waitFor(() => {
      const found = document.querySelector('[data-testid="forwarding-status"]') as HTMLElement | null;
      expect(found).not.toBeNull();
      return found!;
    });
    expect(line.dataset.state).toBe("trouble");
    expect(line.textContent).toBe(
      "Forwarded to siem.contoso.com:6514 (TLS) · not connected — retrying · 12 waiting · last error: connection refused",
    );
  });

  test("says when entries are not forwarded", async () => {
    mockCommands({
      list_audit: () => [],
      audit_forwarding: () => ({ enabled: false, destination: null, connected: false, queued: 0, dropped: 0, lastError: null }),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() =>
      expect(document.querySelector('[data-testid="forwarding-status"]')?.getAttribute("data-state")).toBe("off"),
    );
  });

  test("says when the syslog settings were refused, with Rust's reason", async () => {
    const reason = "Audit forwarding to siem.example over plain TCP would send the audit trail unencrypted across the network.";
    mockCommands({
      list_audit: () => [],
      audit_forwarding: () => ({ enabled: false, destination: null, connected: false, queued: 0, dropped: 0, lastError: reason }),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    const line = await waitFor(() => {
      const found = document.querySelector('[data-testid="forwarding-status"]') as HTMLElement | null;
      expect(found?.getAttribute("data-state")).toBe("refused");
      return found!;
    });
    expect(line.textContent).toContain("the syslog settings were refused");
    expect(line.textContent).toContain(reason);
  });

  test("lists the safety rules in force: the managed ones marked, a raised setting said, a loosened one warned", async () => {
    const rule = (key: string, label: string, value: string, extra: object = {}) => ({
      key,
      label,
      value,
      managed: true,
      locked: false,
      raisedFrom: null,
      weakerThanDefault: null,
      ...extra,
    });
    mockCommands({
      list_audit: () => [],
      safety_rules: () => ({
        managedPolicy: { state: "inForce", path: "/etc/resetdesk/policy.json" },
        rules: [
          rule("verification.required", "Verify the caller before a reset", "Required", { raisedFrom: "false" }),
          rule("approval.repeatMfaResetHours", "A second person for a user's second MFA reset within", "Off", {
            weakerThanDefault: "ResetDesk's default is 24 hours.",
          }),
          rule("rateLimits.resetsPerHour", "Resets per operator per hour", "10", { locked: true, raisedFrom: "3" }),
        ],
      }),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(document.querySelectorAll('[data-testid="safety-rule"]').length).toBe(3));
    const rules = [...document.querySelectorAll('[data-testid="safety-rule"]')] as HTMLElement[];
    expect(document.querySelector('[data-testid="managed-policy"]')?.textContent).toContain("/etc/resetdesk/policy.json");
    expect(rules.every((r) => r.dataset.managed === "true" && r.querySelector('[data-testid="rule-managed"]'))).toBe(true);
    expect(rules[0].querySelector('[data-testid="rule-raised"]')?.textContent).toContain("Your setting (false) is weaker than the policy's");
    expect(rules.map((r) => r.dataset.weaker)).toEqual(["false", "true", "false"]);
    expect(rules[1].textContent).toContain("ResetDesk's default is 24 hours.");
    // Locked: even the stricter 3 the operator set is ignored, and said so.
    expect(rules[2].dataset.locked).toBe("true");
    expect(rules[2].querySelector('[data-testid="rule-locked"]')).not.toBeNull();
    expect(rules[2].querySelector('[data-testid="rule-raised"]')?.textContent).toBe("Your setting (3) is ignored: the policy locks this rule.");
    expect(document.getElementById("safety-rules-heading")?.textContent).toBe("Safety rules — 1 weaker than the defaults");
  });

  test("says when the managed policy cannot be applied, with Rust's message", async () => {
    const message = "The managed policy /etc/resetdesk/policy.json cannot be applied: group or other users can write it.";
    mockCommands({
      list_audit: () => [],
      safety_rules: () => ({ managedPolicy: { state: "refused", message }, rules: [] }),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    const line = await waitFor(() => {
      const found = document.querySelector('[data-testid="managed-policy"]') as HTMLElement | null;
      expect(found?.dataset.state).toBe("refused");
      return found!;
    });
    expect(line.textContent).toContain(message);
  });

  test("Verify chain reports the first broken entry", async () => {
    const ipc = mockCommands({
      list_audit: () => [auditEntry(1), auditEntry(2)],
      verify_audit: () => ({
        ok: false,
        entries: 2,
        firstBroken: 2,
        message: "Entry 2 does not chain to entry 1: the log was edited.",
      }),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(2));
    fireEvent.click(byId("verify-chain")!);
    const result = await waitFor(() => {
      const found = byId("verify-result");
      expect(found).not.toBeNull();
      return found!;
    });
    expect(result.getAttribute("data-ok")).toBe("false");
    expect(result.textContent).toContain("The audit log chain is broken at entry #2.");
    expect(result.textContent).toContain("Entry 2 does not chain to entry 1: the log was edited.");
    expect(ipc.callsOf("verify_audit")).toEqual([{}]);
  });

  test("Verify chain reports an intact log", async () => {
    mockCommands({
      list_audit: () => [auditEntry(1)],
      verify_audit: () => ({ ok: true, entries: 1, firstBroken: null, message: "1 entry verified." }),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    fireEvent.click(byId("verify-chain")!);
    await waitFor(() => expect(byId("verify-result")?.textContent).toContain("The audit log is intact (1 entries)."));
    expect(byId("verify-result")?.getAttribute("data-ok")).toBe("true");
  });

  test("a refusal recorded without a reason shows why it was refused instead", async () => {
    mockCommands({
      list_audit: () => [auditEntry(1, { outcome: "refused", reason: "", steps: [], message: "Only a Privileged Authentication Administrator can act on this user." })],
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(1));
    expect(rows()[0].textContent).toContain("Only a Privileged Authentication Administrator can act on this user.");
  });

  test("the action filter offers Lighthouse's Reset all multi-factor authentications, and its entries show that label", async () => {
    const ipc = mockCommands({
      list_audit: () => [auditEntry(1, { action: "resetAllMfa", tenantId: "t-fabrikam" })],
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(1));
    expect(rows()[0].textContent).toContain("Reset all multi-factor authentications");
    const options = [...(byId("audit-filter-action") as HTMLSelectElement).options].map((o) => [o.value, o.textContent]);
    expect(options).toContainEqual(["resetAllMfa", "Reset all multi-factor authentications"]);
    fireEvent.change(byId("audit-filter-action")!, { target: { value: "resetAllMfa" } });
    await waitFor(() => expect(ipc.callsOf("list_audit").at(-1)).toEqual({ limit: 200, filter: { action: "resetAllMfa" } }));
  });

  test("an unreadable log shows the error", async () => {
    mockCommands({ list_audit: () => reject("Internal", "The audit log file is corrupt at line 4.") });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(byId("error-bar")?.textContent).toContain("The audit log file is corrupt at line 4."));
  });

  test("the filters query Rust with what they hold: trimmed text, the action kind, the outcome, local days as instants", async () => {
    const ipc = mockCommands({
      list_audit: (args) =>
        args.filter ? [auditEntry(2, { operator: "authadmin@contoso.sandbox", outcome: "refused" })] : [auditEntry(1), auditEntry(2)],
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(2));

    fireEvent.change(byId("audit-filter-operator")!, { target: { value: "  authadmin " } });
    fireEvent.change(byId("audit-filter-target")!, { target: { value: "adele" } });
    fireEvent.change(byId("audit-filter-action")!, { target: { value: "revokeSessions" } });
    fireEvent.change(byId("audit-filter-outcome")!, { target: { value: "refused" } });
    fireEvent.change(byId("audit-filter-from")!, { target: { value: "2026-11-20" } });
    fireEvent.change(byId("audit-filter-to")!, { target: { value: "2026-11-23" } });
    await waitFor(() => expect(rows().length).toBe(1));

    // Typing is not a query per key: the last call carries every field.
    const last = ipc.callsOf("list_audit").at(-1)!;
    expect(last).toEqual({
      limit: 200,
      filter: {
        operator: "authadmin",
        target: "adele",
        action: "revokeSessions",
        outcome: "refused",
        from: new Date(2026, 10, 20, 0, 0, 0, 0).toISOString(),
        to: new Date(2026, 10, 23, 23, 59, 59, 999).toISOString(),
      },
    });
    expect(ipc.callsOf("list_audit").length).toBeLessThan(4);
    expect(rows()[0].getAttribute("data-seq")).toBe("2");

    fireEvent.click(byId("audit-filter-clear")!);
    await waitFor(() => expect(rows().length).toBe(2));
    expect(ipc.callsOf("list_audit").at(-1)).toEqual({ limit: 200 });
    expect((byId("audit-filter-operator") as HTMLInputElement).value).toBe("");
  });

  test("a filter that matches nothing says so; a bad filter shows Rust's error", async () => {
    mockCommands({
      list_audit: (args) => {
        const filter = args.filter as { target?: string } | undefined;
        if (filter?.target === "nobody") return [];
        if (filter?.target === "bad") reject("InvalidInput", "The From date is after the To date; swap them or clear one.");
        return [auditEntry(1)];
      },
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(1));
    fireEvent.change(byId("audit-filter-target")!, { target: { value: "nobody" } });
    await waitFor(() => expect(document.querySelector('[data-testid="audit-empty"]')?.textContent).toBe("No activity matches these filters."));
    fireEvent.change(byId("audit-filter-target")!, { target: { value: "bad" } });
    await waitFor(() => expect(document.body.textContent).toContain("The From date is after the To date"));
  });

  test("Export CSV and Export JSON Lines ask Rust to export with the current filter and show where it went", async () => {
    const ipc = mockCommands({
      list_audit: () => [auditEntry(1), auditEntry(2)],
      export_audit: (args) =>
        args.format === "csv"
          ? { path: "/home/op/resetdesk-audit-2026-11-23.csv", entries: 2 }
          : { path: "/home/op/audit.jsonl", entries: 1 },
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(2));
    expect(byId("export-result")).toBeNull();

    fireEvent.click(byId("export-csv")!);
    await waitFor(() =>
      expect(byId("export-result")?.textContent).toBe("Exported 2 entries to /home/op/resetdesk-audit-2026-11-23.csv"),
    );
    expect(ipc.callsOf("export_audit")).toEqual([{ format: "csv" }]);

    fireEvent.change(byId("audit-filter-outcome")!, { target: { value: "succeeded" } });
    fireEvent.click(byId("export-jsonl")!);
    await waitFor(() => expect(byId("export-result")?.textContent).toBe("Exported 1 entries to /home/op/audit.jsonl"));
    expect(ipc.callsOf("export_audit")[1]).toEqual({ format: "jsonl", filter: { outcome: "succeeded" } });
  });

  test("a cancelled Save dialog changes nothing; an export error is shown", async () => {
    let answer: () => unknown = () => null;
    const ipc = mockCommands({
      list_audit: () => [auditEntry(1)],
      export_audit: () => answer(),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(1));
    fireEvent.click(byId("export-csv")!);
    await waitFor(() => expect(ipc.callsOf("export_audit").length).toBe(1));
    await waitFor(() => expect((byId("export-csv") as HTMLButtonElement).disabled).toBe(false));
    expect(byId("export-result")).toBeNull();

    answer = () => reject("Internal", "Could not create /readonly/audit.csv");
    fireEvent.click(byId("export-jsonl")!);
    await waitFor(() => expect(document.body.textContent).toContain("Could not create /readonly/audit.csv"));
    expect(byId("export-result")).toBeNull();
  });

  test("a provider action still to finish by hand reads as Pending, with its steps' by-hand states; the filter offers Pending", async () => {
    const ipc = mockCommands({
      list_audit: () => [
        auditEntry(1, {
          action: "zohoResetMfa",
          outcome: "pending",
          plan: ["Reset the MFA of Annette", "Tell the user to set up MFA again"],
          steps: [
            { stepIndex: 0, status: "succeeded", message: "MFA reset", requestId: null, at: "2026-11-23T09:00:00Z" },
            { stepIndex: 1, status: "waitingForOperator", message: "Finish in Zoho", requestId: null, at: "2026-11-23T09:00:00Z" },
          ],
        }),
        auditEntry(2, {
          action: "psResetGroupToken",
          steps: [{ stepIndex: 0, status: "completedByHand", message: "Marked as done", requestId: null, at: "2026-11-23T09:00:00Z" }],
        }),
      ],
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(rows().length).toBe(2));
    const pending = rows().find((r) => r.getAttribute("data-seq") === "1")!;
    expect(pending.getAttribute("data-outcome")).toBe("pending");
    expect(pending.textContent).toContain("Pending");
    // The same words as the audit log writes (and the filter offers).
    expect(pending.textContent).toContain("Reset MFA (Zoho)");

    const stepText = (status: string) => document.querySelector(`[data-testid="audit-step"][data-status="${status}"]`)?.textContent;
    const expand = (seq: string) =>
      fireEvent.click(rows().find((r) => r.getAttribute("data-seq") === seq)!.querySelector('[data-testid="audit-expand"]')!);
    expand("1");
    await waitFor(() => expect(stepText("waitingForOperator")).toContain("Waiting for the operator"));
    expand("2");
    await waitFor(() => expect(stepText("completedByHand")).toContain("Completed by hand"));

    const outcome = byId("audit-filter-outcome") as HTMLSelectElement;
    expect([...outcome.options].map((o) => o.value)).toContain("pending");
    fireEvent.change(outcome, { target: { value: "pending" } });
    await waitFor(() => expect(ipc.callsOf("list_audit").at(-1)).toEqual({ limit: 200, filter: { outcome: "pending" } }));
  });
});

describe("activity: steps waiting to be finished by hand", () => {
  const waiting = {
    planId: "pp-9",
    stepIndex: 0,
    connectionId: "sandbox-ps",
    operator: "CORP\\nps.admin",
    targetId: "ps-bob",
    target: "bob@corp.example",
    action: "Reset 2-Factor Token of the whole group (Privilege Secure)",
    summary: "Reset the 2-factor token of the whole group 'PrivilegeSecure_Users' (by hand)",
    since: "2026-12-05T09:00:00Z",
  };

  test("lists what Rust reads from the audit log; Mark as done settles it there and re-reads Activity", async () => {
    let left = [waiting];
    const ipc = mockCommands({
      list_audit: () => [auditEntry(1)],
      pending_by_hand_steps: () => left,
      settle_by_hand_step: () => {
        left = [];
        return { pending: left, result: null };
      },
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    const step = await waitFor(() => {
      const found = document.querySelector('[data-testid="by-hand-step"]');
      expect(found).not.toBeNull();
      return found as HTMLElement;
    });
    expect(step.textContent).toContain("whole group");
    expect(step.textContent).toContain("CORP\\nps.admin");
    fireEvent.click(byId("by-hand-done-pp-9-0")!);
    await waitFor(() => expect(document.querySelector('[data-testid="by-hand-section"]')).toBeNull());
    expect(ipc.callsOf("settle_by_hand_step")).toEqual([{ planId: "pp-9", stepIndex: 0, settlement: { settlement: "done" } }]);
    expect(ipc.callsOf("list_audit").length).toBe(2);
  });

  test("Abandon asks why before anything is sent; Rust's refusal (another operator) is shown and the step stays", async () => {
    const ipc = mockCommands({
      list_audit: () => [],
      pending_by_hand_steps: () => [waiting],
      settle_by_hand_step: () => reject("Denied", "Only the operator who ran this action can settle its by-hand steps."),
    });
    renderWithFluent(<ActivityScreen actions={sandboxActions} />);
    await waitFor(() => expect(byId("by-hand-abandon-pp-9-0")).not.toBeNull());
    fireEvent.click(byId("by-hand-abandon-pp-9-0")!);
    const confirm = byId("by-hand-abandon-confirm-pp-9-0") as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(byId("by-hand-abandon-reason-pp-9-0")!, { target: { value: " INC-9 done in the console by the customer " } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(document.querySelector('[data-testid="by-hand-section"]')?.textContent).toContain("Only the operator who ran"));
    expect(document.querySelectorAll('[data-testid="by-hand-step"]').length).toBe(1);
    expect(ipc.callsOf("settle_by_hand_step")).toEqual([
      { planId: "pp-9", stepIndex: 0, settlement: { settlement: "abandoned", reason: "INC-9 done in the console by the customer" } },
    ]);
  });
});
