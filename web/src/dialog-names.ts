/**
 * Accessible names for dialogs (issue 24 §4). @dhis2/ui 10.14's Modal renders
 * `<aside role="dialog" aria-modal="true">` with no name and passes no aria-* props through, so
 * a screen reader announces a bare "dialog" (axe: aria-dialog-name). WAI-ARIA's dialog pattern
 * names a dialog by its title: each dialog that has no name gets `aria-labelledby` pointing at
 * its ModalTitle, as it appears. One watcher for the whole page, so no screen has to remember.
 */
const UNNAMED = '[role="dialog"]:not([aria-labelledby]):not([aria-label])';
const TITLE = '[data-test="dhis2-uicore-modaltitle"], h1, h2';

let counter = 0;

function nameAll(root: ParentNode): void {
  for (const dialog of root.querySelectorAll<HTMLElement>(UNNAMED)) {
    const title = dialog.querySelector<HTMLElement>(TITLE);
    if (!title) continue;
    if (!title.id) title.id = `dialog-title-${++counter}`;
    dialog.setAttribute('aria-labelledby', title.id);
  }
}

/** Names the dialogs under `root` now and whenever one is added; returns the stop function. */
export function nameDialogs(root: HTMLElement = document.body): () => void {
  const observer = new MutationObserver(() => nameAll(root));
  observer.observe(root, { childList: true, subtree: true });
  nameAll(root);
  return () => observer.disconnect();
}
