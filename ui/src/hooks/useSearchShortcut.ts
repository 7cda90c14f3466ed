import { useEffect } from "react";

/** True when a key press is meant for a text field (so "/" types a slash there). */
function typingInField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

/**
 * The search shortcut, as in the admin centres: Ctrl+K (⌘K) anywhere, or "/" when not typing
 * in a field, calls `onSearch`. Ignored while a dialog is open (it traps focus and has its own keys).
 */
export function useSearchShortcut(onSearch: () => void) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey) return;
      if (document.querySelector('[role="dialog"], [role="alertdialog"]')) return;
      const ctrlK = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "k";
      const slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !typingInField(event.target);
      if (ctrlK || slash) {
        event.preventDefault();
        onSearch();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onSearch]);
}

/** Focuses the Users search box once it is on the page (it may be rendering after a route change). */
export function focusUserSearch(id = "user-search", tries = 20) {
  const field = document.getElementById(id);
  if (field) {
    field.focus();
    if (field instanceof HTMLInputElement) field.select();
  } else if (tries > 0) {
    requestAnimationFrame(() => focusUserSearch(id, tries - 1));
  }
}
