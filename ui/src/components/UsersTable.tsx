import {
  Badge,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
} from "@fluentui/react-components";
import { useTableStyles } from "./tableStyles";
import type { DirectoryUser } from "../ipc/types";
import { orDash } from "../format";

const useStyles = makeStyles({
  row: { cursor: "pointer" },
});

export function UsersTable({ users, onOpen }: { users: DirectoryUser[]; onOpen: (user: DirectoryUser) => void }) {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  return (
    <Table aria-label="Users" size="small" className={tableStyles.table}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Display name</TableHeaderCell>
          <TableHeaderCell>User principal name</TableHeaderCell>
          <TableHeaderCell>Mail</TableHeaderCell>
          <TableHeaderCell>Job title</TableHeaderCell>
          <TableHeaderCell>Account enabled</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {users.map((user) => (
          <TableRow
            key={user.id}
            className={styles.row}
            data-testid="user-row"
            data-upn={user.userPrincipalName}
            data-user-id={user.id}
            tabIndex={0}
            onClick={() => onOpen(user)}
            onKeyDown={(event) => {
              if (event.key === "Enter" || event.key === " ") {
                event.preventDefault();
                onOpen(user);
              }
            }}
          >
            <TableCell>
              <TableCellLayout>{user.displayName}</TableCellLayout>
            </TableCell>
            <TableCell>{user.userPrincipalName}</TableCell>
            <TableCell>{orDash(user.mail)}</TableCell>
            <TableCell>{orDash(user.jobTitle)}</TableCell>
            <TableCell>
              {user.accountEnabled === false ? (
                <Badge appearance="tint" color="danger">No</Badge>
              ) : user.accountEnabled === true ? (
                "Yes"
              ) : (
                "—"
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
