import { Button, MessageBar, MessageBarBody, MessageBarTitle, Text, makeStyles, tokens } from "@fluentui/react-components";
import { CheckmarkRegular, DismissCircleRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";
import { formatDateTime } from "../format";
import { pendingByHandSteps, settleByHandStep } from "../ipc/api";
import type { AppError, ByHandSettlement, PendingByHandStep } from "../ipc/types";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, margin: 0, padding: 0, listStyleType: "none" },
  item: { display: "flex", alignItems: "center", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
  what: { flexGrow: 1, minWidth: "280px" },
});

const keyOf = (step: PendingByHandStep) => `${step.planId}-${step.stepIndex}`;

/**
 * The by-hand steps still waiting, whoever ran them and whether or not the app restarted since:
 * Rust reads them from the audit log and decides who may settle them (only the operator who
 * ran the action, signed in again to its connection).
 */
export function WaitingByHand({ reloadKey, onSettled }: { reloadKey: number; onSettled: () => void }) {
  const styles = useStyles();
  const [steps, setSteps] = useState<PendingByHandStep[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSteps(await pendingByHandSteps());
      setError(null);
    } catch (e) {
      setError(e as AppError);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  const settle = async (step: PendingByHandStep, settlement: ByHandSettlement) => {
    if (busy) return;
    setBusy(keyOf(step));
    setError(null);
    try {
      setSteps(await settleByHandStep(step.planId, step.stepIndex, settlement));
      onSettled();
    } catch (e) {
      setError(e as AppError);
    } finally {
      setBusy(null);
    }
  };

  if (steps.length === 0 && !error) return null;
  return (
    <section aria-labelledby="by-hand-title" data-testid="by-hand-section">
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle id="by-hand-title">Waiting to be finished by hand</MessageBarTitle>
          Finish each step in the provider&apos;s admin page, then mark it as done here; or abandon it if it will not be done.
        </MessageBarBody>
      </MessageBar>
      {error ? (
        // Not the screen's ErrorBar: the log's own read error is shown there, once.
        <MessageBar intent="error" data-testid="by-hand-error" layout="multiline">
          <MessageBarBody>{error.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      <ul className={styles.list}>
        {steps.map((step) => (
          <li key={keyOf(step)} className={styles.item} data-testid="by-hand-step" data-plan-id={step.planId} data-step-index={step.stepIndex}>
            <Text className={styles.what}>
              <strong>{step.action}</strong> for {step.target}: {step.summary}. Run by {step.operator} on {formatDateTime(step.since)}.
            </Text>
            <Button
              id={`by-hand-done-${keyOf(step)}`}
              icon={<CheckmarkRegular />}
              disabled={busy !== null}
              onClick={() => void settle(step, "done")}
            >
              Mark as done
            </Button>
            <Button
              id={`by-hand-abandon-${keyOf(step)}`}
              appearance="subtle"
              icon={<DismissCircleRegular />}
              disabled={busy !== null}
              onClick={() => void settle(step, "abandoned")}
            >
              Abandon
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
