/**
 * Keyboard-only use of the web UI (issue 24 §4), in Debian's Chromium against a real local: log
 * in without the mouse; Tab reaches the header's profile menu and the section tabs, whose arrows open
 * another screen; a job is created in the scheduler's dialog with Tab, typing and Enter. Every
 * control reached shows a focus ring (its outline or box-shadow differs from its unfocused look),
 * focus moves into a dialog when it opens, Tab stays inside it, Escape closes it and focus goes
 * back to the button that opened it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, SHOTS, skipWithoutBrowser, prepareBrowserTest } from '../support/browser.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import { start, type Started } from '../support/sync.ts';
import { fetchJson } from '../support/versions.ts';

/** The focused element as the test names it, and whether its focus can be seen. */
interface Focus {
  /** `name=…` for a field, `tab:…`/`tablist`/`button:…` by role and text, else the tag. */
  what: string;
  inDialog: boolean;
  /** :focus-visible matches and the outline or box-shadow differs from the unfocused look. */
  ringShown: boolean;
}

/**
 * Describes document.activeElement. To see the ring, the element's (or, for @dhis2/ui's hidden
 * radio and checkbox inputs, the icon's beside it) outline and box-shadow are read focused, then
 * blurred, and focus is given back: a keyboard user's focus stays :focus-visible in Chromium.
 */
function focusNow(page: Page, measure = true): Promise<Focus> {
  return page.evaluate<Focus>(`(${FOCUS_NOW})(${measure})`);
}

// Plain JavaScript run in the page, as text: this tsconfig has no DOM types, and tsx would wrap
// functions written here in helpers the page does not have.
const FOCUS_NOW = `(measure) => {
  const el = document.activeElement;
  if (!el || el === document.body) return { what: 'body', inDialog: false, ringShown: false };
  const role = el.getAttribute('role');
  const text = (el.textContent || '').trim();
  const name = el.getAttribute('name');
  const what =
    role === 'tab' ? 'tab:' + text
    : role === 'tablist' ? 'tablist'
    : name ? 'name=' + name
    : el.tagName === 'BUTTON' ? 'button:' + (el.getAttribute('aria-label') || text)
    : el.tagName.toLowerCase();
  const inDialog = el.closest('[role="dialog"]') !== null;
  if (!measure) return { what, inDialog, ringShown: false };
  const hidden = el instanceof HTMLInputElement && getComputedStyle(el).opacity === '0';
  const shown = (hidden ? el.nextElementSibling : el) || el;
  const look = () => {
    const s = getComputedStyle(shown);
    return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor + ' | ' + s.boxShadow;
  };
  const visible = el.matches(':focus-visible');
  const focused = look();
  el.blur();
  const unfocused = look();
  el.focus();
  return {
    what,
    inDialog,
    ringShown: visible && focused !== unfocused && !/^none .* [|] none$/.test(focused),
  };
}`;

describe('web UI: keyboard only (issue 24 §4)', { skip: skipWithoutBrowser }, () => {
  let local: Started;
  let browser: Browser;
  let page: Page;

  before(async () => {
    prepareBrowserTest();
    local = await start('pglite');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'],
    });
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.close();
    await local?.dispose();
  });

  const tab = async (shift = false) => {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
    return focusNow(page);
  };
  /** The focus is on `what` and its ring shows. */
  const expectFocus = (f: Focus, what: string) => {
    assert.equal(f.what, what);
    assert.ok(f.ringShown, `no visible focus on ${what}`);
  };

  it('logs in without the mouse', async () => {
    await page.goto(local.server.url + '/');
    await page.locator('input[name="username"]').waitFor();
    expectFocus(await focusNow(page), 'name=username');
    await page.keyboard.type('admin');
    expectFocus(await tab(), 'name=password');
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('[data-test="profile-button"]').waitFor();
  });

  it('reaches the header and opens another screen with the arrows of the section tabs', async () => {
    // The header's language choice first (issue 24 §1: @dhis2/ui's select, a div), then the
    // profile button, whose menu holds Log out.
    expectFocus(await tab(), 'div');
    assert.ok(
      await page.evaluate(
        `document.activeElement.closest('[data-test="language-select"]') !== null`,
      ),
      'the focus is on the language select',
    );
    const onProfile = () =>
      page.evaluate<boolean>(
        `document.activeElement.closest('[data-test="profile-button"]') !== null`,
      );
    await tab();
    assert.ok(await onProfile(), 'the focus is on the profile button');
    // Enter opens the menu, Tab walks into it, Escape closes it and gives the focus back.
    await page.keyboard.press('Enter');
    expectFocus(await tab(), 'button:Log out');
    await page.keyboard.press('Escape');
    await page.locator('[data-test="profile-menu"]').waitFor({ state: 'detached' });
    assert.ok(await onProfile(), 'Escape gives the focus back to the profile button');
    expectFocus(await tab(), 'tablist');
    // Into the list: the selected tab (the screen shown), then the arrows move on.
    await page.keyboard.press('ArrowRight');
    expectFocus(await focusNow(page), 'tab:Metadata versioning');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expectFocus(await focusNow(page), 'tab:Scheduler');
    await page.getByRole('heading', { name: 'Scheduler' }).waitFor();
    assert.equal(await page.evaluate('window.location.hash'), '#/scheduler');
    expectFocus(await tab(true), 'tablist');
    await tab(true);
    assert.ok(await onProfile(), 'Shift+Tab from the tabs reaches the profile button');
    await page.screenshot({ path: `${SHOTS}/keyboard-header-focus.png` });
  });

  it("walks a dialog's form inside the dialog, closes it with Escape, and creates a job by keyboard", async () => {
    expectFocus(await tab(), 'tablist');
    await page.keyboard.press('Enter'); // into the list: the selected tab, the Scheduler
    expectFocus(await focusNow(page), 'tab:Scheduler');
    const opener = await tab();
    expectFocus(opener, 'button:New metadata sync job');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New metadata sync job' });
    await dialog.waitFor();
    const first = await focusNow(page);
    expectFocus(first, 'name=name');
    assert.ok(first.inDialog);

    // Tab through every control until focus comes back to the name field: each one in the
    // dialog, each one's focus visible the first time it is reached (a time field has one stop
    // per part; Chromium's own picker button inside it draws its ring out of reach of the DOM).
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      // Measured once per control: blurring and focusing again would put a time field's focus
      // back on its first part.
      const f = await focusNow(page, false);
      assert.ok(f.inDialog, `focus left the dialog for ${f.what}`);
      if (f.what === 'name=name') break;
      if (seen.at(-1) === f.what) continue;
      expectFocus(await focusNow(page), f.what);
      seen.push(f.what);
    }
    assert.deepEqual(
      seen.filter((w) => w !== 'div'), // the frequency's single select (a div with the value)
      ['name=time', 'name=enabled', 'button:Cancel', 'button:Save', 'button:Close modal dialog'],
    );
    await page.screenshot({ path: `${SHOTS}/keyboard-dialog-focus.png` });

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expectFocus(await focusNow(page), 'button:New metadata sync job');

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    await page.getByRole('cell', { name: 'Typed without a mouse' }).waitFor();
    const jobs = await fetchJson<{ jobConfigurations: { name: string; jobType: string }[] }>(
      local.server,
      '/api/jobConfigurations?paging=false',
    );
    assert.ok(
      jobs.body.jobConfigurations.some(
        (j) => j.name === 'Typed without a mouse' && j.jobType === 'META_DATA_SYNC',
      ),
      JSON.stringify(jobs.body),
    );
  });
});
