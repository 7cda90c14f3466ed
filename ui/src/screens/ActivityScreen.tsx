import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Spinner,
  Text,
  Toolbar,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowDownloadRegular,
  ArrowSyncRegular,
  DismissRegular,
  ShieldCheckmarkRegular,
} from "@fluentui/react-icons";
import { useState } from "react";
import { AuditTable } from "../components/AuditTable";
import { ErrorBar } from "../components/ErrorBar";
import { ForwardingLine } from "../components/ForwardingLine";
import { SafetyRulesPanel } from "../components/SafetyRulesPanel";
import { ScreenTitle } from "../components/ScreenTitle";
import { WaitingByHand } from "../components/WaitingByHand";
import { NO_FILTER, useAudit } from "../hooks/useAudit";
import { AUDIT_OUTCOME_LABELS } from "../format";
import type { ActionName, AuditOutcome } from "../ipc/types";

const useStyles = makeStyles({
  screen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { gap: tokens.spacingHorizontalS, paddingLeft: 0 },
  filters: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalM,
  },
  textFilter: { width: "220px" },
});

/** `actions`: the actions of the connections' providers, as Rust names them (`actionsOf`). */
export function ActivityScreen({ actions }: { actions: ActionName[] }) {
  const styles = useStyles();
  const audit = useAudit();
  // Refresh re-reads the waiting by-hand steps too.
  const [reloads, setReloads] = useState(0);
  const verification = audit.verification;
  const filter = audit.filter;
  const filtered = (Object.keys(NO_FILTER) as Array<keyof typeof NO_FILTER>).some((key) => filter[key] !== "");

  return (
    <div className={styles.screen}>
      <ScreenTitle trail={["Activity"]} title="Activity" />
      <ForwardingLine />
      <SafetyRulesPanel />
      <WaitingByHand reloadKey={reloads} onSettled={() => void audit.reload()} />
      <Toolbar aria-label="Activity actions" className={styles.toolbar}>
        <Button id="refresh-activity" icon={<ArrowSyncRegular />} disabled={audit.loading} onClick={() => {
            setReloads((n) => n + 1);
            void audit.reload();
          }}>
          Refresh
        </Button>
        <Button
          id="verify-chain"
          icon={<ShieldCheckmarkRegular />}
          disabled={audit.verifying}
          onClick={() => void audit.verify()}
        >
          Verify chain
        </Button>
        <Button
          id="export-csv"
          icon={<ArrowDownloadRegular />}
          disabled={audit.exporting !== null}
          onClick={() => void audit.exportAs("csv")}
        >
          Export CSV
        </Button>
        <Button
          id="export-jsonl"
          icon={<ArrowDownloadRegular />}
          disabled={audit.exporting !== null}
          onClick={() => void audit.exportAs("jsonl")}
        >
          Export JSON Lines
        </Button>
        {audit.loading || audit.verifying || audit.exporting ? <Spinner size="tiny" /> : null}
      </Toolbar>
      <div className={styles.filters} role="search" aria-label="Filter activity">
        <Field label="Operator">
          <Input
            id="audit-filter-operator"
            className={styles.textFilter}
            placeholder="Any operator"
            value={filter.operator}
            onChange={(_, data) => audit.setFilter({ operator: data.value })}
          />
        </Field>
        <Field label="Target">
          <Input
            id="audit-filter-target"
            className={styles.textFilter}
            placeholder="Any user"
            value={filter.target}
            onChange={(_, data) => audit.setFilter({ target: data.value })}
          />
        </Field>
        <Field label="Action">
          <Select
            id="audit-filter-action"
            value={filter.action}
            onChange={(_, data) => audit.setFilter({ action: data.value })}
          >
            <option value="">Any action</option>
            {actions.map((action) => (
              <option key={action.id} value={action.id}>
                {action.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Outcome">
          <Select
            id="audit-filter-outcome"
            value={filter.outcome}
            onChange={(_, data) => audit.setFilter({ outcome: data.value as AuditOutcome | "" })}
          >
            <option value="">Any outcome</option>
            {Object.entries(AUDIT_OUTCOME_LABELS).map(([outcome, label]) => (
              <option key={outcome} value={outcome}>
                {label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="From">
          <Input
            id="audit-filter-from"
            type="date"
            value={filter.from}
            onChange={(_, data) => audit.setFilter({ from: data.value })}
          />
        </Field>
        <Field label="To">
          <Input
            id="audit-filter-to"
            type="date"
            value={filter.to}
            onChange={(_, data) => audit.setFilter({ to: data.value })}
          />
        </Field>
        <Button
          id="audit-filter-clear"
          appearance="subtle"
          icon={<DismissRegular />}
          disabled={!filtered}
          onClick={audit.clearFilter}
        >
          Clear filters
        </Button>
      </div>
      {audit.exported ? (
        <MessageBar id="export-result" data-testid="export-result" intent="success" layout="multiline">
          <MessageBarBody>
            {`Exported ${audit.exported.entries} entries to ${audit.exported.path}`}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {verification ? (
        <MessageBar
          id="verify-result"
          data-testid="verify-result"
          data-ok={String(verification.ok)}
          intent={verification.ok ? "success" : "error"}
          layout="multiline"
        >
          <MessageBarBody>
            <MessageBarTitle>
              {verification.ok
                ? `The audit log is intact (${verification.entries} entries).`
                : `The audit log chain is broken${
                    verification.firstBroken !== null ? ` at entry #${verification.firstBroken}` : ""
                  }.`}
            </MessageBarTitle>
            {verification.message}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {audit.error ? <ErrorBar error={audit.error} /> : null}
      {!audit.loading && !audit.error && audit.entries.length === 0 ? (
        <Text data-testid="audit-empty">
          {filtered
            ? "No activity matches these filters."
            : "No activity yet. Every action you confirm is recorded here."}
        </Text>
      ) : null}
      {audit.entries.length > 0 ? <AuditTable entries={audit.entries} actions={actions} /> : null}
    </div>
  );
}
