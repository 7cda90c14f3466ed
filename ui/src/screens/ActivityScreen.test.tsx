import { fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { auditEntry } from "../test/fixtures";
import { mockCommands, reject, renderWithFluent } from "../test/render";
import { ActivityScreen } from "./ActivityScreen";

const byId = (id: string) => document.getElementById(id) as HTMLElement | null;
const rows = () => [...document.querySelectorAll('[data-testid="audit-row"]')] as HTMLElement[];

describe("activity", () => {
  test("lists up to 200 entries newest first, with outcome and reason; a row expands to steps, request ids and hash", async () => {
    const ipc = mockCommands({
      list_audit: () => [
        auditEntry(1),
        auditEntry(3, { outcome: "refused", reason: "INC-3", steps: [], message: "Denied by policy" }),
        auditEntry(2, { outcome: "partial" }),
      ],
    });
    renderWithFluent(<ActivityScreen />);
    await waitFor(() => expect(rows().length).toBe(3));
    expect(ipc.callsOf("list_audit")).toEqual([{ limit: 200 }]);
    expect(rows().map((r) => r.getAttribute("data-seq"))).toEqual(["3", "2", "1"]);
    expect(rows()[0].textContent).toContain("Refused");
    expect(rows()[0].textContent).toContain("INC-3");
    expect(rows()[1].textContent).toContain("Partially succeeded");
    expect(rows()[2].textContent).toContain("Reset password");

    fireEvent.click(rows()[2].querySelector('[data-testid="audit-expand"]')!);
    const details = await waitFor(() => {
      const found = document.querySelector('[data-testid="audit-details"]');
      expect(found).not.toBeNull();
      return found!;
    });
    expect(details.textContent).toContain("req-1");
    expect(details.textContent).toContain(auditEntry(1).hash);
  });

  test("Verify chain reports the first broken entry", async () => {
    const ipc = mockCommands({
      list_audit: () => [auditEntry(1), auditEntry(2)],
      verify_audit: () => ({
        ok: false,
        entries: 2,
        firstBroken: 2,
        message: "Entry 2 does not chain to entry 1: the log was edited.",
      }),
    });
    renderWithFluent(<ActivityScreen />);
    await waitFor(() => expect(rows().length).toBe(2));
    fireEvent.click(byId("verify-chain")!);
    const result = await waitFor(() => {
      const found = byId("verify-result");
      expect(found).not.toBeNull();
      return found!;
    });
    expect(result.getAttribute("data-ok")).toBe("false");
    expect(result.textContent).toContain("The audit log chain is broken at entry #2.");
    expect(result.textContent).toContain("Entry 2 does not chain to entry 1: the log was edited.");
    expect(ipc.callsOf("verify_audit")).toEqual([{}]);
  });

  test("Verify chain reports an intact log", async () => {
    mockCommands({
      list_audit: () => [auditEntry(1)],
      verify_audit: () => ({ ok: true, entries: 1, firstBroken: null, message: "1 entry verified." }),
    });
    renderWithFluent(<ActivityScreen />);
    fireEvent.click(byId("verify-chain")!);
    await waitFor(() => expect(byId("verify-result")?.textContent).toContain("The audit log is intact (1 entries)."));
    expect(byId("verify-result")?.getAttribute("data-ok")).toBe("true");
  });

  test("a refusal recorded without a reason shows why it was refused instead", async () => {
    mockCommands({
      list_audit: () => [auditEntry(1, { outcome: "refused", reason: "", steps: [], message: "Only a Privileged Authentication Administrator can act on this user." })],
    });
    renderWithFluent(<ActivityScreen />);
    await waitFor(() => expect(rows().length).toBe(1));
    expect(rows()[0].textContent).toContain("Only a Privileged Authentication Administrator can act on this user.");
  });

  test("an unreadable log shows the error", async () => {
    mockCommands({ list_audit: () => reject("Internal", "The audit log file is corrupt at line 4.") });
    renderWithFluent(<ActivityScreen />);
    await waitFor(() => expect(byId("error-bar")?.textContent).toContain("The audit log file is corrupt at line 4."));
  });
});
