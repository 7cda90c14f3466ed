import { Button, MessageBar, MessageBarBody } from "@fluentui/react-components";
import { useState } from "react";
import { sandboxSecondDesktopReset } from "../../ipc/api";
import type { AppError } from "../../ipc/types";
import { ErrorBar } from "../ErrorBar";

/**
 * The sandbox's demo of team-wide counting: a second desktop resets this user's password as the
 * operator signed in here; the count above then includes it, read from the tenant's audit log.
 */
export function SecondDesktopDemo({ userId, onDone }: { userId: string; onDone: () => void }) {
  const [said, setSaid] = useState<string | null>(null);
  const [failed, setFailed] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setFailed(null);
    try {
      setSaid(await sandboxSecondDesktopReset(userId));
      onDone();
    } catch (e) {
      setFailed(e as AppError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div>
        <Button id="second-desktop-reset" size="small" disabled={busy} onClick={() => void run()}>
          Demo: a second desktop resets this password
        </Button>
      </div>
      {said ? (
        <MessageBar intent="info" layout="multiline" data-testid="second-desktop-said">
          <MessageBarBody>{said}</MessageBarBody>
        </MessageBar>
      ) : null}
      {failed ? <ErrorBar error={failed} /> : null}
    </>
  );
}
