import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import type { AppError, ErrorKind } from "../ipc/types";

// Short titles per kind; the message from Rust already says what happened and what to do.
const TITLES: Record<ErrorKind, string> = {
  NotSignedIn: "Not signed in",
  Forbidden: "Refused by the directory",
  Denied: "Not allowed",
  NotFound: "Not found",
  Throttled: "Too many requests",
  Offline: "Cannot reach the service",
  Provider: "The directory returned an error",
  InvalidInput: "Invalid request",
  Keychain: "Keychain unavailable",
  Ambiguous: "Outcome unknown",
  Internal: "Something went wrong",
};

/** Every error the page shows goes through here, so end-to-end tests find it as `#error-bar`. */
export function ErrorBar({ error }: { error: AppError }) {
  return (
    <MessageBar id="error-bar" data-testid="error-bar" data-kind={error.kind} intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{TITLES[error.kind] ?? "Error"}</MessageBarTitle>
        {error.message}
        {error.detail ? <div style={{ opacity: 0.8 }}>{error.detail}</div> : null}
      </MessageBarBody>
    </MessageBar>
  );
}
