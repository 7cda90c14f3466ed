// Shared plumbing for the end-to-end tests: start tauri-driver (which starts WebKitWebDriver and
// the real ResetDesk binary), open a WebDriver session, and small waits on the page.
// Env: TAURI_APP (default target/debug/resetdesk), TAURI_DRIVER (default tauri-driver on PATH).
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { remote } from "webdriverio";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const APP = path.resolve(process.env.TAURI_APP ?? "target/debug/resetdesk");
// The npm package @crabnebula/tauri-driver ships a prebuilt tauri-driver; prefer it.
const LOCAL_DRIVER = path.resolve("node_modules/.bin/tauri-driver");
const DRIVER = process.env.TAURI_DRIVER ?? (fs.existsSync(LOCAL_DRIVER) ? LOCAL_DRIVER : "tauri-driver");

async function waitForDriver(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not answer on ${url}`);
}

/** Process groups started and not yet stopped: ended when this test process exits, however. */
const liveGroups = new Set();
process.on("exit", () => {
  for (const group of liveGroups) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // gone already
    }
  }
});

/** A TCP port free on this machine now (the system picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real app with a fresh data directory and returns { browser, stop, dataDir, dataHome }.
 * Options: `dataHome` reuses the XDG data/config home of an earlier run (a restart); `settings`
 * is written as the app's settings.json before it starts; `env` adds to the app's environment.
 *
 * One instance at a time: a ResetDesk started while another runs hands over to it and exits,
 * and WebKitWebDriver then waits for a window that never comes (the session request hangs for
 * two minutes: reproduced here, and seen in a CI run whose later starts then reached the drivers
 * left on the shared port 4444). So a start first makes sure no instance of the binary runs,
 * uses ports of its own, and a stop ends the whole process group it started.
 */
export async function startApp({ dataHome: reuse, settings, env = {} } = {}) {
  if (!fs.existsSync(APP)) throw new Error(`app binary not found: ${APP} (run: npx tauri build --debug --no-bundle)`);
  await appGone("before a new start");
  // A fresh per-run data dir: settings, audit log. The keychain comes from with-keychain.sh.
  const dataHome = reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), "resetdesk-e2e-"));
  if (settings) {
    fs.mkdirSync(path.join(dataHome, "app.resetdesk.desktop"), { recursive: true });
    fs.writeFileSync(path.join(dataHome, "app.resetdesk.desktop", "settings.json"), JSON.stringify(settings));
  }
  fs.mkdirSync("target", { recursive: true });
  const logPath = process.env.E2E_DRIVER_LOG ?? "target/e2e-tauri-driver.log";
  const log = fs.openSync(logPath, "a");
  // Ports of this start alone: a driver left over from a failed start can never answer for it.
  const port = await freePort();
  const nativePort = await freePort();
  // Its own process group (tauri-driver, WebKitWebDriver, the app and WebKit's processes), so
  // that stopping ends all of them even when the session cannot be closed politely.
  const driver = spawn(DRIVER, ["--port", String(port), "--native-port", String(nativePort)], {
    detached: true,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      // The app keeps its settings and audit log under $XDG_DATA_HOME/<identifier>.
      XDG_DATA_HOME: dataHome,
      XDG_CONFIG_HOME: path.join(dataHome, "config"),
      // Xvfb has no GPU: WebKit's accelerated compositing runs on Mesa's software rasterizer,
      // whose compositor thread was seen to segfault (dmesg: "ThreadedCompositor ... segfault
      // ... in swrast_dri.so"), killing the page mid-test ("session deleted because of page
      // crash"). The tests drive the DOM, not the GPU path: they run with compositing off, as
      // WebKitGTK documents for displays without working GL.
      WEBKIT_DISABLE_COMPOSITING_MODE: "1",
      ...env,
    },
  });
  fs.closeSync(log);
  const endTree = (signal) => {
    liveGroups.delete(driver.pid);
    try {
      process.kill(-driver.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  if (driver.pid) liveGroups.add(driver.pid);
  let browser;
  try {
    await Promise.race([
      waitForDriver(`http://127.0.0.1:${port}/status`, 20000),
      new Promise((_, reject) =>
        driver.on("error", (e) => reject(new Error(`could not start tauri-driver (${DRIVER}): ${e.message}`))),
      ),
    ]);
    browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      // A request that takes a minute is a hang, not a slow machine (a session starts in about a
      // second); and a request is never sent twice: a retry would hide the cause.
      connectionRetryTimeout: 60000,
      connectionRetryCount: 0,
      capabilities: {
        browserName: "wry",
        "tauri:options": { application: APP },
        "wdio:enforceWebDriverClassic": true,
      },
    });
  } catch (error) {
    endTree("SIGKILL");
    await appGone("after a failed start", { kill: true });
    throw new Error(`${error.message} (tauri-driver and the app log to ${logPath})`);
  }
  const stop = async () => {
    await browser.deleteSession().catch(() => {});
    endTree("SIGTERM");
    await appGone("after stop", { kill: true });
  };
  return { browser, stop, dataHome, dataDir: path.join(dataHome, "app.resetdesk.desktop") };
}

/** The processes that run the app binary now (a zombie has no /proc/<pid>/exe: not counted). */
function appPids() {
  const real = fs.realpathSync(APP);
  return fs.readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return fs.readlinkSync(`/proc/${pid}/exe`) === real;
    } catch {
      return false;
    }
  });
}

/** Whether the app's single-instance name is still on the session bus (released as it exits). */
function singleInstanceNameOwned() {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return false;
  const reply = spawnSync("dbus-send", ["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
    "org.freedesktop.DBus.NameHasOwner", "string:app.resetdesk.desktop.SingleInstance"], { encoding: "utf8" });
  return /boolean true/.test(reply.stdout ?? "");
}

/**
 * Waits (up to 15 s) until no process runs the app binary and its single-instance name is free.
 * With `kill`, an instance still there then is killed: it is one these tests started and just
 * stopped. Without it (before a start, where it may be a developer's own window of the same
 * build) it is only named. Either way an instance that stays fails the test here, rather than
 * making the next start hang on it.
 */
export async function appGone(when, { kill = false } = {}) {
  const settled = () => appPids().length === 0 && !singleInstanceNameOwned();
  const waitUpTo = async (ms) => {
    const end = Date.now() + ms;
    while (!settled() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    return settled();
  };
  if (await waitUpTo(15000)) return;
  const left = appPids();
  if (kill) {
    for (const pid of left) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // exited meanwhile
      }
    }
    if (await waitUpTo(5000)) {
      console.error(`# ${when}: ${APP} was still running 15 s on (pid ${left.join(", ")}) and was killed`);
      return;
    }
  }
  throw new Error(
    `${when}: ${APP} is still running (pid ${appPids().join(", ") || "none"}; its single-instance name ` +
      `is ${singleInstanceNameOwned() ? "" : "not "}on the session bus); a new start would hand over to it`,
  );
}

const isStale = (error) => /stale element|not found again|no longer attached/i.test(String(error?.message ?? error));

/** Waits for an element and returns it (looking again if the page replaced it meanwhile). */
export async function el(browser, selector, timeout = 20000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      const e = await browser.$(selector);
      await e.waitForExist({ timeout: Math.max(1000, end - Date.now()), timeoutMsg: `${selector} did not appear` });
      return e;
    } catch (error) {
      if (!isStale(error) || Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Waits until no finite animation runs (a dialog fading and scaling in). WebDriver clicks at
 * the element's centre as measured before the click: while a Fluent dialog still scales in,
 * that point moves, and the click can land beside the button and be lost. Endless animations
 * (spinners) are not waited for.
 */
export async function animationsSettled(browser, timeout = 5000) {
  await browser.waitUntil(
    () =>
      browser.execute(() =>
        document
          .getAnimations()
          .every((a) => a.playState !== "running" || a.effect?.getTiming?.().iterations === Infinity),
      ),
    { timeout, timeoutMsg: "animations still running" },
  );
}

/**
 * Picks `value` in the <select> `selector` as the operator does: scrolled into view first (a
 * confirmation scrolls; WebKit's driver does not scroll to an option of a closed select, and
 * reports it "not interactable" below the fold) and once the dialog has stopped moving.
 */
export async function choose(browser, selector, value, timeout = 20000) {
  const picker = await el(browser, selector, timeout);
  await picker.scrollIntoView({ block: "center" });
  await animationsSettled(browser);
  await picker.selectByAttribute("value", value);
  return picker;
}

export async function click(browser, selector, timeout = 20000) {
  // The page re-renders as results arrive (search as you type): an element found a moment
  // ago can be replaced before the click lands. Find it again and retry, within the timeout.
  const end = Date.now() + timeout;
  for (;;) {
    try {
      const e = await el(browser, selector, Math.max(1000, end - Date.now()));
      await e.waitForClickable({ timeout: Math.max(1000, end - Date.now()), timeoutMsg: `${selector} not clickable` });
      await animationsSettled(browser);
      await e.click();
      return e;
    } catch (error) {
      if (!isStale(error) || Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function waitText(browser, selector, predicate, timeout = 20000, what = "text") {
  let last = "";
  await browser.waitUntil(
    async () => {
      const e = await browser.$(selector);
      if (!(await e.isExisting())) return false;
      last = await e.getText();
      return predicate(last);
    },
    { timeout, timeoutMsg: `${selector}: ${what} not reached (last: ${JSON.stringify(last)})` },
  );
  return last;
}

/** Calls a Tauri command the way a forged page script would: straight through the IPC bridge. */
export async function forgeInvoke(browser, cmd, args) {
  // Results cross WebDriver as JSON text: WebKitWebDriver mangles a returned object that
  // looks like an error ({kind, message}).
  const raw = await browser.executeAsync(
    (c, a, done) => {
      window.__TAURI_INTERNALS__
        .invoke(c, a)
        .then((v) => done(JSON.stringify({ ok: true, value: v })))
        .catch((e) => done(JSON.stringify({ ok: false, error: e })));
    },
    cmd,
    args,
  );
  return JSON.parse(raw);
}

/**
 * Reads every element matching `selector` once the page has settled: retries while elements
 * are replaced under us (stale) and until two reads in a row agree. `read` maps an element to
 * a value (default: its text); `ready` can demand more of the values (e.g. rendered text).
 */
export async function settledRead(browser, selector, read = (e) => e.getText(), timeout = 20000, ready = () => true) {
  const end = Date.now() + timeout;
  let previous = null;
  let lastError = null;
  while (Date.now() < end) {
    try {
      const values = [];
      for (const e of await browser.$$(selector)) values.push(await read(e));
      const key = JSON.stringify(values);
      if (values.length > 0 && key === previous && ready(values)) return values;
      previous = key;
    } catch (error) {
      if (!isStale(error)) throw error;
      lastError = error;
      previous = null;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${selector} did not settle within ${timeout} ms${lastError ? ` (${lastError.message})` : ""}`);
}

/**
 * Closes whatever dialog an earlier test left open (a test may end on its result), so the next
 * test starts on a clear window and one failure stays one. A dialog still scaling in moves its
 * button under the click (see `animationsSettled`), so each close waits for the animations and
 * then for the dialog to be gone: a lost click here left the next test facing a dialog that
 * covered the navigation.
 */
export async function closeDialogs(browser) {
  for (const id of ["#close-result", "#cancel-button", "#add-connection-cancel", "#remove-connection-cancel"]) {
    const e = await browser.$(id);
    if (!(await e.isExisting().catch(() => false))) continue;
    await animationsSettled(browser).catch(() => {});
    await e.click().catch(() => {});
    await browser.$(id).waitForExist({ reverse: true, timeout: 5000 }).catch(() => {});
  }
}

export async function axeViolations(browser, context) {
  // The page's CSP forbids inline scripts; WebDriver's execute runs outside it.
  await browser.execute(AXE_SOURCE);
  const raw = await browser.executeAsync((done) => {
    // Fluent's focus manager (Tabster) puts invisible, aria-hidden "dummy" inputs at the edges of
    // focus groups to trap and hand on focus; axe reports them as focusable hidden elements.
    // They are not content: left out (Fluent UI's own a11y tests do the same).
    window.axe
      .run({ exclude: [["[data-tabster-dummy]"]] }, { resultTypes: ["violations"] })
      .then((r) =>
        done(
          JSON.stringify(
            r.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => `${n.html.slice(0, 160)} :: ${(n.failureSummary ?? "").slice(0, 200)}`),
            })),
          ),
        ),
      )
      .catch((e) => done(JSON.stringify({ error: String(e) })));
  });
  const result = JSON.parse(raw);
  assert.ok(Array.isArray(result), `axe ran on ${context}: ${raw}`);
  return result;
}

/** Fails on any serious or critical axe-core violation on the page as it is drawn now. */
export async function assertAccessible(browser, context) {
  // Colours are checked as drawn: let dialogs finish fading in first (mid-fade they are paler).
  await browser.waitUntil(
    () => browser.execute(() => document.getAnimations().every((a) => a.playState !== "running")),
    { timeout: 10000, timeoutMsg: `${context}: animations still running` },
  );
  const violations = await axeViolations(browser, context);
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious, [], `${context}: serious or critical accessibility violations`);
}


/**
 * Types `text` into the Users screen's search box, cleared first the way a person does
 * (select all, delete), so React sees every change.
 */
export async function typeSearch(browser, text) {
  const search = await el(browser, "#user-search");
  await search.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  await search.addValue(text);
}
