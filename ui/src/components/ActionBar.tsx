import {
  Button,
  MessageBar,
  MessageBarBody,
  Toolbar,
  Tooltip,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowSyncRegular, KeyRegular, KeyResetRegular, PersonPasskeyRegular, SignOutRegular } from "@fluentui/react-icons";
import type { ReactElement } from "react";
import type { ActionKind, OfferedAction } from "../ipc/types";
import { ACTION_KINDS } from "../ipc/types";
import { ACTION_LABELS } from "../format";

const ICONS: Record<ActionKind, ReactElement> = {
  resetPassword: <KeyResetRegular />,
  requireReregisterMfa: <PersonPasskeyRegular />,
  revokeSessions: <SignOutRegular />,
  issueTemporaryAccessPass: <KeyRegular />,
};

const useStyles = makeStyles({
  bar: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  toolbar: { gap: tokens.spacingHorizontalS, flexWrap: "wrap", paddingLeft: 0 },
  // A disabled button receives no pointer events; the wrapper carries the tooltip instead.
  disabledWrapper: { display: "inline-flex" },
  reasons: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

export interface ActionBarProps {
  actions: OfferedAction[];
  /** True while a plan is being built or run: no second action may start. */
  busy: boolean;
  onStart: (action: ActionKind) => void;
  onRefresh: () => void;
  refreshing: boolean;
}

/**
 * The buttons at the top of the user's page. Rust decides which are allowed; a refused one is
 * shown disabled with its reason both as a tooltip and as a visible line, since a tooltip is out
 * of reach for keyboard users and for end-to-end tests.
 */
export function ActionBar({ actions, busy, onStart, onRefresh, refreshing }: ActionBarProps) {
  const styles = useStyles();
  const ordered = ACTION_KINDS.map((kind) => actions.find((a) => a.action === kind)).filter(
    (a): a is OfferedAction => a !== undefined,
  );
  const refused = ordered.filter((a) => !a.allowed);

  return (
    <div className={styles.bar}>
      <Toolbar aria-label="User actions" className={styles.toolbar}>
        {ordered.map((offered) => {
          const label = offered.label || ACTION_LABELS[offered.action];
          const reason = offered.reason ?? "Not available for this user.";
          if (offered.allowed) {
            return (
              <Button
                key={offered.action}
                data-testid={`action-${offered.action}`}
                data-allowed="true"
                icon={ICONS[offered.action]}
                disabled={busy}
                onClick={() => onStart(offered.action)}
              >
                {label}
              </Button>
            );
          }
          return (
            <Tooltip key={offered.action} content={reason} relationship="description" withArrow>
              <span className={styles.disabledWrapper}>
                <Button
                  data-testid={`action-${offered.action}`}
                  data-allowed="false"
                  icon={ICONS[offered.action]}
                  disabled
                  aria-describedby={`action-reason-${offered.action}`}
                >
                  {label}
                </Button>
              </span>
            </Tooltip>
          );
        })}
        <Button
          id="refresh-user"
          appearance="subtle"
          icon={<ArrowSyncRegular />}
          disabled={refreshing || busy}
          onClick={onRefresh}
        >
          Refresh
        </Button>
      </Toolbar>
      {refused.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="action-reasons">
          <MessageBarBody>
            <ul className={styles.reasons}>
              {refused.map((offered) => (
                <li
                  key={offered.action}
                  id={`action-reason-${offered.action}`}
                  data-testid={`action-reason-${offered.action}`}
                >
                  <strong>{offered.label || ACTION_LABELS[offered.action]}</strong> is not available:{" "}
                  {offered.reason ?? "Not available for this user."}
                </li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}
