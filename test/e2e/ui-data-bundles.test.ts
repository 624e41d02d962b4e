/**
 * Data bundles in the web UI (issue 20 §5), in Debian's Chromium: a local's Import/Export screen
 * downloads its data bundle; the central's pins the local's key, refuses the bundle before that
 * and, after, imports it and shows each part's summary.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, SHOTS, skipWithoutBrowser } from '../support/browser.ts';
import { IDS, importDataMetadata, postValues, value } from '../support/data.ts';
import { ADMIN_PASSWORD } from '../support/server.ts';
import { centralBackend, connect, start, type Started } from '../support/sync.ts';
import { enableVersioning, fetchJson } from '../support/versions.ts';

const skip = skipWithoutBrowser;
const docScreens = process.env.METASYNC_DOC_SCREENS === '1';
const DOC_SHOTS = 'docs/images/offline-bundles';

describe('web UI: data bundles (issue 20 §5)', { skip }, () => {
  let central: Started;
  let local: Started;
  let browser: Browser;
  let cpage: Page;
  let lpage: Page;
  let bundlePath: string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const backend = await centralBackend();
    central = await start(backend);
    local = await start(backend);
    await enableVersioning(central.server);
    for (const s of [central.server, local.server]) await importDataMetadata(s);
    await connect(local.server, central.server.url);
    await postValues(local.server, {
      dataValues: [value(IDS.deNumber, '202001', '1'), value(IDS.deInteger, '202001', '2')],
    });
    browser = await launchChromium();
    const page = async () => {
      const ctx = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        acceptDownloads: true,
      });
      const p = await ctx.newPage();
      p.setDefaultTimeout(15_000);
      return p;
    };
    cpage = await page();
    lpage = await page();
  });
  after(async () => {
    await browser?.close();
    await local?.dispose();
    await central?.dispose();
  });

  /**
   * The whole page to the artifacts; with METASYNC_DOC_SCREENS=1, also the panel under `heading`
   * as the docs page's picture `doc` (docs/offline-bundles.md, "Data back to the central").
   */
  const shot = async (page: Page, name: string, doc?: { heading: string; file: string }) => {
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
    if (doc && docScreens)
      await page
        .getByRole('heading', { name: doc.heading, exact: true })
        .locator('..')
        .screenshot({ path: `${DOC_SHOTS}/${doc.file}.png` });
  };

  async function openImportExport(page: Page, url: string) {
    await page.goto(url + '/');
    await page.locator('input[name="username"]').fill('admin');
    await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('tab', { name: 'Import/Export' }).click();
  }

  it('downloads the data bundle on the local', async () => {
    await openImportExport(lpage, local.server.url);
    await lpage.getByText('Export data bundle').first().waitFor();
    await shot(lpage, 'data-bundle-01-local-export', {
      heading: 'Export data bundle',
      file: 'data-local-export',
    });
    const download = lpage.waitForEvent('download');
    await lpage.getByRole('button', { name: 'Export data bundle' }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^metasync-data-.*\.tar$/);
    bundlePath = (await file.path())!;
    assert.ok((await readFile(bundlePath)).length > 1024);
  });

  it('refuses it on the central until the local key is pinned, then imports it', async () => {
    await openImportExport(cpage, central.server.url);
    const upload = cpage.locator('input[type="file"][name="dataBundle"]');
    await upload.setInputFiles(bundlePath);
    await cpage.getByRole('button', { name: 'Import data bundle' }).click();
    await cpage.getByText('Refused (unknown-local)').waitFor();
    await shot(cpage, 'data-bundle-02-central-refused', {
      heading: 'Import data bundle',
      file: 'data-central-refused',
    });

    const key = await fetchJson<{ publicKey: string }>(local.server, '/api/metasync/signing-key');
    const info = await fetchJson<{ systemId: string }>(local.server, '/api/system/info');
    await cpage.locator('input[name="localSystemId"]').fill(info.body.systemId);
    await cpage.locator('textarea[name="localPublicKey"]').fill(key.body.publicKey);
    await cpage.getByRole('button', { name: 'Pin key…' }).click();
    await cpage.getByRole('button', { name: 'Pin', exact: true }).click();
    await cpage.getByText(`Pinned the key`).waitFor();
    await cpage.getByRole('cell', { name: info.body.systemId, exact: true }).waitFor();

    await cpage.getByRole('button', { name: 'Import data bundle' }).click();
    const parts = cpage.locator('[data-test="data-bundle-import"]');
    await parts.getByRole('cell', { name: 'dataValues' }).waitFor();
    const row = parts.getByRole('row').filter({ hasText: 'dataValues' });
    assert.match((await row.innerText()).replace(/\s+/g, ' '), /dataValues 2 SUCCESS 2 0 0 0/);
    await shot(cpage, 'data-bundle-03-central-imported', {
      heading: 'Import data bundle',
      file: 'data-central-imported',
    });
    await shot(cpage, 'data-bundle-04-central-keys', {
      heading: "Locals' signing keys",
      file: 'data-central-local-keys',
    });
  });
});
