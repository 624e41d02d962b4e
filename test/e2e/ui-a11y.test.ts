/**
 * Accessibility of every screen (issue 24 §4), in Debian's Chromium against a real central (with
 * versions, a staged rollout and a fleet) and a real local (a failed and a successful sync run, a
 * scheduled job, an import report, offline bundles refused and imported, a data element renamed
 * locally for the Drift tab and its Repair dialog; at the end a relay): axe-core's WCAG 2 A/AA rules and its best practices find no
 * serious or critical violation on the login page, on each tab of each instance, on a run's detail and in each
 * dialog. `checkScreens` takes the language's words for the few controls it clicks: it runs in
 * English and in Arabic (right to left, issue 24 §1), the browser's language choosing the UI's.
 * Keyboard use (focus order, visible focus, Escape) is `ui-keyboard.test.ts`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { flipByteIn } from '../support/bundle-tamper.ts';
import { describeViolations, expectAccessible, WITH_BEST_PRACTICES } from '../support/axe.ts';
import { CHROMIUM, SHOTS, skipWithoutBrowser, prepareBrowserTest } from '../support/browser.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  postSettings,
  runSync,
  start,
  syncOk,
  type Started,
} from '../support/sync.ts';
import { enableVersioning, fetchJson, snapshotBytes } from '../support/versions.ts';

/** The words of the controls this test clicks, per language. */
interface Words {
  logIn: string;
  logOut: string;
  tabs: Record<Screen, string>;
  details: string;
  newJob: string;
  edit: string;
  delete: string;
  cancel: string;
  release: string;
  replaceKey: string;
  dryRun: string;
  pinKey: string;
  importBundle: string;
  repair: string;
}
type Screen =
  | 'versioning'
  | 'history'
  | 'scheduler'
  | 'import'
  | 'fleet'
  | 'rollout'
  | 'drift'
  | 'settingsSync'
  | 'settingsEmail';

const ENGLISH: Words = {
  logIn: 'Log in',
  logOut: 'Log out',
  tabs: {
    versioning: 'Metadata versioning',
    history: 'Sync history',
    scheduler: 'Scheduler',
    import: 'Import/Export',
    fleet: 'Fleet',
    rollout: 'Rollout',
    drift: 'Drift',
    settingsSync: 'Settings: Synchronization',
    settingsEmail: 'Settings: Email',
  },
  details: 'Details',
  newJob: 'New metadata sync job',
  edit: 'Edit',
  delete: 'Delete',
  cancel: 'Cancel',
  release: 'Release…',
  replaceKey: 'Replace pinned key…',
  dryRun: 'Start dry run',
  pinKey: 'Pin key…',
  importBundle: 'Import bundle',
  repair: 'Repair…',
};

/** The same words in Arabic, as `web/src/locales/ar.json` has them (the UI is right to left). */
const ARABIC: Words = {
  logIn: 'تسجيل الدخول',
  logOut: 'تسجيل الخروج',
  tabs: {
    versioning: 'إصدارات البيانات الوصفية',
    history: 'سجل المزامنة',
    scheduler: 'المُجدوِل',
    import: 'الاستيراد/التصدير',
    fleet: 'الأسطول',
    rollout: 'الطرح التدريجي',
    drift: 'الانحراف',
    settingsSync: 'الإعدادات: المزامنة',
    settingsEmail: 'الإعدادات: البريد الإلكتروني',
  },
  details: 'التفاصيل',
  newJob: 'مهمة جديدة لمزامنة البيانات الوصفية',
  edit: 'تعديل',
  delete: 'حذف',
  cancel: 'إلغاء',
  release: 'نشر…',
  replaceKey: 'استبدال المفتاح المثبّت…',
  dryRun: 'بدء التشغيل التجريبي',
  pinKey: 'تثبيت المفتاح…',
  importBundle: 'استيراد الحزمة',
  repair: 'إصلاح…',
};

describe(
  'web UI accessibility: axe-core WCAG 2 A/AA (issue 24 §4)',
  { skip: skipWithoutBrowser },
  () => {
    let central: Started;
    let local: Started;
    let browser: Browser;
    /** The successful run: later passes find more runs (an imported bundle's) above it. */
    let goodRun: string;

    before(async () => {
      prepareBrowserTest();
      [central, local] = await Promise.all([start(await centralBackend()), start('pglite')]);
      await enableVersioning(central.server);
      const one = newDataElement('One');
      for (const [de, type] of [
        [one, 'ATOMIC'],
        [newDataElement('Two'), 'BEST_EFFORT'],
      ] as const) {
        await importMetadata(central.server, { dataElements: [de] });
        await createVersion(central.server, type);
      }
      // A failed run (the central refuses the password), then a good one: the history has both.
      await connect(local.server, central.server.url, 'admin', 'not-the-password');
      assert.equal((await runSync(local.server)).status, 'FAILED');
      await connect(local.server, central.server.url);
      goodRun = (await syncOk(local.server)).id;
      // A data element renamed on the local behind the central's back: the Drift tab lists it
      // (its check runs when asked, issue 23 §3) and offers the repair.
      await importMetadata(local.server, {
        dataElements: [{ ...one, name: `${String(one.name)} EDITED` }],
      });
      // A run turns versioning on, as DHIS2 does, which makes a local with a central a relay:
      // off, the screens are a plain local's; the relay's are checked at the end.
      await postSettings(local.server, { keyVersionEnabled: false });
      // A staged rollout with the local in its ring, and a third version on trial (CANARY).
      const ring = [{ systemId: local.server.instance.services.instance.systemId }];
      const put = await fetchJson(central.server, '/api/metasync/rollout', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: true, ring, autoReleaseAfterMinutes: null }),
      });
      assert.equal(put.status, 200, put.text);
      await importMetadata(central.server, { dataElements: [newDataElement('Three')] });
      await createVersion(central.server, 'ATOMIC');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'],
      });
    });

    after(async () => {
      await browser?.close();
      await Promise.all([central?.dispose(), local?.dispose()]);
    });

    async function newPage(url: string, lang = 'en'): Promise<Page> {
      const ctx = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        locale: lang,
      });
      const page = await ctx.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(url + '/');
      return page;
    }

    /** What each screen's check found: reported together at the end, every screen checked. */
    const found: string[] = [];
    const minor: string[] = [];

    /** Checks the page now, and keeps a screenshot of what was checked. */
    async function check(page: Page, label: string) {
      await page.screenshot({ path: `${SHOTS}/a11y-${label.replace(/[^a-z0-9]+/gi, '-')}.png` });
      const lesser = await expectAccessible(page, label, WITH_BEST_PRACTICES).catch((e: Error) => {
        found.push(e.message);
        return [];
      });
      // Moderate and minor ones do not fail the test; they are listed in its output.
      if (lesser.length) minor.push(`${label}:\n${describeViolations(lesser)}`);
    }

    /** Every screen of a central and of a local, each dialog open once, in one language. */
    async function checkScreens(lang: string, w: Words) {
      const tag = (name: string) => `${lang} ${name}`;
      // A plain local again: a previous language's pass ended on a relay.
      await postSettings(local.server, { keyVersionEnabled: false });
      const login = async (page: Page, password: string) => {
        await page.locator('input[name="username"]').fill('admin');
        await page.locator('input[name="password"]').fill(password);
        await page.getByRole('button', { name: w.logIn }).click();
      };
      const tab = async (page: Page, screen: Screen, ready: string) => {
        await page.getByRole('tab', { name: w.tabs[screen] }).click();
        await page.locator(ready).first().waitFor({ state: 'attached' });
      };

      const cpage = await newPage(central.server.url, lang);
      await cpage.locator('input[name="username"]').waitFor();
      await check(cpage, tag('login'));
      await login(cpage, 'wrong-password');
      await cpage
        .getByRole('alert')
        .or(cpage.locator('[data-test="dhis2-uicore-noticebox"]'))
        .first()
        .waitFor();
      await check(cpage, tag('login refused'));
      await login(cpage, ADMIN_PASSWORD);
      await cpage.locator('[data-test="profile-button"]').click();
      await cpage.getByRole('button', { name: w.logOut }).waitFor();
      await check(cpage, tag('central profile menu'));
      await cpage.keyboard.press('Escape');
      await cpage.locator('[data-test="profile-menu"]').waitFor({ state: 'detached' });

      await tab(cpage, 'versioning', '[data-test="export-bundle"]');
      await cpage.locator('[data-test="own-fingerprint"]').waitFor();
      await check(cpage, tag('central versioning'));
      await tab(cpage, 'fleet', '[data-test="fleet-local"]');
      await check(cpage, tag('central fleet'));
      await tab(cpage, 'rollout', '[data-test="rollout-versions"] tbody tr');
      await check(cpage, tag('central rollout'));
      await cpage.getByRole('button', { name: w.release }).first().click();
      await cpage.locator('[data-test="rollout-action"] textarea').waitFor();
      await check(cpage, tag('central rollout release dialog'));
      await cpage.keyboard.press('Escape');
      await cpage.locator('[data-test="rollout-action"]').waitFor({ state: 'detached' });
      await tab(cpage, 'import', 'input[type="file"]');
      await check(cpage, tag('central import-export'));
      await cpage.locator('input[name="localSystemId"]').fill('a-local');
      await cpage.locator('textarea[name="localPublicKey"]').fill('not a key');
      await cpage.getByRole('button', { name: w.pinKey }).click();
      await cpage.getByRole('dialog').waitFor();
      await check(cpage, tag('central pin local key dialog'));
      await cpage.keyboard.press('Escape');
      await cpage.getByRole('dialog').waitFor({ state: 'detached' });
      await tab(cpage, 'settingsSync', 'input[name="keyRemoteInstanceUrl"]');
      await check(cpage, tag('central settings sync'));
      await tab(cpage, 'settingsEmail', 'input[name="keySystemNotificationsEmail"]');
      await check(cpage, tag('central settings email'));
      await tab(cpage, 'history', 'h2');
      await check(cpage, tag('central history'));

      const lpage = await newPage(local.server.url, lang);
      await login(lpage, ADMIN_PASSWORD);
      await lpage.locator('[data-test="profile-button"]').waitFor();
      await tab(lpage, 'versioning', '[data-test="sync-status"]');
      await lpage.locator('[data-test="pinned-fingerprint"]').waitFor();
      await check(lpage, tag('local versioning'));
      await lpage.locator('textarea[name="centralPublicKey"]').fill('not a key');
      await lpage.getByRole('button', { name: w.replaceKey }).click();
      await lpage.getByRole('dialog').waitFor();
      await check(lpage, tag('local replace key dialog'));
      await lpage.getByRole('dialog').getByRole('button', { name: w.cancel }).click();

      await tab(lpage, 'history', 'tbody tr');
      await check(lpage, tag('local history'));
      await lpage.getByRole('button', { name: w.details }).last().click();
      await lpage
        .getByText(/REMOTE_AUTH/)
        .first()
        .waitFor();
      await check(lpage, tag('local history failed run'));
      await tab(lpage, 'history', 'tbody tr');
      await lpage.evaluate(`window.location.hash = '/history/${goodRun}'`);
      await lpage.getByRole('cell', { name: 'Version_1', exact: true }).waitFor();
      await check(lpage, tag('local history successful run'));

      await tab(lpage, 'scheduler', 'h2');
      await check(lpage, tag('local scheduler'));
      await lpage.getByRole('button', { name: w.newJob }).click();
      await lpage.locator('input[name="name"]').waitFor();
      await check(lpage, tag('local scheduler new job dialog'));
      // One job per language's pass: each pass finds its own.
      const job = `Nightly sync ${lang}`;
      await lpage.locator('input[name="name"]').fill(job);
      await lpage.getByRole('dialog').locator('button[type="submit"]').click();
      await lpage.getByRole('cell', { name: job, exact: true }).waitFor();
      await check(lpage, tag('local scheduler with a job'));
      await lpage.getByRole('button', { name: w.edit }).first().click();
      await lpage.locator('input[name="name"]').waitFor();
      await check(lpage, tag('local scheduler edit job dialog'));
      await lpage.keyboard.press('Escape');
      await lpage.locator('input[name="name"]').waitFor({ state: 'detached' });
      await lpage.getByRole('button', { name: w.delete }).first().click();
      await lpage.getByRole('dialog').waitFor();
      await check(lpage, tag('local scheduler delete dialog'));
      await lpage.getByRole('dialog').getByRole('button', { name: w.cancel }).click();

      await tab(lpage, 'import', 'input[name="file"]');
      await check(lpage, tag('local import-export'));
      // An offline bundle of the central's versions: refused with a damaged snapshot, then
      // imported whole (issue 20 §3).
      const bundle = lpage.locator('[data-test="bundle-import"]');
      const importBundle = async (buffer: Buffer) => {
        await bundle.locator('input[type="file"]').setInputFiles({
          name: 'metasync-bundle.tar',
          mimeType: 'application/x-tar',
          buffer,
        });
        await bundle.locator('[data-test="bundle-chosen"]').waitFor();
        await bundle.getByRole('button', { name: w.importBundle }).click();
      };
      const good = Buffer.from(
        await (await central.server.request('/api/metasync/bundles')).arrayBuffer(),
      );
      await importBundle(flipByteIn(good, await snapshotBytes(central.server, 'Version_1', 'gz')));
      await bundle.locator('[data-test="bundle-refused"]').waitFor();
      await check(lpage, tag('local bundle refused'));
      await importBundle(good);
      await bundle.locator('[data-test="bundle-result"] table').first().waitFor();
      await check(lpage, tag('local bundle imported'));
      await lpage.locator('input[name="file"]').setInputFiles({
        name: 'metadata.json',
        mimeType: 'application/json',
        buffer: Buffer.from(
          JSON.stringify({ dataElements: [newDataElement('Dry'), { id: 'bad' }] }),
        ),
      });
      await lpage.getByRole('button', { name: w.dryRun }).click();
      await lpage.locator('[data-test="import-report"] table').first().waitFor();
      await check(lpage, tag('local import report'));
      await tab(lpage, 'settingsSync', 'input[name="keyRemoteInstanceUrl"]');
      await check(lpage, tag('local settings sync'));
      await tab(lpage, 'settingsEmail', 'input[name="keySystemNotificationsEmail"]');
      await check(lpage, tag('local settings email'));
      await tab(lpage, 'drift', '[data-test="drift-changed"]');
      await check(lpage, tag('local drift'));
      await lpage.getByRole('button', { name: w.repair }).click();
      await lpage.locator('[data-test="drift-repair"] textarea').waitFor();
      await check(lpage, tag('local drift repair dialog'));
      await lpage.keyboard.press('Escape');
      await lpage.locator('[data-test="drift-repair"]').waitFor({ state: 'detached' });

      // Versioning on, the local serves versions on: a relay (issue 21), its fleet and downstream.
      await postSettings(local.server, { keyVersionEnabled: true });
      await lpage.reload();
      await tab(lpage, 'versioning', '[data-test="relay-downstream"]');
      await check(lpage, tag('relay versioning'));
      await tab(lpage, 'fleet', 'h2');
      await check(lpage, tag('relay fleet'));
      await Promise.all([cpage.context().close(), lpage.context().close()]);
    }

    it('finds no serious or critical violation on any screen, in English', async (t) => {
      await checkScreens('en', ENGLISH);
      for (const line of minor.join('\n').split('\n')) t.diagnostic(line);
      assert.equal(found.length, 0, found.join('\n'));
    });

    it('finds no serious or critical violation on any screen, in Arabic (right to left)', async (t) => {
      found.length = 0;
      minor.length = 0;
      await checkScreens('ar', ARABIC);
      for (const line of minor.join('\n').split('\n')) t.diagnostic(line);
      assert.equal(found.length, 0, found.join('\n'));
    });
  },
);
