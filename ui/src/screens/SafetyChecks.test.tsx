import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import {
  adele,
  adeleDetails,
  helpdeskResetSafety,
  megan,
  resetPlan,
  entraTenant,
  resetResult,
  sandboxConnection,
  verifiedResetSafety,
} from "../test/fixtures";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import type { ProviderPlan, VerificationRecord } from "../ipc/types";
import { UserScreen } from "./UserScreen";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;
const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const confirmDisabled = () => (byId("confirm-button") as HTMLButtonElement).disabled;

function renderDetails() {
  return renderWithFluent(
    <UserScreen connection={entraTenant} userId={adele.id} fallbackName="Adele" onBackToUsers={() => {}} />,
  );
}

const passed: VerificationRecord = {
  method: "callBack",
  passed: true,
  detail: "Called back ••••0100 (mobilePhone in the directory); the user confirmed.",
  at: "2026-11-23T12:00:00Z",
};

function verifiedPlan(overrides: Partial<ProviderPlan> = {}): ProviderPlan {
  return { ...resetPlan, safety: verifiedResetSafety(), ...overrides };
}

async function openResetWith(plan: ProviderPlan, handlers: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  const ipc = mockCommands({
    directory_user: () => adeleDetails(),
    plan_action: () => plan,
    run_plan: () => resetResult,
    list_connections: () => [sandboxConnection(true)],
    ...handlers,
  });
  renderDetails();
  fireEvent.click(await screen.findByRole("button", { name: "Reset password" }));
  // The dialog opens at once with a spinner; the reason field comes with Rust's plan.
  const reason = await waitFor(() => {
    const input = byId("reason-input");
    expect(input).not.toBeNull();
    return input!;
  });
  fireEvent.change(reason, { target: { value: "INC-42" } });
  return ipc;
}

describe("verifying the caller before a reset", () => {
  test("Confirm stays off until the caller is verified on a directory number, and Rust records it", async () => {
    const ipc = await openResetWith(verifiedPlan(), { record_verification: () => passed });
    expect(byTestId("verification")?.textContent).toContain("required by your organisation");
    // The numbers are the directory's; the operator cannot type one.
    expect(byTestId("verification")?.textContent).toContain("Mobile phone: +1 4255555474");
    expect(byTestId("verification")?.querySelector('input[type="tel"], input[type="text"]')).toBeNull();
    // The sandbox's count: none yet, from this desktop's log only (the operator may not read the tenant's).
    const rate = verifiedResetSafety().rate!;
    expect(byTestId("rate-status")?.textContent).toBe(`Resets you made in the last hour: 0 of 20. ${rate.note}`);
    expect(confirmDisabled()).toBe(true);

    fireEvent.click(byId("verify-confirmed")!);
    await waitFor(() => expect(byTestId("verification-result")?.dataset.passed).toBe("true"));
    expect(ipc.callsOf("record_verification")).toEqual([
      { planId: resetPlan.id, evidence: { method: "callBack", phoneId: "mobilePhone", confirmed: true } },
    ]);
    expect(byTestId("verification-result")?.textContent).toContain("Caller verified");
    expect(confirmDisabled()).toBe(false);
  });

  test("a method Rust marks unavailable is shown with the reason and cannot be chosen", async () => {
    // The Helpdesk Administrator's plan: their role may not read Adele's methods, so no one-time code.
    await openResetWith(verifiedPlan({ safety: helpdeskResetSafety() }));
    const code = byId("verify-oneTimeCode") as HTMLInputElement;
    expect(code.disabled).toBe(true);
    expect(byTestId("verification")?.textContent).toContain("not possible: the directory could not be read for it");
  });

  test("a caller who could not be verified closes the request", async () => {
    await openResetWith(verifiedPlan(), {
      record_verification: () => ({ ...passed, passed: false, detail: "Called back ••••0100; the user did not confirm." }),
    });
    fireEvent.click(byId("verify-not-confirmed")!);
    await waitFor(() => expect(byTestId("verification-result")?.dataset.passed).toBe("false"));
    expect(byTestId("verification-result")?.textContent).toContain("this request is closed");
    expect(confirmDisabled()).toBe(true);
  });

  test("a one-time code is made by Rust, shown to send, and the read-back code is checked by Rust", async () => {
    const ipc = await openResetWith(verifiedPlan(), {
      send_verification_code: () => ({ code: "482913", destination: "Phone number +1 555 0100", validMinutes: 10 }),
      record_verification: (args) =>
        (args.evidence as { code: string }).code === "482913"
          ? { ...passed, method: "oneTimeCode", detail: "Code sent to Phone number +1 555 0100; the caller read it back." }
          : reject("InvalidInput", "That is not the code that was sent. 2 attempt(s) left."),
    });
    fireEvent.click(byId("verify-oneTimeCode")!);
    fireEvent.click(await waitFor(() => byId("send-code")!));
    await waitFor(() => expect(byId("code-to-send")?.textContent).toBe("482913"));
    const destination = verifiedResetSafety().verification.options.find((o) => o.method === "oneTimeCode")!.destinations[0];
    expect(ipc.callsOf("send_verification_code")).toEqual([{ planId: resetPlan.id, destinationId: destination.id }]);

    fireEvent.change(byId("code-read-back")!, { target: { value: "111111" } });
    fireEvent.click(byId("check-code")!);
    await waitFor(() => expect(byId("error-bar")?.textContent).toContain("2 attempt(s) left"));
    expect(confirmDisabled()).toBe(true);
    fireEvent.change(byId("code-read-back")!, { target: { value: "482913" } });
    fireEvent.click(byId("check-code")!);
    await waitFor(() => expect(byTestId("verification-result")?.dataset.passed).toBe("true"));
    expect(confirmDisabled()).toBe(false);
  });

  test("a ticket is recorded as typed, and Rust's refusal of it is shown", async () => {
    await openResetWith(verifiedPlan(), {
      record_verification: () => reject("InvalidInput", "Enter the ticket reference only (at most 100 characters, one line)."),
    });
    fireEvent.click(byId("verify-ticket")!);
    fireEvent.change(await waitFor(() => byId("verification-ticket")!), { target: { value: "HR-1" } });
    fireEvent.click(byId("record-ticket")!);
    await waitFor(() => expect(byId("error-bar")?.textContent).toContain("ticket reference only"));
    expect(confirmDisabled()).toBe(true);
  });

  test("a verification Rust reuses from earlier in the call is shown as recorded, and Confirm is on", async () => {
    const ipc = await openResetWith(
      verifiedPlan({
        safety: verifiedResetSafety({
          verification: {
            ...verifiedResetSafety().verification,
            recorded: { ...passed, detail: `${passed.detail} (recorded 2 min ago for a request on the same user in this call)` },
          },
        }),
      }),
    );
    expect(byTestId("verification-result")?.textContent).toContain("in this call");
    expect(byId("verify-confirmed")).toBeNull();
    expect(confirmDisabled()).toBe(false);
    expect(ipc.callsOf("record_verification")).toEqual([]);
  });

  test("a count that is this desktop's only says so (Rust could not read the tenant's audit log)", async () => {
    const note = "Counted from this desktop's log only: the tenant's audit log could not be read (Insufficient privileges).";
    await openResetWith(verifiedPlan({ safety: verifiedResetSafety({ rate: { used: 2, limit: 20, nextAllowedAt: null, note } }) }));
    expect(byTestId("rate-status")?.textContent).toBe(`Resets you made in the last hour: 2 of 20. ${note}`);
  });

  test("near the hourly cap the confirmation warns", async () => {
    await openResetWith(
      verifiedPlan({ safety: verifiedResetSafety({ rate: { used: 19, limit: 20, nextAllowedAt: null, note: null } }) }),
    );
    expect(byTestId("rate-status")?.textContent).toContain("This is the last one your organisation allows this hour.");
  });
});

describe("second-person approval", () => {
  const privilegedPlan = (): ProviderPlan =>
    verifiedPlan({
      target: { ...resetPlan.target, id: megan.id, name: megan.displayName, detail: megan.userPrincipalName },
      operator: "authadmin@contoso.sandbox",
      safety: verifiedResetSafety({
        approval: { required: true, reasons: ["Megan Bowen holds an admin role (Global Administrator)."] },
      }),
    });

  test("the approver signs in with a demo account other than the operator; a refusal is shown, an approval enables Confirm", async () => {
    let attempts = 0;
    const ipc = await openResetWith(privilegedPlan(), {
      record_verification: () => passed,
      approve_plan: () =>
        ++attempts === 1
          ? reject("Denied", "helpdesk@contoso.sandbox cannot approve this: only a Privileged Authentication Administrator…")
          : { step: "approved", record: { approver: "helpdesk@contoso.sandbox", approverId: "x", approverRoles: ["Global Administrator"], at: "t" } },
    });
    expect(byTestId("approval-reason")?.textContent).toContain("Global Administrator");
    fireEvent.click(byId("verify-confirmed")!);
    await waitFor(() => expect(byTestId("verification-result")).not.toBeNull());
    expect(confirmDisabled()).toBe(true);

    const select = (await waitFor(() => byId("approver-account")!)) as HTMLSelectElement;
    // The operator themselves is not offered.
    expect(Array.from(select.options).map((o) => o.value)).toEqual(
      sandboxConnection(true)
        .demoAccounts.map((a) => a.userPrincipalName)
        .filter((upn) => upn !== "authadmin@contoso.sandbox"),
    );
    fireEvent.change(select, { target: { value: "helpdesk@contoso.sandbox" } });
    fireEvent.click(byId("approve-button")!);
    await waitFor(() => expect(byTestId("approval")?.textContent).toContain("cannot approve this"));
    expect(confirmDisabled()).toBe(true);

    fireEvent.click(byId("approve-button")!);
    await waitFor(() => expect(byTestId("approval-result")?.textContent).toContain("Approved by helpdesk@contoso.sandbox"));
    expect(ipc.callsOf("approve_plan")).toEqual([
      { planId: resetPlan.id, account: "helpdesk@contoso.sandbox" },
      { planId: resetPlan.id, account: "helpdesk@contoso.sandbox" },
    ]);
    expect(confirmDisabled()).toBe(false);
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(ipc.callsOf("run_plan")).toEqual([{ planId: resetPlan.id, reason: "INC-42" }]));
  });

  test("for a real tenant the approver signs in in the browser (no account is sent)", async () => {
    const ipc = await openResetWith(privilegedPlan(), {
      list_connections: () => [{ ...sandboxConnection(true), sandbox: false, kindLine: "Microsoft Entra tenant" }],
      approve_plan: () => ({ step: "approved", record: { approver: "lynne@contoso.com", approverId: "x", approverRoles: [], at: "t" } }),
    });
    await waitFor(() => expect(byId("approve-button")?.textContent).toContain("opens the browser"));
    fireEvent.click(byId("approve-button")!);
    await waitFor(() => expect(byTestId("approval-result")).not.toBeNull());
    expect(ipc.callsOf("approve_plan")).toEqual([{ planId: resetPlan.id }]);
  });
});
