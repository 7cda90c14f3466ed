import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { adele, adeleDetails, adeleDetailsForAuthAdmin, entraStep, entraTenant, resetPlan, resetResult, SANDBOX_ID } from "../test/fixtures";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import type { ActionOptions, RunResult, ProviderPlan, UserPage } from "../ipc/types";
import { UserScreen } from "./UserScreen";

const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const byId = (id: string) => document.getElementById(id) as HTMLElement | null;

function renderDetails() {
  return renderWithFluent(
    <UserScreen connection={entraTenant} userId={adele.id} fallbackName="Adele" onBackToUsers={() => {}} />,
  );
}

/** An Authentication Administrator's view (Rust's on the sandbox): every action allowed. */
function detailsForAuthAdmin(): UserPage {
  const details = adeleDetailsForAuthAdmin();
  expect(details.offers.every((a) => a.allowed)).toBe(true);
  return details;
}

const POLICY = {
  enabled: true,
  defaultLifetimeMinutes: 60,
  minimumLifetimeMinutes: 60,
  maximumLifetimeMinutes: 480,
  defaultLength: 8,
  isUsableOnce: false,
};

/** What Rust would plan for these options (the range check is Rust's; mirrored here for the mock). */
function tapPlan(options: ActionOptions | undefined): ProviderPlan {
  const lifetimeMinutes = options?.tapLifetimeMinutes ?? 60;
  const usableOnce = options?.tapUsableOnce ?? true;
  return {
    ...resetPlan,
    id: `tap-${lifetimeMinutes}-${usableOnce}`,
    action: "issueTemporaryAccessPass",
    actionLabel: "Issue Temporary Access Pass",
    steps: [entraStep("issueTemporaryAccessPass", `Issue a Temporary Access Pass to Adele Vance: valid for ${lifetimeMinutes} minutes`)],
    warnings: ["The pass is shown once, after it is issued; ResetDesk does not store or log it."],
    choices: { form: "entra", alsoRevokeSessions: null, temporaryAccessPass: { lifetimeMinutes, usableOnce, policy: POLICY } },
  };
}

function resetPlanWith(options: ActionOptions | undefined, revokeBlocked: string | null = null): ProviderPlan {
  const revoke = options?.alsoRevokeSessions ?? false;
  return {
    ...resetPlan,
    id: revoke ? "plan-reset-revoke" : "plan-reset",
    choices: { form: "entra", alsoRevokeSessions: revoke, temporaryAccessPass: null },
    steps: revoke ? [...resetPlan.steps, entraStep("revokeSessions", "Revoke all sessions of Adele Vance", revokeBlocked)] : resetPlan.steps,
  };
}

const tapResult: RunResult = {
  planId: "tap-120-false",
  outcome: "succeeded",
  steps: [
    {
      index: 0,
      summary: "Issue a Temporary Access Pass to Adele Vance",
      state: "done",
      message: "Temporary Access Pass issued",
      performed: { performed: "api", doc: "https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods?view=graph-rest-1.0" },
      requestId: "req-tap",
      at: "2026-11-23T09:00:05Z",
    },
  ],
  generatedPassword: "TapQ7#kd",
  secretKind: "temporaryAccessPass",
  copyHandle: "copy-handle-tap",
  auditSeq: 9,
  auditError: null,
};

async function open(action: string) {
  await waitFor(() => expect(byTestId(`action-${action}`)).not.toBeNull());
  fireEvent.click(byTestId(`action-${action}`)!);
  await waitFor(() => expect(screen.getByText("Summary of your request")).toBeTruthy());
}

describe("Temporary Access Pass and also revoke sessions", () => {
  test("reset password plans with sessions revoked by default; unticking re-plans without the revoke step", async () => {
    const ipc = mockCommands({
      directory_user: () => detailsForAuthAdmin(),
      plan_action: (args) => resetPlanWith(args.options as ActionOptions | undefined),
      run_plan: () => resetResult,
    });
    renderDetails();
    await open("resetPassword");

    expect(ipc.callsOf("plan_action")[0]).toEqual({
      connectionId: SANDBOX_ID,
      userId: adele.id,
      action: "resetPassword",
      options: { alsoRevokeSessions: true },
    });
    const checkbox = byId("also-revoke") as HTMLInputElement;
    expect(checkbox.checked).toBe(true);
    expect([...document.querySelectorAll('[data-testid="plan-step"]')].map((s) => s.getAttribute("data-step-type"))).toEqual([
      "resetPassword",
      "revokeSessions",
    ]);

    fireEvent.change(byId("reason-input")!, { target: { value: "INC-5" } });
    fireEvent.click(checkbox);
    await waitFor(() => expect(document.querySelectorAll('[data-testid="plan-step"]').length).toBe(1));
    expect(ipc.callsOf("plan_action")[1]).toMatchObject({ options: { alsoRevokeSessions: false } });
    expect((byId("also-revoke") as HTMLInputElement).checked).toBe(false);
    // The reason typed before the re-plan is kept, and the new plan is the one confirmed.
    expect((byId("reason-input") as HTMLInputElement).value).toBe("INC-5");
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([{ planId: "plan-reset", reason: "INC-5" }]);
  });

  test("a revoke step the operator may not take is shown blocked with the reason", async () => {
    mockCommands({
      directory_user: () => detailsForAuthAdmin(),
      plan_action: (args) =>
        resetPlanWith(args.options as ActionOptions | undefined, "Password Administrators cannot revoke sessions."),
    });
    renderDetails();
    await open("resetPassword");
    const steps = document.querySelectorAll('[data-testid="plan-step"]');
    expect(steps[1].getAttribute("data-blocked")).toBe("true");
    expect(steps[1].textContent).toContain("Password Administrators cannot revoke sessions.");
  });

  test("a pass: lifetime within the policy range, one-time use, re-planned on change; the pass is shown once", async () => {
    const ipc = mockCommands({
      directory_user: () => detailsForAuthAdmin(),
      plan_action: (args) => {
        const options = args.options as ActionOptions | undefined;
        const lifetime = options?.tapLifetimeMinutes;
        if (lifetime !== undefined && (lifetime < 60 || lifetime > 480)) {
          return reject("InvalidInput", "The lifetime must be between 60 and 480 minutes (this tenant's Temporary Access Pass policy).");
        }
        return tapPlan(options);
      },
      run_plan: () => tapResult,
      copy_to_clipboard: () => null,
    });
    renderDetails();
    await open("issueTemporaryAccessPass");

    // No options at first: Rust fills in the policy's default.
    expect(ipc.callsOf("plan_action")[0]).toEqual({ connectionId: SANDBOX_ID, userId: adele.id, action: "issueTemporaryAccessPass" });
    const lifetime = byId("tap-lifetime") as HTMLInputElement;
    expect(lifetime.value).toBe("60");
    expect(screen.getByText("Between 60 and 480 minutes (this tenant's policy).")).toBeTruthy();
    expect((byId("tap-once") as HTMLInputElement).checked).toBe(true);
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-6" } });

    fireEvent.change(lifetime, { target: { value: "500" } });
    fireEvent.blur(lifetime);
    await waitFor(() => expect(byId("error-bar")?.textContent).toContain("between 60 and 480 minutes"));
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(byId("tap-lifetime")!, { target: { value: "120" } });
    fireEvent.blur(byId("tap-lifetime")!);
    await waitFor(() => expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(false));
    expect(byId("error-bar")).toBeNull();

    fireEvent.click(byId("tap-once")!);
    await waitFor(() => expect(document.querySelector('[data-testid="plan-step"]')?.textContent).toContain("120 minutes"));
    await waitFor(() => expect((byId("tap-once") as HTMLInputElement).checked).toBe(false));
    expect(ipc.callsOf("plan_action").slice(1)).toEqual([
      // Each re-plan names the plan it replaces, so Rust carries the caller's verification over.
      {
        connectionId: SANDBOX_ID,
        userId: adele.id,
        action: "issueTemporaryAccessPass",
        options: { tapLifetimeMinutes: 500 },
        replaces: "tap-60-true",
      },
      {
        connectionId: SANDBOX_ID,
        userId: adele.id,
        action: "issueTemporaryAccessPass",
        options: { tapLifetimeMinutes: 120 },
        replaces: "tap-60-true",
      },
      {
        connectionId: SANDBOX_ID,
        userId: adele.id,
        action: "issueTemporaryAccessPass",
        options: { tapLifetimeMinutes: 120, tapUsableOnce: false },
        replaces: "tap-120-true",
      },
    ]);

    await waitFor(() => expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([{ planId: "tap-120-false", reason: "INC-6" }]);
    const pass = byId("temporary-access-pass") as HTMLInputElement;
    expect(pass.value).toBe("TapQ7#kd");
    expect(pass.readOnly).toBe(true);
    expect(document.body.textContent).toContain("Valid for 120 minutes, usable more than once.");
    fireEvent.click(byId("copy-temporary-access-pass")!);
    await waitFor(() => expect(ipc.callsOf("copy_to_clipboard")).toEqual([{ handle: "copy-handle-tap", clearAfterSeconds: 30 }]));

    fireEvent.click(byId("close-result")!);
    expect(byId("temporary-access-pass")).toBeNull();
    expect(document.body.innerHTML).not.toContain("TapQ7#kd");
  });

  test("after Require re-register MFA the result offers a pass, which starts that action", async () => {
    const mfaPlan: ProviderPlan = {
      ...resetPlan,
      id: "plan-mfa",
      action: "requireReregisterMfa",
      actionLabel: "Require re-register MFA",
      choices: { form: "entra", alsoRevokeSessions: true, temporaryAccessPass: null },
      steps: [entraStep("deleteMethod", "Delete phone number")],
    };
    const ipc = mockCommands({
      directory_user: () => detailsForAuthAdmin(),
      plan_action: (args) => (args.action === "requireReregisterMfa" ? mfaPlan : tapPlan(args.options as ActionOptions)),
      run_plan: () => ({ ...resetResult, planId: "plan-mfa", generatedPassword: null, secretKind: null }),
    });
    renderDetails();
    await open("requireReregisterMfa");
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-7" } });
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("offer-tap-button")).not.toBeNull());
    fireEvent.click(byId("offer-tap-button")!);
    await waitFor(() => expect(byId("tap-lifetime")).not.toBeNull());
    expect(ipc.callsOf("plan_action").at(-1)).toMatchObject({ action: "issueTemporaryAccessPass" });
    expect(byId("result-dialog")).toBeNull();
  });

  test("no pass is offered after a reset when the operator may not issue one", async () => {
    mockCommands({
      directory_user: () => adeleDetails(),
      plan_action: () => ({ ...resetPlan, action: "requireReregisterMfa" }),
      run_plan: () => resetResult,
    });
    renderDetails();
    await open("resetPassword");
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-8" } });
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    expect(byId("offer-tap-button")).toBeNull();
  });
});
