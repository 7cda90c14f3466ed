import { fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { App } from "./App";
import { adele, adeleDetails, adeleRow, operator, sandboxConnection, SANDBOX_ID } from "./test/fixtures";
import { mockCommands, reject, renderWithFluent } from "./test/render";
import { fromSandbox } from "./test/sandbox";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;

describe("app", () => {
  test("signs in to the sandbox as the chosen demo account, shows the operator, then finds and opens a user", async () => {
    let signedIn = false;
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(signedIn)],
      sign_in: () => {
        signedIn = true;
        return fromSandbox.entraSignIn;
      },
      directory_search: () => ({ users: [adeleRow], fromCache: null }),
      directory_user: () => adeleDetails(),
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(document.querySelector(`[data-testid="connection-${SANDBOX_ID}"]`)).not.toBeNull());

    const picker = byId("signin-account") as HTMLSelectElement;
    expect(picker.tagName).toBe("SELECT");
    // Rust's demo accounts, in its order; the Helpdesk Administrator is not the first.
    const accounts = sandboxConnection(false).demoAccounts;
    expect([...picker.options].map((o) => [o.value, o.textContent])).toEqual(
      accounts.map((a) => [a.userPrincipalName, `${a.displayName} — ${a.roleLabel}`]),
    );
    expect(accounts[0].userPrincipalName).not.toBe("helpdesk@contoso.sandbox");
    fireEvent.change(picker, { target: { value: "helpdesk@contoso.sandbox" } });
    fireEvent.click(byId("signin-button")!);

    await waitFor(() => expect(byId("operator-name")?.textContent).toContain(operator.displayName));
    expect(byId("operator-name")?.textContent).toContain("helpdesk@contoso.sandbox · Helpdesk Administrator");
    expect(ipc.callsOf("sign_in")).toEqual([{ connectionId: SANDBOX_ID, account: "helpdesk@contoso.sandbox" }]);
    expect(byId("signout-button")).not.toBeNull();
    expect(document.body.textContent).toContain("Helpdesk Administrator");

    fireEvent.click(byId("nav-users")!);
    await waitFor(() => expect(document.querySelector('[data-testid="user-row"]')).not.toBeNull());
    fireEvent.change(byId("user-search")!, { target: { value: "adele" } });
    fireEvent.keyDown(byId("user-search")!, { key: "Enter" });
    await waitFor(() => expect(ipc.callsOf("directory_search").at(-1)).toEqual({ connectionId: SANDBOX_ID, query: "adele" }));
    fireEvent.click(document.querySelector('[data-login="adele.vance@contoso.sandbox"]')!);
    await waitFor(() => expect(byId("user-title")?.textContent).toBe("Adele Vance"));
    expect(ipc.callsOf("directory_user")).toEqual([{ connectionId: SANDBOX_ID, userId: adele.id }]);

    // Back to the list: the operator's search is still there and is run again.
    fireEvent.click(byId("nav-users")!);
    await waitFor(() => expect((byId("user-search") as HTMLInputElement).value).toBe("adele"));
    await waitFor(() => expect(ipc.callsOf("directory_search").at(-1)).toEqual({ connectionId: SANDBOX_ID, query: "adele" }));
    expect(ipc.callsOf("directory_search").length).toBe(3);
  });

  test("Sign out calls sign_out and the Users screen then asks to sign in", async () => {
    let signedIn = true;
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(signedIn)],
      sign_out: () => {
        signedIn = false;
        return null;
      },
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(byId("signout-button")).not.toBeNull());
    fireEvent.click(byId("signout-button")!);
    await waitFor(() => expect(byId("signin-button")).not.toBeNull());
    expect(ipc.callsOf("sign_out")).toEqual([{ connectionId: SANDBOX_ID }]);
    expect(byId("operator-name")).toBeNull();
    fireEvent.click(byId("nav-users")!);
    await waitFor(() => expect(document.querySelector('[data-testid="not-signed-in"]')).not.toBeNull());
    // Exactly one nav item is marked as the current page.
    expect(document.querySelectorAll('[id^="nav-"][aria-current="page"]').length).toBe(1);
    expect(byId("nav-users")?.getAttribute("aria-current")).toBe("page");
  });

  test("a failed sign-in shows the error", async () => {
    mockCommands({
      list_connections: () => [sandboxConnection(false)],
      sign_in: () => reject("Offline", "The sandbox is not running. Restart ResetDesk."),
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(byId("signin-button")).not.toBeNull());
    fireEvent.click(byId("signin-button")!);
    await waitFor(() => expect(byId("error-bar")?.textContent).toContain("The sandbox is not running."));
  });

  test("a session lost during a search shows as signed out, and Users asks to sign in again", async () => {
    let signedIn = true;
    mockCommands({
      list_connections: () => [sandboxConnection(signedIn)],
      directory_search: () => {
        signedIn = false;
        return reject("NotSignedIn", "Your session expired. Sign in again.");
      },
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(byId("operator-name")).not.toBeNull());
    fireEvent.click(byId("nav-users")!);
    await waitFor(() => expect(byId("operator-name")).toBeNull());
    expect(document.querySelector('[data-testid="not-signed-in"]')).not.toBeNull();
  });

  test("a connection without a usable keychain says sign-ins last for this session only", async () => {
    mockCommands({
      list_connections: () => [
        { ...sandboxConnection(false), keychain: { state: "sessionOnly", reason: "no Secret Service on D-Bus" } },
      ],
    });
    renderWithFluent(<App />);
    await waitFor(() =>
      expect(document.querySelector('[data-testid="keychain-session-only"]')?.textContent).toContain("no Secret Service on D-Bus"),
    );
  });
});
