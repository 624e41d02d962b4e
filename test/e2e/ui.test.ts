/**
 * The web UI (issue 9) in Debian's Chromium, driven by playwright-core, against a real central
 * and a real local in this process: log in, configure, create a version, sync from the local's
 * UI (first with a wrong remote password: the failure must be explained), history and detail,
 * a scheduled job, an import dry run, the fleet. Screenshots go to .artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import {
  launchChromium,
  logOut,
  prepareBrowserTest,
  SHOTS,
  skipWithoutBrowser,
} from '../support/browser.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import {
  centralBackend,
  importMetadata,
  newDataElement,
  start,
  type Started,
} from '../support/sync.ts';

const skip = skipWithoutBrowser;

describe('web UI in Chromium', { skip }, () => {
  let central: Started;
  let local: Started;
  let browser: Browser;
  let cpage: Page;
  let lpage: Page;

  before(async () => {
    prepareBrowserTest();
    const backend = await centralBackend();
    [central, local] = await Promise.all([start(backend), start(backend)]);
    await importMetadata(central.server, {
      dataElements: [newDataElement('UI'), newDataElement('UI'), newDataElement('UI')],
    });
    browser = await launchChromium();
    // Separate contexts: cookies are per host, not per port, and both listen on 127.0.0.1.
    const page = async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const p = await ctx.newPage();
      p.setDefaultTimeout(15_000);
      return p;
    };
    [cpage, lpage] = await Promise.all([page(), page()]);
  });

  after(async () => {
    await browser?.close();
    await Promise.all([central?.dispose(), local?.dispose()]);
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

  async function login(page: Page, url: string, password = ADMIN_PASSWORD) {
    await page.goto(url + '/');
    await page.locator('input[name="username"]').fill('admin');
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  /** Saves a settings form and waits for the server's answer (an older alert may still show). */
  async function saveSettings(page: Page) {
    const saved = page.waitForResponse(
      // The UI asks through the app runtime, under the API version.
      (r) => r.url().endsWith('/api/41/systemSettings') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Save' }).click();
    assert.equal((await saved).status(), 200);
    await page.getByText('Settings saved').last().waitFor();
  }

  const section = (page: Page, label: string) => page.getByRole('tab', { name: label }).click();

  it('refuses a wrong password and logs in with the right one', async () => {
    await login(cpage, central.server.url, 'wrong-password');
    await cpage.getByText('Wrong username or password.').waitFor();
    await shot(cpage, '01-login-failed');
    await cpage.locator('input[name="password"]').fill(ADMIN_PASSWORD);
    await cpage.locator('input[name="password"]').press('Enter');
    await cpage.locator('[data-test="profile-button"]').waitFor();
    assert.equal(await cpage.getByText('Not configured').count(), 1);
  });

  it('makes the central a central and creates an atomic version', async () => {
    await section(cpage, 'Settings: Synchronization');
    await cpage.getByText('Enable versioning for metadata sync').click();
    await saveSettings(cpage);
    await cpage.locator('[data-test="role"]').getByText('Central').waitFor();
    await shot(cpage, '02-central-settings-sync');
    await section(cpage, 'Metadata versioning');
    await cpage.locator('[data-test="version-preview"]').getByText('Version_1').waitFor();
    await cpage.locator('label', { hasText: /^Atomic$/ }).click();
    await cpage.getByRole('button', { name: 'Create new version' }).click();
    await cpage.getByText('Created Version_1 (Atomic)').waitFor();
    await cpage.getByRole('cell', { name: 'Version_1', exact: true }).waitFor();
    await shot(cpage, '03-central-versioning');
    // The offline bundle (issue 20 §2) downloads straight from the server.
    const download = cpage.waitForEvent('download');
    await cpage.getByRole('button', { name: 'Export bundle' }).click();
    const bundle = await download;
    assert.equal(bundle.suggestedFilename(), 'metasync-bundle-Version_1.tar');
    const tar = await readFile((await bundle.path())!);
    assert.equal(tar.toString('latin1', 0, 13), 'manifest.json');
  });

  it('explains a failed sync (wrong remote password), then syncs the local', async () => {
    await login(lpage, local.server.url);
    await section(lpage, 'Settings: Synchronization');
    const url = lpage.locator('input[name="keyRemoteInstanceUrl"]');
    await url.fill('not a url');
    await lpage.getByRole('button', { name: 'Save' }).click();
    await lpage.getByText('Enter an http:// or https:// address').waitFor();
    await shot(lpage, '04-local-settings-field-error');
    await url.fill(central.server.url);
    await lpage.locator('input[name="keyRemoteInstanceUsername"]').fill('admin');
    await lpage.locator('input[name="keyRemoteInstancePassword"]').fill('not-the-password');
    await saveSettings(lpage);
    await lpage.getByText('A password is set.').waitFor();
    await lpage.locator('[data-test="role"]').getByText('Local').waitFor();
    await shot(lpage, '05-local-settings-sync');

    await section(lpage, 'Metadata versioning');
    await lpage.getByRole('button', { name: 'Sync now' }).click();
    const status = lpage.locator('[data-test="sync-status"]');
    await status.getByText('Failed', { exact: true }).waitFor();
    await status
      .getByText(/refused the username or password/)
      .first()
      .waitFor();
    await shot(lpage, '06-local-sync-failed');

    await section(lpage, 'Settings: Synchronization');
    await lpage.locator('input[name="keyRemoteInstancePassword"]').fill(ADMIN_PASSWORD);
    await saveSettings(lpage);
    await section(lpage, 'Metadata versioning');
    await lpage.getByRole('button', { name: 'Sync now' }).click();
    await status.getByText(/^Up to date as of /).waitFor();
    await lpage.getByRole('cell', { name: 'Version_1', exact: true }).waitFor();
    await shot(lpage, '07-local-versioning-synced');
  });

  it("shows both instances' signing keys, the pin the sync made, and pins a pasted key", async () => {
    const fingerprint = async (s: Started, path: string) => {
      const body = (await (await s.server.request(path)).json()) as Record<string, unknown>;
      const key = (body.pinned ?? body) as { fingerprint: string };
      return key.fingerprint.match(/.{4}/g)!.join(' ');
    };
    const theirs = await fingerprint(central, '/api/metasync/signing-key');
    await section(cpage, 'Metadata versioning');
    await cpage.locator('[data-test="own-fingerprint"]').getByText(theirs).waitFor();
    // The local's first sync (the test before) pinned the central's key.
    const pinned = lpage.locator('[data-test="pinned-fingerprint"]');
    await pinned.getByText(theirs).waitFor();
    await shot(lpage, '07b-local-signing-key');

    const pem = generateKeyPairSync('ed25519')
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    await lpage.locator('textarea[name="centralPublicKey"]').fill(pem);
    await lpage.locator('input[name="pinReason"]').fill('UI test');
    await lpage.getByRole('button', { name: 'Replace pinned key…' }).click();
    await lpage.getByRole('button', { name: 'Replace', exact: true }).click();
    await lpage
      .getByText(/^Pinned the central key/)
      .first()
      .waitFor();
    const mine = await fingerprint(local, '/api/metasync/signing-key/pinned');
    assert.notEqual(mine, theirs);
    await pinned.getByText(mine).waitFor();
    await shot(lpage, '07c-local-signing-key-replaced');
  });

  it('shows the sync history and a run in detail', async () => {
    await section(lpage, 'Sync history');
    const rows = lpage.getByRole('button', { name: 'Details' });
    await rows.nth(1).waitFor();
    await shot(lpage, '08-local-history');
    await rows.nth(1).click(); // the older run: the failure
    await lpage.getByText(/Failed at .*REMOTE_AUTH/).waitFor();
    await shot(lpage, '09-local-history-failed-detail');
    await lpage.getByRole('button', { name: '← Sync history' }).click();
    await rows.nth(0).click();
    await lpage.getByRole('cell', { name: 'Version_1', exact: true }).waitFor();
    await shot(lpage, '10-local-history-detail');
  });

  it('schedules a weekly metadata sync job', async () => {
    await section(lpage, 'Scheduler');
    await lpage.getByRole('button', { name: 'New metadata sync job' }).click();
    await lpage.locator('input[name="name"]').fill('Weekly sync');
    await lpage.getByText('Daily', { exact: true }).click();
    await lpage.getByText('Weekly', { exact: true }).click();
    await lpage.getByText('Cron: 0 0 3 ? * MON').waitFor();
    await shot(lpage, '11-local-scheduler-form');
    await lpage.getByRole('button', { name: 'Save' }).click();
    await lpage.getByRole('cell', { name: 'Weekly on Monday at 03:00' }).waitFor();
    await shot(lpage, '12-local-scheduler');
  });

  it('runs an import as a dry run and shows the report', async () => {
    await section(lpage, 'Import/Export');
    const bad = { dataElements: [newDataElement('Dry'), { id: 'bad', name: '' }] };
    await lpage.locator('input[name="file"]').setInputFiles({
      name: 'metadata.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(bad)),
    });
    await lpage.getByRole('button', { name: 'Start dry run' }).click();
    const report = lpage.locator('[data-test="import-report"]');
    await report.getByText('Dry run: nothing was saved').waitFor();
    await report.getByRole('cell', { name: 'DataElement' }).first().waitFor();
    await shot(lpage, '13-local-import-dry-run');
  });

  it('shows the fleet and the e-mail settings on the central', async () => {
    await section(cpage, 'Fleet');
    await cpage.getByRole('cell', { name: '127.0.0.1' }).first().waitFor();
    await shot(cpage, '14-central-fleet');
    await section(cpage, 'Settings: Email');
    await cpage.locator('input[name="keySystemNotificationsEmail"]').fill('not-an-address');
    await cpage.getByRole('button', { name: 'Save' }).click();
    await cpage.getByText('Enter an e-mail address').waitFor();
    await shot(cpage, '15-central-settings-email');
  });

  it('is usable on a 375-pixel-wide phone and logs out', async () => {
    await lpage.setViewportSize({ width: 375, height: 800 });
    await section(lpage, 'Metadata versioning');
    await lpage.locator('[data-test="sync-status"]').waitFor();
    await shot(lpage, '16-local-versioning-phone');
    const width = await lpage.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 380, `page is ${width}px wide at 375`);
    await logOut(lpage);
  });
});
