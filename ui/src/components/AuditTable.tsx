import {
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ChevronDownRegular, ChevronRightRegular } from "@fluentui/react-icons";
import { Fragment, useState } from "react";
import { useTableStyles } from "./tableStyles";
import type { ActionName, AuditEntry } from "../ipc/types";
import { actionLabel, formatDateTime } from "../format";
import { AuditEntryDetails } from "./AuditEntryDetails";
import { AuditOutcomeBadge } from "./StatusBadges";

const useStyles = makeStyles({
  expander: { width: "40px" },
  time: { whiteSpace: "nowrap" },
  reason: { minWidth: "160px" },
  noReason: { color: tokens.colorNeutralForeground3, fontStyle: "italic" },
});

/** `actions`: the providers' actions, to show an entry that names its action by id by its label. */
export function AuditTable({ entries, actions }: { entries: AuditEntry[]; actions: ActionName[] }) {
  const tableStyles = useTableStyles();
  const styles = useStyles();
  const [expanded, setExpanded] = useState<number | null>(null);
  return (
    <Table aria-label="Activity" size="small" className={tableStyles.table}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell className={styles.expander} />
          <TableHeaderCell>Time</TableHeaderCell>
          <TableHeaderCell>Operator</TableHeaderCell>
          <TableHeaderCell>Action</TableHeaderCell>
          <TableHeaderCell>Target</TableHeaderCell>
          <TableHeaderCell>Outcome</TableHeaderCell>
          <TableHeaderCell className={styles.reason}>Reason</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {entries.map((entry) => {
          const open = expanded === entry.seq;
          return (
            <Fragment key={entry.seq}>
              <TableRow data-testid="audit-row" data-seq={entry.seq} data-outcome={entry.outcome}>
                <TableCell className={styles.expander}>
                  <Button
                    appearance="subtle"
                    size="small"
                    aria-expanded={open}
                    aria-label={open ? "Hide details" : "Show details"}
                    data-testid="audit-expand"
                    icon={open ? <ChevronDownRegular /> : <ChevronRightRegular />}
                    onClick={() => setExpanded(open ? null : entry.seq)}
                  />
                </TableCell>
                <TableCell className={styles.time}>{formatDateTime(entry.at)}</TableCell>
                <TableCell>{entry.operator}</TableCell>
                <TableCell>{actionLabel(entry.action, actions)}</TableCell>
                <TableCell>{entry.target}</TableCell>
                <TableCell>
                  <AuditOutcomeBadge outcome={entry.outcome} />
                </TableCell>
                <TableCell className={styles.reason}>
                  {entry.reason ? entry.reason : <span className={styles.noReason}>{entry.message ?? "No reason given"}</span>}
                </TableCell>
              </TableRow>
              {open ? (
                <TableRow>
                  <TableCell colSpan={7}>
                    <AuditEntryDetails entry={entry} />
                  </TableCell>
                </TableRow>
              ) : null}
            </Fragment>
          );
        })}
      </TableBody>
    </Table>
  );
}
