import { Button, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Text, makeStyles, tokens } from "@fluentui/react-components";
import { CheckmarkRegular, DismissCircleRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useState } from "react";
import { formatDateTime } from "../format";
import { pendingByHandSteps, settleByHandStep } from "../ipc/api";
import type { AppError, ByHandSettlement, PendingByHandStep } from "../ipc/types";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, margin: 0, padding: 0, listStyleType: "none" },
  item: { display: "flex", alignItems: "flex-end", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
  what: { flexGrow: 1, minWidth: "280px", alignSelf: "center" },
  reason: { width: "260px" },
});

const keyOf = (step: PendingByHandStep) => `${step.planId}-${step.stepIndex}`;

export interface WaitingByHandProps {
  /** Re-read when it changes (the screen's Refresh). */
  reloadKey?: number;
  /** Only the steps of this user of this connection (their page); all of them otherwise (Activity). */
  only?: { connectionId: string; targetId: string };
  onSettled?: () => void;
}

/**
 * The by-hand steps still waiting, whoever ran them and whether or not the app restarted since:
 * Rust reads them from the audit log and decides who may settle them (only the operator who
 * ran the action, signed in again to its connection). Abandoning one asks why, for the audit log.
 */
export function WaitingByHand({ reloadKey = 0, only, onSettled }: WaitingByHandProps) {
  const styles = useStyles();
  const [steps, setSteps] = useState<PendingByHandStep[]>([]);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  /** The step being abandoned, and the reason typed so far. */
  const [abandoning, setAbandoning] = useState<{ key: string; reason: string } | null>(null);
  const connectionId = only?.connectionId;
  const targetId = only?.targetId;

  const shown = useCallback(
    (all: PendingByHandStep[]) => all.filter((s) => connectionId === undefined || (s.connectionId === connectionId && s.targetId === targetId)),
    [connectionId, targetId],
  );

  const load = useCallback(async () => {
    try {
      setSteps(shown(await pendingByHandSteps()));
      setError(null);
    } catch (e) {
      setError(e as AppError);
    }
  }, [shown]);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  const settle = async (step: PendingByHandStep, settlement: ByHandSettlement) => {
    if (busy) return;
    setBusy(keyOf(step));
    setError(null);
    try {
      setSteps(shown((await settleByHandStep(step.planId, step.stepIndex, settlement)).pending));
      setAbandoning(null);
      onSettled?.();
    } catch (e) {
      setError(e as AppError);
    } finally {
      setBusy(null);
    }
  };

  if (steps.length === 0 && !error) return null;
  return (
    <section className={styles.section} aria-labelledby="by-hand-title" data-testid="by-hand-section">
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle id="by-hand-title">{only ? "To finish by hand for this user" : "Waiting to be finished by hand"}</MessageBarTitle>
          Finish each step in the provider&apos;s admin page, then mark it as done here; or abandon it, saying why, if it will not be done.
        </MessageBarBody>
      </MessageBar>
      {error ? (
        // Not the screen's ErrorBar: the screen's own read error is shown there, once.
        <MessageBar intent="error" data-testid="by-hand-error" layout="multiline">
          <MessageBarBody>{error.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      <ul className={styles.list}>
        {steps.map((step) => {
          const key = keyOf(step);
          const reason = abandoning?.key === key ? abandoning.reason : null;
          return (
            <li key={key} className={styles.item} data-testid="by-hand-step" data-plan-id={step.planId} data-step-index={step.stepIndex}>
              <Text className={styles.what}>
                <strong>{step.action}</strong> for {step.target}: {step.summary}. Run by {step.operator} on {formatDateTime(step.since)}.
              </Text>
              {reason === null ? (
                <>
                  <Button id={`by-hand-done-${key}`} icon={<CheckmarkRegular />} disabled={busy !== null} onClick={() => void settle(step, { settlement: "done" })}>
                    Mark as done
                  </Button>
                  <Button
                    id={`by-hand-abandon-${key}`}
                    appearance="subtle"
                    icon={<DismissCircleRegular />}
                    disabled={busy !== null}
                    onClick={() => setAbandoning({ key, reason: "" })}
                  >
                    Abandon…
                  </Button>
                </>
              ) : (
                <>
                  <Field label="Why it will not be finished" required>
                    <Input
                      id={`by-hand-abandon-reason-${key}`}
                      className={styles.reason}
                      value={reason}
                      placeholder="Ticket number or a few words"
                      onChange={(_, data) => setAbandoning({ key, reason: data.value })}
                    />
                  </Field>
                  <Button
                    id={`by-hand-abandon-confirm-${key}`}
                    disabled={busy !== null || reason.trim() === ""}
                    onClick={() => void settle(step, { settlement: "abandoned", reason: reason.trim() })}
                  >
                    Abandon step
                  </Button>
                  <Button appearance="subtle" disabled={busy !== null} onClick={() => setAbandoning(null)}>
                    Keep it
                  </Button>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
