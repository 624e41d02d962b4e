/**
 * Keys on the section tabs' list (issue 24 §4). @dhis2/ui 10.14's TabBar makes its tab list one
 * Tab stop (tabindex 0) whose keydown handler, while the list itself has focus, moves focus to the
 * first tab on any key, Tab included; and focusing a tab opens its screen. A keyboard user
 * tabbing past the sections was thrown onto the first screen, focus on inside it. Here, keys
 * pressed on the list itself never reach that handler: Tab and Shift+Tab pass by as anywhere
 * else, and an arrow, Enter or Space focuses the selected tab (the screen one is on), from
 * which @dhis2/ui's arrows move between tabs as before.
 */
const ENTER_KEYS = new Set(['ArrowRight', 'ArrowLeft', 'Home', 'End', 'Enter', ' ']);

function onKey(e: KeyboardEvent): void {
  const list = e.target;
  if (!(list instanceof HTMLElement) || list.getAttribute('role') !== 'tablist') return;
  // Captured on the document, before React's listener on the root: the library's handler
  // never sees it; the browser's own Tab still moves focus.
  e.stopPropagation();
  if (!ENTER_KEYS.has(e.key)) return;
  e.preventDefault();
  const tab =
    list.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]') ??
    list.querySelector<HTMLElement>('[role="tab"]');
  tab?.focus();
}

/** Starts handling keys on tab lists; returns the stop function. */
export function fixTabListKeys(): () => void {
  document.addEventListener('keydown', onKey, true);
  return () => document.removeEventListener('keydown', onKey, true);
}
