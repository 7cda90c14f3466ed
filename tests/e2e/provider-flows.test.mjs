// End to end: the Zoho Directory and Privilege Secure flows in the real window, against the
// in-app emulators (the "sandbox-zoho" and "sandbox-ps" connections). Reset password with a
// generated password and its options, all through Zoho's API; Reset MFA (by hand) with its
// two confirmations; a Zoho member refused with Zoho's reason; Privilege Secure's Reset
// 2-Factor Token for an individually configured user and, in three steps, for a group member,
// then the group's (a second reset of his token, approved by a second administrator); a VIP's
// Zoho reset approved by a second admin through their own device sign-in.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startApp, el, click, choose, waitText, settledRead, closeDialogs, assertAccessible, typeSearch } from "./helpers.mjs";

const ZOHO = "sandbox-zoho";
const NPS = "sandbox-ps";

let app;
let browser;

before(async () => {
  app = await startApp();
  browser = app.browser;
});

beforeEach(async () => {
  if (browser) await closeDialogs(browser);
});

after(async () => {
  if (process.env.E2E_SCREENSHOT && browser) await browser.saveScreenshot(process.env.E2E_SCREENSHOT).catch(() => {});
  await app?.stop();
});

async function signInToZoho(email) {
  await click(browser, "#nav-connections");
  const signOut = await browser.$(`#signout-button-${ZOHO}`);
  if (await signOut.isExisting()) await signOut.click();
  const picker = await el(browser, `#zoho-account-${ZOHO}`);
  await picker.selectByAttribute("value", email);
  await click(browser, `#zoho-signin-${ZOHO}`);
  await waitText(browser, `[data-testid="connection-${ZOHO}"] [data-testid="connection-account"]`, (t) => t.includes(email), 30000, "Zoho account");
}

async function signInToPrivilegeSecure(login) {
  await click(browser, "#nav-connections");
  const signOut = await browser.$(`#signout-button-${NPS}`);
  if (await signOut.isExisting()) await signOut.click();
  // The sandbox's demo account fills login, password and the second-factor code.
  const picker = await el(browser, `#ps-account-${NPS}`);
  await picker.selectByAttribute("value", login);
  await click(browser, `#ps-signin-${NPS}`);
  await waitText(browser, `[data-testid="connection-${NPS}"] [data-testid="connection-account"]`, (t) => t.includes("nps."), 30000, "Privilege Secure account");
}

async function openUsers(connectionId, query) {
  await click(browser, `#open-users-${connectionId}`);
  const search = await el(browser, "#user-search");
  await search.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  await search.addValue(query);
}

async function openRow(userId) {
  await click(browser, `[data-testid="user-row"][data-user-id="${userId}"] td`);
}

/**
 * Confirms a reset the way the default policy asks of every provider: the caller's verification
 * first (Zoho and Privilege Secure give ResetDesk no phone number or manager, so the ticket in
 * which the caller was verified), then the reason. With `verify: "reused"` the caller was
 * verified for an earlier reset of the same user in this call, and Rust must say so instead of
 * asking again.
 */
async function confirmWithReason(reason, { verify = "ticket" } = {}) {
  const box = await el(browser, "#reason-input");
  await box.setValue(reason);
  if (verify === "reused") {
    const reused = await waitText(browser, '[data-testid="verification-result"]', (t) => /Caller verified/.test(t), 20000, "the earlier verification");
    assert.match(reused, /for a request on the same user in this call/);
  } else {
    assert.equal(await (await el(browser, "#confirm-button")).isEnabled(), false, "not before the caller is verified");
    const section = await waitText(browser, '[data-testid="verification"]', (t) => /required by your organisation/.test(t), 20000, "verification");
    assert.match(section, /gives ResetDesk none of the user's phone numbers/);
    await (await el(browser, "#verification-ticket")).setValue(`HR-${reason.split(" ")[0]}`);
    await click(browser, "#record-ticket");
    await waitText(browser, '[data-testid="verification-result"]', (t) => /Caller verified/.test(t), 20000, "verification recorded");
  }
  await browser.waitUntil(async () => (await browser.$("#confirm-button")).isEnabled(), { timeout: 10000 });
  await click(browser, "#confirm-button");
}

/**
 * The id the page was given for the row showing `text`. The list is replaced as the search
 * runs (all users first, then the matches): read again until the row is there.
 */
async function userIdOf(text) {
  let found = null;
  let last = [];
  await browser.waitUntil(
    async () => {
      try {
        last = await settledRead(browser, '[data-testid="user-row"]', async (e) => [await e.getText(), await e.getAttribute("data-user-id")], 5000);
      } catch {
        return false; // rows replaced while being read
      }
      found = last.find(([t]) => t.includes(text)) ?? null;
      return found !== null;
    },
    { timeout: 20000, timeoutMsg: `no user row with ${text} (last: ${JSON.stringify(last)})` },
  );
  return found[1];
}

test("Zoho: reset password with a generated password, force change and session clearing, all through the API, nothing left pending", async () => {
  await signInToZoho("ada.admin@zylker.sandbox");
  await assertAccessible(browser, "Connections with the Zoho and Privilege Secure cards");
  await openUsers(ZOHO, "annette");
  const zuid = await userIdOf("annette.c@zylker.sandbox");
  await assertAccessible(browser, "Zoho users");
  await openRow(zuid);

  await click(browser, "#action-zohoResetPassword");
  await el(browser, "#zoho-reset-password-dialog");
  await assertAccessible(browser, "Zoho reset password dialog");
  // "Generate a password" is the dialog's default (Fluent's radio input itself is drawn over, so
  // it is checked rather than clicked).
  assert.equal(await (await el(browser, "#password-mode-generate")).isSelected(), true);
  // Web sessions are always cleared: shown checked, not changeable.
  const web = await el(browser, "#clear-web");
  assert.equal(await web.isSelected(), true);
  assert.equal(await web.isEnabled(), false);
  const force = await el(browser, "#force-change");
  if (!(await force.isSelected())) await force.click();
  const mobile = await el(browser, "#clear-mobile");
  if (!(await mobile.isSelected())) await mobile.click();
  assert.equal(await (await el(browser, "#email-password")).isSelected(), false);
  await click(browser, "#review-button");

  // The summary shows every step going through Zoho's API: password, web sessions, force change,
  // mobile sessions and API tokens (one call).
  await el(browser, "#plan-dialog");
  const performed = await settledRead(browser, '[data-testid="plan-step"]', (e) => e.getAttribute("data-performed"));
  assert.deepEqual(performed, ["api", "api", "api", "api"]);
  await assertAccessible(browser, "Zoho confirmation, every step through the API");
  await confirmWithReason("INC-3001 forgot password");

  await el(browser, "#result-dialog");
  await browser.waitUntil(async () => (await (await el(browser, '[data-testid="result-summary"]')).getAttribute("data-outcome")) === "succeeded", {
    timeout: 20000,
    timeoutMsg: "the reset did not finish as succeeded",
  });
  const password = await (await el(browser, "#temporary-password")).getValue();
  assert.ok(password.length >= 12, "a generated password is shown once");
  assert.equal((await browser.$$('[data-testid="by-hand-panel"]')).length, 0, "nothing to finish by hand");
  const states = await settledRead(browser, '[data-testid="step-row"]', (e) => e.getAttribute("data-state"));
  assert.deepEqual(states, ["done", "done", "done", "done"]);
  await assertAccessible(browser, "Zoho result, nothing pending");
  await click(browser, "#close-result");

  // Activity: the run, succeeded; never the password.
  await click(browser, "#nav-activity");
  const rows = await settledRead(browser, '[data-testid="audit-row"]', (e) => e.getText(), 20000, (v) => v.length >= 1);
  assert.ok(rows.some((r) => /Zoho/.test(r)), JSON.stringify(rows));
  const page = await browser.getPageSource();
  assert.ok(!page.includes(password), "the password is not in the Activity screen");
});

test("Zoho: Reset MFA after re-confirming twice is finished in Zoho and marked done", async () => {
  await signInToZoho("ada.admin@zylker.sandbox");
  await openUsers(ZOHO, "annette");
  const zuid = await userIdOf("annette.c@zylker.sandbox");
  await openRow(zuid);
  await click(browser, "#action-zohoResetMfa");
  await el(browser, "#plan-dialog");
  const performed = await settledRead(browser, '[data-testid="plan-step"]', (e) => e.getAttribute("data-performed"));
  assert.deepEqual(performed, ["byHand"]);
  // Annette's caller was verified for the password reset just before, in the same call.
  await confirmWithReason("INC-3002 new phone", { verify: "reused" });
  // Zoho asks "Yes, Reset" twice: the first click only asks again.
  await el(browser, '[data-testid="second-confirmation"]');
  assert.equal(await (await browser.$("#result-dialog")).isExisting(), false);
  await click(browser, "#confirm-button");
  await el(browser, "#result-dialog");
  assert.equal(await (await el(browser, '[data-testid="result-summary"]')).getAttribute("data-outcome"), "pending");
  await click(browser, "#mark-done-0");
  await browser.waitUntil(async () => (await (await el(browser, '[data-testid="result-summary"]')).getAttribute("data-outcome")) === "succeeded", {
    timeout: 20000,
    timeoutMsg: "Reset MFA did not become succeeded",
  });
});

test("Zoho: a member is refused with Zoho's reason and offered nothing", async () => {
  await signInToZoho("mo.member@zylker.sandbox");
  await click(browser, `#open-users-${ZOHO}`);
  const search = await el(browser, "#user-search");
  await search.addValue("annette");
  const text = await waitText(browser, "#error-bar", (t) => /Member/.test(t) && /admin/.test(t), 20000, "the member's refusal");
  assert.match(text, /super admin|organisation admin/);
  assert.equal((await browser.$$('[data-testid="user-row"]')).length, 0);
});

/** Sets the Zylker sandbox's outage demo switch on the Connections screen (Fluent draws over its input). */
async function setZohoOutage(down) {
  await click(browser, "#nav-connections");
  const id = `sandbox-outage-${ZOHO}`;
  await el(browser, `#${id}`);
  const checked = () => browser.execute((i) => document.getElementById(i).checked, id);
  if ((await checked()) !== down) await browser.execute((i) => document.getElementById(i).click(), id);
  await browser.waitUntil(async () => (await checked()) === down, { timeout: 10000, timeoutMsg: `Zoho outage switch ${down}` });
}

test("Zoho offline in the real window: with Zylker's network cut, Rust answers the search from the offline cache, marked; the app notices the network's return", async () => {
  await signInToZoho("ada.admin@zylker.sandbox");
  await click(browser, `#open-users-${ZOHO}`);
  // The sign-in filled the cache; its status line says how many users it keeps.
  await waitText(browser, '[data-testid="cache-summary"]', (t) => /Offline cache: [1-9]\d* users?\b/.test(t), 60000, "the cache filled");
  try {
    await setZohoOutage(true);
    await click(browser, `#open-users-${ZOHO}`);
    await typeSearch(browser, "annette");
    await waitText(browser, '[data-testid="users-offline"]', (t) => /offline cache/.test(t), 60000, "the offline marker");
    const rows = await settledRead(browser, '[data-testid="user-row"]', (r) => r.getText(), 20000, (v) => v.length > 0);
    assert.ok(rows.some((r) => r.includes("annette.c@zylker.sandbox")), JSON.stringify(rows));
    await el(browser, '[data-testid="cache-offline"]', 60000);
    await assertAccessible(browser, "Zoho users answered from the offline cache");
  } finally {
    await setZohoOutage(false);
  }
  // The app's probe finds Zoho again; the marker goes, by itself.
  await click(browser, `#open-users-${ZOHO}`);
  await browser.waitUntil(async () => !(await (await browser.$('[data-testid="cache-offline"]')).isExisting()), {
    timeout: 120000,
    timeoutMsg: "the offline marker stayed after the network came back",
  });
});

test("Privilege Secure: an individually configured user's token is reset in one step", async () => {
  await signInToPrivilegeSecure("CORP\\nps.admin");
  await openUsers(NPS, "alice");
  const id = await userIdOf("Alice");
  const access = await settledRead(browser, `[data-testid="user-row"][data-user-id="${id}"] [data-testid="user-detail"]`);
  assert.match(access[0], /Individually/i);
  await openRow(id);
  await click(browser, "#action-psResetToken");
  await el(browser, "#plan-dialog");
  assert.equal((await browser.$$('[data-testid="plan-step"]')).length, 1);
  await confirmWithReason("INC-4001 lost token");
  await el(browser, "#result-dialog");
  assert.equal(await (await el(browser, '[data-testid="result-summary"]')).getAttribute("data-outcome"), "succeeded");
});

test("Privilege Secure: a group member is reset in three steps; the group reset stays separate with its warning", async () => {
  await signInToPrivilegeSecure("CORP\\nps.admin");
  await openUsers(NPS, "bob");
  const id = await userIdOf("Bob");
  await openRow(id);
  const warning = await waitText(browser, '[data-testid="action-warning-psResetGroupToken"]', (t) => /EVERY member/.test(t), 20000, "group warning");
  assert.match(warning, /Privilege Secure_Users/);
  // The provider's facts, on the one user page of the seam: how Bob gets access.
  assert.match(await (await el(browser, '[data-testid="summary-access"]')).getText(), /Through group/);
  await assertAccessible(browser, "Privilege Secure user with the group warning");
  await click(browser, "#action-psResetToken");
  await el(browser, "#plan-dialog");
  const steps = await settledRead(browser, '[data-testid="plan-step"]');
  assert.equal(steps.length, 3, JSON.stringify(steps));
  assert.match(steps[0], /Add/);
  assert.match(steps[2], /Remove/);
  await confirmWithReason("INC-4002 lost token");
  await el(browser, "#result-dialog");
  assert.equal(await (await el(browser, '[data-testid="result-summary"]')).getAttribute("data-outcome"), "succeeded");
  const states = await settledRead(browser, '[data-testid="step-row"]', (e) => e.getAttribute("data-state"));
  assert.deepEqual(states, ["done", "done", "done"]);
});

test("Privilege Secure: the group reset's by-hand step survives a restart and is marked done from Activity", async () => {
  await signInToPrivilegeSecure("CORP\\nps.admin");
  await openUsers(NPS, "bob");
  const id = await userIdOf("Bob");
  await openRow(id);
  await click(browser, "#action-psResetGroupToken");
  await el(browser, "#plan-dialog");
  // Bob's own token was reset minutes ago: a second reset of his second factor needs a second
  // person, whom Privilege Secure signs in (the sandbox's demo account fills their login,
  // password and code). The operator is not offered.
  await waitText(browser, '[data-testid="approval-reason"]', (t) => /already reset at/.test(t), 20000, "the repeat-MFA rule");
  const approvers = await browser.execute(() => [...document.getElementById("approver-account").options].map((o) => o.value));
  assert.deepEqual(approvers, ["CORP\\nps.reviewer", "CORP\\nps.lead"]);
  await choose(browser, "#approver-account", "CORP\\nps.lead");
  await click(browser, "#approve-button");
  await waitText(browser, '[data-testid="approval-result"]', (t) => /Approved by CORP\\nps\.lead/.test(t), 30000, "the lead's approval");
  // Bob's caller was verified for his own token's reset just before, in the same call.
  await confirmWithReason("INC-4003 whole group re-enrols", { verify: "reused" });
  await el(browser, "#result-dialog");
  assert.equal(await (await el(browser, '[data-testid="result-summary"]')).getAttribute("data-outcome"), "pending");
  // Closed without marking it, then the app restarts: the step is not lost (Rust reads it
  // from the audit log, which the new instance opens in the same data directory).
  await click(browser, "#close-result");
  await app.stop();
  app = await startApp({ dataHome: app.dataHome });
  browser = app.browser;
  await signInToPrivilegeSecure("CORP\\nps.admin");
  await click(browser, "#nav-activity");
  // Activity reads the waiting steps when it opens: none may be listed yet on the first reads.
  const groupSteps = async () => {
    const read = await settledRead(browser, '[data-testid="by-hand-step"]', async (e) => [await e.getText(), await e.getAttribute("data-plan-id")], 3000).catch(() => []);
    return read.filter(([text]) => /whole group/.test(text));
  };
  let waiting = [];
  await browser.waitUntil(async () => (waiting = await groupSteps()).length >= 1, { timeout: 20000, timeoutMsg: "the group step is not waiting in Activity after the restart" });
  const planId = waiting[waiting.length - 1][1];
  await assertAccessible(browser, "Activity with a step waiting by hand");
  await click(browser, `#by-hand-done-${planId}-0`);
  await browser.waitUntil(async () => (await browser.$$(`[data-testid="by-hand-step"][data-plan-id="${planId}"]`)).length === 0, {
    timeout: 20000,
    timeoutMsg: "the step is still waiting after Mark as done",
  });
  const entries = fs.readFileSync(path.join(app.dataDir, "audit.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const mark = entries[entries.length - 1];
  assert.equal(mark.planId, planId);
  assert.equal(mark.steps[0].status, "completedByHand");
});

test("Zoho: a VIP's reset waits for a second admin, who approves with their own device code; a member may not", async () => {
  // The organisation's approval rule for VIPs, as its settings.json sets it (a new start).
  await app.stop();
  app = await startApp({ settings: { safety: { approval: { vipUsers: ["annette.c@zylker.sandbox"] } } } });
  browser = app.browser;
  await signInToZoho("ada.admin@zylker.sandbox");
  await openUsers(ZOHO, "annette");
  const zuid = await userIdOf("annette.c@zylker.sandbox");
  await openRow(zuid);
  // Her page counts Ada's resets this hour as Entra's pages do, from this desktop's log.
  await waitText(browser, '[data-testid="details-rate"]', (t) => /Resets you made in the last hour: 0 of \d+/.test(t) && /this desktop's log only/.test(t), 20000, "the hourly count");
  await click(browser, "#action-zohoResetMfa");
  await el(browser, "#plan-dialog");
  await waitText(browser, '[data-testid="approval-reason"]', (t) => /VIP list/.test(t), 20000, "why a second person");
  // Ada prepared it: only the other demo operators are offered as approvers.
  await el(browser, "#approver-account");
  const offered = await browser.execute(() => [...document.getElementById("approver-account").options].map((o) => o.value));
  assert.deepEqual(offered, ["sam.super@zylker.sandbox", "mo.member@zylker.sandbox"]);

  await choose(browser, "#approver-account", "mo.member@zylker.sandbox");
  await click(browser, "#approve-button");
  await waitText(browser, '[data-testid="approval"]', (t) => /mo\.member@zylker\.sandbox cannot approve this/.test(t), 30000, "the member's refusal");
  await choose(browser, "#approver-account", "sam.super@zylker.sandbox");
  await click(browser, "#approve-button");
  await waitText(browser, '[data-testid="approval-result"]', (t) => /Approved by sam\.super@zylker\.sandbox \(Super Admin\)/.test(t), 30000, "the super admin's approval");

  await confirmWithReason("INC-3010 VIP lost phone");
  await el(browser, '[data-testid="second-confirmation"]');
  await click(browser, "#confirm-button");
  await el(browser, "#result-dialog");
  // Ada ran it under her own sign-in, which the approver's did not replace; the audit entry
  // names both, and the member's refused attempt before it.
  const entries = fs.readFileSync(path.join(app.dataDir, "audit.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const ran = entries.at(-1);
  assert.equal(ran.operator, "ada.admin@zylker.sandbox");
  assert.equal(ran.approval?.approver, "sam.super@zylker.sandbox");
  const refused = entries.find((e) => e.outcome === "refused" && e.operator === "mo.member@zylker.sandbox");
  assert.match(refused?.message ?? "", /^Approval refused: mo\.member@zylker\.sandbox cannot approve this/);
  await closeDialogs(browser);
  await click(browser, "#nav-connections");
  await waitText(browser, `[data-testid="connection-${ZOHO}"] [data-testid="connection-account"]`, (t) => t.includes("ada.admin@zylker.sandbox"), 10000, "Ada still signed in");
});
