// Start-up time and idle memory of a Tauri app under Xvfb, driven through tauri-driver (used by
// .ci/measure-app.sh; not a test). Env: TAURI_APP, MEASURE_KIND ("resetdesk" or "reference"),
// MEASURE_RUNS (default 5). Prints one JSON line with the figures.
//
// Start: from asking tauri-driver for a session (which launches the app) until the first screen
// is interactive — ResetDesk: the sandbox's Sign in button enabled; the reference app: its Greet
// button enabled. Each run gets a fresh data directory (a first start, as after install).
// Memory: after opening a user (ResetDesk: sign in, search "adele", open Adele Vance's
// Authentication methods; reference: one greeting) and 5 s idle, the RSS and PSS of the app
// process and of every process under it (WebKit's web and network processes), from /proc.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { remote } from "webdriverio";

const APP = path.resolve(process.env.TAURI_APP);
const KIND = process.env.MEASURE_KIND ?? "resetdesk";
const RUNS = Number(process.env.MEASURE_RUNS ?? 5);
const DRIVER = process.env.TAURI_DRIVER ?? path.resolve("node_modules/.bin/tauri-driver");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForDriver() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch("http://127.0.0.1:4444/status")).ok) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error("tauri-driver did not start");
}

function children(pid) {
  const out = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

function tree(pid) {
  const all = [pid];
  for (const c of children(pid)) all.push(...tree(c));
  return all;
}

function exeOf(pid) {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return "";
  }
}

function rollup(pid) {
  const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { rss: kb("Rss"), pss: kb("Pss") };
}

/** The app's processes: the one running APP (under the driver) and everything under it. */
function appProcesses(driverPid) {
  const app = tree(driverPid).find((p) => exeOf(p) === APP);
  if (!app) throw new Error(`no process runs ${APP}`);
  return tree(app).map((pid) => ({ pid, name: path.basename(exeOf(pid)), ...rollup(pid) }));
}

async function once() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "measure-"));
  const driver = spawn(DRIVER, [], {
    stdio: "ignore",
    env: { ...process.env, XDG_DATA_HOME: home, XDG_CONFIG_HOME: path.join(home, "config") },
  });
  try {
    await waitForDriver();
    const t0 = performance.now();
    const browser = await remote({
      hostname: "127.0.0.1",
      port: 4444,
      logLevel: "error",
      capabilities: { browserName: "wry", "tauri:options": { application: APP }, "wdio:enforceWebDriverClassic": true },
    });
    const ready = KIND === "resetdesk" ? "#signin-button" : "#greet-button";
    await browser.$(ready).waitForEnabled({ timeout: 60000, interval: 20 });
    const startMs = performance.now() - t0;

    if (KIND === "resetdesk") {
      await browser.$("#signin-account").selectByAttribute("value", "authadmin@contoso.sandbox");
      await browser.$("#signin-button").click();
      await browser.$("#operator-name").waitForExist({ timeout: 30000 });
      await browser.$("#nav-users").click();
      await browser.$("#user-search").addValue("adele");
      const row = browser.$('[data-testid="user-row"][data-login="adele.vance@contoso.sandbox"] td');
      await row.waitForClickable({ timeout: 20000 });
      await row.click();
      await browser.$("#tab-methods").click();
      await browser.$('[data-testid="method-row"]').waitForExist({ timeout: 20000 });
    } else {
      await browser.$("#greet-input").setValue("Ada");
      await browser.$("#greet-button").click();
      await browser.waitUntil(async () => (await browser.$("#greet-msg").getText()).includes("Ada"), { timeout: 10000 });
    }
    await sleep(5000);
    const processes = appProcesses(driver.pid);
    await browser.deleteSession().catch(() => {});
    return { startMs, processes };
  } finally {
    driver.kill();
    await sleep(500);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await once());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (ps, k) => ps.reduce((n, p) => n + p[k], 0);
const last = runs[runs.length - 1].processes;
console.log(
  JSON.stringify({
    kind: KIND,
    runs: RUNS,
    startMsMedian: Math.round(median(runs.map((r) => r.startMs))),
    startMsAll: runs.map((r) => Math.round(r.startMs)),
    rssMiBMedian: +(median(runs.map((r) => sum(r.processes, "rss"))) / 1024).toFixed(1),
    pssMiBMedian: +(median(runs.map((r) => sum(r.processes, "pss"))) / 1024).toFixed(1),
    processes: last.map((p) => `${p.name} rss ${(p.rss / 1024).toFixed(1)} MiB pss ${(p.pss / 1024).toFixed(1)} MiB`),
  }),
);
