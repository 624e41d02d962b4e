/**
 * What @dhis2/ui 10.14's Modal leaves out for keyboard and screen-reader users (issue 24 §4),
 * added once for the whole page so that no screen has to remember it. The Modal renders
 * `<aside role="dialog" aria-modal="true">` and closes on Escape, but:
 * - it has no accessible name and passes no aria-* props through (axe aria-dialog-name): each
 *   dialog gets `aria-labelledby` pointing at its ModalTitle;
 * - focus stays on the button that opened it, behind the backdrop: it moves into the dialog (its
 *   first field, else its first action, Cancel in a confirmation), as WAI-ARIA's dialog pattern
 *   asks;
 * - Tab walks out of it into the page behind: Tab and Shift+Tab wrap inside the top dialog;
 * - on closing, focus falls to the page's body: it goes back to the control that opened it.
 */
const DIALOG = '[role="dialog"][aria-modal="true"]';
const TITLE = '[data-test="dhis2-uicore-modaltitle"], h1, h2';
const FIELDS = 'input:not([type="hidden"]), textarea, select, [role="combobox"], [tabindex="0"]';
const FOCUSABLE =
  'a[href], button, input:not([type="hidden"]), textarea, select, [tabindex]:not([tabindex="-1"])';

let counter = 0;
/** Each open dialog and the element that had focus when it appeared. */
const openers = new Map<HTMLElement, Element | null>();

const usable = (el: HTMLElement) =>
  !el.matches(':disabled') && el.getClientRects().length > 0 && el.tabIndex >= 0;

function focusablesIn(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(usable);
}

function firstTarget(dialog: HTMLElement): HTMLElement | undefined {
  const content = dialog.querySelector<HTMLElement>('[data-test="dhis2-uicore-modalcontent"]');
  const field = [...(content ?? dialog).querySelectorAll<HTMLElement>(FIELDS)].find(usable);
  const actions = dialog.querySelector<HTMLElement>('[data-test="dhis2-uicore-modalactions"]');
  const action = actions ? focusablesIn(actions)[0] : undefined;
  return field ?? action ?? focusablesIn(dialog)[0];
}

function topDialog(): HTMLElement | undefined {
  return [...document.querySelectorAll<HTMLElement>(DIALOG)].at(-1);
}

function update(root: ParentNode): void {
  for (const dialog of root.querySelectorAll<HTMLElement>(DIALOG)) {
    if (!dialog.hasAttribute('aria-labelledby') && !dialog.hasAttribute('aria-label')) {
      const title = dialog.querySelector<HTMLElement>(TITLE);
      if (title) {
        if (!title.id) title.id = `dialog-title-${++counter}`;
        dialog.setAttribute('aria-labelledby', title.id);
      }
    }
    if (!openers.has(dialog)) {
      openers.set(dialog, document.activeElement);
      if (!dialog.contains(document.activeElement)) firstTarget(dialog)?.focus();
    }
  }
  for (const [dialog, opener] of openers) {
    if (dialog.isConnected) continue;
    openers.delete(dialog);
    // Only when focus was lost with the dialog: an action that moved it on keeps its choice.
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && opener instanceof HTMLElement && opener.isConnected) opener.focus();
  }
}

function wrapTab(e: KeyboardEvent): void {
  if (e.key !== 'Tab') return;
  const dialog = topDialog();
  if (!dialog) return;
  const items = focusablesIn(dialog);
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return;
  const active = document.activeElement;
  const outside = !dialog.contains(active);
  if (e.shiftKey && (outside || active === first)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (outside || active === last)) {
    e.preventDefault();
    first.focus();
  }
}

/** Starts looking after the dialogs under `root`; returns the stop function. */
export function manageDialogs(root: HTMLElement = document.body): () => void {
  const observer = new MutationObserver(() => update(root));
  observer.observe(root, { childList: true, subtree: true });
  document.addEventListener('keydown', wrapTab);
  update(root);
  return () => {
    observer.disconnect();
    document.removeEventListener('keydown', wrapTab);
  };
}
