import { fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, test, vi } from "vitest";
import { renderWithFluent } from "../test/render";
import { ConfirmationDialog } from "./ConfirmationDialog";

const byId = (id: string) => document.getElementById(id) as HTMLButtonElement | null;
const pressEscape = () => fireEvent.keyDown(document.activeElement ?? document.body, { key: "Escape" });

describe("the one confirmation frame", () => {
  test("while Rust plans: the same words for every plan, Cancel and no confirmation yet", () => {
    renderWithFluent(<ConfirmationDialog id="d" title="Reset MFA" planning error={null} busy={null} confirm={null} onCancel={() => {}} />);
    expect(document.body.textContent).toContain("Preparing the summary of your request…");
    expect(byId("cancel-button")).not.toBeNull();
    expect(byId("confirm-button")).toBeNull();
  });

  test("Escape cancels a confirmation waiting for the operator, but not one under way", async () => {
    const onCancel = vi.fn();
    const frame = (busy: string | null, locked = false) => (
      <ConfirmationDialog
        id="d"
        title="Reset MFA"
        planning={false}
        error={null}
        busy={busy}
        locked={locked}
        confirm={{ label: "Reset", disabled: false, onClick: () => {} }}
        onCancel={onCancel}
      />
    );
    const { rerender } = renderWithFluent(frame("Running…"));
    expect(document.body.textContent).toContain("Running…");
    expect(byId("cancel-button")!.disabled).toBe(true);
    pressEscape();
    expect(onCancel).not.toHaveBeenCalled();

    rerender(frame(null, true));
    expect(byId("cancel-button")!.disabled).toBe(true);
    pressEscape();
    expect(onCancel).not.toHaveBeenCalled();

    rerender(frame(null));
    expect(byId("cancel-button")!.disabled).toBe(false);
    pressEscape();
    await waitFor(() => expect(onCancel).toHaveBeenCalledTimes(1));
  });

  test("Cancel comes before the confirmation", () => {
    renderWithFluent(
      <ConfirmationDialog
        id="d"
        title="Reset all multi-factor authentications"
        planning={false}
        error={{ kind: "Denied", message: "Refused by Rust.", detail: null }}
        busy={null}
        confirm={{ label: "Reset all multi-factor authentications", disabled: true, onClick: () => {} }}
        onCancel={() => {}}
      />,
    );
    const buttons = [...document.querySelectorAll("#d button")].map((b) => b.id).filter((id) => id.endsWith("-button"));
    expect(buttons).toEqual(["cancel-button", "confirm-button"]);
    expect(document.body.textContent).toContain("Refused by Rust.");
  });
});
