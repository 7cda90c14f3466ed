import {
  Badge,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useTableStyles } from "./tableStyles";
import type { AuthMethod } from "../ipc/types";
import { formatDateTime, orDash } from "../format";

/** The Authentication methods tab: every registered method, read live. */
export function MethodsTable({ methods }: { methods: AuthMethod[] }) {
  const tableStyles = useTableStyles();
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
