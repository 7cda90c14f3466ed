import { Button, Spinner, Text, makeStyles, tokens } from "@fluentui/react-components";
import { formatDateTime } from "../format";
import { useCacheStatus } from "../hooks/useCacheStatus";

const useStyles = makeStyles({
  line: { display: "flex", alignItems: "center", flexWrap: "wrap", gap: tokens.spacingHorizontalM },
  muted: { color: tokens.colorNeutralForeground3 },
  problem: { color: tokens.colorPaletteRedForeground1 },
});

/** The offline cache of one connection: size, last syncs, a Refresh button, sync progress. */
export function CacheStatusLine({ connectionId }: { connectionId: string }) {
  const styles = useStyles();
  const { status, error, refresh } = useCacheStatus(connectionId);
  return (
    <div className={styles.line} data-testid="cache-status">
      <Text size={200} className={styles.muted} data-testid="cache-summary">
        {status
          ? `Offline cache: ${status.users.toLocaleString()} user${status.users === 1 ? "" : "s"} · last full sync ${formatDateTime(
              status.lastFullSync,
            )} · last delta ${formatDateTime(status.lastDelta)}`
          : "Offline cache: reading…"}
      </Text>
      {status?.syncing ? (
        <Spinner
          size="extra-tiny"
          data-testid="cache-syncing"
          label={`Syncing… ${status.progress.toLocaleString()} users read`}
        />
      ) : null}
      {status?.offline ? (
        <Text size={200} className={styles.problem} data-testid="cache-offline">
          Offline
        </Text>
      ) : null}
      <Button size="small" onClick={refresh} disabled={status?.syncing ?? false} data-testid="cache-refresh">
        Refresh
      </Button>
      {status?.error ? (
        <Text size={200} className={styles.problem} data-testid="cache-error">
          Last sync failed: {status.error}
        </Text>
      ) : null}
      {status?.notice ? (
        <Text size={200} data-testid="cache-notice">
          {status.notice}
        </Text>
      ) : null}
      {error ? (
        <Text size={200} className={styles.problem} data-testid="cache-refresh-error">
          {error.message}
        </Text>
      ) : null}
    </div>
  );
}
