import { describe, expect, test } from "vitest";
import { formatDateTime } from "../format";
import { adeleDetails, annetteDetails, fabUserPage } from "../test/fixtures";
import type { UserFact } from "../ipc/types";
import { renderWithFluent } from "../test/render";
import { UserFacts } from "./UserFacts";

const text = (key: string) => document.querySelector(`[data-testid="summary-${key}"]`)?.textContent ?? null;

describe("the one user summary", () => {
  test("each kind of Rust's values reads the same whatever the provider: text, a local time, badges, a dash", () => {
    const at = "2026-03-04T05:06:07Z";
    const facts: UserFact[] = [
      { key: "upn", label: "User principal name", value: { shape: "text", value: "a@contoso.sandbox" } },
      { key: "changed", label: "Last password change", value: { shape: "time", value: at } },
      { key: "roles", label: "Admin roles", value: { shape: "badges", value: ["Helpdesk Administrator", "Global Reader"] } },
      { key: "mail", label: "Mail", value: null },
    ];
    renderWithFluent(<UserFacts facts={facts} />);
    expect([...document.querySelectorAll("dt")].map((dt) => dt.textContent)).toEqual(facts.map((f) => f.label));
    expect(text("upn")).toBe("a@contoso.sandbox");
    expect(text("changed")).toBe(formatDateTime(at));
    expect(text("changed")).not.toBe(at);
    expect([...document.querySelectorAll('[data-testid="fact-badge"]')].map((b) => b.textContent)).toEqual([
      "Helpdesk Administrator",
      "Global Reader",
    ]);
    expect(text("mail")).toBe("—");
  });

  test("Rust's pages of Entra, Lighthouse and Zoho users list their facts through it, keys and labels as sent", () => {
    for (const facts of [adeleDetails().facts, fabUserPage.facts, annetteDetails().facts]) {
      const { unmount } = renderWithFluent(<UserFacts facts={facts} />);
      expect([...document.querySelectorAll("dd")].map((dd) => dd.getAttribute("data-testid"))).toEqual(
        facts.map((f) => `summary-${f.key}`),
      );
      unmount();
    }
  });
});
