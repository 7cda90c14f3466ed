import {
  Badge,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { LockClosedRegular, WarningRegular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { safetyRules } from "../ipc/api";
import type { ManagedPolicyView, SafetyRuleView, SafetyRulesView } from "../ipc/types";
import { useTableStyles } from "./tableStyles";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  marks: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
  note: { color: tokens.colorNeutralForeground2, display: "block" },
});

function ManagedLine({ policy }: { policy: ManagedPolicyView }) {
  switch (policy.state) {
    case "inForce":
      return (
        <Text size={200} data-testid="managed-policy" data-state="inForce">
          Your organisation&apos;s managed policy ({policy.path}) sets the floor of every rule: settings.json may make a rule
          stricter, never weaker.
        </Text>
      );
    case "refused":
      return (
        <MessageBar intent="error" layout="multiline" data-testid="managed-policy" data-state="refused">
          <MessageBarBody>{policy.message}</MessageBarBody>
        </MessageBar>
      );
    default:
      return (
        <Text size={200} data-testid="managed-policy" data-state="none">
          No managed policy on this computer: the rules come from settings.json (the &quot;safety&quot; key).
        </Text>
      );
  }
}

function RuleRow({ rule }: { rule: SafetyRuleView }) {
  const styles = useStyles();
  return (
    <TableRow
      data-testid="safety-rule"
      data-key={rule.key}
      data-managed={rule.managed ? "true" : "false"}
      data-locked={rule.locked ? "true" : "false"}
      data-weaker={rule.weakerThanDefault ? "true" : "false"}
    >
      <TableCell>{rule.label}</TableCell>
      <TableCell data-testid="safety-rule-value">{rule.value}</TableCell>
      <TableCell>
        <span className={styles.marks}>
          {rule.managed ? (
            <Badge appearance="tint" color="brand" data-testid="rule-managed">
              Managed
            </Badge>
          ) : null}
          {rule.locked ? (
            <Badge appearance="filled" color="brand" icon={<LockClosedRegular />} data-testid="rule-locked">
              Locked
            </Badge>
          ) : null}
          {rule.weakerThanDefault ? (
            <Badge appearance="filled" color="warning" icon={<WarningRegular />} data-testid="rule-weaker">
              Weaker than the default
            </Badge>
          ) : null}
        </span>
        {rule.weakerThanDefault ? <Text size={200} className={styles.note}>{rule.weakerThanDefault}</Text> : null}
        {rule.raisedFrom !== null ? (
          <Text size={200} className={styles.note} data-testid="rule-raised">
            {rule.locked
              ? `Your setting (${rule.raisedFrom}) is ignored: the policy locks this rule.`
              : `Your setting (${rule.raisedFrom}) is weaker than the policy's and is ignored.`}
          </Text>
        ) : null}
      </TableCell>
    </TableRow>
  );
}

/**
 * The safety rules in force, as Rust applies them: which the machine's managed policy sets (a
 * user's settings.json cannot loosen those), and which are weaker than ResetDesk's defaults —
 * so a loosened rule is seen on the screen, not only in a log.
 */
export function SafetyRulesPanel() {
  const styles = useStyles();
  const tableStyles = useTableStyles();
  const [view, setView] = useState<SafetyRulesView | null>(null);
  useEffect(() => {
    let live = true;
    safetyRules().then(
      (v) => live && setView(v),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  if (!view) return null;
  const weaker = view.rules.filter((r) => r.weakerThanDefault).length;
  return (
    <section className={styles.section} aria-labelledby="safety-rules-heading" data-testid="safety-rules">
      <Subtitle2 as="h2" id="safety-rules-heading">
        Safety rules{weaker > 0 ? ` — ${weaker} weaker than the defaults` : ""}
      </Subtitle2>
      <ManagedLine policy={view.managedPolicy} />
      <Table aria-labelledby="safety-rules-heading" size="extra-small" className={tableStyles.table}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Rule</TableHeaderCell>
            <TableHeaderCell>In force</TableHeaderCell>
            <TableHeaderCell>Set by</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {view.rules.map((rule) => (
            <RuleRow key={rule.key} rule={rule} />
          ))}
        </TableBody>
      </Table>
    </section>
  );
}
