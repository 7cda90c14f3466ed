import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { InfoRegular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { about } from "../ipc/api";
import type { AboutInfo, AppError } from "../ipc/types";

const useStyles = makeStyles({
  list: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0, fontFamily: tokens.fontFamilyMonospace, wordBreak: "break-all" },
  trigger: { color: "inherit" },
});

type Row = { label: string; key: keyof AboutInfo };
const ROWS: Row[] = [
  { label: "Version", key: "version" },
  { label: "Data (settings, audit log, cache)", key: "dataDir" },
  { label: "Settings file", key: "settingsFile" },
  { label: "Audit log", key: "auditLog" },
  { label: "Logs and crash reports", key: "logDir" },
  { label: "Log level", key: "logLevel" },
  { label: "Window position", key: "configDir" },
  { label: "Tauri", key: "tauriVersion" },
  { label: "System", key: "os" },
];

/** The About box: a header button opens it (also F1); the facts come from Rust (`about`). */
export function AboutDialog() {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const [info, setInfo] = useState<AboutInfo | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "F1") {
        event.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    if (!open) return;
    let current = true;
    setError(null);
    about()
      .then((value) => current && setInfo(value))
      .catch((e: AppError) => current && setError(e));
    return () => {
      current = false;
    };
  }, [open]);

  return (
    <Dialog open={open} onOpenChange={(_, data) => setOpen(data.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button
          id="about-button"
          appearance="transparent"
          className={styles.trigger}
          icon={<InfoRegular />}
          aria-label="About ResetDesk (F1)"
          title="About ResetDesk (F1)"
        />
      </DialogTrigger>
      <DialogSurface id="about-dialog" aria-describedby="about-facts">
        <DialogBody>
          <DialogTitle>About {info?.productName ?? "ResetDesk"}</DialogTitle>
          <DialogContent>
            {error ? (
              <Text role="alert">{error.message}</Text>
            ) : info ? (
              <dl className={styles.list} id="about-facts">
                {ROWS.map((row) => (
                  <div key={row.key} style={{ display: "contents" }}>
                    <dt className={styles.term}>{row.label}</dt>
                    <dd className={styles.value} data-testid={`about-${row.key}`}>
                      {info[row.key] || "—"}
                    </dd>
                  </div>
                ))}
              </dl>
            ) : (
              <Spinner size="tiny" label="Reading…" />
            )}
          </DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button id="about-close" appearance="primary">
                Close
              </Button>
            </DialogTrigger>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
