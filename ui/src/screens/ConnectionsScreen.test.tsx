import { fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { useConnections } from "../hooks/useConnections";
import type { ConnectionView } from "../ipc/types";
import { PS_ID, psConnection, sandboxConnection, SANDBOX_ID, ZOHO_ID, zohoConnection } from "../test/fixtures";
import { fromSandbox } from "../test/sandbox";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import { ConnectionsScreen } from "./ConnectionsScreen";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;
const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const type = (id: string, value: string) => fireEvent.change(byId(id)!, { target: { value } });
const valueOf = (id: string) => (byId(id) as HTMLInputElement).value;

const TENANT_ID = "entra-7f3c";

function fabrikam(overrides: Partial<ConnectionView> = {}): ConnectionView {
  return {
    id: TENANT_ID,
    kind: "entraTenant",
    displayName: "Fabrikam production",
    sandbox: false,
    kindLine: "Microsoft Entra tenant",
    signedIn: false,
    operator: null,
    account: null,
    summary: null,
    keychain: { state: "available" },
    servedThroughSeam: false,
    stepsByHand: false,
    offlineCache: true,
    listsTenants: false,
    outageDemo: false,
    secondDesktopDemo: false,
    asksForPassword: false,
    demoAccounts: [],
    actions: fromSandbox.entraConnectionSignedOut.actions,
    ...overrides,
  };
}

/** The screen with the real hook, so every call goes through ipc/api to the mocked Rust. */
function ConnectionsHarness() {
  return <ConnectionsScreen state={useConnections()} />;
}

async function renderScreen() {
  renderWithFluent(<ConnectionsHarness />);
  await waitFor(() => expect(byTestId(`connection-${SANDBOX_ID}`)).not.toBeNull());
}

async function openAddDialog() {
  fireEvent.click(byId("add-connection")!);
  await waitFor(() => expect(byId("add-connection-dialog")).not.toBeNull());
}

describe("connections: add a Microsoft Entra tenant", () => {
  test("sends the trimmed form for a preset cloud without endpoints, closes, and lists the new tenant", async () => {
    let connections: ConnectionView[] = [sandboxConnection(false)];
    const ipc = mockCommands({
      list_connections: () => connections,
      add_connection: () => {
        connections = [...connections, fabrikam()];
        return fabrikam();
      },
    });
    await renderScreen();
    await openAddDialog();
    expect(byTestId("add-connection-help")?.textContent).toBe(
      "Register a public client (Mobile and desktop) with redirect URI http://127.0.0.1/callback and the delegated " +
        "permissions User.Read.All, UserAuthenticationMethod.ReadWrite.All, User-PasswordProfile.ReadWrite.All, " +
        "User.RevokeSessions.All, Policy.Read.AuthenticationMethod.",
    );

    const cloud = byId("conn-cloud") as HTMLSelectElement;
    expect(cloud.tagName).toBe("SELECT");
    expect([...cloud.options].map((o) => [o.value, o.textContent])).toEqual([
      ["public", "Public (global)"],
      ["usGovernment", "US Government"],
      ["china", "China (21Vianet)"],
      ["custom", "Custom"],
    ]);
    expect(byId("conn-login-url")).toBeNull();
    expect(byId("conn-graph-url")).toBeNull();

    type("conn-name", "  Fabrikam production ");
    type("conn-tenant", " fabrikam.onmicrosoft.us\t");
    type("conn-client-id", " 11111111-2222-3333-4444-555555555555  ");
    // Endpoints typed under Custom and then abandoned for a preset must not be sent.
    fireEvent.change(cloud, { target: { value: "custom" } });
    await waitFor(() => expect(byId("conn-login-url")).not.toBeNull());
    type("conn-login-url", "https://login.example.test");
    type("conn-graph-url", "https://graph.example.test");
    fireEvent.change(cloud, { target: { value: "usGovernment" } });
    await waitFor(() => expect(byId("conn-login-url")).toBeNull());
    fireEvent.click(byId("add-connection-save")!);

    await waitFor(() => expect(byId("add-connection-dialog")).toBeNull());
    expect(ipc.callsOf("add_connection")).toStrictEqual([
      {
        connection: {
          provider: "entra",
          displayName: "Fabrikam production",
          tenant: "fabrikam.onmicrosoft.us",
          clientId: "11111111-2222-3333-4444-555555555555",
          cloud: "usGovernment",
        },
      },
    ]);
    await waitFor(() => expect(byTestId(`connection-${TENANT_ID}`)).not.toBeNull());
    expect(ipc.callsOf("list_connections").length).toBe(2);
  });

  test("the Custom cloud asks for both endpoints and sends them trimmed", async () => {
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(false)],
      add_connection: () => fabrikam(),
    });
    await renderScreen();
    await openAddDialog();
    type("conn-name", "Lab");
    type("conn-tenant", "00000000-aaaa-bbbb-cccc-000000000001");
    type("conn-client-id", "11111111-2222-3333-4444-555555555555");
    fireEvent.change(byId("conn-cloud")!, { target: { value: "custom" } });
    await waitFor(() => expect(byId("conn-graph-url")).not.toBeNull());
    type("conn-login-url", " https://login.lab.example ");
    type("conn-graph-url", "https://graph.lab.example  ");
    fireEvent.click(byId("add-connection-save")!);

    await waitFor(() => expect(byId("add-connection-dialog")).toBeNull());
    expect(ipc.callsOf("add_connection")).toStrictEqual([
      {
        connection: {
          provider: "entra",
          displayName: "Lab",
          tenant: "00000000-aaaa-bbbb-cccc-000000000001",
          clientId: "11111111-2222-3333-4444-555555555555",
          cloud: "custom",
          loginBaseUrl: "https://login.lab.example",
          graphBaseUrl: "https://graph.lab.example",
        },
      },
    ]);
  });

  test("an InvalidInput rejection shows Rust's message in the dialog, which stays open with what was typed", async () => {
    const tenantMessage =
      "The tenant must be its tenant id (a GUID) or its primary domain, e.g. contoso.onmicrosoft.com.";
    let connections: ConnectionView[] = [sandboxConnection(false)];
    const ipc = mockCommands({
      list_connections: () => connections,
      add_connection: (args) => {
        const connection = args.connection as { tenant: string };
        if (!connection.tenant.includes(".")) return reject("InvalidInput", tenantMessage);
        connections = [...connections, fabrikam()];
        return fabrikam();
      },
    });
    await renderScreen();
    await openAddDialog();
    type("conn-name", "Fabrikam production");
    type("conn-tenant", "fabrikam");
    type("conn-client-id", "11111111-2222-3333-4444-555555555555");
    fireEvent.click(byId("add-connection-save")!);

    await waitFor(() => expect(byId("add-connection-error")?.textContent).toContain(tenantMessage));
    expect(byId("add-connection-dialog")).not.toBeNull();
    expect(valueOf("conn-name")).toBe("Fabrikam production");
    expect(valueOf("conn-tenant")).toBe("fabrikam");
    expect(valueOf("conn-client-id")).toBe("11111111-2222-3333-4444-555555555555");
    // Nothing was added, so the list was not re-read and the screen shows no error of its own.
    expect(ipc.callsOf("list_connections").length).toBe(1);
    expect(byId("error-bar")).toBeNull();
    expect((byId("add-connection-save") as HTMLButtonElement).disabled).toBe(false);

    // Corrected, the same form goes through.
    type("conn-tenant", "fabrikam.onmicrosoft.com");
    fireEvent.click(byId("add-connection-save")!);
    await waitFor(() => expect(byId("add-connection-dialog")).toBeNull());
    await waitFor(() => expect(byTestId(`connection-${TENANT_ID}`)).not.toBeNull());
    expect(ipc.callsOf("add_connection").length).toBe(2);
  });

  test("Cancel closes the dialog without adding anything, and it opens empty again", async () => {
    const ipc = mockCommands({ list_connections: () => [sandboxConnection(false)] });
    await renderScreen();
    await openAddDialog();
    type("conn-name", "Half typed");
    fireEvent.click(byId("add-connection-cancel")!);
    await waitFor(() => expect(byId("add-connection-dialog")).toBeNull());
    expect(ipc.callsOf("add_connection")).toEqual([]);
    await openAddDialog();
    expect(valueOf("conn-name")).toBe("");
  });
});

describe("connections: remove a tenant", () => {
  test("Remove asks for confirmation; Cancel keeps the tenant, Remove calls remove_connection", async () => {
    let connections: ConnectionView[] = [sandboxConnection(false), fabrikam({ signedIn: true })];
    const ipc = mockCommands({
      list_connections: () => connections,
      remove_connection: (args) => {
        connections = connections.filter((c) => c.id !== args.connectionId);
        return null;
      },
    });
    await renderScreen();
    await waitFor(() => expect(byTestId(`remove-connection-${TENANT_ID}`)).not.toBeNull());

    fireEvent.click(byTestId(`remove-connection-${TENANT_ID}`)!);
    await waitFor(() => expect(byId("remove-connection-dialog")).not.toBeNull());
    expect(byId("remove-connection-dialog")?.textContent).toContain(
      "Remove Fabrikam production? You will be signed out and its sign-in is deleted from the keychain.",
    );
    fireEvent.click(byId("remove-connection-cancel")!);
    await waitFor(() => expect(byId("remove-connection-dialog")).toBeNull());
    expect(ipc.callsOf("remove_connection")).toEqual([]);
    expect(byTestId(`connection-${TENANT_ID}`)).not.toBeNull();

    fireEvent.click(byTestId(`remove-connection-${TENANT_ID}`)!);
    await waitFor(() => expect(byId("remove-connection-confirm")).not.toBeNull());
    fireEvent.click(byId("remove-connection-confirm")!);
    await waitFor(() => expect(byTestId(`connection-${TENANT_ID}`)).toBeNull());
    expect(ipc.callsOf("remove_connection")).toEqual([{ connectionId: TENANT_ID }]);
    expect(byId("remove-connection-dialog")).toBeNull();
  });

  test("a refused removal shows Rust's message and keeps the card", async () => {
    mockCommands({
      list_connections: () => [sandboxConnection(false), fabrikam()],
      remove_connection: () => reject("Keychain", "The keychain is locked. Unlock it and try again."),
    });
    await renderScreen();
    await waitFor(() => expect(byTestId(`remove-connection-${TENANT_ID}`)).not.toBeNull());
    fireEvent.click(byTestId(`remove-connection-${TENANT_ID}`)!);
    await waitFor(() => expect(byId("remove-connection-confirm")).not.toBeNull());
    fireEvent.click(byId("remove-connection-confirm")!);
    await waitFor(() => expect(byId("error-bar")?.textContent).toContain("The keychain is locked."));
    expect(byTestId(`connection-${TENANT_ID}`)).not.toBeNull();
  });
});

describe("connections: sandbox and real tenant cards", () => {
  test("the sandbox has no Remove; a real tenant signs in with a plain Sign in that opens the browser", async () => {
    let signedIn = false;
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(false), fabrikam({ signedIn })],
      sign_in: () => {
        signedIn = true;
        // A real tenant signs in in the browser; Rust answers who signed in.
        return { step: "done", account: { name: "Op", login: "op@fabrikam.com", roleLabel: "No directory role", signedInAt: null } };
      },
    });
    await renderScreen();
    await waitFor(() => expect(byTestId(`connection-${TENANT_ID}`)).not.toBeNull());

    const sandboxCard = byTestId(`connection-${SANDBOX_ID}`)!;
    const tenantCard = byTestId(`connection-${TENANT_ID}`)!;
    expect(byTestId(`remove-connection-${SANDBOX_ID}`)).toBeNull();
    expect(sandboxCard.querySelector('[data-testid^="remove-connection-"]')).toBeNull();
    expect(tenantCard.querySelector(`[data-testid="remove-connection-${TENANT_ID}"]`)).not.toBeNull();

    // No account picker on a real tenant (the Microsoft sign-in page asks), and a hint that the browser opens.
    expect(tenantCard.querySelector("select")).toBeNull();
    expect(sandboxCard.querySelector("[data-testid=browser-sign-in-hint]")).toBeNull();
    expect(tenantCard.querySelector("[data-testid=browser-sign-in-hint]")?.textContent).toContain("browser");
    const signIn = byId(`signin-button-${TENANT_ID}`)!;
    expect(tenantCard.contains(signIn)).toBe(true);
    fireEvent.click(signIn);
    await waitFor(() => expect(tenantCard.getAttribute("data-signed-in")).toBe("true"));
    expect(ipc.callsOf("sign_in")).toStrictEqual([{ connectionId: TENANT_ID }]);
  });
});

describe("connections: the sandbox's Entra and Lighthouse cards as Rust sends them", () => {
  test("signed out, each card offers Rust's demo accounts in its order; signed in, it names Rust's operator and roles", async () => {
    const signedOut = [fromSandbox.entraConnectionSignedOut, fromSandbox.lighthouseConnectionSignedOut];
    const signedIn = [fromSandbox.entraConnection, fromSandbox.lighthouseConnection];
    const done = new Set<string>();
    const ipc = mockCommands({
      list_connections: () => signedOut.map((c, i) => (done.has(c.id) ? signedIn[i] : c)),
      sign_in: (args) => {
        done.add(args.connectionId as string);
        return args.connectionId === fromSandbox.entraConnection.id ? fromSandbox.entraSignIn : fromSandbox.lighthouseSignIn;
      },
    });
    renderWithFluent(<ConnectionsHarness />);
    await waitFor(() => expect(byTestId(`connection-${signedOut[1].id}`)).not.toBeNull());
    signedOut.forEach((connection, index) => {
      const card = byTestId(`connection-${connection.id}`)!;
      expect(card.getAttribute("data-kind")).toBe(connection.kind);
      expect(card.textContent).toContain(connection.displayName);
      const picker = byId(`signin-account${index === 0 ? "" : `-${connection.id}`}`) as HTMLSelectElement;
      expect(card.contains(picker)).toBe(true);
      expect([...picker.options].map((o) => o.value)).toEqual(connection.demoAccounts.map((a) => a.userPrincipalName));
    });
    fireEvent.click(byId("signin-button")!);
    await waitFor(() => expect(byTestId(`connection-${signedIn[0].id}`)?.getAttribute("data-signed-in")).toBe("true"));
    fireEvent.click(byId(`signin-button-${signedIn[1].id}`)!);
    await waitFor(() => expect(byTestId(`connection-${signedIn[1].id}`)?.getAttribute("data-signed-in")).toBe("true"));
    // Each card signed in as its first demo account, the page's default.
    expect(ipc.callsOf("sign_in")).toEqual(
      signedOut.map((c) => ({ connectionId: c.id, account: c.demoAccounts[0].userPrincipalName })),
    );
    for (const connection of signedIn) {
      const card = byTestId(`connection-${connection.id}`)!;
      expect(card.textContent).toContain(`Signed in as ${connection.operator!.displayName} (${connection.operator!.userPrincipalName})`);
      for (const role of connection.operator!.roles) expect(card.textContent).toContain(role.displayName);
    }
  });
});

describe("connections: one card for every provider", () => {
  test("signed in, each card names who is signed in the same way, with their roles and one Sign out; signed out, only the sign-in form is the provider's own", async () => {
    const signedIn = [sandboxConnection(true), zohoConnection(true), psConnection(true)];
    mockCommands({ list_connections: () => signedIn });
    await renderScreen();
    signedIn.forEach((connection, index) => {
      const card = byTestId(`connection-${connection.id}`)!;
      const account = connection.account!;
      expect(card.querySelector('[data-testid="connection-account"]')?.textContent).toContain(`Signed in as ${account.name} (${account.login})`);
      // Entra's roles one by one, as its sign-in read them; the other providers' role line as Rust wrote it.
      const roles = connection.operator?.roles.map((role) => role.displayName) ?? [account.roleLabel];
      for (const role of roles) expect(card.textContent).toContain(role);
      expect(card.querySelector(`#signout-button${index === 0 ? "" : `-${connection.id}`}`)).not.toBeNull();
      expect(card.querySelector("[id^=signin-]")).toBeNull();
    });
  });
});

describe("connections: the sandbox's outage demo", () => {
  test("the cards Rust offers it on show Rust's outage state and switch their emulator's network off and on in Rust; a real tenant has no such switch", async () => {
    let down = true;
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(false), fabrikam(), zohoConnection(false), psConnection(false)],
      sandbox_simulate_outage: (args) => {
        if (typeof args.down === "boolean") down = args.down;
        return down;
      },
    });
    await renderScreen();
    const outage = () => byId(`sandbox-outage-${SANDBOX_ID}`) as HTMLInputElement;
    // The outage was left on: the switch says so when the screen opens.
    await waitFor(() => expect(outage().checked).toBe(true));
    expect(byTestId(`connection-${TENANT_ID}`)?.querySelector("[id^=sandbox-outage]")).toBeNull();
    expect(byTestId(`connection-${PS_ID}`)?.querySelector("[id^=sandbox-outage]")).toBeNull();
    expect(byId(`sandbox-outage-${ZOHO_ID}`)).not.toBeNull();
    fireEvent.click(outage());
    await waitFor(() => expect(outage().checked).toBe(false));
    fireEvent.click(outage());
    await waitFor(() => expect(outage().checked).toBe(true));
    const contoso = ipc.callsOf("sandbox_simulate_outage").filter((args) => args.connectionId === SANDBOX_ID);
    expect(contoso).toEqual([{ connectionId: SANDBOX_ID }, { connectionId: SANDBOX_ID, down: false }, { connectionId: SANDBOX_ID, down: true }]);
  });
});
