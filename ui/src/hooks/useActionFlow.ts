import { useCallback, useState } from "react";
import { executePlan, planAction } from "../ipc/api";
import type { ActionKind, AppError, ExecutionResult, Plan } from "../ipc/types";

/**
 * One action from click to result: plan (Rust builds it and may refuse), confirm with a reason,
 * execute, show the result. The temporary password lives only in the `done` state and is dropped
 * when the result is closed.
 */
export type ActionFlow =
  | { stage: "idle" }
  | { stage: "planning"; action: ActionKind }
  | { stage: "planFailed"; action: ActionKind; error: AppError }
  | { stage: "confirming"; plan: Plan; error: AppError | null }
  | { stage: "executing"; plan: Plan }
  | { stage: "done"; plan: Plan; result: ExecutionResult };

export interface ActionFlowControls {
  flow: ActionFlow;
  start: (action: ActionKind) => Promise<void>;
  confirm: (reason: string) => Promise<void>;
  /** Close the confirmation (before execution) or the result; both return to idle. */
  close: () => void;
}

export function useActionFlow(connectionId: string, userId: string): ActionFlowControls {
  const [flow, setFlow] = useState<ActionFlow>({ stage: "idle" });

  const start = useCallback(
    async (action: ActionKind) => {
      setFlow({ stage: "planning", action });
      try {
        const plan = await planAction(connectionId, userId, action);
        setFlow((current) =>
          current.stage === "planning" && current.action === action ? { stage: "confirming", plan, error: null } : current,
        );
      } catch (e) {
        setFlow((current) =>
          current.stage === "planning" && current.action === action
            ? { stage: "planFailed", action, error: e as AppError }
            : current,
        );
      }
    },
    [connectionId, userId],
  );

  const confirm = useCallback(
    async (reason: string) => {
      if (flow.stage !== "confirming") return;
      const trimmed = reason.trim();
      if (!trimmed) return;
      const plan = flow.plan;
      setFlow({ stage: "executing", plan });
      try {
        const result = await executePlan(plan.id, trimmed);
        setFlow({ stage: "done", plan, result });
      } catch (e) {
        setFlow({ stage: "confirming", plan, error: e as AppError });
      }
    },
    [flow],
  );

  // While executing, the dialog cannot be dismissed: the result must be seen.
  const close = useCallback(() => {
    setFlow((current) => (current.stage === "executing" ? current : { stage: "idle" }));
  }, []);

  return { flow, start, confirm, close };
}
