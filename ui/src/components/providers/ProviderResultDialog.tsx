import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { BadgeProps, MessageBarIntent } from "@fluentui/react-components";
import { CheckmarkRegular, OpenRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { openByHandPage } from "../../ipc/api";
import type { AppError, AuditOutcome, ProviderPlan, ProviderResult, StepReport, StepState } from "../../ipc/types";
import { ErrorBar } from "../ErrorBar";
import { TemporaryPassword } from "../TemporaryPassword";
import { providerName } from "./ProviderPlanDialog";

const useStyles = makeStyles({
  surface: { maxWidth: "820px", width: "92vw" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  steps: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, margin: 0, padding: 0, listStyle: "none" },
  panel: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingVerticalM,
    border: `1px solid ${tokens.colorPaletteMarigoldBorder2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorPaletteMarigoldBackground1,
  },
  buttons: { display: "flex", gap: tokens.spacingHorizontalM },
  url: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: "break-all" },
});

const SUMMARY: Record<AuditOutcome, { intent: MessageBarIntent; text: string }> = {
  succeeded: { intent: "success", text: "Every step is done." },
  partial: { intent: "warning", text: "Some steps did not succeed. Check each line below." },
  failed: { intent: "error", text: "The action failed. Check each line below." },
  refused: { intent: "error", text: "The action was refused before anything changed." },
  pending: { intent: "info", text: "Finish the steps below by hand, then mark each one as done." },
};

const STATE_LOOK: Record<StepState, { color: BadgeProps["color"]; label: string }> = {
  done: { color: "success", label: "Done" },
  failed: { color: "danger", label: "Failed" },
  skipped: { color: "subtle", label: "Skipped" },
  toDoByHand: { color: "warning", label: "To do by hand" },
  doneByHand: { color: "success", label: "Done by hand" },
};

function StepRow({ step }: { step: StepReport }) {
  const look = STATE_LOOK[step.state];
  return (
    <li data-testid="provider-step-row" data-state={step.state} data-index={step.index}>
      <Badge appearance="tint" color={look?.color ?? "informative"}>
        {look?.label ?? step.state}
      </Badge>{" "}
      {step.summary}
      {step.message ? <Text> — {step.message}</Text> : null}
    </li>
  );
}

/** A step the operator must finish in the provider's console: what to do, where, and "Mark as done". */
function ByHandPanel({
  planId,
  step,
  provider,
  onMarkDone,
}: {
  planId: string;
  step: StepReport;
  provider: string;
  onMarkDone: (index: number) => Promise<void>;
}) {
  const styles = useStyles();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [note, setNote] = useState<string | null>(null);
  if (step.performed.performed !== "byHand") return null;
  const { instructions, pageUrl, why } = step.performed;

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(e as AppError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.panel} data-testid="by-hand-panel" data-index={step.index}>
      <Subtitle2 as="h3">
        Finish in {provider}: {step.summary}
      </Subtitle2>
      <Text>{instructions}</Text>
      <Text size={200}>{why}</Text>
      <Text className={styles.url}>{pageUrl}</Text>
      <div className={styles.buttons}>
        {/* The page cannot open a browser itself: Rust opens the URL of this plan's step. */}
        <Button id={`open-by-hand-${step.index}`} icon={<OpenRegular />} disabled={busy} onClick={() =>
            void act(async () => {
              const page = await openByHandPage(planId, step.index);
              setNote(page.opened ? null : (page.note ?? null));
            })
          }
        >
          Open in {provider}
        </Button>
        <Button id={`mark-done-${step.index}`} appearance="primary" icon={<CheckmarkRegular />} disabled={busy} onClick={() => void act(() => onMarkDone(step.index))}>
          Mark as done
        </Button>
      </div>
      {note ? (
        <Text size={200} data-testid="by-hand-note">
          {note}
        </Text>
      ) : null}
      {error ? <ErrorBar error={error} /> : null}
    </div>
  );
}

export interface ProviderResultDialogProps {
  plan: ProviderPlan;
  result: ProviderResult;
  /** Rust records the step as done by hand and answers the updated result. */
  onMarkDone: (index: number) => Promise<void>;
  onClose: () => void;
}

/** What Rust did, step by step; a generated password shown this once; the steps left to do by hand. */
export function ProviderResultDialog({ plan, result, onMarkDone, onClose }: ProviderResultDialogProps) {
  const styles = useStyles();
  const provider = providerName(plan.action);
  const summary = SUMMARY[result.outcome] ?? SUMMARY.failed;
  const toDo = result.steps.filter((step) => step.state === "toDoByHand");

  return (
    <Dialog open modalType="alert">
      <DialogSurface id="provider-result-dialog" className={styles.surface}>
        <DialogBody>
          <DialogTitle>
            {plan.actionLabel}: {plan.target.name}
          </DialogTitle>
          <DialogContent className={styles.content}>
            <MessageBar intent={summary.intent} data-testid="provider-result-summary" data-outcome={result.outcome}>
              <MessageBarBody>
                {summary.text}
                {result.auditSeq !== null && result.auditSeq !== undefined ? ` Recorded in the audit log as entry #${result.auditSeq}.` : ""}
              </MessageBarBody>
            </MessageBar>
            {result.auditError ? (
              <MessageBar intent="error" layout="multiline" data-testid="audit-error">
                <MessageBarBody>
                  <MessageBarTitle>Not recorded in the audit log</MessageBarTitle>
                  {result.auditError}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            {result.generatedPassword ? (
              <TemporaryPassword
                password={result.generatedPassword}
                copyHandle={result.copyHandle}
                label="New password"
                note="This password is shown only once. Give it to the user over a channel you have verified."
              />
            ) : null}
            <Subtitle2 as="h2">Steps</Subtitle2>
            <ul className={styles.steps}>
              {result.steps.map((step) => (
                <StepRow key={step.index} step={step} />
              ))}
            </ul>
            {toDo.map((step) => (
              <ByHandPanel key={step.index} planId={result.planId} step={step} provider={provider} onMarkDone={onMarkDone} />
            ))}
          </DialogContent>
          <DialogActions>
            <Button id="close-result" appearance="primary" onClick={onClose}>
              Close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
