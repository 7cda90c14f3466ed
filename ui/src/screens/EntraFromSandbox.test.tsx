// Microsoft Entra's screens fed exactly what Rust answers on the sandbox (`fromSandbox`, written
// by `src-tauri/page_fixtures.rs`): where the page's expectations drift from what Rust sends, these
// fail. The other Entra tests get the sandbox's data through ../test/fixtures, with the overrides
// a case the sandbox does not show needs.
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { UserRow } from "../ipc/types";
import { fromSandbox } from "../test/sandbox";
import { mockCommands, renderWithFluent } from "../test/render";
import { UserScreen } from "./UserScreen";
import { UsersScreen } from "./UsersScreen";

const SANDBOX = fromSandbox.entraConnection.id;
const adele = fromSandbox.entraSearchAdele.users[0];
const details = fromSandbox.entraUserAdele;
const plan = fromSandbox.entraResetPlanAdele;

const all = (testId: string) => [...document.querySelectorAll(`[data-testid="${testId}"]`)] as HTMLElement[];
const byTestId = (testId: string) => document.querySelector(`[data-testid="${testId}"]`) as HTMLElement | null;

describe("Microsoft Entra, as Rust answers on the sandbox", () => {
  test("the users list shows Rust's row for Adele and opens it", async () => {
    mockCommands({ directory_search: () => fromSandbox.entraSearchAdele });
    const opened: UserRow[] = [];
    renderWithFluent(<UsersScreen connectionId={SANDBOX} onOpenUser={(user) => opened.push(user)} />);
    await waitFor(() => expect(all("user-row")).toHaveLength(1));
    const row = all("user-row")[0];
    expect(row.getAttribute("data-login")).toBe(adele.login);
    expect(row.textContent).toContain(adele.displayName);
    expect(row.textContent).toContain(adele.detail!);
    fireEvent.click(row);
    await waitFor(() => expect(opened.map((u) => u.id)).toEqual([adele.id]));
  });

  test("the user page shows each of Rust's methods and each action as Rust decided it", async () => {
    mockCommands({ directory_user: () => details });
    renderWithFluent(<UserScreen connection={fromSandbox.entraConnection} userId={adele.id} fallbackName="Adele" onBackToUsers={() => {}} />);
    await waitFor(() => expect(document.getElementById("user-title")?.textContent).toBe(details.user.displayName));
    expect(byTestId("summary-upn")?.textContent).toBe(details.user.login);
    expect(details.offers.length).toBeGreaterThan(0);
    for (const offered of details.offers) {
      expect(byTestId(`action-${offered.action}`)?.getAttribute("data-allowed"), offered.action).toBe(String(offered.allowed));
    }
    fireEvent.click(document.getElementById("tab-methods")!);
    await waitFor(() => expect(all("method-row").map((r) => r.getAttribute("data-kind"))).toEqual(details.methods!.map((m) => m.kind)));
  });

  test("Reset password shows Rust's plan: its steps, its warning and the caller verification it asks for", async () => {
    mockCommands({ directory_user: () => details, plan_action: () => plan });
    renderWithFluent(<UserScreen connection={fromSandbox.entraConnection} userId={adele.id} fallbackName="Adele" onBackToUsers={() => {}} />);
    await waitFor(() => expect(byTestId("action-resetPassword")).not.toBeNull());
    fireEvent.click(byTestId("action-resetPassword")!);
    await waitFor(() => expect(screen.getByText("Summary of your request")).toBeTruthy());
    expect(byTestId("plan-target")?.textContent).toContain(adele.login);
    expect(all("plan-step").map((s) => s.textContent)).toEqual(plan.steps.map((s) => s.summary));
    expect(byTestId("plan-warning")?.textContent).toContain(plan.warnings[0]);
    const verification = byTestId("verification")!;
    expect(plan.safety.verification.required).toBe(true);
    expect(verification.textContent).toContain("(required by your organisation)");
    for (const option of plan.safety.verification.options) {
      expect(verification.textContent).toContain(option.label);
    }
  });
});
