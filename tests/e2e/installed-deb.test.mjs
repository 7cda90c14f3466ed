// End to end against the program installed from the .deb (run by .ci/test-installed-deb.sh,
// which installs the package, sets TAURI_APP=/usr/bin/resetdesk and RESETDESK_INSTALLED_DEB to
// the package name, and purges it afterwards). Skipped in the ordinary e2e run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { APP, startApp, el, click, waitText } from "./helpers.mjs";

const PKG = process.env.RESETDESK_INSTALLED_DEB;
const skip = !PKG && "only from .ci/test-installed-deb.sh (RESETDESK_INSTALLED_DEB not set)";

let app;
let browser;

before(async () => {
  if (skip) return;
  app = await startApp();
  browser = app.browser;
});

after(async () => {
  await app?.stop();
});

test("the program under test is the one the package installed", { skip }, () => {
  assert.equal(APP, "/usr/bin/resetdesk");
  const owner = spawnSync("dpkg", ["-S", APP], { encoding: "utf8" });
  assert.equal(owner.status, 0, owner.stderr);
  assert.equal(owner.stdout.trim(), `${PKG}: ${APP}`);
});

test("installed: sign in to the sandbox, search a user and open them", { skip }, async () => {
  const picker = await el(browser, "#signin-account");
  await picker.selectByAttribute("value", "authadmin@contoso.sandbox");
  await click(browser, "#signin-button");
  await waitText(browser, "#operator-name", (t) => /authadmin/.test(t), 30000, "signed-in operator");

  await click(browser, "#nav-users");
  const search = await el(browser, "#user-search");
  await search.addValue("adele");
  await click(browser, '[data-testid="user-row"][data-login="adele.vance@contoso.sandbox"] td');
  await waitText(browser, "#user-title", (t) => /Adele Vance/.test(t), 20000, "user title");
  await click(browser, "#tab-methods");
  await el(browser, '[data-testid="method-row"]');
});

test("installed: per-user files are in the XDG per-user directories, none next to the program", { skip }, async () => {
  await browser.keys(["F1"]);
  const dataDir = await waitText(browser, '[data-testid="about-dataDir"]', (t) => t.length > 1, 10000, "data dir");
  const logDir = await (await el(browser, '[data-testid="about-logDir"]')).getText();
  const configDir = await (await el(browser, '[data-testid="about-configDir"]')).getText();
  assert.equal(dataDir, app.dataDir);
  assert.equal(logDir, path.join(app.dataDir, "logs"));
  assert.equal(configDir, path.join(app.dataHome, "config", "app.resetdesk.desktop"));
  await browser.keys(["Escape"]);

  const logs = fs.readdirSync(logDir).filter((f) => f.endsWith(".log"));
  assert.equal(logs.length, 1, `a log file in ${logDir}`);
  assert.match(fs.readFileSync(path.join(logDir, logs[0]), "utf8"), /ResetDesk started/);
  // Signing in starts the sync of the sandbox's offline cache, in the data directory.
  await browser.waitUntil(() => fs.existsSync(path.join(dataDir, "cache", "sandbox.db")), {
    timeout: 30000,
    timeoutMsg: `no offline cache in ${path.join(dataDir, "cache")}`,
  });
  // Nothing was written under the installed program's own directories.
  const owned = spawnSync("dpkg", ["-L", PKG], { encoding: "utf8" }).stdout.trim().split("\n");
  for (const dir of ["/usr/bin", "/usr/share/applications"]) {
    const extra = fs.readdirSync(dir).filter((f) => /resetdesk/i.test(f)).map((f) => path.join(dir, f)).filter((f) => !owned.includes(f));
    assert.deepEqual(extra, [], `no stray ResetDesk files in ${dir}`);
  }
});
