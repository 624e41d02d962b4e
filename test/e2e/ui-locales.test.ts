/**
 * The web UI in French and Arabic (issue 24 §1), in Debian's Chromium against a real central:
 * the language is chosen in the header (the real path: it stores keyUiLocale), every screen
 * then shows its heading in French; in Arabic the page is right to left, mirrored, and the
 * header and tab labels are neither clipped nor overlapping. A new user whose browser asks for
 * French gets French without choosing anything, and a stored keyUiLocale wins over the browser.
 * A local's Drift tab (issue 23), with a data element renamed on the local, reads in French and
 * right to left in Arabic. Screenshots of every screen in both languages go to
 * .artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, SHOTS, skipWithoutBrowser, prepareBrowserTest } from '../support/browser.ts';
import { readLocale } from '../support/i18n-scan.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  start,
  syncOk,
  type Started,
} from '../support/sync.ts';

const skip = skipWithoutBrowser;
const PASSWORD = 'Locale-Pass-1!';

/** Every screen of a central, by its hash and the English text of its heading. */
const SCREENS: [hash: string, heading: string][] = [
  ['/versioning', 'Metadata versioning'],
  ['/history', 'Sync history'],
  ['/scheduler', 'Scheduler'],
  ['/import', 'Import/Export'],
  ['/fleet', 'Fleet'],
  ['/rollout', 'Rollout'],
  ['/settings/sync', 'Synchronization settings'],
  ['/settings/email', 'Email settings'],
];

/** In the page: the header items, tabs and headings whose text does not fit their box. */
const CLIPPED = `[...document.querySelectorAll(
  '.topbar > *, [role="tab"], [role="tab"] span, main.content h2, main.content h3',
)]
  .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .map((el) => el.outerHTML.slice(0, 120))`;

/** In the page: the pairs of header items whose boxes overlap. */
const OVERLAPS = `(() => {
  const items = [...document.querySelectorAll('.topbar > *')]
    .map((el) => ({ el, r: el.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && r.height > 0);
  const out = [];
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i].r;
      const b = items[j].r;
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
        out.push(items[i].el.className + ' / ' + items[j].el.className);
    }
  return out;
})()`;

describe('web UI in French and Arabic', { skip }, () => {
  let central: Started;
  let browser: Browser;
  const fr = readLocale('fr');
  const ar = readLocale('ar');

  before(async () => {
    prepareBrowserTest();
    central = await start(await centralBackend());
    // A central, so that every screen (the fleet and the rollout too) is there.
    const res = await central.server.request('/api/systemSettings/keyVersionEnabled?value=true', {
      method: 'POST',
    });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'],
    });
  });

  after(async () => {
    await browser?.close();
    await central?.dispose();
  });

  const newPage = async (locale: string) => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  };

  async function login(page: Page, username: string, password: string, button: string) {
    await page.goto(central.server.url + '/');
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole('button', { name: button }).click();
  }

  /** Picks a language in the header's menu, as a user does, and waits for its POST. */
  async function chooseLanguage(page: Page, name: string) {
    const saved = page.waitForResponse(
      (r) =>
        /\/api\/41\/userSettings\/keyUiLocale/.test(r.url()) && r.request().method() === 'POST',
    );
    await page.locator('[data-test="language-select"]').click();
    await page.locator('[data-test="dhis2-uicore-singleselectoption"]', { hasText: name }).click();
    assert.equal((await saved).status(), 200);
  }

  const heading = (page: Page) => page.locator('main.content h2').first();
  const storedLocale = async (username: string, password: string) => {
    const res = await central.server.request('/api/userSettings/keyUiLocale', {
      auth: [username, password],
    });
    return (await res.json()) as string;
  };

  /** Visits every screen: its heading in `words`, a screenshot each. */
  async function visitAll(page: Page, prefix: string, words: Record<string, unknown>) {
    for (const [hash, english] of SCREENS) {
      await page.goto(`${central.server.url}/#${hash}`);
      const expected = words[english];
      assert.equal(typeof expected, 'string', `${english} is translated`);
      assert.notEqual(expected, english);
      await heading(page)
        .getByText(expected as string, { exact: true })
        .waitFor();
      await page.screenshot({
        path: `${SHOTS}/${prefix}${hash.slice(1).replace(/\//g, '-')}.png`,
        fullPage: true,
      });
    }
  }

  it('switches to French from the header and shows every screen in French', async () => {
    const page = await newPage('en-US');
    await login(page, 'admin', ADMIN_PASSWORD, 'Log in');
    await heading(page).getByText('Metadata versioning', { exact: true }).waitFor();
    await chooseLanguage(page, 'Français');
    await heading(page).getByText('Versions des métadonnées', { exact: true }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    assert.equal(await page.locator('html').getAttribute('dir'), 'ltr');
    // Log out is in the profile menu, in French too.
    await page.locator('[data-test="profile-button"]').click();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: 'Historique de synchronisation' }).waitFor();
    assert.equal(await storedLocale('admin', ADMIN_PASSWORD), 'fr');
    await visitAll(page, 'locale-fr-', fr);
    // Dates follow the language too: the rollout's "last saved" is absent, so the version
    // preview's numbers stand in; the header reads "Centrale".
    await page.locator('[data-test="role"]').getByText('Centrale', { exact: true }).waitFor();
    await page.context().close();
  });

  it('switches to Arabic: right to left, mirrored, nothing clipped or overlapping', async () => {
    const page = await newPage('en-US');
    // Before login the browser's English; once logged in, the French stored above.
    await login(page, 'admin', ADMIN_PASSWORD, 'Log in');
    await heading(page).getByText('Versions des métadonnées', { exact: true }).waitFor();
    await chooseLanguage(page, 'العربية');
    await heading(page).getByText('إصدارات البيانات الوصفية', { exact: true }).waitFor();
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ar');
    assert.equal(await storedLocale('admin', ADMIN_PASSWORD), 'ar');
    await visitAll(page, 'locale-ar-', ar);

    await page.goto(`${central.server.url}/#/versioning`);
    await heading(page).getByText('إصدارات البيانات الوصفية', { exact: true }).waitFor();
    // Mirrored: the instance name starts the header on the right, the profile ends it on the
    // left, and its menu opens inside the page; the first tab is right of the second.
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
    const brand = await box('.topbar .brand');
    const profile = await box('[data-test="profile-button"]');
    assert.ok(brand.x > profile.x, 'the instance name is right of the profile button');
    await page.locator('[data-test="profile-button"]').click();
    const menu = await box('[data-test="profile-menu"]');
    assert.ok(menu.x >= 0, `the profile menu starts at ${menu.x}px, inside the page`);
    await page.locator('[data-test="profile-menu"]').getByText('تسجيل الخروج').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('[data-test="profile-menu"]').waitFor({ state: 'detached' });
    // DHIS2's header bar (issue 24 §2): 48px high, the profile's initials at the end (left).
    assert.equal(Math.round((await box('.topbar')).height), 48);
    const initials = page.locator('.topbar .initials');
    assert.equal(await initials.textContent(), 'AA'); // "admin admin"
    assert.ok(brand.x > (await box('.topbar .initials')).x, 'the initials are left of the name');
    const tabs = page.getByRole('tab');
    const [first, second] = [
      (await tabs.nth(0).boundingBox())!,
      (await tabs.nth(1).boundingBox())!,
    ];
    assert.ok(first.x > second.x, 'the first tab is right of the second');

    // No clipped text: each header item and tab label is as wide as its text needs.
    const clipped = await page.evaluate<string[]>(CLIPPED);
    assert.deepEqual(clipped, []);
    // No overlap: the header's items are side by side, none over another.
    const overlaps = await page.evaluate<string[]>(OVERLAPS);
    assert.deepEqual(overlaps, []);
    await page.screenshot({ path: `${SHOTS}/locale-ar-header.png` });
    await page.context().close();
  });

  it("gives a new user the browser's language, and their own setting over it", async () => {
    const { users } = central.server.instance.services;
    await users.create({
      username: 'amelie',
      password: PASSWORD,
      authorities: ['F_METADATA_EXPORT'],
    });
    await users.create({
      username: 'esteban',
      password: PASSWORD,
      authorities: ['F_METADATA_EXPORT'],
    });

    // Accept-Language: fr-FR, nothing chosen: French from the login page on.
    const french = await newPage('fr-FR');
    await login(french, 'amelie', PASSWORD, 'Se connecter');
    await heading(french).getByText('Versions des métadonnées', { exact: true }).waitFor();
    assert.equal(await french.locator('html').getAttribute('lang'), 'fr');
    await french.screenshot({ path: `${SHOTS}/locale-accept-language-fr.png` });
    await french.context().close();

    // The same French browser, for a user whose keyUiLocale is Spanish: Spanish.
    const set = await central.server.request('/api/userSettings/keyUiLocale?value=es', {
      auth: ['esteban', PASSWORD],
      method: 'POST',
    });
    assert.equal(set.status, 200);
    await set.arrayBuffer();
    const spanish = await newPage('fr-FR');
    await login(spanish, 'esteban', PASSWORD, 'Se connecter');
    await heading(spanish).getByText('Versionado de metadatos', { exact: true }).waitFor();
    assert.equal(await spanish.locator('html').getAttribute('lang'), 'es');
    await spanish.screenshot({ path: `${SHOTS}/locale-setting-wins-es.png` });
    await spanish.context().close();
  });

  it("shows a local's Drift tab in French and in Arabic", async () => {
    // A local of the central, synced, then a data element renamed on it: drift to show.
    const local = await start('pglite');
    try {
      const de = newDataElement('Locale drift');
      await importMetadata(central.server, { dataElements: [de] });
      await createVersion(central.server, 'ATOMIC');
      await connect(local.server, central.server.url);
      await syncOk(local.server);
      await importMetadata(local.server, {
        dataElements: [{ ...de, name: `${String(de.name)} EDITED` }],
      });
      // The local's admin has no language of their own: the browser's is the UI's.
      for (const [locale, words, dir] of [
        ['fr-FR', fr, 'ltr'],
        ['ar', ar, 'rtl'],
      ] as const) {
        const page = await newPage(locale);
        await page.goto(local.server.url + '/');
        await page.locator('input[name="username"]').fill('admin');
        await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
        await page.getByRole('button', { name: words['Log in'] as string }).click();
        await page.getByRole('tab', { name: words['Drift'] as string }).click();
        await heading(page)
          .getByText(words['Drift'] as string, { exact: true })
          .waitFor();
        const changed = page.locator('[data-test="drift-changed"]');
        await changed.getByText(`${words['Changed locally'] as string} (1)`).waitFor();
        await changed.getByText(String(de.id), { exact: true }).waitFor();
        assert.equal(await page.locator('html').getAttribute('dir'), dir);
        await page.screenshot({
          path: `${SHOTS}/locale-${locale.slice(0, 2)}-drift.png`,
          fullPage: true,
        });
        await page.context().close();
      }
    } finally {
      await local.dispose();
    }
  });
});
