import { NavDrawer, NavDrawerBody, NavItem, makeStyles } from "@fluentui/react-components";
import { HistoryRegular, PeopleRegular, PlugConnectedRegular } from "@fluentui/react-icons";

export type NavTarget = "connections" | "users" | "activity";

const useStyles = makeStyles({
  // The admin centre's nav is narrow; the default drawer width takes room the tables need.
  drawer: { height: "100%", "--fui-Drawer--size": "220px" },
});

/** The admin centre's left navigation. Ids `#nav-*` are used by the end-to-end tests. */
export function NavMenu({ selected, onSelect }: { selected: NavTarget; onSelect: (target: NavTarget) => void }) {
  const styles = useStyles();
  return (
    <NavDrawer type="inline" open selectedValue={selected} className={styles.drawer} size="small" aria-label="Navigation">
      <NavDrawerBody>
        <NavItem id="nav-connections" value="connections" icon={<PlugConnectedRegular fontSize={20} />} onClick={() => onSelect("connections")}>
          Connections
        </NavItem>
        <NavItem id="nav-users" value="users" icon={<PeopleRegular fontSize={20} />} onClick={() => onSelect("users")}>
          Users
        </NavItem>
        <NavItem id="nav-activity" value="activity" icon={<HistoryRegular fontSize={20} />} onClick={() => onSelect("activity")}>
          Activity
        </NavItem>
      </NavDrawerBody>
    </NavDrawer>
  );
}
