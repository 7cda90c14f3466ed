import {
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
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { MessageBarIntent } from "@fluentui/react-components";
import { CheckmarkRegular, OpenRegular } from "@fluentui/react-icons";
import { useState } from "react";
import { openByHandPage } from "../ipc/api";
import type { AppError, AuditOutcome, RunResult, StepReport } from "../ipc/types";
import { formatDateTime } from "../format";
import { ErrorBar } from "./ErrorBar";
import { StepStateBadge } from "./StatusBadges";
import { useTableStyles } from "./tableStyles";
import { TemporaryPassword } from "./TemporaryPassword";

const useStyles = makeStyles({
  surface: { maxWidth: "820px", width: "92vw" },
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
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
  succeeded: { intent: "success", text: "Every step succeeded." },
  partial: { intent: "warning", text: "Some steps did not succeed. Check each line below." },
  failed: { intent: "error", text: "The action failed. Check each line below." },
  refused: { intent: "error", text: "The action was refused before anything changed." },
  pending: { intent: "info", text: "Finish the steps below by hand, then mark each one as done." },
};

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
        <Button
          id={`open-by-hand-${step.index}`}
          icon={<OpenRegular />}
          disabled={busy}
          onClick={() =>
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

/** The secret the run generated, under its own name and with how the user is to use it. */
function GeneratedSecret({ result, passTerms }: { result: RunResult; passTerms?: string }) {
  const secret = result.generatedPassword;
  if (!secret) return null;
  switch (result.secretKind) {
    case "temporaryAccessPass":
      return (
        <TemporaryPassword
          password={secret}
          copyHandle={result.copyHandle}
          label="Temporary Access Pass"
          inputId="temporary-access-pass"
          copyButtonId="copy-temporary-access-pass"
          note={`This pass is shown only once. ${passTerms ?? ""} The user signs in with it and registers new methods at https://aka.ms/mysecurityinfo.`}
        />
      );
    case "newPassword":
      return (
        <TemporaryPassword
          password={secret}
          copyHandle={result.copyHandle}
          label="New password"
          note="This password is shown only once. Give it to the user over a channel you have verified."
        />
      );
    default:
      // A temporary password, the user changes it at the next sign-in: the view's own words.
      return <TemporaryPassword password={secret} copyHandle={result.copyHandle} />;
  }
}

export interface RunResultDialogProps {
  /** What ran, as the plan named it ("Reset password"). */
  actionLabel: string;
  /** Whom it was for. */
  targetName: string;
  result: RunResult;
  /** The provider's name, as its by-hand steps say where to finish them. */
  provider: string;
  /** Rust records a by-hand step as done and answers the updated result. */
  onMarkDone?: (index: number) => Promise<void>;
  onClose: () => void;
  /** "Valid for 60 minutes, one-time use.": a Temporary Access Pass's terms, from its plan. */
  passTerms?: string;
  /** Offered after Require re-register MFA when the operator may issue a pass, so the user can register new methods. */
  onIssueTemporaryAccessPass?: () => void;
}

/**
 * The one result view of every provider's run: what Rust did, step by step; a generated secret
 * shown this once; the steps left to finish by hand, each with **Mark as done**.
 */
export function RunResultDialog({ actionLabel, targetName, result, provider, onMarkDone, onClose, passTerms, onIssueTemporaryAccessPass }: RunResultDialogProps) {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  const summary = SUMMARY[result.outcome] ?? SUMMARY.failed;
  const toDo = result.steps.filter((step) => step.state === "toDoByHand");

  return (
    <Dialog open modalType="alert">
      <DialogSurface id="result-dialog" className={styles.surface}>
        <DialogBody>
          <DialogTitle>
            {actionLabel}: {targetName}
          </DialogTitle>
          <DialogContent className={styles.content}>
            <MessageBar intent={summary.intent} data-testid="result-summary" data-outcome={result.outcome}>
              <MessageBarBody>
                {summary.text}
                {result.auditSeq !== null && result.auditSeq !== undefined ? ` Recorded in the audit log as entry #${result.auditSeq}.` : ""}
              </MessageBarBody>
            </MessageBar>
            {result.auditError ? (
              <MessageBar intent="error" layout="multiline" id="error-bar" data-testid="audit-error">
                <MessageBarBody>
                  <MessageBarTitle>Not recorded in the audit log</MessageBarTitle>
                  The steps below ran, but their audit entry could not be written: {result.auditError}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            <GeneratedSecret result={result} passTerms={passTerms} />
            {onIssueTemporaryAccessPass && result.outcome !== "failed" && result.outcome !== "refused" ? (
              <MessageBar intent="info" layout="multiline" data-testid="offer-tap">
                <MessageBarBody>
                  {targetName} must register MFA again. A Temporary Access Pass lets them sign in and register new methods.{" "}
                  <Button id="offer-tap-button" size="small" appearance="primary" onClick={onIssueTemporaryAccessPass}>
                    Issue a Temporary Access Pass
                  </Button>
                </MessageBarBody>
              </MessageBar>
            ) : null}
            <Subtitle2 as="h2">Steps</Subtitle2>
            <Table aria-label="Outcome of each step" size="small" className={tableStyles.table}>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Step</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell>Message</TableHeaderCell>
                  <TableHeaderCell>Request id</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {result.steps.map((step) => {
                  return (
                    <TableRow key={step.index} data-testid="step-row" data-state={step.state} data-index={step.index}>
                      <TableCell>{step.summary}</TableCell>
                      <TableCell>
                        <StepStateBadge state={step.state} />
                      </TableCell>
                      <TableCell title={step.at ? formatDateTime(step.at) : undefined}>{step.message ?? "—"}</TableCell>
                      <TableCell className={styles.mono}>{step.requestId ?? "—"}</TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
            {onMarkDone &&
              toDo.map((step) => <ByHandPanel key={step.index} planId={result.planId} step={step} provider={provider} onMarkDone={onMarkDone} />)}
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
