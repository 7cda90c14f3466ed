import { makeStyles, tokens } from "@fluentui/react-components";
import type { FactValue, UserFact } from "../ipc/types";
import { formatDateTime } from "../format";
import { BadgeList } from "./RoleBadges";

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "220px 1fr",
    rowGap: tokens.spacingVerticalS,
    columnGap: tokens.spacingHorizontalL,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0 },
});

/**
 * The Summary of every user page: the facts Rust lists for the provider, in its order. Each
 * kind of value reads the same whatever the provider: a time in the operator's locale, names
 * (admin roles) as badges, a missing value as a dash.
 */
export function UserFacts({ facts }: { facts: UserFact[] }) {
  const styles = useStyles();
  return (
    <dl className={styles.grid}>
      {facts.map((fact) => (
        <div key={fact.key} style={{ display: "contents" }}>
          <dt className={styles.term}>{fact.label}</dt>
          <dd className={styles.value} data-testid={`summary-${fact.key}`}>
            <FactShown value={fact.value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function FactShown({ value }: { value: FactValue | null }) {
  if (value === null) return <>—</>;
  switch (value.shape) {
    case "text":
      return <>{value.value}</>;
    case "time":
      return <>{formatDateTime(value.value)}</>;
    case "badges":
      return <BadgeList items={value.value.map((name) => ({ key: name, label: name }))} testId="fact-badge" />;
  }
}
