import { Badge, Button, Text, makeStyles, tokens } from "@fluentui/react-components";
import { ArrowSyncRegular } from "@fluentui/react-icons";
import { useCallback, useEffect, useRef, useState } from "react";
import { SummaryAndMethodsTabs, UserPageFrame } from "../components/UserPageFrame";
import type { UserTab } from "../components/UserPageFrame";
import { UserFacts } from "../components/UserFacts";
import { LighthouseActionBar } from "../components/lighthouse/LighthouseActionBar";
import { LighthouseResetDialogs } from "../components/lighthouse/LighthouseResetDialogs";
import { useLighthouseReset } from "../hooks/useLighthouseReset";
import { lighthouseUserDetails } from "../ipc/api";
import type { AppError, LighthouseUserDetails } from "../ipc/types";

const useStyles = makeStyles({
  customer: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

/** A user of a customer tenant: Summary and Authentication methods, with "Reset all multi-factor authentications". */
export function LighthouseUserScreen({
  connectionId,
  tenantId,
  userId,
  fallbackName,
  onBackToUsers,
}: {
  connectionId: string;
  tenantId: string;
  userId: string;
  fallbackName: string;
  onBackToUsers: () => void;
}) {
  const styles = useStyles();
  const [details, setDetails] = useState<LighthouseUserDetails | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  // Kept while the user is read again after the job.
  const [tab, setTab] = useState<UserTab>("summary");
  const reset = useLighthouseReset(connectionId);
  const latest = useRef(0);

  const refresh = useCallback(
    async (discardShown = false) => {
      const no = ++latest.current;
      if (discardShown) setDetails(null);
      setLoading(true);
      try {
        const fresh = await lighthouseUserDetails(connectionId, tenantId, userId);
        if (no !== latest.current) return;
        setDetails(fresh);
        setError(null);
      } catch (e) {
        if (no === latest.current) setError(e as AppError);
      } finally {
        if (no === latest.current) setLoading(false);
      }
    },
    [connectionId, tenantId, userId],
  );

  useEffect(() => {
    void refresh(true);
  }, [refresh]);

  const name = details?.user.displayName ?? fallbackName;
  const offer = details?.actions.find((a) => a.action === "resetAllMfa") ?? null;

  return (
    <UserPageFrame
      name={name}
      loading={loading}
      onBackToUsers={onBackToUsers}
      error={error}
      header={
        details ? (
          <div className={styles.customer} data-testid="lh-user-customer">
            <Text>
              Customer: <strong>{details.customer.displayName}</strong>
            </Text>
            {details.customer.roles.map((role) => (
              <Badge key={role.templateId} appearance="outline" color="informative" size="small">
                {role.displayName}
              </Badge>
            ))}
          </div>
        ) : null
      }
    >
      {details ? (
        <SummaryAndMethodsTabs
          summary={<UserFacts facts={details.facts} />}
          methods={details.methods}
          methodsError={details.methodsError}
          tab={tab}
          onTabChange={setTab}
          toolbar={
            // The action is on both tabs, as in Lighthouse.
            <LighthouseActionBar
              offer={offer}
              selectedCount={null}
              busy={reset.flow.stage !== "idle"}
              onStart={() => void reset.start([{ tenantId: details.user.tenantId, userId: details.user.id }])}
            >
              <Button id="refresh-user" appearance="subtle" icon={<ArrowSyncRegular />} disabled={loading} onClick={() => void refresh()}>
                Refresh
              </Button>
            </LighthouseActionBar>
          }
        />
      ) : null}
      <LighthouseResetDialogs
        flow={reset.flow}
        onConfirm={(reason) => void reset.confirm(reason)}
        onApprove={reset.approve}
        onCancel={reset.close}
        onJobClosed={() => {
          reset.close();
          // The methods changed: read them again live rather than show the old ones.
          void refresh(true);
        }}
      />
    </UserPageFrame>
  );
}
