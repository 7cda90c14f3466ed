// The offline cache in the page: cached users while typing, replaced by live results; the
// status line with Refresh and sync progress; offline, cached users marked with their age and
// the user page explaining that actions need a connection.
import { act, fireEvent, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import { SEARCH_DEBOUNCE_MS } from "../hooks/useUserSearch";
import type { CacheStatus, CachedSearch, UserRow, UserSearch } from "../ipc/types";
import { adele, adeleRow, entraTenant, meganRow, SANDBOX_ID } from "../test/fixtures";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import { UserScreen } from "./UserScreen";
import { UsersScreen } from "./UsersScreen";

const searchInput = () => document.getElementById("user-search") as HTMLInputElement;
const rows = () => [...document.querySelectorAll('[data-testid="user-row"]')] as HTMLElement[];
const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

const SYNCED_AT = "2026-11-23T09:30:00Z";

function cached(users: UserRow[], offline = false): CachedSearch {
  return { users, syncedAt: SYNCED_AT, stale: offline, offline };
}

function live(users: UserRow[]): UserSearch {
  return { users, fromCache: null };
}

/** What Rust answers when the directory cannot be reached and its cache has matches. */
function fromCache(users: UserRow[]): UserSearch {
  return { users, fromCache: { syncedAt: SYNCED_AT } };
}

function status(overrides: Partial<CacheStatus> = {}): CacheStatus {
  return {
    users: 1234,
    lastFullSync: SYNCED_AT,
    lastDelta: null,
    syncing: false,
    progress: 0,
    offline: false,
    error: null,
    notice: null,
    ...overrides,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("offline cache", () => {
  test("cached users show at once while typing; the live answer then replaces them", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const renamedLive = { ...adeleRow, displayName: "Adele Vance (live)" };
    const ipc = mockCommands({
      directory_search: (args) => live(args.query === "" ? [] : [renamedLive]),
      search_cached_users: () => cached([adeleRow]),
      cache_status: () => status(),
    });
    renderWithFluent(<UsersScreen connectionId={SANDBOX_ID} offlineCache onOpenUser={() => {}} />);
    await waitFor(() => expect(ipc.callsOf("directory_search").length).toBe(1));

    fireEvent.change(searchInput(), { target: { value: "adele" } });
    // Before the debounce ends, the cache has answered.
    await waitFor(() => expect(rows().map((r) => r.textContent)).toEqual([expect.stringContaining("Adele Vance")]));
    expect(rows()[0].textContent).not.toContain("(live)");
    expect(byTestId("users-cached")?.textContent).toContain("offline cache");
    expect(ipc.callsOf("directory_search").length).toBe(1);
    expect(ipc.callsOf("search_cached_users")).toEqual([{ connectionId: SANDBOX_ID, query: "adele" }]);

    await act(async () => {
      vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS + 10);
    });
    await waitFor(() => expect(rows()[0].textContent).toContain("Adele Vance (live)"));
    expect(byTestId("users-cached")).toBeNull();
    expect(byTestId("users-offline")).toBeNull();
  });

  test("offline, cached users stay on screen marked with the time of their data", async () => {
    mockCommands({
      directory_search: () => fromCache([adeleRow, meganRow]),
      search_cached_users: () => cached([adeleRow, meganRow], true),
      cache_status: () => status({ offline: true }),
    });
    renderWithFluent(<UsersScreen connectionId={SANDBOX_ID} offlineCache onOpenUser={() => {}} />);
    fireEvent.change(searchInput(), { target: { value: "a" } });
    fireEvent.keyDown(searchInput(), { key: "Enter" });
    await waitFor(() => expect(byTestId("users-offline")).not.toBeNull());
    expect(byTestId("users-offline")?.textContent).toContain(
      `Offline — data from ${new Date(SYNCED_AT).toLocaleString()}`,
    );
    expect(byTestId("users-offline")?.textContent).toContain("Actions need a connection");
    expect(rows().length).toBe(2);
    expect(document.getElementById("error-bar")).toBeNull();
    await waitFor(() => expect(byTestId("cache-offline")).not.toBeNull());
  });

  test("offline with nothing cached shows the reason", async () => {
    mockCommands({
      directory_search: () => reject("Offline", "Cannot reach Microsoft Graph at graph.microsoft.com."),
      search_cached_users: () => cached([], true),
      cache_status: () => status({ users: 0, lastFullSync: null }),
    });
    renderWithFluent(<UsersScreen connectionId={SANDBOX_ID} offlineCache onOpenUser={() => {}} />);
    await waitFor(() => expect(document.getElementById("error-bar")?.textContent).toContain("Cannot reach"));
    expect(rows().length).toBe(0);
  });

  test("the status line shows the cache; Refresh starts a sync whose progress shows", async () => {
    let syncing = false;
    const ipc = mockCommands({
      directory_search: () => live([]),
      cache_status: () =>
        syncing ? status({ syncing: true, progress: 200 }) : status({ lastDelta: "2026-11-23T10:00:00Z" }),
      refresh_cache: () => {
        syncing = true;
        return null;
      },
    });
    renderWithFluent(<UsersScreen connectionId={SANDBOX_ID} offlineCache onOpenUser={() => {}} />);
    await waitFor(() => expect(byTestId("cache-summary")?.textContent).toContain("1,234 users"));
    expect(byTestId("cache-summary")?.textContent).toContain(
      `last full sync ${new Date(SYNCED_AT).toLocaleString()}`,
    );
    expect(byTestId("cache-syncing")).toBeNull();
    fireEvent.click(byTestId("cache-refresh")!);
    await waitFor(() => expect(byTestId("cache-syncing")?.textContent).toContain("Syncing… 200 users read"));
    expect(ipc.callsOf("refresh_cache")).toEqual([{ connectionId: SANDBOX_ID }]);
    expect((byTestId("cache-refresh") as HTMLButtonElement).disabled).toBe(true);
  });

  test("Refresh without a sign-in says why; a rebuilt cache's notice is shown", async () => {
    mockCommands({
      directory_search: () => live([]),
      cache_status: () => status({ notice: "The offline cache could not be read; it was moved to x.corrupt-1." }),
      refresh_cache: () => reject("NotSignedIn", "You are not signed in to Sandbox."),
    });
    renderWithFluent(<UsersScreen connectionId={SANDBOX_ID} offlineCache onOpenUser={() => {}} />);
    await waitFor(() => expect(byTestId("cache-notice")?.textContent).toContain("moved to"));
    fireEvent.click(byTestId("cache-refresh")!);
    await waitFor(() => expect(byTestId("cache-refresh-error")?.textContent).toContain("not signed in"));
  });

  test("the user page offline explains that actions need a connection, without crashing", async () => {
    mockCommands({
      directory_user: () => reject("Offline", "Cannot reach Microsoft Graph at graph.microsoft.com."),
    });
    renderWithFluent(
      <UserScreen connection={entraTenant} userId={adele.id} fallbackName="Adele" onBackToUsers={() => {}} />,
    );
    await waitFor(() => expect(byTestId("details-offline")).not.toBeNull());
    expect(byTestId("details-offline")?.textContent).toContain("Actions need a connection");
    expect(document.getElementById("error-bar")?.getAttribute("data-kind")).toBe("Offline");
    expect(byTestId("action-resetPassword")).toBeNull();
  });
});
