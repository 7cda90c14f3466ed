import { Badge } from "@fluentui/react-components";
import type { BadgeProps } from "@fluentui/react-components";
import {
  CheckmarkCircleFilled,
  ClockFilled,
  HandRightFilled,
  DismissCircleFilled,
  ProhibitedFilled,
  SubtractCircleFilled,
  WarningFilled,
} from "@fluentui/react-icons";
import type { ReactElement } from "react";
import type { AuditOutcome, StepState, StepStatus } from "../ipc/types";
import { AUDIT_OUTCOME_LABELS, STEP_STATUS_LABELS } from "../format";

const STEP_LOOK: Record<StepStatus, { color: BadgeProps["color"]; icon: ReactElement }> = {
  succeeded: { color: "success", icon: <CheckmarkCircleFilled /> },
  failed: { color: "danger", icon: <DismissCircleFilled /> },
  skipped: { color: "subtle", icon: <SubtractCircleFilled /> },
  refused: { color: "warning", icon: <ProhibitedFilled /> },
  waitingForOperator: { color: "informative", icon: <ClockFilled /> },
  completedByHand: { color: "success", icon: <HandRightFilled /> },
};

export function StepStatusBadge({ status }: { status: StepStatus }) {
  const look = STEP_LOOK[status];
  return (
    <Badge appearance="tint" color={look?.color ?? "informative"} icon={look?.icon}>
      {STEP_STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

/** A step's state in a run's result (`StepStatusBadge` is the same step as the audit log records it). */
const STATE_LOOK: Record<StepState, { color: BadgeProps["color"]; label: string }> = {
  done: { color: "success", label: "Done" },
  failed: { color: "danger", label: "Failed" },
  skipped: { color: "subtle", label: "Skipped" },
  refused: { color: "warning", label: "Refused" },
  toDoByHand: { color: "warning", label: "To do by hand" },
  doneByHand: { color: "success", label: "Done by hand" },
};

export function StepStateBadge({ state }: { state: StepState }) {
  const look = STATE_LOOK[state];
  return (
    <Badge appearance="tint" color={look?.color ?? "informative"}>
      {look?.label ?? state}
    </Badge>
  );
}

const OUTCOME_LOOK: Record<AuditOutcome, { color: BadgeProps["color"]; icon: ReactElement }> = {
  succeeded: { color: "success", icon: <CheckmarkCircleFilled /> },
  partial: { color: "warning", icon: <WarningFilled /> },
  failed: { color: "danger", icon: <DismissCircleFilled /> },
  refused: { color: "severe", icon: <ProhibitedFilled /> },
  pending: { color: "informative", icon: <ClockFilled /> },
};

export function AuditOutcomeBadge({ outcome }: { outcome: AuditOutcome }) {
  const look = OUTCOME_LOOK[outcome];
  return (
    <Badge appearance="tint" color={look?.color ?? "informative"} icon={look?.icon}>
      {AUDIT_OUTCOME_LABELS[outcome] ?? outcome}
    </Badge>
  );
}
