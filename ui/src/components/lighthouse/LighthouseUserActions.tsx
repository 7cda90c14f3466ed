import { LighthouseResetDialogs } from "./LighthouseResetDialogs";
import { useLighthouseReset } from "../../hooks/useLighthouseReset";
import type { UserActionsProps } from "../user/actionsProps";
import { OffersBar } from "../user/OffersBar";

/**
 * A Lighthouse customer's user: Rust's offer in the action bar (refused with the customer's
 * reason), then Lighthouse's reset — a bulk job of this one user, with its plan, approval and
 * job panel — until its plans join the provider seam.
 */
export function LighthouseUserActions(props: UserActionsProps) {
  const { connection, userId, tenantId, refresh } = props;
  const reset = useLighthouseReset(connection.id);
  return (
    <>
      <OffersBar
        {...props}
        busy={reset.flow.stage !== "idle"}
        onStart={(action) => {
          if (action === "resetAllMfa" && tenantId) void reset.start([{ tenantId, userId }]);
        }}
      />
      <LighthouseResetDialogs
        flow={reset.flow}
        onConfirm={(reason) => void reset.confirm(reason)}
        onApprove={reset.approve}
        onCancel={reset.close}
        onJobClosed={() => {
          reset.close();
          // The methods changed: read them again live rather than show the old ones.
          void refresh({ discardShown: true });
        }}
      />
    </>
  );
}
