// End to end: Microsoft 365 Lighthouse in the real window, against the in-app multi-tenant
// emulator ("sandbox-lighthouse"). The partner signs in once; two customers are selected, their
// users ticked, the administrators among them left out or approved by a second technician, and
// "Reset all multi-factor authentications" runs as a bulk job with live progress and a result per
// user; a selection with a customer whose GDAP roles do not allow it removes the action, with
// the reason; and a customer's user opens on the one user page, where the reset plans for them alone.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startApp, el, click, waitText, settledRead, closeDialogs, assertAccessible } from "./helpers.mjs";

const LH = "sandbox-lighthouse";
const TECHNICIAN = "tech@contosopartners.sandbox";

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

async function signInToLighthouse() {
  await click(browser, "#nav-connections");
  const card = `[data-testid="connection-${LH}"]`;
  if ((await (await el(browser, card)).getAttribute("data-signed-in")) !== "true") {
    const picker = await el(browser, `#signin-account-${LH}`);
    await picker.selectByAttribute("value", TECHNICIAN);
    await click(browser, `#signin-button-${LH}`);
    await browser.waitUntil(async () => (await (await el(browser, card)).getAttribute("data-signed-in")) === "true", {
      timeout: 30000,
      timeoutMsg: "the partner sign-in did not finish",
    });
  }
  await click(browser, `#open-users-${LH}`);
  await el(browser, "#customer-selector");
}

/** The tenant id of a customer, by its name in the selector. */
async function tenantOf(name) {
  const rows = await settledRead(browser, '[data-testid="customer"]', async (e) => [await e.getAttribute("data-tenant-id"), await e.getText()]);
  const found = rows.find(([, text]) => text.includes(name));
  assert.ok(found, `no customer ${name} in ${JSON.stringify(rows)}`);
  return found[0];
}

/**
 * Ticks or unticks a Fluent checkbox. Its input is drawn over by the styled box, so the DOM
 * click is sent to the input itself (React sees the same change event a person's click makes).
 */
async function tick(id) {
  await el(browser, `#${id}`);
  await browser.execute((i) => document.getElementById(i).click(), id);
}

/** Sets the selection to exactly `names` (unticks the others). */
async function selectCustomers(names) {
  const wanted = new Set();
  for (const name of names) wanted.add(await tenantOf(name));
  const ids = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="customer"]')].map((row) => [row.getAttribute("data-tenant-id"), row.querySelector("input").checked]),
  );
  for (const [tenant, checked] of ids) {
    if (wanted.has(tenant) !== checked) await tick(`customer-${tenant}`);
  }
  return [...wanted];
}

async function rowsOf(tenantId) {
  return browser.execute(
    (t) => [...document.querySelectorAll(`[data-testid="lh-user-row"][data-tenant-id="${t}"]`)].map((r) => r.getAttribute("data-user-id")),
    tenantId,
  );
}

test("a customer's user opens on the one user page: the customer and the technician's roles, the methods, and the reset planned for that user alone", async () => {
  await signInToLighthouse();
  const [fabrikam] = await selectCustomers(["Fabrikam"]);
  await browser.waitUntil(async () => (await rowsOf(fabrikam)).length === 6, { timeout: 20000, timeoutMsg: "Fabrikam's six users did not appear" });
  // Dev Adams: a Fabrikam user without an admin role, whom the technician may reset.
  const devId = await browser.execute(
    (t) =>
      [...document.querySelectorAll(`[data-testid="lh-user-row"][data-tenant-id="${t}"]`)]
        .find((row) => row.textContent.includes("Dev Adams"))
        ?.getAttribute("data-user-id"),
    fabrikam,
  );
  assert.ok(devId, "Dev Adams is listed in Fabrikam");
  await click(browser, `#open-user-${fabrikam}-${devId}`);
  await waitText(browser, "#user-title", (t) => t === "Dev Adams", 20000, "Dev Adams's page");
  assert.equal(await (await el(browser, '[data-testid="summary-customer"]')).getText(), "Fabrikam");
  assert.match(await (await el(browser, '[data-testid="summary-upn"]')).getText(), /^dev\.adams3@fabrikam\.sandbox$/);
  assert.ok((await browser.$$('[data-testid="summary-gdap-roles"] [data-testid="fact-badge"]')).length > 0, "the technician's roles there as badges");
  await click(browser, "#tab-methods");
  await el(browser, '[data-testid="method-row"], [data-testid="methods-empty"]');
  await assertAccessible(browser, "a Lighthouse customer's user on the one user page");

  // The one plan dialog, as for every provider: this user alone, a step per method.
  await click(browser, "#action-resetAllMfa");
  await el(browser, "#plan-dialog");
  const planned = await waitText(browser, '[data-testid="plan-target"]', (t) => /dev\.adams3@fabrikam\.sandbox/.test(t), 20000, "the plan's user");
  assert.match(planned, /Dev Adams/);
  const steps = await settledRead(browser, '[data-testid="plan-step"]', async (e) => ({ text: await e.getText(), type: await e.getAttribute("data-step-type") }), 20000, (read) => read.every((s) => s.text.length > 0));
  assert.ok(steps.length > 0 && steps.every((s) => s.type === "deleteMethod" || s.type === "deactivateHardwareOath"), JSON.stringify(steps));
  await click(browser, "#cancel-button");
  await browser.waitUntil(async () => (await browser.$$("#plan-dialog")).length === 0, { timeout: 10000, timeoutMsg: "the plan did not close" });
  await click(browser, "#nav-users");
});

test("two customers, every user ticked: administrators are left out or need the team lead's approval, then the job runs with a result per user", async () => {
  await signInToLighthouse();
  const [fabrikam, woodgrove] = await selectCustomers(["Fabrikam", "Woodgrove Bank"]);
  await browser.waitUntil(async () => (await rowsOf(fabrikam)).length === 6 && (await rowsOf(woodgrove)).length === 6, {
    timeout: 20000,
    timeoutMsg: "the six users of both customers did not appear",
  });
  await assertAccessible(browser, "Lighthouse users across two customers");
  await tick("select-all-users");
  await waitText(browser, '[data-testid="selected-count"]', (t) => /12 users selected/.test(t), 10000, "all twelve selected");
  await click(browser, "#action-resetAllMfa");

  // Fabrikam: the technician is an Authentication Administrator, so its administrator and its
  // role-assignable group member are left out. Woodgrove Bank: a Privileged Authentication
  // Administrator, who may reset both, with a second person.
  await el(browser, "#lh-plan-dialog");
  const summary = await waitText(browser, '[data-testid="lh-plan-summary"]', (t) => /12 users/.test(t), 30000, "plan summary");
  assert.match(summary, /2 customers/);
  assert.equal((await browser.$$('[data-testid="lh-plan-user-error"]')).length, 2);
  const warnings = await settledRead(browser, '[data-testid="lh-plan-warning"]', (e) => e.getText());
  assert.ok(warnings.some((w) => /hardware OATH token that stays active: your roles in Fabrikam/.test(w)), JSON.stringify(warnings));
  const deactivate = await settledRead(browser, '[data-testid="lh-plan-method"]', (e) => e.getText());
  assert.equal(deactivate.filter((t) => /^Deactivate Hardware OATH token/.test(t)).length, 1, JSON.stringify(deactivate));
  const reasons = await settledRead(browser, '[data-testid="approval-reason"]', (e) => e.getText());
  assert.equal(reasons.length, 2, JSON.stringify(reasons));
  assert.ok(reasons.some((r) => /holds an admin role/.test(r)) && reasons.some((r) => /role-assignable group/.test(r)), JSON.stringify(reasons));
  // The twelve users make the dialog scroll; axe judges a label clipped by the scroll box as not
  // visible (its label-title-only rule), so the check is made where the operator types.
  await browser.execute(() => document.getElementById("reason-input").scrollIntoView({ block: "center" }));
  await assertAccessible(browser, "Lighthouse confirmation with a second person's approval");
  await (await el(browser, "#reason-input")).setValue("INC-5001 lost phones");
  assert.equal(await (await el(browser, "#confirm-button")).isEnabled(), false, "the job must wait for the approval");

  // The technician is not offered as their own approver; the team lead signs in and approves.
  const offered = await browser.execute(() => [...document.querySelectorAll("#approver-account option")].map((o) => o.value));
  assert.deepEqual(offered, ["lead@contosopartners.sandbox"]);
  await click(browser, "#approve-button");
  await waitText(browser, '[data-testid="approval-result"]', (t) => /Approved by lead@contosopartners\.sandbox/.test(t), 30000, "the approval");
  await click(browser, "#confirm-button");

  await el(browser, "#lh-job-panel");
  await browser.waitUntil(async () => (await (await el(browser, '[data-testid="job-remaining"]')).getText()).trim() === "0", {
    timeout: 60000,
    timeoutMsg: "the job did not finish",
  });
  const users = await settledRead(browser, '[data-testid="job-user-row"]', (e) => e.getAttribute("data-state"), 20000, (v) => v.length === 10);
  assert.deepEqual(users, Array(10).fill("done"));
  // Woodgrove's hardware OATH token is deactivated (a Privileged Authentication Administrator
  // may); Fabrikam's stays active, as the confirmation warned.
  const methods = await settledRead(browser, '[data-testid="job-method-row"]', (e) => e.getAttribute("data-state"));
  assert.ok(methods.length >= 30 && methods.every((s) => s === "deleted" || s === "deactivated"), JSON.stringify(methods));
  assert.equal(methods.filter((s) => s === "deactivated").length, 1, JSON.stringify(methods));
  assert.equal((await (await el(browser, '[data-testid="job-failed"]')).getText()).trim(), "0");
  await click(browser, "#close-job");
});

test("a customer whose GDAP roles do not allow resetting methods removes the action, with the reason", async () => {
  await signInToLighthouse();
  await selectCustomers(["Fabrikam", "Tailspin Toys"]);
  const reason = await waitText(browser, '[data-testid="action-refusal"]', (t) => /Tailspin Toys/.test(t), 20000, "the refusal");
  assert.ok(reason.length > "Tailspin Toys".length, reason);
  const button = await el(browser, "#action-resetAllMfa");
  assert.equal(await button.isEnabled(), false);
});
