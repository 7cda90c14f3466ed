import {
  Badge,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useTableStyles } from "./tableStyles";
import type { AppError, AuthMethod } from "../ipc/types";
import { formatDateTime, orDash } from "../format";

/** The Authentication methods tab: every registered method, read live. */
export function MethodsTable({ methods, error }: { methods: AuthMethod[]; error?: AppError | null }) {
  const tableStyles = useTableStyles();
  if (error) {
    // An unreadable list is not an empty one: say why nothing is shown.
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="methods-error" data-kind={error.kind}>
        <MessageBarBody>
          <MessageBarTitle>The authentication methods could not be read</MessageBarTitle>
          {error.message}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (methods.length === 0) {
    return <Text data-testid="methods-empty">No authentication methods are registered for this user.</Text>;
  }
  return (
    <Table aria-label="Authentication methods" size="small" className={tableStyles.table}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Authentication method</TableHeaderCell>
          <TableHeaderCell>Detail</TableHeaderCell>
          <TableHeaderCell>Default</TableHeaderCell>
          <TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell>Registered</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {methods.map((method) => (
          <TableRow key={`${method.kind}-${method.id}`} data-testid="method-row" data-kind={method.kind} data-method-id={method.id}>
            <TableCell>{method.label}</TableCell>
            <TableCell>
              {orDash(method.detail)}
              {method.phoneType ? ` (${method.phoneType})` : ""}
            </TableCell>
            <TableCell>
              {method.isDefault ? (
                <Badge appearance="tint" color="brand" data-testid="default-badge">
                  Default
                </Badge>
              ) : null}
            </TableCell>
            <TableCell>{method.kind === "hardwareOath" ? orDash(method.status) : method.status ?? ""}</TableCell>
            <TableCell>{method.created ? formatDateTime(method.created) : ""}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
