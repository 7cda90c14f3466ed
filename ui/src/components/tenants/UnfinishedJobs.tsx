import { Button, MessageBar, MessageBarActions, MessageBarBody, makeStyles, tokens } from "@fluentui/react-components";
import { formatDateTime } from "../../format";
import type { BulkJobView } from "../../ipc/types";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, marginBottom: tokens.spacingVerticalM },
});

/** One banner per job the app stopped during (a close or a crash), with "Finish the rest". */
export function UnfinishedJobs({
  jobs,
  busy,
  onResume,
}: {
  jobs: BulkJobView[];
  busy: boolean;
  onResume: (jobId: string) => void;
}) {
  const styles = useStyles();
  if (jobs.length === 0) return null;
  return (
    <div className={styles.list}>
      {jobs.map((job) => (
        <MessageBar key={job.id} intent="warning" layout="multiline" data-testid="unfinished-job" data-job-id={job.id}>
          <MessageBarBody>
            A reset of all MFAs was interrupted: {job.done} done, {job.remaining} remaining. Started{" "}
            {formatDateTime(job.createdAt)}; reason: {job.reason}.
          </MessageBarBody>
          <MessageBarActions>
            <Button id={`resume-job-${job.id}`} appearance="primary" size="small" disabled={busy} onClick={() => onResume(job.id)}>
              Finish the rest
            </Button>
          </MessageBarActions>
        </MessageBar>
      ))}
    </div>
  );
}
