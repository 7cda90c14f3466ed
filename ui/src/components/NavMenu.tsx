import { Button, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { HistoryRegular, PeopleRegular, PlugConnectedRegular } from "@fluentui/react-icons";
import type { ReactElement } from "react";

export type NavTarget = "connections" | "users" | "activity";

const ITEMS: Array<{ target: NavTarget; label: string; icon: ReactElement }> = [
  { target: "connections", label: "Connections", icon: <PlugConnectedRegular /> },
  { target: "users", label: "Users", icon: <PeopleRegular /> },
  { target: "activity", label: "Activity", icon: <HistoryRegular /> },
];

// A plain list of buttons rather than Fluent's NavDrawer: the drawer animates its selection
// indicator, and in WebKitGTK the previous item's indicator stayed drawn after a switch.
const useStyles = makeStyles({
  nav: {
    width: "220px",
    flexShrink: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalS}`,
    backgroundColor: tokens.colorNeutralBackground4,
    boxSizing: "border-box",
  },
  item: {
    justifyContent: "flex-start",
    position: "relative",
    fontWeight: tokens.fontWeightRegular,
    minHeight: "40px",
  },
  selected: {
    fontWeight: tokens.fontWeightSemibold,
    backgroundColor: tokens.colorNeutralBackground4Selected,
    "::before": {
      content: '""',
      position: "absolute",
      left: 0,
      top: "10px",
      bottom: "10px",
      width: "3px",
      borderRadius: tokens.borderRadiusCircular,
      backgroundColor: tokens.colorCompoundBrandStroke,
    },
  },
});

/** The admin centre's left navigation. Ids `#nav-*` are used by the end-to-end tests. */
export function NavMenu({ selected, onSelect }: { selected: NavTarget; onSelect: (target: NavTarget) => void }) {
  const styles = useStyles();
  return (
    <nav className={styles.nav} aria-label="Navigation">
      {ITEMS.map((item) => (
        <Button
          key={item.target}
          id={`nav-${item.target}`}
          appearance="subtle"
          icon={item.icon}
          aria-current={selected === item.target ? "page" : undefined}
          className={mergeClasses(styles.item, selected === item.target && styles.selected)}
          onClick={() => onSelect(item.target)}
        >
          {item.label}
        </Button>
      ))}
    </nav>
  );
}
