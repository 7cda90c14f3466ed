import { describe, expect, test } from "vitest";
import type { RunResult } from "../ipc/types";
import { zohoPasswordPlan } from "../test/fixtures";
import { newerResult } from "./useActionFlow";

/** A run with two steps to finish by hand (1 and 2), as Rust answers after `marked` were marked. */
function answer(auditSeq: number, marked: number[]): RunResult {
  const plan = zohoPasswordPlan();
  const byHand = plan.steps[1].performed;
  return {
    planId: plan.id,
    outcome: marked.length === 2 ? "succeeded" : "pending",
    steps: [
      { index: 0, summary: "Set the password", state: "done", message: "Password set", performed: plan.steps[0].performed, requestId: null, at: null },
      ...[1, 2].map((index) => ({
        index,
        summary: `By hand ${index}`,
        state: marked.includes(index) ? ("doneByHand" as const) : ("toDoByHand" as const),
        message: null,
        performed: byHand,
        requestId: null,
        at: null,
      })),
    ],
    generatedPassword: null,
    secretKind: null,
    copyHandle: null,
    auditSeq,
    auditError: null,
  };
}

const states = (result: RunResult) => result.steps.map((s) => s.state);

describe("answers to Mark as done arriving out of order", () => {
  test("an older answer arriving last does not turn a step marked done back into to do", () => {
    const run: RunResult = { ...answer(10, []), generatedPassword: "Maple-Otter-Lamp-42", secretKind: "newPassword", copyHandle: "copy-1" };
    const afterSecond = answer(12, [1, 2]); // the answer to the second mark, first to arrive
    const afterFirst = answer(11, [1]); // the answer to the first mark, arriving last
    const shown = newerResult(newerResult(run, afterSecond), afterFirst);
    expect(states(shown)).toEqual(["done", "doneByHand", "doneByHand"]);
    expect(shown.outcome).toBe("succeeded");
    expect(shown.auditSeq).toBe(12);
    expect(shown.generatedPassword).toBe("Maple-Otter-Lamp-42");
    // Still named and copyable as the run answered it: a mark's answer carries no secret.
    expect(shown.secretKind).toBe("newPassword");
    expect(shown.copyHandle).toBe("copy-1");
  });

  test("answers in order are taken as they come", () => {
    const shown = newerResult(newerResult(answer(10, []), answer(11, [2])), answer(12, [1, 2]));
    expect(states(shown)).toEqual(["done", "doneByHand", "doneByHand"]);
    expect(shown.auditSeq).toBe(12);
  });

  test("without audit numbers (the audit log could not be written), a mark is still never undone", () => {
    const failedAudit = (marked: number[]) => ({ ...answer(0, marked), auditSeq: null, auditError: "disk full" });
    const shown = newerResult(failedAudit([2]), failedAudit([1]));
    expect(states(shown)).toEqual(["done", "doneByHand", "doneByHand"]);
  });
});
