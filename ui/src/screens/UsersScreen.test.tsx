import { act, fireEvent, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import { adeleRow, meganRow, SANDBOX_ID } from "../test/fixtures";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import type { UserRow, UserSearch } from "../ipc/types";
import { SEARCH_DEBOUNCE_MS } from "../hooks/useUserSearch";
import { UsersScreen } from "./UsersScreen";

const searchInput = () => document.getElementById("user-search") as HTMLInputElement;
const rows = () => [...document.querySelectorAll('[data-testid="user-row"]')] as HTMLElement[];

function directory(query: unknown): UserSearch {
  const q = String(query).toLowerCase();
  const users = [adeleRow, meganRow].filter((u) => u.displayName.toLowerCase().includes(q) || u.login.includes(q));
  return { users, fromCache: null };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("users", () => {
  test("lists the first page on arrival, then searches once typing pauses", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const ipc = mockCommands({ directory_search: (args) => directory(args.query) });
    renderWithFluent(<UsersScreen connectionId={SANDBOX_ID} onOpenUser={() => {}} />);
    await waitFor(() => expect(rows().length).toBe(2));
    expect(ipc.callsOf("directory_search")).toEqual([{ connectionId: SANDBOX_ID, query: "" }]);

    expect(searchInput().tagName).toBe("INPUT");
    fireEvent.change(searchInput(), { target: { value: "a" } });
    fireEvent.change(searchInput(), { target: { value: "ad" } });
    fireEvent.change(searchInput(), { target: { value: "adele" } });
    await act(async () => {
      vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS + 10);
    });
    await waitFor(() => expect(rows().length).toBe(1));
    // The three keystrokes made one request, for the text as it stood when typing paused.
    expect(ipc.callsOf("directory_search").slice(1)).toEqual([{ connectionId: SANDBOX_ID, query: "adele" }]);
    expect(rows()[0].getAttribute("data-login")).toBe("adele.vance@contoso.sandbox");
    expect(rows()[0].textContent).toContain("Retail Manager");
  });

  test("Enter searches at once, and a click on a row opens the user", async () => {
    const ipc = mockCommands({ directory_search: (args) => directory(args.query) });
    const opened: UserRow[] = [];
    renderWithFluent(<UsersScreen connectionId={SANDBOX_ID} onOpenUser={(u) => opened.push(u)} />);
    await waitFor(() => expect(rows().length).toBe(2));
    fireEvent.change(searchInput(), { target: { value: "megan" } });
    fireEvent.keyDown(searchInput(), { key: "Enter" });
    await waitFor(() => expect(rows().length).toBe(1));
    expect(ipc.callsOf("directory_search")[1]).toEqual({ connectionId: SANDBOX_ID, query: "megan" });
    fireEvent.click(rows()[0]);
    expect(opened.map((u) => u.id)).toEqual([meganRow.id]);
  });

  test("no match says so; an error is shown", async () => {
    let fail = false;
    mockCommands({
      directory_search: (args) => (fail ? reject("Throttled", "Graph is throttling; try again shortly.") : directory(args.query)),
    });
    renderWithFluent(<UsersScreen connectionId={SANDBOX_ID} onOpenUser={() => {}} />);
    await waitFor(() => expect(rows().length).toBe(2));
    fireEvent.change(searchInput(), { target: { value: "zzz" } });
    fireEvent.keyDown(searchInput(), { key: "Enter" });
    await waitFor(() => expect(document.querySelector('[data-testid="users-empty"]')?.textContent).toContain("zzz"));
    fail = true;
    fireEvent.keyDown(searchInput(), { key: "Enter" });
    await waitFor(() => expect(document.getElementById("error-bar")?.textContent).toContain("Graph is throttling"));
  });
});
