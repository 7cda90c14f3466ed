import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";

/** Shown by screens that need a signed-in connection. */
export function NotSignedIn({ onGoToConnections }: { onGoToConnections: () => void }) {
  return (
    <MessageBar intent="info" data-testid="not-signed-in">
      <MessageBarBody>
        <MessageBarTitle>Not signed in</MessageBarTitle>
        Sign in to a connection to work with its users.
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={onGoToConnections}>Go to Connections</Button>
      </MessageBarActions>
    </MessageBar>
  );
}
