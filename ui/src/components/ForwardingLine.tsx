import { MessageBar, MessageBarBody, Text } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { auditForwarding } from "../ipc/api";
import type { ForwardingStatus } from "../ipc/types";

/**
 * One line on the Activity screen: whether the security team's collector also receives each
 * entry (a copy this desktop cannot rewrite), and whether delivery is keeping up.
 */
export function ForwardingLine() {
  const [status, setStatus] = useState<ForwardingStatus | null>(null);
  useEffect(() => {
    let live = true;
    auditForwarding().then(
      (s) => live && setStatus(s),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  if (!status) return null;
  if (!status.enabled && status.lastError) {
    // The settings ask for forwarding that Rust refused (plain TCP across the network, a bad CA):
    // say so, rather than "not forwarded" as if nobody had asked.
    return (
      <MessageBar intent="error" data-testid="forwarding-status" data-state="refused">
        <MessageBarBody>Not forwarded: the syslog settings were refused. {status.lastError}</MessageBarBody>
      </MessageBar>
    );
  }
  if (!status.enabled) {
    return (
      <Text size={200} data-testid="forwarding-status" data-state="off">
        Not forwarded to a syslog collector (the &quot;syslog&quot; setting in settings.json; see docs/audit-log.md in the ResetDesk documentation).
      </Text>
    );
  }
  const troubled = !status.connected || status.dropped > 0;
  const text = [
    `Forwarded to ${status.destination ?? "the syslog collector"}`,
    status.connected ? "connected" : "not connected — retrying",
    `${status.queued} waiting`,
    status.dropped > 0 ? `${status.dropped} dropped (the queue was full)` : null,
    status.lastError ? `last error: ${status.lastError}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  return troubled ? (
    <MessageBar intent="warning" data-testid="forwarding-status" data-state="trouble">
      <MessageBarBody>{text}</MessageBarBody>
    </MessageBar>
  ) : (
    <Text size={200} data-testid="forwarding-status" data-state="ok">
      {text}
    </Text>
  );
}
