import { fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import type { ProviderPlan, RunResult } from "../ipc/types";
import {
  GROUP_WARNING,
  PS_ID,
  psConnection,
  ZOHO_ID,
  annette,
  annetteDetails,
  bobDetails,
  groupBob,
  individualAlice,
  pendingPat,
  zohoAccount,
  zohoConnection,
  zohoPasswordPlan,
  zohoPasswordResult,
  noSafetyChecks,
} from "../test/fixtures";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import { fromSandbox } from "../test/sandbox";
import { UserScreen } from "./UserScreen";
import { UsersScreen } from "./UsersScreen";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;
const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const allByTestId = (id: string) => [...document.querySelectorAll(`[data-testid="${id}"]`)] as HTMLElement[];
const type = (id: string, value: string) => fireEvent.change(byId(id)!, { target: { value } });
const check = (id: string) => fireEvent.click(byId(id)!);

/** Rust's answer to a ticket recorded as the caller's verification. */
const ticketVerification = {
  record_verification: (args: Record<string, unknown>) => {
    const evidence = args.evidence as { method: string; ticket: string };
    return { method: evidence.method, passed: true, detail: `Verified in ticket ${evidence.ticket}`, at: "2026-11-23T09:00:00.000Z" };
  },
};

/**
 * The caller's verification, which a reset's confirmation asks for under the default rules
 * (Rust's plan says so): Zoho gives ResetDesk no phone or manager, so the ticket is the method
 * offered first.
 */
async function verifyCallerByTicket(ticket: string) {
  await waitFor(() => expect(byTestId("verification")?.textContent).toContain("required by your organisation"));
  type("verification-ticket", ticket);
  fireEvent.click(byId("record-ticket")!);
  await waitFor(() => expect(byTestId("verification-result")?.getAttribute("data-passed")).toBe("true"));
}

/** Zoho's device sign-in through the seam: a code first, then — sent back — done. */
function zohoDeviceSignIn(onApproved: () => void = () => {}) {
  return (args: Record<string, unknown>) => {
    if (!args.deviceCode) {
      return { step: "deviceCode", prompt: { userCode: "ABCD-EFGH", verificationUrl: "https://accounts.zoho.com/device", expiresAt: "2026-11-23T09:10:00Z" } };
    }
    onApproved();
    return { step: "done", account: zohoAccount };
  };
}

function renderZohoUser() {
  renderWithFluent(
    <UserScreen userId={annette.id} fallbackName="Annette" onBackToUsers={() => {}} connection={zohoConnection(true)} />,
  );
  return waitFor(() => expect(byId("action-zohoResetPassword")).not.toBeNull());
}

describe("users lists", () => {
  test("Zoho unreachable: Rust's answer from the offline cache is shown marked as such, with its ids and statuses", async () => {
    const ipc = mockCommands({
      directory_search: () => ({
        users: [
          { id: "z-annette", displayName: "annette.c", login: "annette.c@zylker.biz", detail: "Member · Confirmed" },
          { id: "z-pat", displayName: "pat", login: "pat@zylker.biz", detail: "Admin · Pending" },
        ],
        fromCache: { syncedAt: "2026-11-23T10:00:00Z" },
      }),
    });
    renderWithFluent(<UsersScreen connectionId={ZOHO_ID} onOpenUser={() => {}} />);
    await waitFor(() => expect(allByTestId("user-row").length).toBe(2));
    expect(ipc.callsOf("directory_search")).toEqual([{ connectionId: ZOHO_ID, query: "" }]);
    expect(byTestId("users-offline")?.textContent).toContain("offline cache");
    const [first, second] = allByTestId("user-row");
    expect(first.getAttribute("data-user-id")).toBe("z-annette");
    expect(first.textContent).toContain("Confirmed");
    expect(second.textContent).toContain("Pending");
    expect(second.textContent).toContain("Admin");
  });

  test("a provider that keeps an offline cache shows its status above the list; one that keeps none does not", async () => {
    const ipc = mockCommands({
      directory_search: () => ({ users: [annette], fromCache: null }),
      cache_status: () => ({ users: 8, lastFullSync: "2026-11-23T10:00:00Z", lastDelta: null, syncing: false, progress: 0, offline: false, error: null, notice: null }),
    });
    const { unmount } = renderWithFluent(<UsersScreen connectionId={ZOHO_ID} offlineCache onOpenUser={() => {}} />);
    await waitFor(() => expect(byTestId("cache-summary")?.textContent).toContain("Offline cache: 8 users"));
    expect(ipc.callsOf("cache_status")[0]).toEqual({ connectionId: ZOHO_ID });
    unmount();
    renderWithFluent(<UsersScreen connectionId={PS_ID} onOpenUser={() => {}} />);
    await waitFor(() => expect(allByTestId("user-row").length).toBe(1));
    expect(byTestId("cache-status")).toBeNull();
    expect(ipc.callsOf("cache_status").every((args) => args.connectionId === ZOHO_ID)).toBe(true);
  });

  test("Zoho: an error other than offline is shown, and the list is not marked as from the cache", async () => {
    mockCommands({ directory_search: () => reject("Denied", "You are a Member of the organisation.") });
    renderWithFluent(<UsersScreen connectionId={ZOHO_ID} onOpenUser={() => {}} />);
    await waitFor(() => expect(byTestId("error-bar")?.textContent).toContain("Member"));
    expect(byTestId("users-offline")).toBeNull();
  });

  test("Zoho refuses a member's search: the refusal shows, and the offline cache shows no users while typing", async () => {
    const ipc = mockCommands({
      directory_search: () => reject("Denied", "You are a Member of the organisation; only an admin can list users."),
      search_cached_users: () => ({ users: [annette], syncedAt: "2026-11-23T10:00:00Z", stale: true, offline: false }),
      cache_status: () => ({ users: 8, lastFullSync: "2026-11-23T10:00:00Z", lastDelta: null, syncing: false, progress: 0, offline: false, error: null, notice: null }),
    });
    renderWithFluent(<UsersScreen connectionId={ZOHO_ID} offlineCache onOpenUser={() => {}} />);
    await waitFor(() => expect(byTestId("error-bar")?.textContent).toContain("Member"));
    fireEvent.change(byId("user-search")!, { target: { value: "annette" } });
    fireEvent.keyDown(byId("user-search")!, { key: "Enter" });
    await waitFor(() => expect(ipc.callsOf("directory_search")).toEqual([
      { connectionId: ZOHO_ID, query: "" },
      { connectionId: ZOHO_ID, query: "annette" },
    ]));
    await waitFor(() => expect(byTestId("users-loading")).toBeNull());
    expect(byTestId("error-bar")?.textContent).toContain("Member");
    expect(allByTestId("user-row")).toHaveLength(0);
    expect(ipc.callsOf("search_cached_users")).toEqual([]);
  });

  test("Zoho: rows carry the zuid; a pending user shows Rust's reason why it cannot be reset", async () => {
    const ipc = mockCommands({ directory_search: () => ({ users: [annette, pendingPat], fromCache: null }) });
    const opened: string[] = [];
    renderWithFluent(<UsersScreen connectionId={ZOHO_ID} onOpenUser={(user) => opened.push(user.id)} />);
    await waitFor(() => expect(allByTestId("user-row").length).toBe(2));
    expect(ipc.callsOf("directory_search")).toEqual([{ connectionId: ZOHO_ID, query: "" }]);
    expect(byTestId("users-offline")).toBeNull();
    const [first, second] = allByTestId("user-row");
    expect(first.getAttribute("data-user-id")).toBe(annette.id);
    expect(first.textContent).toContain("annette.c@zylker.sandbox");
    expect(first.textContent).toContain("Confirmed");
    expect(second.getAttribute("data-user-id")).toBe(pendingPat.id);
    expect(second.textContent).toContain("Pending");
    expect(second.textContent).toContain("has not confirmed their Zoho account yet");
    expect(byId("user-search")).not.toBeNull();
    fireEvent.click(second);
    expect(opened).toEqual([pendingPat.id]);
  });

  test("Privilege Secure (through the seam): the detail column says how each user gets access, in Rust's words", async () => {
    const ipc = mockCommands({
      directory_search: () => ({
        ...fromSandbox.psSearch,
        users: [...fromSandbox.psSearch.users, { ...individualAlice, id: "ps-uma", detail: null }],
      }),
    });
    const opened: string[] = [];
    renderWithFluent(<UsersScreen connectionId={PS_ID} onOpenUser={(user) => opened.push(user.id)} />);
    await waitFor(() => expect(allByTestId("user-row").length).toBe(5));
    expect(ipc.callsOf("directory_search")).toEqual([{ connectionId: PS_ID, query: "" }]);
    expect(allByTestId("user-row").map((r) => r.getAttribute("data-user-id"))).toEqual([
      ...fromSandbox.psSearch.users.map((u) => u.id),
      "ps-uma",
    ]);
    expect(allByTestId("user-detail").map((c) => c.textContent)).toEqual([
      "Individually configured",
      "Through group Privilege Secure_Users",
      "Through group Privilege Secure_Users",
      "No access",
      "—",
    ]);
    fireEvent.click(allByTestId("user-row")[0]);
    expect(opened).toEqual([individualAlice.id]);
  });
});

describe("Zoho: reset password", () => {
  test("sends the chosen options, shows by-hand steps as such, runs with a generated password, and Mark as done updates the result", async () => {
    let result: RunResult = zohoPasswordResult();
    const ipc = mockCommands({
      directory_user: () => annetteDetails(),
      plan_action: () => zohoPasswordPlan(),
      run_plan: () => result,
      settle_by_hand_step: (args) => {
        result = {
          ...result,
          outcome: "succeeded",
          generatedPassword: null,
          steps: result.steps.map((s) => (s.index === args.stepIndex ? { ...s, state: "doneByHand", message: "Marked as done by the operator" } : s)),
        };
        return { pending: [], result };
      },
      open_by_hand_page: () => ({ url: "https://directory.zoho.com/", opened: false, note: "The sandbox has no admin panel to open." }),
      copy_to_clipboard: () => null,
      ...ticketVerification,
    });
    await renderZohoUser();
    fireEvent.click(byId("action-zohoResetPassword")!);
    await waitFor(() => expect(byId("zoho-reset-password-dialog")).not.toBeNull());

    // The seed's dialog: generate by default, web sessions cleared and not a choice, no e-mail by default.
    expect((byId("password-mode-generate") as HTMLInputElement).checked).toBe(true);
    expect(byId("typed-password")).toBeNull();
    expect((byId("password-length") as HTMLInputElement).value).toBe("16");
    const web = byId("clear-web") as HTMLInputElement;
    expect(web.checked).toBe(true);
    expect(web.disabled).toBe(true);
    expect((byId("email-password") as HTMLInputElement).checked).toBe(false);
    expect(byTestId("email-password-warning")).toBeNull();

    type("password-length", "20");
    check("password-symbols"); // the character rules: every kind by default, symbols turned off here
    check("clear-mobile");
    check("email-password");
    expect(byTestId("email-password-warning")).not.toBeNull();
    check("force-change"); // on by default: turned off here
    fireEvent.click(byId("review-button")!);

    await waitFor(() => expect(byId("plan-dialog")).not.toBeNull());
    expect(ipc.callsOf("plan_action")).toEqual([
      {
        connectionId: ZOHO_ID,
        userId: annette.id,
        action: "zohoResetPassword",
        options: { forceChangeOnLogin: false, clearMobileSessionsAndApiTokens: true, emailNewPassword: true },
      },
    ]);
    expect(byId("zoho-reset-password-dialog")).toBeNull();
    const steps = allByTestId("plan-step");
    // Rust's plan: the password, web and mobile sessions through Zoho's API; the e-mail by hand.
    expect(steps.map((s) => s.getAttribute("data-performed"))).toEqual(["api", "api", "api", "byHand"]);
    expect(steps[2].textContent).not.toContain("Finish in Zoho");
    expect(steps[3].textContent).toContain("Finish in Zoho");
    expect(steps[3].textContent).toContain("No documented Zoho API emails a password to a user");
    expect(allByTestId("plan-warning").map((w) => w.textContent)).toEqual(zohoPasswordPlan().warnings);
    expect(allByTestId("plan-warning")[1].textContent).toContain("anyone who reads that mailbox gets it");

    // The reason is required, and so is the caller's verification (the default rules, from Rust's plan).
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(true);
    type("reason-input", " INC-77 ");
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(true);
    expect(byTestId("verification")?.textContent).toContain("gives ResetDesk none of the user's phone numbers");
    await verifyCallerByTicket("HR-77");
    expect(ipc.callsOf("record_verification")).toEqual([{ planId: zohoPasswordPlan().id, evidence: { method: "ticket", ticket: "HR-77" } }]);
    fireEvent.click(byId("confirm-button")!);

    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([
      { planId: zohoPasswordPlan().id, reason: "INC-77", password: { mode: "generate", readAloud: false, length: 20, upper: true, lower: true, digits: true, symbols: false } },
    ]);
    expect(byTestId("result-summary")?.getAttribute("data-outcome")).toBe("pending");
    expect((byId("temporary-password") as HTMLInputElement).value).toBe("Maple-Otter-Lamp-42");
    expect(allByTestId("step-row").map((r) => r.getAttribute("data-state"))).toEqual(["done", "done", "done", "toDoByHand"]);
    expect(byTestId("by-hand-panel")?.textContent).toContain('select "Email the new password to the users"');

    fireEvent.click(byId("open-by-hand-3")!);
    await waitFor(() => expect(ipc.callsOf("open_by_hand_page")).toEqual([{ planId: zohoPasswordPlan().id, stepIndex: 3 }]));
    await waitFor(() => expect(byTestId("by-hand-note")?.textContent).toContain("no admin panel"));

    fireEvent.click(byId("mark-done-3")!);
    await waitFor(() => expect(byTestId("result-summary")?.getAttribute("data-outcome")).toBe("succeeded"));
    expect(ipc.callsOf("settle_by_hand_step")).toEqual([{ planId: zohoPasswordPlan().id, stepIndex: 3, settlement: { settlement: "done" } }]);
    expect(allByTestId("step-row").map((r) => r.getAttribute("data-state"))).toEqual(["done", "done", "done", "doneByHand"]);
    expect(allByTestId("step-row")[3].textContent).toContain("Marked as done by the operator");
    expect(byTestId("by-hand-panel")).toBeNull();
    // Rust sends the password once; it stays on screen until the result is closed.
    expect((byId("temporary-password") as HTMLInputElement).value).toBe("Maple-Otter-Lamp-42");

    fireEvent.click(byId("close-result")!);
    await waitFor(() => expect(byId("result-dialog")).toBeNull());
    expect(ipc.callsOf("directory_user").length).toBe(2);
  });

  test("a typed password is sent only with the run, and the read-aloud style sends no length", async () => {
    const ipc = mockCommands({
      directory_user: () => annetteDetails(),
      plan_action: () => zohoPasswordPlan(),
      run_plan: () => zohoPasswordResult({ generatedPassword: null }),
      ...ticketVerification,
    });
    await renderZohoUser();
    fireEvent.click(byId("action-zohoResetPassword")!);
    await waitFor(() => expect(byId("zoho-reset-password-dialog")).not.toBeNull());
    check("read-aloud");
    expect(byId("password-length")).toBeNull();
    check("password-mode-typed");
    await waitFor(() => expect(byId("typed-password")).not.toBeNull());
    expect((byId("typed-password") as HTMLInputElement).type).toBe("password");
    expect((byId("review-button") as HTMLButtonElement).disabled).toBe(true);
    type("typed-password", "Correct-Horse-9");
    fireEvent.click(byId("review-button")!);
    await waitFor(() => expect(byId("plan-dialog")).not.toBeNull());
    expect(JSON.stringify(ipc.callsOf("plan_action"))).not.toContain("Correct-Horse-9");
    expect(document.body.innerHTML).not.toContain("Correct-Horse-9");
    type("reason-input", "INC-78");
    await verifyCallerByTicket("HR-78");
    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([{ planId: zohoPasswordPlan().id, reason: "INC-78", password: { mode: "typed", password: "Correct-Horse-9" } }]);
  });

  test("a run refused for a stale sign-in: sign in again as the signed-in demo operator, then the same plan and reason run again", async () => {
    let fresh = false;
    const ipc = mockCommands({
      directory_user: () => annetteDetails(),
      plan_action: () => zohoPasswordPlan(),
      run_plan: () => {
        if (!fresh) throw { kind: "NotSignedIn", message: "Sign in again to confirm it is you." };
        return zohoPasswordResult();
      },
      sign_in: zohoDeviceSignIn(() => {
        fresh = true;
      }),
      ...ticketVerification,
    });
    await renderZohoUser();
    fireEvent.click(byId("action-zohoResetPassword")!);
    await waitFor(() => expect(byId("review-button")).not.toBeNull());
    fireEvent.click(byId("review-button")!);
    await waitFor(() => expect(byId("reason-input")).not.toBeNull());
    type("reason-input", "INC-79");
    await verifyCallerByTicket("HR-79");
    fireEvent.click(byId("confirm-button")!);

    await waitFor(() => expect(byId("reauth-button")).not.toBeNull());
    expect(byTestId("fresh-sign-in")?.textContent).toContain("Sign in again to confirm it is you");
    expect(byTestId("error-bar")).toBeNull();
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(byId("reauth-button")!);

    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    const signIn = { connectionId: ZOHO_ID, account: zohoAccount.login };
    expect(ipc.callsOf("sign_in")).toEqual([
      signIn,
      { ...signIn, deviceCode: "ABCD-EFGH" },
    ]);
    const runs = ipc.callsOf("run_plan");
    expect(runs.length).toBe(2);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[1]).toMatchObject({ planId: zohoPasswordPlan().id, reason: "INC-79", password: { mode: "generate" } });
  });

  test("a plan whose sign-in is not fresh asks to sign in again before it can be confirmed", async () => {
    mockCommands({
      directory_user: () => annetteDetails(),
      plan_action: () =>
        zohoPasswordPlan({ freshSignIn: { maxAgeMinutes: 10, signedInAt: "2026-11-23T07:00:00Z", fresh: false } }),
      sign_in: zohoDeviceSignIn(),
      ...ticketVerification,
    });
    await renderZohoUser();
    fireEvent.click(byId("action-zohoResetPassword")!);
    await waitFor(() => expect(byId("review-button")).not.toBeNull());
    fireEvent.click(byId("review-button")!);
    await waitFor(() => expect(byId("reauth-button")).not.toBeNull());
    type("reason-input", "INC-80");
    await verifyCallerByTicket("HR-80");
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(byId("reauth-button")!);
    await waitFor(() => expect(byId("reauth-button")).toBeNull());
    expect((byId("confirm-button") as HTMLButtonElement).disabled).toBe(false);
  });
});

describe("Zoho: reset MFA", () => {
  test("needs two confirmations: the first click only asks again", async () => {
    const plan: ProviderPlan = {
      ...zohoPasswordPlan(),
      id: "pp-mfa",
      action: "zohoResetMfa",
      actionLabel: "Reset MFA",
      steps: [{ summary: "Reset the MFA of Annette Charbonneau", performed: { performed: "api", doc: "https://www.zoho.com/" }, blocked: null, kind: null }],
      warnings: [],
      confirmationsRequired: 2,
      needsPassword: false,
    };
    const ipc = mockCommands({
      directory_user: () => annetteDetails(),
      plan_action: () => plan,
      run_plan: () => ({
        planId: "pp-mfa",
        outcome: "succeeded",
        steps: [{ index: 0, summary: plan.steps[0].summary, state: "done", message: "MFA reset", performed: plan.steps[0].performed }],
        auditSeq: 13,
      }),
      ...ticketVerification,
    });
    await renderZohoUser();
    fireEvent.click(byId("action-zohoResetMfa")!);
    await waitFor(() => expect(byId("confirm-button")).not.toBeNull());
    expect(byId("zoho-reset-password-dialog")).toBeNull();
    expect(ipc.callsOf("plan_action")).toEqual([{ connectionId: ZOHO_ID, userId: annette.id, action: "zohoResetMfa" }]);
    expect(byId("confirm-button")!.textContent).toBe("Yes, Reset");
    type("reason-input", "INC-81");
    await verifyCallerByTicket("HR-81");
    expect(byTestId("second-confirmation")).toBeNull();

    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byTestId("second-confirmation")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([]);
    expect(byId("confirm-button")!.textContent).toBe("Yes, Reset");

    fireEvent.click(byId("confirm-button")!);
    await waitFor(() => expect(byId("result-dialog")).not.toBeNull());
    expect(ipc.callsOf("run_plan")).toEqual([{ planId: "pp-mfa", reason: "INC-81" }]);
    expect(allByTestId("step-row").map((r) => r.getAttribute("data-state"))).toEqual(["done"]);
  });
});

describe("a seam provider's user page", () => {
  test("shows the operator's resets this hour against the cap, as Rust counted them (this desktop's log only)", async () => {
    mockCommands({ directory_user: () => annetteDetails() });
    await renderZohoUser();
    const line = byTestId("details-rate")?.textContent ?? "";
    expect(line).toContain("Resets you made in the last hour: 0 of 20.");
    expect(byTestId("details-rate-note")?.textContent).toContain("this desktop's log only");
  });

  test("Zoho unreachable: the page says why nothing can be done now, as Entra's does, and offers nothing", async () => {
    mockCommands({ directory_user: () => reject("Offline", "Could not reach Zoho at mail.zoho.com.") });
    renderWithFluent(
      <UserScreen userId={annette.id} fallbackName="Annette" onBackToUsers={() => {}} connection={zohoConnection(true)} />,
    );
    await waitFor(() => expect(byTestId("details-offline")?.textContent).toContain("Actions need a connection"));
    expect(byTestId("error-bar")?.textContent).toContain("Could not reach Zoho");
    expect(byId("action-zohoResetMfa")).toBeNull();
  });
});

describe("Privilege Secure user page", () => {
  test("shows the access, the group reset set apart with its warning, and plans the individual reset", async () => {
    const ipc = mockCommands({
      // A value the provider does not have (here, the domain) is a dash.
      directory_user: () => bobDetails({ facts: bobDetails().facts.map((f) => (f.key === "domain" ? { ...f, value: null } : f)) }),
      plan_action: () => fromSandbox.psTokenPlanBob,
    });
    renderWithFluent(<UserScreen userId={groupBob.id} fallbackName="bob" onBackToUsers={() => {}} connection={psConnection(true)} />);
    await waitFor(() => expect(byId("user-title")?.textContent).toBe("Bob Groupmember"));
    expect(byTestId("summary-access")?.textContent).toBe("Through group Privilege Secure_Users");
    // The provider's facts, in its order; a value it does not have is a dash.
    expect(byTestId("summary-login")?.textContent).toBe("CORP\\bob");
    expect(byTestId("summary-domain")?.textContent).toBe("—");

    const group = byId("action-psResetGroupToken")!;
    const section = byTestId("wide-action-psResetGroupToken")!;
    expect(section.contains(group)).toBe(true);
    expect(section.contains(byId("action-psResetToken"))).toBe(false);
    expect(section.textContent).toContain(GROUP_WARNING);

    fireEvent.click(byId("action-psResetToken")!);
    await waitFor(() => expect(allByTestId("plan-step").length).toBe(3));
    expect(ipc.callsOf("plan_action")).toEqual([{ connectionId: PS_ID, userId: groupBob.id, action: "psResetToken" }]);
    expect(allByTestId("plan-step").every((s) => s.getAttribute("data-performed") === "api")).toBe(true);
  });

  test("a provider of the seam: while Rust plans, the confirmation is titled with the offer's words, not its id", async () => {
    // An action only this provider has, as any provider of Rust's seam may offer.
    const unlock = { ...bobDetails().offers[0], action: "fakeUnlock", label: "Unlock the account", allowed: true, reason: null };
    const ipc = mockCommands({
      directory_user: () => bobDetails({ offers: [unlock] }),
      plan_action: () => new Promise(() => {}),
    });
    const connection = { ...psConnection(true), kind: "custom" as const, kindLine: "Fake directory service" };
    renderWithFluent(<UserScreen userId={groupBob.id} fallbackName="bob" onBackToUsers={() => {}} connection={connection} />);
    await waitFor(() => expect(byId("action-fakeUnlock")).not.toBeNull());
    fireEvent.click(byId("action-fakeUnlock")!);
    await waitFor(() => expect(ipc.callsOf("plan_action")).toEqual([{ connectionId: PS_ID, userId: groupBob.id, action: "fakeUnlock" }]));
    await waitFor(() => expect(byId("plan-dialog")?.textContent).toContain("Unlock the account"));
    expect(byId("plan-dialog")?.textContent).not.toContain("fakeUnlock");
  });

  test("a not-allowed action shows Rust's reason and cannot be clicked", async () => {
    const reason = "Only a Privilege Secure Administrator may reset tokens.";
    const ipc = mockCommands({
      directory_user: () =>
        bobDetails({
          offers: [
            { action: "psResetToken", label: "Reset 2-Factor Token", allowed: false, reason, warning: null, safetyClass: "reset" },
            { action: "psResetGroupToken", label: "Reset 2-Factor Token of the whole group", allowed: false, reason, warning: GROUP_WARNING, safetyClass: "reset" },
          ],
        }),
    });
    renderWithFluent(<UserScreen userId={groupBob.id} fallbackName="bob" onBackToUsers={() => {}} connection={psConnection(true)} />);
    await waitFor(() => expect(byId("action-psResetToken")).not.toBeNull());
    const button = byId("action-psResetToken") as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    const reasons = allByTestId("action-reason");
    expect(reasons.map((r) => r.getAttribute("data-action"))).toEqual(["psResetToken", "psResetGroupToken"]);
    expect(reasons[0].textContent).toContain(reason);
    fireEvent.click(button);
    fireEvent.click(byId("action-psResetGroupToken")!);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ipc.callsOf("plan_action")).toEqual([]);
    expect(byId("plan-dialog")).toBeNull();
  });
});

describe("a user's page lists their steps left to finish by hand", () => {
  test("only this user's, of this connection, with Mark as done", async () => {
    const step = {
      planId: "pp-7",
      stepIndex: 0,
      connectionId: PS_ID,
      operator: "CORP\\nps.admin",
      targetId: groupBob.id,
      target: "bob@corp.example",
      action: "Reset 2-Factor Token of the whole group (Privilege Secure)",
      summary: "Reset the 2-factor token of the whole group 'PrivilegeSecure_Users' (by hand)",
      since: "2026-12-05T09:00:00Z",
    };
    const ipc = mockCommands({
      directory_user: () => bobDetails(),
      pending_by_hand_steps: () => [step, { ...step, planId: "pp-8", targetId: "ps-ivy" }, { ...step, planId: "pp-9", connectionId: ZOHO_ID }],
      settle_by_hand_step: () => ({ pending: [], result: null }),
    });
    renderWithFluent(<UserScreen userId={groupBob.id} fallbackName="bob" onBackToUsers={() => {}} connection={psConnection(true)} />);
    await waitFor(() => expect(allByTestId("by-hand-step").length).toBe(1));
    expect(allByTestId("by-hand-step")[0].getAttribute("data-plan-id")).toBe("pp-7");
    expect(byTestId("by-hand-section")?.textContent).toContain("To finish by hand for this user");
    fireEvent.click(byId("by-hand-done-pp-7-0")!);
    await waitFor(() => expect(byTestId("by-hand-section")).toBeNull());
    expect(ipc.callsOf("settle_by_hand_step")).toEqual([{ planId: "pp-7", stepIndex: 0, settlement: { settlement: "done" } }]);
  });
});

describe("a seam reset that needs a second person", () => {
  /** Rust's plan, with the approval rule that applies to it (a VIP, here). */
  function needingApproval(plan: ProviderPlan, reason: string): ProviderPlan {
    return { ...plan, safety: { ...noSafetyChecks(), approval: { required: true, reasons: [reason] } } };
  }

  test("Zoho: the approver signs in with their own device code; the operator is not offered; then the reset may be confirmed", async () => {
    const vip = "Annette Charbonneau is on your organisation's VIP list.";
    const plan = needingApproval(fromSandbox.zohoMfaPlan, vip);
    let release: () => void = () => {};
    const ipc = mockCommands({
      list_connections: () => [zohoConnection(true)],
      directory_user: () => annetteDetails(),
      plan_action: () => plan,
      approve_plan: (args) =>
        args.deviceCode
          ? // Zoho answers once the approver entered the code: hold the answer until the test says so.
            new Promise((resolve) => {
              release = () =>
                resolve({
                  step: "approved",
                  record: { approver: "sam.super@zylker.sandbox", approverId: "z-sam", approverRoles: ["Super Admin"], at: "t" },
                });
            })
          : { step: "deviceCode", prompt: { userCode: "WXYZ-1234", verificationUrl: "https://accounts.zoho.com/device", expiresAt: "2026-11-23T09:10:00Z" } },
    });
    await renderZohoUser();
    fireEvent.click(byId("action-zohoResetMfa")!);
    await waitFor(() => expect(byTestId("approval-reason")?.textContent).toBe(vip));
    type("reason-input", "INC-90");
    expect(byId("confirm-button")!.hasAttribute("disabled")).toBe(true);
    // The signed-in operator (Ada) cannot approve their own request: only the others are offered.
    await waitFor(() => expect(byId("approver-account")).not.toBeNull());
    const offered = [...(byId("approver-account") as HTMLSelectElement).options].map((o) => o.value);
    expect(offered).toEqual(["sam.super@zylker.sandbox", "mo.member@zylker.sandbox"]);

    fireEvent.click(byId("approve-button")!);
    await waitFor(() => expect(byTestId("zoho-user-code")?.textContent).toBe("WXYZ-1234"));
    expect(byId("confirm-button")!.hasAttribute("disabled")).toBe(true);
    release();
    await waitFor(() => expect(byTestId("approval-result")?.textContent).toBe("Approved by sam.super@zylker.sandbox (Super Admin)."));
    expect(byTestId("zoho-user-code")).toBeNull();
    expect(ipc.callsOf("approve_plan")).toEqual([
      { planId: plan.id, account: "sam.super@zylker.sandbox" },
      { planId: plan.id, account: "sam.super@zylker.sandbox", deviceCode: "WXYZ-1234" },
    ]);
    expect(byId("confirm-button")!.hasAttribute("disabled")).toBe(false);
  });

  test("Privilege Secure: the approver types their login, password and code; a refusal is shown and another may try", async () => {
    const plan = needingApproval(fromSandbox.psTokenPlanBob, "Bob Groupmember is on your organisation's VIP list.");
    const real = { ...psConnection(true), sandbox: false, kindLine: "Netwrix Privilege Secure" };
    const ipc = mockCommands({
      list_connections: () => [real],
      directory_user: () => bobDetails(),
      plan_action: () => plan,
      approve_plan: (args) =>
        args.account === "CORP\\nps.reviewer"
          ? reject("Denied", "CORP\\nps.reviewer cannot approve this: only a Privilege Secure administrator may reset tokens.")
          : { step: "approved", record: { approver: "CORP\\nps.lead", approverId: "lead", approverRoles: ["Administrator"], at: "t" } },
    });
    renderWithFluent(<UserScreen userId={groupBob.id} fallbackName="bob" onBackToUsers={() => {}} connection={real} />);
    await waitFor(() => expect(byId("action-psResetToken")).not.toBeNull());
    fireEvent.click(byId("action-psResetToken")!);
    await waitFor(() => expect(byId("approver-login")).not.toBeNull());
    expect(byId("approver-account")).toBeNull();
    expect(byId("approve-button")!.textContent).toBe("Sign in to approve");

    type("approver-login", "CORP\\nps.reviewer");
    type("approver-password", "Reviewer-secret");
    type("approver-code", "123456");
    fireEvent.click(byId("approve-button")!);
    await waitFor(() => expect(byTestId("approval")?.textContent).toContain("cannot approve this"));
    expect(byTestId("approval-result")).toBeNull();
    // The password and code were for that attempt: the page keeps neither.
    expect((byId("approver-password") as HTMLInputElement).value).toBe("");
    expect((byId("approver-code") as HTMLInputElement).value).toBe("");

    type("approver-login", "CORP\\nps.lead");
    type("approver-password", "Lead-secret");
    type("approver-code", "654321");
    fireEvent.click(byId("approve-button")!);
    await waitFor(() => expect(byTestId("approval-result")?.textContent).toContain("Approved by CORP\\nps.lead"));
    expect(ipc.callsOf("approve_plan")).toEqual([
      { planId: plan.id, account: "CORP\\nps.reviewer", password: "Reviewer-secret", code: "123456" },
      { planId: plan.id, account: "CORP\\nps.lead", password: "Lead-secret", code: "654321" },
    ]);
  });
});
