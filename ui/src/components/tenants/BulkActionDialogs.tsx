import type { ApproverSignIn } from "../../ipc/api";
import type { ApprovalStep } from "../../ipc/types";
import type { BulkActionFlow } from "../../hooks/useBulkAction";
import { BulkJobPanel } from "./BulkJobPanel";
import { BulkPlanDialog } from "./BulkPlanDialog";

/** The confirmation, then the job's progress, of whichever stage the flow is in. */
export function BulkActionDialogs({
  flow,
  onConfirm,
  onApprove,
  onCancel,
  onJobClosed,
}: {
  flow: BulkActionFlow;
  onConfirm: (reason: string) => void;
  onApprove: (form: ApproverSignIn) => Promise<ApprovalStep>;
  onCancel: () => void;
  onJobClosed: () => void;
}) {
  if (flow.stage === "idle") return null;
  if (flow.stage === "job") return <BulkJobPanel key={flow.job.id} job={flow.job} onClose={onJobClosed} />;
  return <BulkPlanDialog flow={flow} onConfirm={onConfirm} onApprove={onApprove} onCancel={onCancel} />;
}
