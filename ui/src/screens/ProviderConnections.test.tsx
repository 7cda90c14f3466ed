import { fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { App } from "../App";
import { useConnections } from "../hooks/useConnections";
import type { ConnectionView } from "../ipc/types";
import { PS_ID, ZOHO_ID, psAccount, psConnection, sandboxConnection, zohoAccount, zohoConnection } from "../test/fixtures";
import { mockCommands, renderWithFluent } from "../test/render";
import { ConnectionsScreen } from "./ConnectionsScreen";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;
const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const type = (id: string, value: string) => fireEvent.change(byId(id)!, { target: { value } });
const valueOf = (id: string) => (byId(id) as HTMLInputElement).value;

function ConnectionsHarness() {
  return <ConnectionsScreen state={useConnections()} />;
}

describe("connections: Zoho Directory", () => {
  test("the card shows Rust's summary; sign-in shows the device code, waits for Zoho, then the connection is active", async () => {
    let signedIn = false;
    let approve: () => void = () => {};
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(false), zohoConnection(signedIn), psConnection(false)],
      sign_in: (args) =>
        !args.deviceCode
          ? {
              step: "deviceCode",
              prompt: { userCode: "QWER-TYUI", verificationUrl: "https://accounts.zoho.com/oauth/v3/device", expiresAt: "2026-11-23T09:10:00Z" },
            }
          : // Zoho answers only once the operator approved the code: hold the answer until the test says so.
            new Promise((resolve) => {
              approve = () => {
                signedIn = true;
                resolve({ step: "done", account: zohoAccount });
              };
            }),
      directory_search: () => ({ users: [], fromCache: null }),
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(byTestId(`connection-${ZOHO_ID}`)).not.toBeNull());
    const card = byTestId(`connection-${ZOHO_ID}`)!;
    expect(card.textContent).toContain("Zoho · United States (zoho.com) data centre · organisation 7700001");

    const picker = byId(`zoho-account-${ZOHO_ID}`) as HTMLSelectElement;
    expect(picker.tagName).toBe("SELECT");
    expect([...picker.options].map((o) => o.value)).toEqual([
      "sam.super@zylker.sandbox",
      "ada.admin@zylker.sandbox",
      "mo.member@zylker.sandbox",
    ]);
    fireEvent.change(picker, { target: { value: "ada.admin@zylker.sandbox" } });
    fireEvent.click(byId(`zoho-signin-${ZOHO_ID}`)!);

    await waitFor(() => expect(byTestId("zoho-user-code")?.textContent).toBe("QWER-TYUI"));
    // The sandbox's emulator approves the code: nothing opens, and the box says so.
    expect(card.textContent).toContain("The sandbox approves this code for the demo account (nothing opens in your browser)");
    expect(card.textContent).toContain("https://accounts.zoho.com/oauth/v3/device");
    const signIn = { connectionId: ZOHO_ID, account: "ada.admin@zylker.sandbox" };
    await waitFor(() =>
      expect(ipc.callsOf("sign_in")).toEqual([
        signIn,
        { ...signIn, deviceCode: "QWER-TYUI" },
      ]),
    );
    expect(card.getAttribute("data-signed-in")).toBe("false");

    approve();
    await waitFor(() => expect(byTestId(`connection-${ZOHO_ID}`)?.getAttribute("data-signed-in")).toBe("true"));
    expect(byTestId("zoho-user-code")).toBeNull();
    const signedInCard = byTestId(`connection-${ZOHO_ID}`)!;
    expect(signedInCard.textContent).toContain("Ada Admin");
    expect(signedInCard.textContent).toContain("ada.admin@zylker.sandbox");
    // The Zoho connection is now the active one: the header says so, and Users searches Zoho.
    expect(byTestId("active-connection")?.textContent).toContain("Zylker");
    expect(byId("operator-name")?.textContent).toContain("ada.admin@zylker.sandbox · Admin");
    fireEvent.click(byId(`open-users-${ZOHO_ID}`)!);
    await waitFor(() => expect(ipc.callsOf("directory_search").length).toBeGreaterThan(0));
    expect(ipc.callsOf("directory_search")[0]).toEqual({ connectionId: ZOHO_ID, query: "" });
  });

  test("Open users switches the active connection between signed-in connections", async () => {
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(true), zohoConnection(true), psConnection(true)],
      directory_search: () => ({ users: [], fromCache: null }),
      search_cached_users: () => ({ users: [], syncedAt: null, stale: true, offline: false }),
      cache_status: () => ({ users: 0, lastFullSync: null, lastDelta: null, syncing: false, progress: 0, offline: false, error: null, notice: null }),
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(byId(`open-users-${PS_ID}`)).not.toBeNull());
    fireEvent.click(byId(`open-users-${PS_ID}`)!);
    await waitFor(() => expect(ipc.callsOf("directory_search")).toEqual([{ connectionId: PS_ID, query: "" }]));
    expect(byTestId("active-connection")?.textContent).toContain("Privilege Secure");
    expect(byId("operator-name")?.textContent).toContain(psAccount.login);
    // Privilege Secure keeps no offline cache: the list asks it live only.
    expect(ipc.callsOf("search_cached_users")).toEqual([]);
  });

  test("add a Zoho Directory: the data centres, the secret as a password field, and Rust's message on refusal", async () => {
    let connections: ConnectionView[] = [sandboxConnection(false)];
    const ipc = mockCommands({
      list_connections: () => connections,
      add_connection: (args) => {
        const c = args.connection as { organizationId: string };
        if (!/^\d+$/.test(c.organizationId)) throw { kind: "InvalidInput", message: "The organisation id is a number (zoid)." };
        connections = [...connections, { ...zohoConnection(false), id: "zoho-1", sandbox: false, kindLine: "Zoho Directory", displayName: "Zylker" }];
        return connections.at(-1);
      },
    });
    renderWithFluent(<ConnectionsHarness />);
    await waitFor(() => expect(byId("add-connection")).not.toBeNull());
    fireEvent.click(byId("add-connection")!);
    await waitFor(() => expect(byId("conn-kind")).not.toBeNull());
    fireEvent.change(byId("conn-kind")!, { target: { value: "zohoDirectory" } });
    await waitFor(() => expect(byId("zoho-data-centre")).not.toBeNull());
    expect(byId("conn-tenant")).toBeNull();
    const centres = byId("zoho-data-centre") as HTMLSelectElement;
    expect([...centres.options].map((o) => o.value)).toEqual(["US", "EU", "IN", "AU", "JP", "CA", "SA", "UK", "CN"]);
    expect((byId("zoho-client-secret") as HTMLInputElement).type).toBe("password");

    type("zoho-name", " Zylker ");
    fireEvent.change(centres, { target: { value: "EU" } });
    type("zoho-client-id", " 1000.ABC ");
    type("zoho-client-secret", "s3cret ");
    type("zoho-org-id", "org-77");
    fireEvent.click(byId("add-connection-save")!);
    await waitFor(() => expect(byId("add-connection-error")?.textContent).toContain("The organisation id is a number (zoid)."));
    expect(valueOf("zoho-org-id")).toBe("org-77");

    type("zoho-org-id", "7700001");
    fireEvent.click(byId("add-connection-save")!);
    await waitFor(() => expect(byId("add-connection-dialog")).toBeNull());
    expect(ipc.callsOf("add_connection").at(-1)).toStrictEqual({
      connection: { provider: "zoho", displayName: "Zylker", dataCentre: "EU", clientId: "1000.ABC", clientSecret: "s3cret ", organizationId: "7700001" },
    });
    await waitFor(() => expect(byTestId("connection-zoho-1")).not.toBeNull());
  });
});

describe("connections: Privilege Secure", () => {
  test("add a Privilege Secure server sends the trimmed name and URL", async () => {
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(false)],
      add_connection: () => ({ ...psConnection(false), id: "ps-1", sandbox: false, kindLine: "Netwrix Privilege Secure" }),
    });
    renderWithFluent(<ConnectionsHarness />);
    await waitFor(() => expect(byId("add-connection")).not.toBeNull());
    fireEvent.click(byId("add-connection")!);
    await waitFor(() => expect(byId("conn-kind")).not.toBeNull());
    fireEvent.change(byId("conn-kind")!, { target: { value: "privilegeSecure" } });
    await waitFor(() => expect(byId("ps-base-url")).not.toBeNull());
    type("ps-name", " NPS production ");
    type("ps-base-url", " https://nps.example.com:6500 ");
    fireEvent.click(byId("add-connection-save")!);
    await waitFor(() => expect(byId("add-connection-dialog")).toBeNull());
    expect(ipc.callsOf("add_connection")).toStrictEqual([
      { connection: { provider: "privilegeSecure", displayName: "NPS production", baseUrl: "https://nps.example.com:6500" } },
    ]);
  });

  test("add a Lighthouse partner: the Entra form, sent as the partner tenant of a Lighthouse connection", async () => {
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(false)],
      add_connection: () => ({ ...sandboxConnection(false), id: "lighthouse-1", kind: "lighthousePartner", sandbox: false, kindLine: "Microsoft 365 Lighthouse partner" }),
    });
    renderWithFluent(<ConnectionsHarness />);
    await waitFor(() => expect(byId("add-connection")).not.toBeNull());
    fireEvent.click(byId("add-connection")!);
    await waitFor(() => expect(byId("conn-kind")).not.toBeNull());
    fireEvent.change(byId("conn-kind")!, { target: { value: "lighthousePartner" } });
    await waitFor(() => expect(byId("conn-tenant")).not.toBeNull());
    type("conn-name", " Contoso Partners ");
    type("conn-tenant", "contosopartners.onmicrosoft.com");
    type("conn-client-id", "11111111-2222-3333-4444-555555555555");
    fireEvent.click(byId("add-connection-save")!);
    await waitFor(() => expect(byId("add-connection-dialog")).toBeNull());
    expect(ipc.callsOf("add_connection")).toStrictEqual([
      {
        connection: {
          provider: "lighthouse",
          displayName: "Contoso Partners",
          partnerTenant: "contosopartners.onmicrosoft.com",
          clientId: "11111111-2222-3333-4444-555555555555",
          cloud: "public",
        },
      },
    ]);
  });

  test("the demo account fills the form; an untrusted certificate is offered for trust with its fingerprint, then sign-in works", async () => {
    const FINGERPRINT = "3F:A2:9C:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01:23:45:67:89:AB:CD:EF:10:32:54:76:98";
    let trusted = false;
    let signedIn = false;
    const ipc = mockCommands({
      list_connections: () => [sandboxConnection(false), zohoConnection(false), psConnection(signedIn)],
      sign_in: () => {
        if (!trusted) return { step: "untrustedCertificate", sha256: FINGERPRINT };
        signedIn = true;
        return { step: "done", account: psAccount };
      },
      trust_certificate: () => {
        trusted = true;
        return psConnection(false);
      },
    });
    renderWithFluent(<App />);
    await waitFor(() => expect(byId(`ps-account-${PS_ID}`)).not.toBeNull());
    expect((byId(`ps-password-${PS_ID}`) as HTMLInputElement).type).toBe("password");
    fireEvent.change(byId(`ps-account-${PS_ID}`)!, { target: { value: "CORP\\nps.admin" } });
    expect(valueOf(`ps-login-${PS_ID}`)).toBe("CORP\\nps.admin");
    expect(valueOf(`ps-password-${PS_ID}`)).toBe("Sandbox-Admin-2fa!");
    expect(valueOf(`ps-code-${PS_ID}`)).toBe("246810");

    fireEvent.click(byId(`ps-signin-${PS_ID}`)!);
    await waitFor(() => expect(byTestId("ps-untrusted-certificate")).not.toBeNull());
    expect(byTestId("ps-untrusted-certificate")!.textContent).toContain(FINGERPRINT);
    expect(byTestId("error-bar")).toBeNull();
    expect(ipc.callsOf("sign_in")).toEqual([{ connectionId: PS_ID, account: "CORP\\nps.admin", password: "Sandbox-Admin-2fa!", code: "246810" }]);

    fireEvent.click(byId(`ps-trust-certificate-${PS_ID}`)!);
    await waitFor(() => expect(ipc.callsOf("trust_certificate")).toEqual([{ connectionId: PS_ID, sha256: FINGERPRINT }]));
    await waitFor(() => expect(byTestId("ps-untrusted-certificate")).toBeNull());
    // The form stays busy (Sign in disabled) until the connection list is read again: a click before that is lost.
    await waitFor(() => expect(byTestId("ps-certificate-trusted")).not.toBeNull());
    await waitFor(() => expect((byId(`ps-signin-${PS_ID}`) as HTMLButtonElement).disabled).toBe(false));

    fireEvent.click(byId(`ps-signin-${PS_ID}`)!);
    await waitFor(() => expect(byTestId(`connection-${PS_ID}`)?.getAttribute("data-signed-in")).toBe("true"));
    expect(ipc.callsOf("sign_in").length).toBe(2);
    expect(byTestId(`connection-${PS_ID}`)!.textContent).toContain("Administrator");
    expect(byTestId("active-connection")?.textContent).toContain("Privilege Secure");
  });

  test("another sign-in error is shown as is, with no certificate offer", async () => {
    mockCommands({
      list_connections: () => [psConnection(false)],
      sign_in: () => {
        throw { kind: "Provider", message: "Wrong login, password or code.", detail: null };
      },
    });
    renderWithFluent(<ConnectionsHarness />);
    await waitFor(() => expect(byId(`ps-login-${PS_ID}`)).not.toBeNull());
    type(`ps-login-${PS_ID}`, "CORP\\someone");
    type(`ps-password-${PS_ID}`, "pw");
    type(`ps-code-${PS_ID}`, "000000");
    fireEvent.click(byId(`ps-signin-${PS_ID}`)!);
    await waitFor(() => expect(byTestId("error-bar")?.textContent).toContain("Wrong login, password or code."));
    expect(byTestId("ps-untrusted-certificate")).toBeNull();
  });
});
