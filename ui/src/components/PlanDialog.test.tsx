import { describe, expect, test, vi } from "vitest";
import type { ProviderPlan } from "../ipc/types";
import { fromSandbox } from "../test/sandbox";
import { noSafetyChecks } from "../test/fixtures";
import { renderWithFluent } from "../test/render";
import { PlanDialog } from "./PlanDialog";

const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const allByTestId = (id: string) => [...document.querySelectorAll(`[data-testid="${id}"]`)] as HTMLElement[];

/** The one confirmation of `plan`, as Rust answered it, ready to confirm. */
function renderSummary(plan: ProviderPlan) {
  return renderWithFluent(
    <PlanDialog
      flow={{
        stage: "confirm",
        plan: { ...plan, safety: noSafetyChecks() },
        choices: {},
        stale: false,
        running: false,
        error: null,
        needsFreshSignIn: false,
        verification: null,
        approval: null,
      }}
      offeredLabel={plan.actionLabel}
      connectionId={plan.connectionId}
      onRun={vi.fn()}
      onSignedInAgain={vi.fn()}
      onCancel={vi.fn()}
      onChoicesChange={vi.fn()}
      onSendCode={vi.fn()}
      onVerify={vi.fn()}
      onApprove={vi.fn()}
    />,
  );
}

describe("the one summary of every provider's plan", () => {
  test("Entra's: the target's admin roles, who plans, each step marked with its kind, and Entra's choices", () => {
    const plan = fromSandbox.entraResetPlanAdele;
    renderSummary(plan);
    expect(byTestId("plan-target")?.textContent).toBe("Adele Vance (adele.vance@contoso.sandbox)");
    expect(document.body.textContent).toContain("No admin roles");
    expect(document.body.textContent).toContain(`Signed in as${plan.operator}`);
    const steps = allByTestId("plan-step");
    expect(steps.map((s) => s.getAttribute("data-step-type"))).toEqual(plan.steps.map((s) => s.kind));
    // Every step is Rust's to do: nothing is set apart as by hand.
    expect(steps.map((s) => s.textContent)).toEqual(plan.steps.map((s) => s.summary));
    expect(byTestId("plan-options")).not.toBeNull();
    expect(document.getElementById("also-revoke")).not.toBeNull();
  });

  test("Zoho's: no roles row where the provider shows none, and its by-hand step set apart with where to finish it", () => {
    const plan = fromSandbox.zohoPasswordPlan;
    renderSummary(plan);
    expect(document.body.textContent).not.toContain("Admin roles");
    expect(byTestId("plan-options")).toBeNull();
    const steps = allByTestId("plan-step");
    const byHand = steps.filter((s) => s.getAttribute("data-performed") === "byHand");
    expect(byHand.length).toBe(1);
    expect(byHand[0].textContent).toContain(`Finish in ${plan.adminCentre}`);
    expect(steps.filter((s) => s.getAttribute("data-performed") === "api").every((s) => s.textContent?.startsWith("ResetDesk does this"))).toBe(true);
  });

  test("a step the operator's roles will not let run says so, with why", () => {
    const plan = fromSandbox.entraResetPlanAdele;
    const blocked = { ...plan.steps[0], summary: "Revoke all sessions of Adele Vance", kind: "revokeSessions", blocked: "Needs a higher role." };
    renderSummary({ ...plan, steps: [plan.steps[0], blocked] });
    const steps = allByTestId("plan-step");
    expect(steps.map((s) => s.getAttribute("data-blocked"))).toEqual(["false", "true"]);
    expect(steps[1].textContent).toContain("Will not run");
    expect(steps[1].textContent).toContain("Needs a higher role.");
  });
});
