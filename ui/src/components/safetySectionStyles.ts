import { makeStyles, tokens } from "@fluentui/react-components";

/** The look of the confirmation's safety sections (verification, one-time code, approval). */
export const useSafetySectionStyles = makeStyles({
  section: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingVerticalS,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "end", flexWrap: "wrap" },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase500, letterSpacing: "0.2em" },
  reasons: { margin: 0, paddingLeft: tokens.spacingHorizontalXXL },
});
