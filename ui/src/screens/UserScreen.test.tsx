import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { adele, adeleDetails, adeleDetailsForAuthAdmin, entraStep, entraTenant, resetPlan, resetResult, SANDBOX_ID, sandboxConnection } from "../test/fixtures";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import { UserScreen } from "./UserScreen";

function renderDetails() {
  return renderWithFluent(
    <UserScreen connection={entraTenant} userId={adele.id} fallbackName="Adele" onBackToUsers={() => {}} />,
  );
}

const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const byId = (id: string) => document.getElementById(id) as HTMLElement | null;

async function openResetDialog() {
  await waitFor(() => expect(byTestId("action-resetPassword")).not.toBeNull());
  fireEvent.click(byTestId("action-resetPassword")!);
  await waitFor(() => expect(screen.getByText("Summary of your request")).toBeTruthy());
}

describe("user details", () => {
  test("the sandbox's second-desktop demo: Rust's reset from another data directory is said, and the count is read again", async () => {
    let used = 0;
    const said = "A second desktop (its own data in /data/second-desktop) reset Adele Vance's password as globaladmin@contoso.sandbox: Succeeded.";
    const ipc = mockCommands({
      directory_user: () => ({ ...adeleDetails(), rate: { used, limit: 20, nextAllowedAt: null, note: null } }),
      sandbox_second_desktop_reset: () => {
        used += 1;
        return said;
      },
    });
    renderWithFluent(
      <UserScreen connection={sandboxConnection(true)} userId={adele.id} fallbackName="Adele" onBackToUsers={() => {}} />,
    );
    await waitFor(() => expect(byTestId("details-rate")?.textContent).toContain("0 of 20"));
    expect(byTestId("details-rate")?.textContent).toContain("Counted across your team from the tenant's audit log.");
    fireEvent.click(byId("second-desktop-reset")!);
    await waitFor(() => expect(byTestId("second-desktop-said")?.textContent).toBe(said));
    expect(ipc.callsOf("sandbox_second_desktop_reset")).toEqual([{ userId: adele.id }]);
    await waitFor(() => expect(byTestId("details-rate")?.textContent).toContain("1 of 20"));
  });

  test("a count from this desktop's log only shows Rust's note; a real tenant has no second-desktop demo", async () => {
    const note = "Counted from this desktop's log only: the tenant's audit log could not be read (Insufficient privileges).";
    mockCommands({ directory_user: () => ({ ...adeleDetails(), rate: { used: 2, limit: 20, nextAllowedAt: null, note } }) });
    renderDetails();
    await waitFor(() => expect(byTestId("details-rate-note")?.textContent).toBe(` ${note}`));
    expect(byId("second-desktop-reset")).toBeNull();
  });

  test("an Entra user's page reads no steps left by hand: Entra's plans leave none", async () => {
    const ipc = mockCommands({ directory_user: () => adeleDetails(), pending_by_hand_steps: () => [] });
    renderDetails();
    await waitFor(() => expect(byId("user-title")?.textContent).toBe("Adele Vance"));
    expect(ipc.callsOf("pending_by_hand_steps")).toEqual([]);
  });

  test("reads the user live and shows the summary, the methods and the actions at the top", async () => {
    // An Authentication Administrator's view: the Helpdesk Administrator may not read her methods.
    const details = adeleDetailsForAuthAdmin();
    const ipc = mockCommands({ directory_user: () => details });
    renderDetails();
    await waitFor(() => expect(byId("user-title")?.textContent).toBe("Adele Vance"));
    expect(ipc.callsOf("directory_user")).toEqual([{ connectionId: SANDBOX_ID, userId: adele.id }]);
    expect(byTestId("summary-upn")?.textContent).toBe("adele.vance@contoso.sandbox");
    expect(byTestId("summary-admin-roles")?.textContent).toBe("No admin roles");
    expect(byTestId("summary-role-assignable-group")?.textContent).toBe("No");

    fireEvent.click(byId("tab-methods")!);
    const rows = await waitFor(() => {
      const found = document.querySelectorAll('[data-testid="method-row"]');
      expect(found.length).toBe(details.methods!.length);
      return found;
    });
    expect([...rows].map((r) => r.getAttribute("data-kind"))).toEqual(details.methods!.map((m) => m.kind));
    const defaultAt = details.methods!.findIndex((m) => m.isDefault);
    expect(rows[defaultAt].getAttribute("data-kind")).toBe("phone");
    expect(within(rows[defaultAt] as HTMLElement).getByText("Default")).toBeTruthy();
    const tokenAt = details.methods!.findIndex((m) => m.kind === "hardwareOath");
    expect(within(rows[tokenAt] as HTMLElement).getByText("activated")).toBeTruthy();
  });

  test("a disallowed action is disabled and its reason is visible on the page", async () => {
    mockCommands({ directory_user: () => adeleDetails() });
    renderDetails();
    await waitFor(() => expect(byTestId("action-requireReregisterMfa")).not.toBeNull());
    const refused = byTestId("action-requireReregisterMfa") as HTMLButtonElement;
    expect(refused.disabled).toBe(true);
    expect(refused.getAttribute("data-allowed")).toBe("false");
    expect(document.querySelector('[data-testid="action-reason"][data-action="requireReregisterMfa"]')?.textContent).toContain(
      "Helpdesk Administrators cannot manage authentication methods. Ask an Authentication Administrator.",
    );
    expect((byTestId("action-resetPassword") as HTMLButtonElement).disabled).toBe(false);
    expect((byTestId("action-revokeSessions") as HTMLButtonElement).disabled).toBe(false);
    expect(document.querySelector('[data-testid="action-reason"][data-action="resetPassword"]')).toBeNull();
  });

  test("a Denied error from plan_action is shown in the dialog and nothing is executed", async () => {
    const ipc = mockCommands({
      directory_user: () => adeleDetails(),
      plan_action: () => reject("Denied", "Only a Privileged Authentication Administrator can act on this user."),
    });
    renderDetails();
    await waitFor(() => expect(byTestId("action-revokeSessions")).not.toBeNull());
    fireEvent.click(byTestId("action-revokeSessions")!);
    const bar = await waitFor(() => {
      const found = byId("error-bar");
      expect(found).not.toBeNull();
      return found!;
    });
    expect(bar.getAttribute("data-kind")).toBe("Denied");
    expect(bar.textContent).toContain("Only a Privileged Authentication Administrator can act on this user.");
    expect(byId("plan-dialog")).not.toBeNull();
    expect(byId("confirm-button")).toBeNull();
    expect(ipc.callsOf("plan_action")).toEqual([{ connectionId: SANDBOX_ID, userId: adele.id, action: "revokeSessions" }]);
    expect(ipc.callsOf("run_plan")).toEqual([]);
  });

  test("the confirmation shows the plan, needs a reason, and sends run_plan with the plan id and the trimmed reason", async () => {
    const ipc = mockCommands({
      directory_user: () => adeleDetails(),
      plan_action: () => resetPlan,
      run_plan: () => resetResult,
    });
    renderDetails();
    await openResetDialog();

    expect(screen.getByTestId("plan-target").textContent).toContain("adele.vance@contoso.sandbox");
    const steps = document.querySelectorAll('[data-testid="plan-step"]');
    expect([...steps].map((s) => s.textContent)).toEqual([resetPlan.steps[0].summary]);
    expect(screen.getByTestId("plan-warning").textContent).toContain("shown once, after the reset");

    const confirm = byId("confirm-button") as HTMLButtonElement;
    const reason = byId("reason-input") as HTMLInputElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(reason, { target: { value: "   " } });
    expect(confirm.disabled).toBe(true);
    fireEvent.click(confirm);
    expect(ipc.callsOf("run_plan")).toEqual([]);

    fireEvent.change(reason, { target: { value: "  INC-1234  " } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([{ planId: resetPlan.id, reason: "INC-1234" }]);
  });

  test("a blocked step is shown with its reason", async () => {
    mockCommands({
      directory_user: () => adeleDetails(),
      plan_action: () => ({
        ...resetPlan,
        action: "requireReregisterMfa",
        steps: [
          entraStep("deactivateHardwareOath", "Deactivate hardware OATH token 12345", "Needs a Privileged Authentication Administrator."),
          entraStep("deleteMethod", "Delete phone number +1 555 0100"),
        ],
      }),
    });
    renderDetails();
    await openResetDialog();
    const steps = document.querySelectorAll('[data-testid="plan-step"]');
    expect(steps[0].getAttribute("data-blocked")).toBe("true");
    expect(steps[0].textContent).toContain("Needs a Privileged Authentication Administrator.");
    expect(steps[1].getAttribute("data-blocked")).toBe("false");
  });

  test("the result shows each step, the temporary password once, Copy asks Rust to copy it, and closing forgets it and re-reads the user", async () => {
    const ipc = mockCommands({
      directory_user: () => adeleDetails(),
      plan_action: () => resetPlan,
      run_plan: () => resetResult,
      copy_to_clipboard: () => null,
    });
    renderDetails();
    await openResetDialog();
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-1" } });
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());

    const rows = document.querySelectorAll('[data-testid="step-row"]');
    expect(rows.length).toBe(1);
    expect(rows[0].getAttribute("data-state")).toBe("done");
    expect(rows[0].textContent).toContain(resetResult.steps[0].requestId!);
    expect((byId("temporary-password") as HTMLInputElement).value).toBe("Maple-Otter-Lamp-42");
    expect((byId("temporary-password") as HTMLInputElement).readOnly).toBe(true);
    expect(screen.getByText("This password is shown only once. The user must change it at next sign-in.")).toBeTruthy();

    fireEvent.click(byId("copy-password")!);
    await waitFor(() => expect(screen.getByText("Copied — the clipboard is cleared in 30 s")).toBeTruthy());
    // The page sends the result's handle, never the password: Rust copies what it set.
    expect(ipc.callsOf("copy_to_clipboard")).toEqual([{ handle: resetResult.copyHandle, clearAfterSeconds: 30 }]);

    const readsBefore = ipc.callsOf("directory_user").length;
    fireEvent.click(byId("close-result")!);
    expect(byId("result-dialog")).toBeNull();
    expect(byId("temporary-password")).toBeNull();
    expect(document.body.innerHTML).not.toContain("Maple-Otter-Lamp-42");
    // The methods shown before the action are hidden until the live re-read answers.
    expect(byId("tab-methods")).toBeNull();
    await waitFor(() => expect(ipc.callsOf("directory_user").length).toBe(readsBefore + 1));
    await waitFor(() => expect(byId("tab-methods")).not.toBeNull());
  });

  test("an execution error keeps the dialog open with the error and allows another try", async () => {
    let attempts = 0;
    const ipc = mockCommands({
      directory_user: () => adeleDetails(),
      plan_action: () => resetPlan,
      run_plan: () => {
        attempts += 1;
        if (attempts === 1) reject("Throttled", "The directory is busy; try again in a minute.");
        return { ...resetResult, generatedPassword: null, secretKind: null };
      },
    });
    renderDetails();
    await openResetDialog();
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-2" } });
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("error-bar")?.textContent).toContain("The directory is busy"));
    expect((byId("reason-input") as HTMLInputElement).value).toBe("INC-2");
    await act(async () => {
      fireEvent.click(byId("confirm-button")!);
    });
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    expect(byId("temporary-password")).toBeNull();
    expect(ipc.callsOf("run_plan").length).toBe(2);
  });

  test("Cancel closes the confirmation without executing", async () => {
    const ipc = mockCommands({ directory_user: () => adeleDetails(), plan_action: () => resetPlan });
    renderDetails();
    await openResetDialog();
    fireEvent.click(byId("cancel-button")!);
    await waitFor(() => expect(byId("plan-dialog")).toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([]);
  });

  test("methods that could not be read are reported as such, not as an empty list", async () => {
    mockCommands({
      directory_user: () =>
        adeleDetails({
          methods: [],
          methodsError: { kind: "Forbidden", message: "Your role may not read this user's authentication methods." },
        }),
    });
    renderDetails();
    await waitFor(() => expect(byId("tab-methods")).not.toBeNull());
    // No count: zero would be a claim the page cannot make.
    expect(byId("tab-methods")?.textContent).toContain("Authentication methods");
    expect(byId("tab-methods")?.textContent).not.toContain("(0)");
    fireEvent.click(byId("tab-methods")!);
    await waitFor(() => expect(byTestId("methods-error")?.textContent).toContain("may not read this user's authentication methods"));
    expect(byTestId("methods-empty")).toBeNull();
  });

  test("a partial run says so per step, and an audit entry that could not be written is reported", async () => {
    mockCommands({
      directory_user: () => adeleDetails(),
      plan_action: () => ({
        ...resetPlan,
        action: "requireReregisterMfa",
        steps: [
          entraStep("deleteMethod", "Delete software OATH token"),
          entraStep("deleteMethod", "Delete phone number (default, last)"),
        ],
      }),
      run_plan: () => ({
        planId: "plan-42",
        outcome: "partial",
        // Rust tells each Entra step in the seam's terms: the planned summary, a state, Graph's request id.
        steps: [
          { index: 0, summary: "Delete software OATH token", state: "done", message: "Deleted", performed: { performed: "api", doc: "d" }, requestId: "req-1", at: "2026-11-23T09:00:05Z" },
          { index: 1, summary: "Delete phone number (default, last)", state: "failed", message: "Graph answered 500", performed: { performed: "api", doc: "d" }, requestId: "req-2", at: "2026-11-23T09:00:06Z" },
        ],
        generatedPassword: null,
        secretKind: null,
        copyHandle: null,
        auditSeq: null,
        auditError: "disk full",
      }),
    });
    renderDetails();
    await openResetDialog();
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-9" } });
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    const rows = [...document.querySelectorAll('[data-testid="step-row"]')];
    expect(rows.map((r) => r.getAttribute("data-state"))).toEqual(["done", "failed"]);
    expect(rows[1].textContent).toContain("Delete phone number (default, last)");
    expect(rows[1].textContent).toContain("Graph answered 500");
    expect(byTestId("result-summary")?.getAttribute("data-outcome")).toBe("partial");
    expect(byTestId("result-summary")?.textContent).not.toContain("audit log as entry");
    expect(byTestId("audit-error")?.textContent).toContain("disk full");
    expect(byId("temporary-password")).toBeNull();
  });
});
