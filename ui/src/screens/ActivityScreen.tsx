import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  Toolbar,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowSyncRegular, ShieldCheckmarkRegular } from "@fluentui/react-icons";
import { AuditTable } from "../components/AuditTable";
import { ErrorBar } from "../components/ErrorBar";
import { ScreenTitle } from "../components/ScreenTitle";
import { useAudit } from "../hooks/useAudit";

const useStyles = makeStyles({
  screen: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { gap: tokens.spacingHorizontalS, paddingLeft: 0 },
});

export function ActivityScreen() {
  const styles = useStyles();
  const audit = useAudit();
  const verification = audit.verification;

  return (
    <div className={styles.screen}>
      <ScreenTitle trail={["Activity"]} title="Activity" />
      <Toolbar aria-label="Activity actions" className={styles.toolbar}>
        <Button id="refresh-activity" icon={<ArrowSyncRegular />} disabled={audit.loading} onClick={() => void audit.reload()}>
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
        {audit.loading || audit.verifying ? <Spinner size="tiny" /> : null}
      </Toolbar>
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
        <Text data-testid="audit-empty">No activity yet. Every action you confirm is recorded here.</Text>
      ) : null}
      {audit.entries.length > 0 ? <AuditTable entries={audit.entries} /> : null}
    </div>
  );
}
