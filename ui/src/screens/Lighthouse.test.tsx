import { fireEvent, waitFor } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, test } from "vitest";
import { App } from "../App";
import type { ConnectionView, TenantOffer, UserPage } from "../ipc/types";
import {
  LH_ID,
  authenticatorMethod,
  fabUser,
  fabUser2,
  fabUserPage,
  fabrikam,
  lhJob,
  lhJobFinished,
  lhPlan,
  lighthouseConnection,
  northUser,
  northwind,
  offer,
  phoneMethod,
  tailUser,
  tailUserPage,
  tailspin,
  tailspinRefusal,
} from "../test/fixtures";
import { mockCommands, renderWithFluent } from "../test/render";
import { fromSandbox } from "../test/sandbox";
import type { Handler } from "../test/render";
import { UserScreen } from "./UserScreen";
import { TenantUsersScreen } from "./TenantUsersScreen";
import type { TenantListTab } from "./TenantUsersScreen";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;
const allByTestId = (id: string) => [...document.querySelectorAll(`[data-testid="${id}"]`)] as HTMLElement[];
const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent;
const click = (id: string) => fireEvent.click(byId(id)!);
const users = [fabUser, fabUser2, tailUser, northUser];
const customers = [fabrikam, tailspin, northwind];

/** The app keeps the selection and the tab; this stands in for it. */
function Harness({ initial = null }: { initial?: string[] | null }) {
  const [selected, setSelected] = useState<string[] | null>(initial);
  const [tab, setTab] = useState<TenantListTab>("users");
  return (
    <TenantUsersScreen
      connectionId={LH_ID}
      selectedCustomers={selected}
      onSelectCustomers={setSelected}
      tab={tab}
      onTabChange={setTab}
      onOpenUser={() => {}}
    />
  );
}

/** The actions Rust offers with a read of these customers' users. */
type OffersFor = (tenantIds: string[]) => TenantOffer[];

/** Tailspin Toys refuses the reset; the other customers allow it. */
const tailspinRefuses: OffersFor = (tenantIds) => offer(tenantIds.includes(tailspin.tenantId) ? [tailspinRefusal] : []);

/** Rust's answers for the sandbox partner: users filtered by tenant, each read with the selection's offers. */
function partnerHandlers(extra: Record<string, Handler> = {}, offersFor: OffersFor = tailspinRefuses): Record<string, Handler> {
  return {
    directory_tenants: () => customers,
    directory_tenant_users: (args) => ({
      users: users.filter((u) => (args.tenantIds as string[]).includes(u.tenantId)),
      notRead: [],
      offers: offersFor(args.tenantIds as string[]),
    }),
    directory_tenant_methods: (args) => ({
      rows: users
        .filter((u) => (args.tenantIds as string[]).includes(u.tenantId))
        .map((user) => ({ user, methods: user.id === fabUser.id ? fabUserPage.methods : [] })),
      notRead: [],
      notShown: 0,
      offers: offersFor(args.tenantIds as string[]),
    }),
    ...extra,
  };
}

const rowIds = (testId = "lh-user-row") => allByTestId(testId).map((r) => `${r.dataset.tenantId}/${r.dataset.userId}`);

describe("Lighthouse users", () => {
  test("Rust's customers on the sandbox: each listed, the active ones selected and read, an expired one greyed", async () => {
    const rustCustomers = fromSandbox.lighthouseCustomers;
    const active = rustCustomers.filter((c) => c.relationshipStatus === "active").map((c) => c.tenantId);
    expect(active.length).toBeGreaterThan(0);
    expect(active.length).toBeLessThan(rustCustomers.length);
    const ipc = mockCommands({
      directory_tenants: () => rustCustomers,
      directory_tenant_users: () => ({ users: [], notRead: [], offers: offer([]) }),
    });
    renderWithFluent(<Harness />);
    await waitFor(() => expect(ipc.callsOf("directory_tenant_users")).toHaveLength(1));
    expect(allByTestId("customer").map((c) => c.dataset.tenantId)).toEqual(rustCustomers.map((c) => c.tenantId));
    for (const customer of rustCustomers) {
      const box = byId(`customer-${customer.tenantId}`) as HTMLInputElement;
      const reachable = customer.relationshipStatus === "active";
      expect(box.checked, customer.displayName).toBe(reachable);
      expect(box.disabled, customer.displayName).toBe(!reachable);
    }
    expect(ipc.callsOf("directory_tenant_users")[0].tenantIds).toEqual(active);
  });

  test("an expired relationship is shown greyed and not selected; a customer that does not answer is noted while the others' users show", async () => {
    const litware = { ...northwind, tenantId: "t-litware", displayName: "Litware", relationshipStatus: "expired", roles: [] };
    const ipc = mockCommands(
      partnerHandlers({
        directory_tenants: () => [...customers, litware],
        // Northwind fails its read; the others answer.
        directory_tenant_users: (args) => ({
          users: users.filter((u) => (args.tenantIds as string[]).includes(u.tenantId) && u.tenantId !== northwind.tenantId),
          notRead: (args.tenantIds as string[]).includes(northwind.tenantId)
            ? [{ tenantId: northwind.tenantId, displayName: "Northwind Traders", error: { kind: "Offline", message: "Cannot reach the customer tenant.", detail: null } }]
            : [],
          offers: tailspinRefuses(args.tenantIds as string[]),
        }),
      }),
    );
    renderWithFluent(<Harness />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    // Litware is listed, greyed, with why, and left out of the selection and the read.
    const litwareBox = byId(`customer-${litware.tenantId}`) as HTMLInputElement;
    expect(litwareBox.checked).toBe(false);
    expect(litwareBox.disabled).toBe(true);
    const litwareLine = document.querySelector(`[data-testid="customer"][data-tenant-id="${litware.tenantId}"]`)!;
    expect(litwareLine.textContent).toContain("Relationship expired: its users cannot be read");
    expect(ipc.callsOf("directory_tenant_users")[0].tenantIds).toEqual([fabrikam.tenantId, tailspin.tenantId, northwind.tenantId]);
    expect((byId("customer-all") as HTMLInputElement).checked).toBe(true);
    // Northwind's failure is a note beside the others' users, not an empty list.
    const notes = allByTestId("customer-not-read");
    expect(notes.map((n) => n.dataset.tenantId)).toEqual([northwind.tenantId]);
    expect(notes[0].textContent).toContain("Northwind Traders did not answer");
    expect(notes[0].textContent).toContain("Cannot reach the customer tenant.");
    expect(text("users-count")).toContain("3 users found");
  });

  test("the customer selector drives the users read and the offered actions with the selected tenant ids", async () => {
    const ipc = mockCommands(partnerHandlers());
    renderWithFluent(<Harness />);
    // Every customer is selected at first, each with the technician's roles.
    await waitFor(() => expect(rowIds()).toHaveLength(4));
    const all = [fabrikam.tenantId, tailspin.tenantId, northwind.tenantId];
    expect(ipc.callsOf("directory_tenant_users")).toEqual([{ connectionId: LH_ID, tenantIds: all, query: "" }]);
    // The selection's offer comes with that read: Tailspin Toys refuses the reset.
    await waitFor(() => expect(allByTestId("action-refusal")).toHaveLength(1));
    expect(byId("customer-selector")?.textContent).toContain("Northwind Traders");
    const northwindLine = document.querySelector(`[data-testid="customer"][data-tenant-id="${northwind.tenantId}"]`)!;
    // Its own roles, not another customer's.
    for (const role of northwind.roles) expect(northwindLine.textContent).toContain(role.displayName);
    const othersOnly = [...fabrikam.roles, ...tailspin.roles].filter((r) => !northwind.roles.some((n) => n.templateId === r.templateId));
    expect(othersOnly.length).toBeGreaterThan(0);
    for (const role of othersOnly) expect(northwindLine.textContent).not.toContain(role.displayName);
    expect((byId("customer-all") as HTMLInputElement).checked).toBe(true);

    // Only Fabrikam and Tailspin.
    click(`customer-${northwind.tenantId}`);
    await waitFor(() => expect(rowIds()).toEqual([`${fabrikam.tenantId}/${fabUser.id}`, `${fabrikam.tenantId}/${fabUser2.id}`, `${tailspin.tenantId}/${tailUser.id}`]));
    expect(ipc.callsOf("directory_tenant_users").at(-1)).toEqual({ connectionId: LH_ID, tenantIds: [fabrikam.tenantId, tailspin.tenantId], query: "" });
    expect(allByTestId("lh-user-customer").map((c) => c.textContent)).toEqual(["Fabrikam", "Fabrikam", "Tailspin Toys"]);

    // "All customers": from a partial selection to all, then none (nothing is read), then all again.
    click("customer-all");
    await waitFor(() => expect(rowIds()).toHaveLength(4));
    expect(ipc.callsOf("directory_tenant_users").at(-1)?.tenantIds).toEqual(all);
    const readsBefore = ipc.callsOf("directory_tenant_users").length;
    click("customer-all");
    await waitFor(() => expect(text("no-customer-selected")).toContain("Select at least one customer"));
    expect(rowIds()).toHaveLength(0);
    expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(true);
    expect(ipc.callsOf("directory_tenant_users")).toHaveLength(readsBefore);
    click("customer-all");
    await waitFor(() => expect(rowIds()).toHaveLength(4));
    expect(ipc.callsOf("directory_tenant_users").at(-1)?.tenantIds).toEqual(all);

    // Search and Refresh read live again with the same customers.
    fireEvent.change(byId("user-search")!, { target: { value: "fab" } });
    fireEvent.keyDown(byId("user-search")!, { key: "Enter" });
    await waitFor(() => expect(ipc.callsOf("directory_tenant_users").at(-1)).toEqual({ connectionId: LH_ID, tenantIds: all, query: "fab" }));
    await waitFor(() => expect((byId("refresh-users") as HTMLButtonElement).disabled).toBe(false));
    const before = ipc.callsOf("directory_tenant_users").length;
    const customerReads = ipc.callsOf("directory_tenants").length;
    click("refresh-users");
    await waitFor(() => expect(ipc.callsOf("directory_tenant_users").length).toBe(before + 1));
    // Refresh also reads the customers and the technician's roles there again.
    await waitFor(() => expect(ipc.callsOf("directory_tenants").length).toBe(customerReads + 1));
  });

  test("a selection Rust refuses for one customer disables the action and shows each customer's reason", async () => {
    mockCommands(
      partnerHandlers({}, (tenantIds) =>
        offer(
          tenantIds.includes(tailspin.tenantId)
            ? [tailspinRefusal, { tenantId: northwind.tenantId, displayName: northwind.displayName, reason: "The GDAP relationship with Northwind Traders expired." }]
            : [],
        ),
      ),
    );
    renderWithFluent(<Harness initial={[fabrikam.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(2));
    await waitFor(() => expect(byId("action-resetAllMfa")?.dataset.offered).toBe("true"));
    // Offered, but nobody is selected yet.
    expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(true);
    click(`select-${fabrikam.tenantId}-${fabUser.id}`);
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    expect(allByTestId("action-refusal")).toHaveLength(0);

    click(`customer-${tailspin.tenantId}`);
    await waitFor(() => expect(allByTestId("action-refusal")).toHaveLength(2));
    expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(true);
    const reasons = allByTestId("action-refusal").map((r) => r.textContent);
    expect(reasons[0]).toContain("Tailspin Toys");
    expect(reasons[0]).toContain(tailspinRefusal.reason);
    expect(reasons[1]).toContain("Northwind Traders");
    expect(reasons[1]).toContain("expired");

    click(`customer-${tailspin.tenantId}`);
    // While Rust answers for the new selection there is no offer: no refusal, and the action
    // disabled. Wait for the answer (the action offered again), then check nothing is refused.
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    expect(allByTestId("action-refusal")).toHaveLength(0);
  });

  test("each action Rust offers for the selection is a button; the one clicked is planned by its id, under its label", async () => {
    // A second action beside Lighthouse's, as any provider of Rust's seam could offer for its tenants.
    const another: TenantOffer = { action: "revokeEverySession", label: "Revoke every session", offered: false, refusals: [tailspinRefusal] };
    const ipc = mockCommands(
      partnerHandlers({
        plan_bulk_action: () => new Promise(() => {}),
      }, (tenantIds) => [...offer([]), { ...another, offered: !tenantIds.includes(tailspin.tenantId), refusals: tenantIds.includes(tailspin.tenantId) ? [tailspinRefusal] : [] }]),
    );
    renderWithFluent(<Harness initial={[fabrikam.tenantId, tailspin.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    click(`select-${fabrikam.tenantId}-${fabUser.id}`);
    // Refused for this selection: disabled, with Tailspin's reason under its own label; the other is offered.
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    expect((byId("action-revokeEverySession") as HTMLButtonElement).disabled).toBe(true);
    expect(text("action-refusals")).toContain(`${another.label} is not available for the selected customers`);
    expect(allByTestId("action-refusal").map((r) => r.dataset.tenantId)).toEqual([tailspin.tenantId]);

    click(`customer-${tailspin.tenantId}`);
    await waitFor(() => expect((byId("action-revokeEverySession") as HTMLButtonElement).disabled).toBe(false));
    expect(allByTestId("action-refusals")).toHaveLength(0);
    click("action-revokeEverySession");
    await waitFor(() => expect(ipc.callsOf("plan_bulk_action")).toEqual([{ connectionId: LH_ID, userIds: [fabUser.key], action: "revokeEverySession" }]));
    // Rust is still planning: the dialog is titled with the offer's label.
    await waitFor(() => expect(byId("lh-plan-dialog")?.textContent).toContain(another.label));
  });

  test("users of two customers: the plan has every target, one left out with why, the job starts with the reason and is polled until finished", async () => {
    let polls = 0;
    const ipc = mockCommands(
      partnerHandlers({
        plan_bulk_action: () => lhPlan(),
        run_plan: () => lhJob(),
        job_status: () => {
          polls += 1;
          return polls < 2 ? lhJob({ done: 1, remaining: 1 }) : lhJobFinished();
        },
      }),
    );
    renderWithFluent(<Harness initial={[fabrikam.tenantId, northwind.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    click(`select-${fabrikam.tenantId}-${fabUser.id}`);
    click(`select-${fabrikam.tenantId}-${fabUser2.id}`);
    click(`select-${northwind.tenantId}-${northUser.id}`);
    await waitFor(() => expect(text("selected-count")).toBe("3 users selected"));
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    click("action-resetAllMfa");

    const plan = lhPlan();
    await waitFor(() => expect(text("lh-plan-summary")).toBe("3 users in 2 customers, 8 methods"));
    expect(ipc.callsOf("plan_bulk_action")).toEqual([
      {
        connectionId: LH_ID,
        userIds: [fabUser.key, fabUser2.key, northUser.key],
        action: "resetAllMfa",
      },
    ]);
    const dialog = byId("lh-plan-dialog")!;
    expect(allByTestId("lh-plan-customer").map((c) => c.dataset.tenantId)).toEqual([fabrikam.tenantId, northwind.tenantId]);
    const planned = document.querySelector(`[data-testid="lh-plan-user"][data-user-id="${fabUser.id}"]`)!;
    expect(planned.textContent).toContain(`${phoneMethod.label}: ${phoneMethod.detail}`);
    expect(planned.textContent).toContain(`${authenticatorMethod.label}: ${authenticatorMethod.detail}`);
    // Fabrikam's Global Administrator: left out by Rust, with why.
    const leftOut = document.querySelector(`[data-testid="lh-plan-user"][data-user-id="${fabUser2.id}"]`)!;
    expect(leftOut.textContent).toContain("Nothing is planned for this user");
    expect(leftOut.textContent).toContain(plan.users.find((u) => u.userId === fabUser2.id)!.error!.message);
    expect(plan.warnings.length).toBeGreaterThan(0);
    for (const warning of plan.warnings) expect(dialog.textContent).toContain(warning);
    expect(dialog.textContent).toContain("Each user must register MFA again at next sign-in.");

    // The reason is required.
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-77" } });
    click("confirm-button");
    await waitFor(() => expect(byId("lh-job-panel")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([{ planId: plan.id, reason: "INC-77" }]);
    const started = lhJob();
    expect(text("job-remaining")).toBe(String(started.remaining));

    await waitFor(() => expect(byId("lh-job-panel")?.dataset.state).toBe("finished"), { timeout: 4000 });
    expect(ipc.callsOf("job_status")).toEqual([{ jobId: started.id }, { jobId: started.id }]);
    // Fabrikam's user partly (their last method failed), Northwind's fully.
    const [partly, fully] = lhJobFinished().users;
    const methods = [...partly.methods, ...fully.methods];
    expect(text("job-done")).toBe(String(methods.length - 1));
    expect(text("job-failed")).toBe("1");
    expect(text("job-remaining")).toBe("0");
    expect(allByTestId("job-user-row").map((r) => r.dataset.state)).toEqual(["partial", "done"]);
    const failedAt = partly.methods.length - 1;
    expect(allByTestId("job-method-row").map((r) => r.dataset.state)).toEqual(methods.map((_, i) => (i === failedAt ? "failed" : "deleted")));
    expect(allByTestId("job-method-row")[failedAt].textContent).toContain("Graph answered 500");
    // No more reads once finished.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(ipc.callsOf("job_status")).toHaveLength(2);

    const reads = ipc.callsOf("directory_tenant_users").length;
    click("close-job");
    await waitFor(() => expect(byId("lh-job-panel")).toBeNull());
    await waitFor(() => expect(ipc.callsOf("directory_tenant_users").length).toBe(reads + 1));
    expect(text("selected-count")).toBe("0 users selected");
  });

  test("a customer every selected user of which is refused still shows those users, left out with why", async () => {
    const plan = fromSandbox.lighthousePlanCustomerLeftOut;
    mockCommands(partnerHandlers({ plan_bulk_action: () => plan }));
    renderWithFluent(<Harness initial={[fabrikam.tenantId, northwind.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    click(`select-${fabrikam.tenantId}-${fabUser2.id}`);
    click(`select-${northwind.tenantId}-${northUser.id}`);
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    click("action-resetAllMfa");

    // The dialog opens while Rust plans (a spinner); wait for the plan itself before reading it.
    await waitFor(() => expect(text("lh-plan-summary")).toBeTruthy());
    // Rust lists Northwind alone among the customers; Fabrikam's refused user is in the plan's users only.
    expect(allByTestId("lh-plan-customer").map((c) => c.dataset.tenantId)).toEqual([northwind.tenantId]);
    const [leftOut] = allByTestId("lh-plan-left-out");
    expect(leftOut).toBeDefined();
    const line = leftOut.querySelector(`[data-testid="lh-plan-user"][data-user-id="${fabUser2.id}"]`)!;
    expect(line).not.toBeNull();
    expect(line.textContent).toContain("Nothing is planned for this user");
    expect(line.textContent).toContain(plan.users.find((u) => u.userId === fabUser2.id)!.error!.message);
    expect(leftOut.querySelector(`[data-user-id="${northUser.id}"]`)).toBeNull();
  });

  test("a job Rust says needs a second person waits for the approver's sign-in; the technician is not offered as approver", async () => {
    // The card's demo accounts: the technician (signed in), then the team lead.
    const [technician, lead] = lighthouseConnection(true).demoAccounts.map((a) => a.userPrincipalName);
    expect(lighthouseConnection(true).operator!.userPrincipalName).toBe(technician);
    const approval = { required: true, reasons: ["This job resets 26 users, more than 25: a second person approves the whole job."] };
    const ipc = mockCommands(
      partnerHandlers({
        list_connections: () => [lighthouseConnection(true)],
        plan_bulk_action: () => lhPlan({ approval }),
        approve_plan: () => ({
          step: "approved",
          record: { approver: lead, approverId: "lead-1", approverRoles: ["Authentication Administrator in Fabrikam"], at: "t" },
        }),
        run_plan: () => lhJob(),
        job_status: () => lhJobFinished(),
      }),
    );
    renderWithFluent(<Harness initial={[fabrikam.tenantId, northwind.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    click(`select-${fabrikam.tenantId}-${fabUser.id}`);
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    click("action-resetAllMfa");

    await waitFor(() => expect(allByTestId("approval-reason").map((r) => r.textContent)).toEqual(approval.reasons));
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-78" } });
    // A reason alone is not enough: Rust asked for a second person.
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(byId("approver-account")).not.toBeNull());
    const offered = [...(byId("approver-account") as HTMLSelectElement).options].map((o) => o.value);
    expect(offered).toEqual([lead]);
    click("approve-button");
    await waitFor(() => expect(text("approval-result")).toContain(`Approved by ${lead}`));
    expect(ipc.callsOf("approve_plan")).toEqual([{ planId: lhPlan().id, account: lead }]);
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(false);
    click("confirm-button");
    await waitFor(() => expect(byId("lh-job-panel")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([{ planId: lhPlan().id, reason: "INC-78" }]);
  });

  test("a hardware OATH token is shown as deactivated, not removed, in the confirmation and the job's result", async () => {
    const token = { ...phoneMethod, id: "m-token", kind: "hardwareOath" as const, label: "Hardware OATH token", detail: "SN 4412", phoneType: null, isDefault: false, status: "activated" };
    const plan = lhPlan();
    plan.users[0] = { ...plan.users[0], remove: [token, ...plan.users[0].remove] };
    const job = lhJobFinished();
    job.users[0] = {
      ...job.users[0],
      methods: [{ methodId: token.id, label: token.label, state: "deactivated", message: null }, ...job.users[0].methods],
    };
    mockCommands(
      partnerHandlers({
        plan_bulk_action: () => plan,
        run_plan: () => job,
        job_status: () => job,
      }),
    );
    renderWithFluent(<Harness initial={[fabrikam.tenantId, northwind.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    click(`select-${fabrikam.tenantId}-${fabUser.id}`);
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    click("action-resetAllMfa");
    await waitFor(() => expect(allByTestId("lh-plan-method").length).toBeGreaterThan(0));
    expect(allByTestId("lh-plan-method")[0].textContent).toBe("Deactivate Hardware OATH token: SN 4412");
    expect(allByTestId("lh-plan-method")[1].textContent).toMatch(/^Remove /);
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-79" } });
    click("confirm-button");
    await waitFor(() => expect(byId("lh-job-panel")).not.toBeNull());
    await waitFor(() => expect(allByTestId("job-method-row")[0]?.dataset.state).toBe("deactivated"));
    expect(allByTestId("job-method-row")[0].textContent).toContain("Hardware OATH token: Deactivated");
  });

  test("Cancel in the progress panel calls cancel_job", async () => {
    const ipc = mockCommands(
      partnerHandlers({
        plan_bulk_action: () => lhPlan(),
        run_plan: () => lhJob(),
        job_status: () => lhJob({ done: 1, remaining: 1 }),
        cancel_job: () => lhJob({ state: "cancelled", done: 1, remaining: 0, failed: 0 }),
      }),
    );
    renderWithFluent(<Harness initial={[fabrikam.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(2));
    click("select-all-users");
    await waitFor(() => expect(text("selected-count")).toBe("2 users selected"));
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    click("action-resetAllMfa");
    await waitFor(() => expect(byId("reason-input")).not.toBeNull());
    expect(ipc.callsOf("plan_bulk_action")[0].userIds).toEqual([fabUser.key, fabUser2.key]);
    fireEvent.change(byId("reason-input")!, { target: { value: "INC-78" } });
    click("confirm-button");
    await waitFor(() => expect(byId("cancel-job")).not.toBeNull());
    click("cancel-job");
    await waitFor(() => expect(byId("lh-job-panel")?.dataset.state).toBe("cancelled"));
    expect(ipc.callsOf("cancel_job")).toEqual([{ jobId: lhJob().id }]);
    expect(byId("close-job")).not.toBeNull();
    expect(byId("cancel-job")).toBeNull();
  });

  test("the Authentication methods tab lists each user's methods with the same selection and action", async () => {
    const ipc = mockCommands(partnerHandlers({ plan_bulk_action: () => lhPlan() }));
    renderWithFluent(<Harness initial={[fabrikam.tenantId, northwind.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    click("tab-methods");
    await waitFor(() => expect(rowIds("lh-methods-row")).toHaveLength(3));
    expect(ipc.callsOf("directory_tenant_methods")).toEqual([{ connectionId: LH_ID, tenantIds: [fabrikam.tenantId, northwind.tenantId], query: "" }]);
    const fiona = document.querySelector(`[data-testid="lh-methods-row"][data-user-id="${fabUser.id}"]`)!;
    expect(fiona.textContent).toContain(phoneMethod.label);
    expect(fiona.textContent).toContain(authenticatorMethod.label);
    click(`select-${northwind.tenantId}-${northUser.id}`);
    await waitFor(() => expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false));
    click("action-resetAllMfa");
    await waitFor(() => expect(ipc.callsOf("plan_bulk_action")).toHaveLength(1));
    expect(ipc.callsOf("plan_bulk_action")[0].userIds).toEqual([northUser.key]);
    click("cancel-button");
    await waitFor(() => expect(byId("lh-plan-dialog")).toBeNull());
  });

  test("the Authentication methods tab says how many users it does not show", async () => {
    mockCommands(
      partnerHandlers({
        directory_tenant_methods: () => ({ rows: [{ user: fabUser, methods: [phoneMethod] }], notRead: [], notShown: 12, offers: offer([]) }),
      }),
    );
    renderWithFluent(<Harness initial={[fabrikam.tenantId]} />);
    await waitFor(() => expect(rowIds()).toHaveLength(2));
    expect(document.querySelector('[data-testid="methods-not-shown"]')).toBeNull();
    click("tab-methods");
    await waitFor(() => expect(text("methods-not-shown")).toContain("12 more users are not shown"));
    expect(text("methods-not-shown")).toContain("Narrow the search or the customers");
  });
});

describe("Lighthouse user details", () => {
  function details(overrides: Partial<UserPage> = {}): UserPage {
    return { ...fabUserPage, ...overrides };
  }

  test("the action is on the Summary and the Authentication methods tabs, and plans for this user through the one flow", async () => {
    const ipc = mockCommands({ directory_user: () => details(), plan_action: () => fromSandbox.lighthouseResetPlanFabrikam });
    renderWithFluent(<UserScreen connection={lighthouseConnection(true)} userId={fabUser.key} fallbackName="Fiona" onBackToUsers={() => {}} />);
    await waitFor(() => expect(byId("user-title")?.textContent).toBe(fabUser.displayName));
    // The id Rust gave the row names the customer: the page sends it back as it is.
    expect(ipc.callsOf("directory_user")).toEqual([{ connectionId: LH_ID, userId: fabUser.key }]);
    expect(text("summary-customer")).toContain("Fabrikam");
    expect(byId("tab-summary")).not.toBeNull();
    expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false);
    expect(text("summary-upn")).toBe(fabUser.userPrincipalName);
    // Rust's page reads the user's role-assignable group membership: not a member.
    expect(text("summary-role-assignable-group")).toBe("No");

    click("tab-methods");
    await waitFor(() => expect(allByTestId("method-row")).toHaveLength(fabUserPage.methods!.length));
    expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(false);
    click("action-resetAllMfa");
    await waitFor(() => expect(ipc.callsOf("plan_action")).toEqual([{ connectionId: LH_ID, userId: fabUser.key, action: "resetAllMfa" }]));
    // The dialog opens while Rust plans; the steps come with its answer.
    await waitFor(() => expect(allByTestId("plan-step").length).toBe(fromSandbox.lighthouseResetPlanFabrikam.steps.length));
    expect(byId("plan-dialog")).not.toBeNull();
  });

  test("a role-assignable group membership Rust did not read is said, not shown as No", async () => {
    // The user as Rust lists them (the list does not read the membership), on the page. Rust
    // words the fact (providers/entra/page.rs tests "Not read"); the page shows its words.
    expect(fabUser.roleAssignableGroupKnown).toBe(false);
    const notRead = { shape: "text", value: "Not read" } as const;
    const facts = fabUserPage.facts.map((fact) => (fact.key === "role-assignable-group" ? { ...fact, value: notRead } : fact));
    mockCommands({ directory_user: () => details({ facts }) });
    renderWithFluent(
      <UserScreen connection={lighthouseConnection(true)} userId={fabUser.key} fallbackName="Fiona" onBackToUsers={() => {}} />,
    );
    await waitFor(() => expect(byId("user-title")?.textContent).toBe(fabUser.displayName));
    expect(text("summary-role-assignable-group")).toBe("Not read");
  });

  test("not offered: the button is disabled on both tabs with the customer's reason", async () => {
    // Rust's page of a Tailspin Toys user: the customer's roles do not allow the reset.
    mockCommands({ directory_user: () => tailUserPage });
    renderWithFluent(
      <UserScreen connection={lighthouseConnection(true)} userId={tailUser.key} fallbackName="Tom" onBackToUsers={() => {}} />,
    );
    await waitFor(() => expect(byId("action-resetAllMfa")).not.toBeNull());
    expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(true);
    // The one action bar's words for a refusal, with the customer's reason as Rust gave it.
    const label = tailUserPage.offers[0].label;
    expect(allByTestId("action-reason").map((r) => r.textContent)).toEqual([`${label} is not available: Tailspin Toys: ${tailspinRefusal.reason}`]);
    click("tab-methods");
    // The technician's roles there (Helpdesk Administrator) do not read methods either: Rust's refusal is shown.
    await waitFor(() => expect(document.querySelector('[data-testid="methods-error"]')?.textContent).toContain(tailUserPage.methodsError!.message));
    expect((byId("action-resetAllMfa") as HTMLButtonElement).disabled).toBe(true);
    expect(allByTestId("action-reason")).toHaveLength(1);
  });
});

describe("interrupted jobs", () => {
  test("on start the app shows each interrupted job; Finish the rest resumes it and shows its progress", async () => {
    const interrupted = lhJob({ id: "job-9", state: "interrupted", done: 3, remaining: 4 });
    const ipc = mockCommands({
      list_connections: () => [lighthouseConnection(true)],
      unfinished_jobs: () => (ipc.callsOf("resume_job").length === 0 ? [interrupted] : []),
      resume_job: () => lhJobFinished(),
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(allByTestId("unfinished-job")).toHaveLength(1));
    expect(text("unfinished-job")).toContain("A reset of all MFAs was interrupted: 3 done, 4 remaining");
    click("resume-job-job-9");
    await waitFor(() => expect(byId("lh-job-panel")).not.toBeNull());
    expect(ipc.callsOf("resume_job")).toEqual([{ jobId: "job-9" }]);
    expect(allByTestId("unfinished-job")).toHaveLength(0);
    expect(allByTestId("job-user-row")).toHaveLength(lhJobFinished().users.length);
    click("close-job");
    await waitFor(() => expect(byId("lh-job-panel")).toBeNull());
    expect(ipc.callsOf("unfinished_jobs")).toHaveLength(2);
  });

  test("the app lists across tenants for a connection whose card says its users live in several, whatever its kind", async () => {
    // A provider of Rust's seam (kind "custom") whose users live in tenants; then the same card saying they do not.
    const acrossTenants: ConnectionView = { ...lighthouseConnection(true), kind: "custom" };
    let card = acrossTenants;
    const ipc = mockCommands({
      list_connections: () => [card],
      unfinished_jobs: () => [],
      directory_search: () => ({ users: [], fromCache: null }),
      ...partnerHandlers(),
    });
    const view = renderWithFluent(<App />);
    await waitFor(() => expect(byId(`open-users-${LH_ID}`)).not.toBeNull());
    click(`open-users-${LH_ID}`);
    await waitFor(() => expect(rowIds()).toHaveLength(4));
    expect(ipc.callsOf("directory_tenants")).toHaveLength(1);
    expect(ipc.callsOf("unfinished_jobs").length).toBeGreaterThan(0);
    view.unmount();

    card = { ...acrossTenants, listsTenants: false };
    renderWithFluent(<App />);
    await waitFor(() => expect(byId(`open-users-${LH_ID}`)).not.toBeNull());
    click(`open-users-${LH_ID}`);
    await waitFor(() => expect(byId("user-search")).not.toBeNull());
    expect(allByTestId("customer")).toHaveLength(0);
    expect(ipc.callsOf("directory_tenants")).toHaveLength(1);
  });

  test("the Lighthouse connection signs in with the demo account and opens its users; the list asks for interrupted jobs again", async () => {
    let signedIn = false;
    const ipc = mockCommands({
      list_connections: () => [lighthouseConnection(signedIn)],
      sign_in: () => {
        signedIn = true;
        return fromSandbox.lighthouseSignIn;
      },
      unfinished_jobs: () => [],
      ...partnerHandlers(),
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(byId("signin-button")).not.toBeNull());
    expect(document.querySelector(`[data-testid="connection-${LH_ID}"]`)?.textContent).toContain("Lighthouse");
    click("signin-button");
    await waitFor(() => expect(byId(`open-users-${LH_ID}`)).not.toBeNull());
    expect(ipc.callsOf("sign_in")).toEqual([{ connectionId: LH_ID, account: lighthouseConnection(false).demoAccounts[0].userPrincipalName }]);
    click(`open-users-${LH_ID}`);
    await waitFor(() => expect(rowIds()).toHaveLength(4));
    expect(ipc.callsOf("unfinished_jobs")).toHaveLength(2);

    // The selection survives a visit to a user's page.
    click(`customer-${northwind.tenantId}`);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    mockCommands({
      ...partnerHandlers(),
      list_connections: () => [lighthouseConnection(true)],
      unfinished_jobs: () => [],
      directory_user: () => tailUserPage,
      list_audit: () => [],
      audit_forwarding: () => ({ enabled: false, destination: null, connected: false, queued: 0, dropped: 0, lastError: null }),
    });
    click(`open-user-${tailspin.tenantId}-${tailUser.id}`);
    await waitFor(() => expect(byId("user-title")?.textContent).toBe(tailUser.displayName));
    click("nav-users");
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    expect((byId(`customer-${northwind.tenantId}`) as HTMLInputElement).checked).toBe(false);

    // Ctrl+K from another screen comes back to the Lighthouse search, same customers.
    click("nav-activity");
    await waitFor(() => expect(byId("user-search")).toBeNull());
    fireEvent.keyDown(document.body, { key: "k", ctrlKey: true });
    await waitFor(() => expect(document.activeElement?.id).toBe("user-search"));
    // The search has focus before the customers are read again: wait for them.
    await waitFor(() => expect(byId(`customer-${northwind.tenantId}`)).not.toBeNull());
    expect((byId(`customer-${northwind.tenantId}`) as HTMLInputElement).checked).toBe(false);
  });
});
