import { fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { App } from "./App";
import type { AboutInfo } from "./ipc/types";
import { adeleRow, sandboxConnection, SANDBOX_ID } from "./test/fixtures";
import { mockCommands, reject, renderWithFluent } from "./test/render";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;

const ABOUT: AboutInfo = {
  productName: "ResetDesk",
  version: "0.1.0",
  identifier: "app.resetdesk.desktop",
  tauriVersion: "2.12.5",
  os: "linux x86_64",
  dataDir: "/home/op/.local/share/app.resetdesk.desktop",
  settingsFile: "/home/op/.local/share/app.resetdesk.desktop/settings.json",
  auditLog: "/home/op/.local/share/app.resetdesk.desktop/audit.jsonl",
  logDir: "/home/op/.local/share/app.resetdesk.desktop/logs",
  logLevel: "info",
  configDir: "/home/op/.config/app.resetdesk.desktop",
};

function signedInApp(extra: Record<string, (args: Record<string, unknown>) => unknown> = {}) {
  return mockCommands({
    list_connections: () => [sandboxConnection(true)],
    directory_search: () => ({ users: [adeleRow], fromCache: null }),
    search_cached_users: () => ({ users: [adeleRow], syncedAt: null, stale: false, offline: false }),
    cache_status: () => ({
      users: 1, lastFullSync: null, lastDelta: null, syncing: false, progress: 0, offline: false, error: null, notice: null,
    }),
    ...extra,
  });
}

describe("keyboard", () => {
  test("Ctrl+K from another screen goes to Users and puts the caret in the search box", async () => {
    signedInApp();
    renderWithFluent(<App />);
    await waitFor(() => expect(document.querySelector(`[data-testid="connection-${SANDBOX_ID}"]`)).not.toBeNull());
    expect(byId("user-search")).toBeNull();
    fireEvent.keyDown(document.body, { key: "k", ctrlKey: true });
    await waitFor(() => expect(document.activeElement?.id).toBe("user-search"));
    expect(byId("nav-users")?.getAttribute("aria-current")).toBe("page");
  });

  test('"/" focuses the search, but types a slash while a field has the focus', async () => {
    signedInApp();
    renderWithFluent(<App />);
    await waitFor(() => expect(byId("nav-users")).not.toBeNull());
    fireEvent.click(byId("nav-users")!);
    await waitFor(() => expect(byId("user-search")).not.toBeNull());
    byId("nav-users")!.focus();
    const slash = fireEvent.keyDown(byId("nav-users")!, { key: "/" });
    expect(slash).toBe(false); // handled (default prevented)
    await waitFor(() => expect(document.activeElement?.id).toBe("user-search"));
    const inField = fireEvent.keyDown(byId("user-search")!, { key: "/" });
    expect(inField).toBe(true); // left to the field
  });

  test("F1 opens About with the version and paths from Rust; Escape closes it", async () => {
    const ipc = signedInApp({ about: () => ABOUT });
    renderWithFluent(<App />);
    await waitFor(() => expect(byId("about-button")).not.toBeNull());
    fireEvent.keyDown(document.body, { key: "F1" });
    await waitFor(() => expect(document.querySelector('[data-testid="about-logDir"]')?.textContent).toBe(ABOUT.logDir));
    expect(document.querySelector('[data-testid="about-version"]')?.textContent).toBe("0.1.0");
    expect(document.querySelector('[data-testid="about-auditLog"]')?.textContent).toBe(ABOUT.auditLog);
    expect(ipc.callsOf("about")).toEqual([{}]);
    // A shortcut does nothing while the dialog has the focus.
    fireEvent.keyDown(document.activeElement ?? document.body, { key: "k", ctrlKey: true });
    expect(byId("user-search")).toBeNull();
    fireEvent.keyDown(document.activeElement ?? document.body, { key: "Escape" });
    await waitFor(() => expect(byId("about-dialog")).toBeNull());
  });

  test("About shows Rust's error when it cannot answer", async () => {
    signedInApp({ about: () => reject("Internal", "Could not find the log directory") });
    renderWithFluent(<App />);
    await waitFor(() => expect(byId("about-button")).not.toBeNull());
    fireEvent.click(byId("about-button")!);
    await waitFor(() => expect(byId("about-dialog")?.textContent).toContain("Could not find the log directory"));
  });
});
