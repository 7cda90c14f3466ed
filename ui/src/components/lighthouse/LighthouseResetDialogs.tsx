import type { ApproverSignIn } from "../../ipc/api";
import type { ApprovalStep } from "../../ipc/types";
import type { LighthouseResetFlow } from "../../hooks/useLighthouseReset";
import { LighthouseJobPanel } from "./LighthouseJobPanel";
import { LighthousePlanDialog } from "./LighthousePlanDialog";

/** The confirmation, then the job's progress, of whichever stage the flow is in. */
export function LighthouseResetDialogs({
  flow,
  onConfirm,
  onApprove,
  onCancel,
  onJobClosed,
}: {
  flow: LighthouseResetFlow;
  onConfirm: (reason: string) => void;
  onApprove: (form: ApproverSignIn) => Promise<ApprovalStep>;
  onCancel: () => void;
  onJobClosed: () => void;
}) {
  if (flow.stage === "idle") return null;
  if (flow.stage === "job") return <LighthouseJobPanel key={flow.job.id} job={flow.job} onClose={onJobClosed} />;
  return <LighthousePlanDialog flow={flow} onConfirm={onConfirm} onApprove={onApprove} onCancel={onCancel} />;
}
