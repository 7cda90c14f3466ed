import { makeStyles } from "@fluentui/react-components";

/**
 * Fluent's Table gives every column the same fixed width, so UPNs, timestamps and badges spill
 * into the next column. Sizing columns to their content (and wrapping long words) reads like the
 * admin centre's lists.
 */
export const useTableStyles = makeStyles({
  table: {
    tableLayout: "auto",
    "& th": { whiteSpace: "nowrap" },
    "& td": { overflowWrap: "break-word" },
    "& .fui-Badge": { whiteSpace: "nowrap" },
  },
});
