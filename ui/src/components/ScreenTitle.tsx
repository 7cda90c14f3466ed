import {
  Breadcrumb,
  BreadcrumbButton,
  BreadcrumbDivider,
  BreadcrumbItem,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Fragment } from "react";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  header: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  titleRow: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
});

export interface Crumb {
  label: string;
  onClick?: () => void;
}

/** The admin centre's page header: a breadcrumb trail ("Users > Adele Vance") and a title. */
export function ScreenTitle({
  trail,
  title,
  titleId,
  after,
}: {
  trail: Array<string | Crumb>;
  title: string;
  titleId?: string;
  after?: ReactNode;
}) {
  const styles = useStyles();
  const crumbs: Crumb[] = trail.map((c) => (typeof c === "string" ? { label: c } : c));
  return (
    <div className={styles.header}>
      <Breadcrumb aria-label="Breadcrumb" size="small">
        {crumbs.map((crumb, index) => (
          <Fragment key={`${crumb.label}-${index}`}>
            <BreadcrumbItem>
              {crumb.onClick ? (
                <BreadcrumbButton onClick={crumb.onClick}>{crumb.label}</BreadcrumbButton>
              ) : (
                <BreadcrumbButton current={index === crumbs.length - 1}>{crumb.label}</BreadcrumbButton>
              )}
            </BreadcrumbItem>
            {index < crumbs.length - 1 ? <BreadcrumbDivider /> : null}
          </Fragment>
        ))}
      </Breadcrumb>
      <div className={styles.titleRow}>
        <Title2 as="h1" id={titleId}>
          {title}
        </Title2>
        {after}
      </div>
    </div>
  );
}
