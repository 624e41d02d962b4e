/**
 * Offline bundles in the web UI (issue 20 §3), in Debian's Chromium: a central with four versions
 * and a site that has never reached it (no central's address at all). The site pins the central's
 * key from the key file the central's screen gives, its fingerprint shown before it is pinned,
 * and becomes a local; the central's Versioning screen downloads a bundle; the site's
 * Import/Export screen refuses a bundle with a flipped byte (naming the version), one signed by
 * another key (naming both fingerprints) and one that skips versions (naming them), then imports
 * the real one: the run ends SUCCESS, the screen lists the versions, and so does
 * `GET /api/metadata/versions`. Importing it again imports nothing. A user without
 * F_METADATA_MANAGE is not offered the import.
 *
 * Screenshots go to .artifacts/screenshots/; with METASYNC_DOC_SCREENS=1 the ones the
 * administrator's page shows (docs/offline-bundles.md) are written to docs/images/offline-bundles/
 * too, so that page can be brought up to date by running this test.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { flipByteIn, resignBundle } from '../support/bundle-tamper.ts';
import {
  asUserWith,
  launchChromium,
  logIn,
  prepareBrowserTest,
  SHOTS,
  skipWithoutBrowser,
} from '../support/browser.ts';
import {
  centralBackend,
  count,
  createVersion,
  importMetadata,
  listVersions,
  newDataElement,
  start,
  type Started,
} from '../support/sync.ts';
import { enableVersioning, snapshotBytes } from '../support/versions.ts';
import type { SigningKey } from '../../src/http/schemas/api-types.ts';

const skip = skipWithoutBrowser;
const DOC_SHOTS = 'docs/images/offline-bundles';
const docScreens = process.env.METASYNC_DOC_SCREENS === '1';
/** The upload's pace while its progress is photographed: a bundle of some 50 kB takes seconds. */
const UPLOAD_BYTES_PER_SECOND = 16_000;

/** A 64-hex fingerprint as the UI shows it, in groups of four. */
const grouped = (fingerprint: string) => fingerprint.match(/.{4}/g)!.join(' ');

describe('web UI: offline bundles (issue 20 §3)', { skip }, () => {
  let central: Started;
  let local: Started;
  let browser: Browser;
  let cpage: Page;
  let lpage: Page;
  let centralKey: SigningKey;
  /** The local's data elements before any import (a new instance's own, if any). */
  let elementsBefore: number;
  /** The bundle of Version_1..Version_4 as the central's screen downloaded it. */
  let bundlePath: string;
  /** Where the downloads are saved. */
  let tmp: string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-ui-bundles-'));
    if (docScreens) mkdirSync(DOC_SHOTS, { recursive: true });
    prepareBrowserTest();
    [central, local] = await Promise.all([start(await centralBackend()), start('pglite')]);
    await enableVersioning(central.server);
    // Version_1 is a full export of some hundreds of elements with names that do not repeat, so
    // that the bundle weighs enough for its upload to be seen under way.
    const many = Array.from({ length: 600 }, (_, i) =>
      newDataElement(`Bundle ${i} ${Math.random().toString(36).slice(2)}`, {
        description: Array.from({ length: 4 }, () => Math.random().toString(36).slice(2)).join(' '),
      }),
    );
    await importMetadata(central.server, { dataElements: many });
    await createVersion(central.server, 'BEST_EFFORT');
    for (let i = 2; i <= 4; i++) {
      await importMetadata(central.server, { dataElements: [newDataElement(`Site ${i}`)] });
      await createVersion(central.server, i % 2 ? 'BEST_EFFORT' : 'ATOMIC');
    }
    centralKey = (await (
      await central.server.request('/api/metasync/signing-key')
    ).json()) as SigningKey;
    // A site that has never been online has no central's address to set: it is nobody's local
    // until it pins a central's key.
    elementsBefore = await count(local.server, 'dataElements');

    browser = await launchChromium();
    const page = async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const p = await ctx.newPage();
      p.setDefaultTimeout(20_000);
      return p;
    };
    [cpage, lpage] = await Promise.all([page(), page()]);
    await Promise.all([logIn(cpage, central.server.url), logIn(lpage, local.server.url)]);
  });

  after(async () => {
    await browser?.close();
    await Promise.all([central?.dispose(), local?.dispose()]);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** The visible 1280×800 page; with `doc`, also the docs page's picture of that name. */
  async function shot(page: Page, name: string, doc = false) {
    const file = `${SHOTS}/bundles-${name}.png`;
    await page.screenshot({ path: file });
    if (doc && docScreens) copyFileSync(file, `${DOC_SHOTS}/${name}.png`);
  }

  /**
   * The local as before any import: no run has switched its versioning on (a bundle's run does,
   * as an online sync), and it holds none of the central's data elements.
   */
  async function assertNothingImported() {
    const versions = await local.server.request('/api/metadata/versions');
    assert.equal(versions.status, 400, await versions.text());
    assert.equal(await count(local.server, 'dataElements'), elementsBefore);
  }

  const section = (page: Page, label: string) => page.getByRole('tab', { name: label }).click();
  /** The local's Import/Export screen afresh, as someone coming back to it (no earlier result). */
  async function openImportExport() {
    await lpage.goto(`${local.server.url}/#/import`);
    await lpage.reload();
    await panel().waitFor();
  }
  const panel = () => lpage.locator('[data-test="bundle-import"]');

  /** Chooses a bundle on the local's Import/Export screen and starts the import. */
  async function importBundle(file: string | { name: string; buffer: Buffer }) {
    await openImportExport();
    await panel()
      .locator('input[type="file"]')
      .setInputFiles(
        typeof file === 'string'
          ? file
          : { name: file.name, mimeType: 'application/x-tar', buffer: file.buffer },
      );
    await panel().locator('[data-test="bundle-chosen"]').waitFor();
    await panel().getByRole('button', { name: 'Import bundle' }).click();
  }

  it('shows the central key and downloads a bundle from the central', async () => {
    await section(cpage, 'Metadata versioning');
    await cpage
      .locator('[data-test="own-fingerprint"]')
      .getByText(grouped(centralKey.fingerprint))
      .waitFor();
    const exporter = cpage.locator('[data-test="export-bundle"]');
    await exporter.scrollIntoViewIfNeeded();
    await shot(cpage, 'central-offline-bundle', true);
    const download = cpage.waitForEvent('download');
    await exporter.getByRole('button', { name: 'Export bundle' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), 'metasync-bundle-Version_1-Version_4.tar');
    // Saved under its own name, as a browser saves it to a stick (the panel shows the name).
    bundlePath = path.join(tmp, file.suggestedFilename());
    await file.saveAs(bundlePath);
    const tar = await readFile(bundlePath);
    assert.equal(tar.toString('latin1', 0, 13), 'manifest.json');
    const own = cpage.locator('[data-test="own-fingerprint"]');
    await own.scrollIntoViewIfNeeded();
    await shot(cpage, 'central-signing-key', true);
  });

  it("pins the central's key on the local from the key file, its fingerprint shown first", async () => {
    // The central's screen gives its public key as a file, to carry with the bundle.
    const keyDownload = cpage.waitForEvent('download');
    await cpage.getByRole('button', { name: 'Download the public key' }).click();
    const keyFile = await keyDownload;
    assert.equal(keyFile.suggestedFilename(), 'metasync-public-key.pem');
    assert.equal(await readFile((await keyFile.path())!, 'utf8'), centralKey.publicKey);

    await section(lpage, 'Metadata versioning');
    const role = lpage.locator('[data-test="role"]');
    await role.getByText('Not configured').waitFor();
    const pinned = lpage.locator('[data-test="pinned-fingerprint"]');
    await pinned.getByText('not pinned').waitFor();
    await lpage.locator('input[name="centralKeyFile"]').setInputFiles((await keyFile.path())!);
    const pasted = lpage.locator('textarea[name="centralPublicKey"]');
    await lpage
      .locator('[data-test="pem-fingerprint"]')
      .getByText(grouped(centralKey.fingerprint))
      .waitFor();
    assert.equal(await pasted.inputValue(), centralKey.publicKey);
    await lpage
      .locator('input[name="pinReason"]')
      .fill('Fingerprint read out by the central, 7 Dec');
    await pasted.scrollIntoViewIfNeeded();
    await shot(lpage, 'local-pin-key', true);
    await lpage.getByRole('button', { name: 'Pin key…' }).click();
    await lpage
      .locator('[data-test="confirm-fingerprint"]')
      .getByText(grouped(centralKey.fingerprint))
      .waitFor();
    await shot(lpage, 'local-pin-key-confirm', true);
    await lpage.getByRole('button', { name: 'Pin', exact: true }).click();
    await pinned.getByText(grouped(centralKey.fingerprint)).waitFor();
    // The pin makes it a local of that central.
    await role.getByText('Local').waitFor();
    await pinned.scrollIntoViewIfNeeded();
    await shot(lpage, 'local-key-pinned', true);
  });

  it('offers the import only to users who may manage metadata', async () => {
    await asUserWith(
      browser,
      local.server,
      { username: 'importer', password: 'Importer-Pass-1!', authorities: ['F_METADATA_IMPORT'] },
      {
        url: local.server.url + '/#/import',
        ready: (p) => p.getByRole('heading', { name: 'Metadata import' }),
      },
      async (page) => {
        assert.equal(await page.locator('[data-test="bundle-import"]').count(), 0);
      },
    );
  });

  it('refuses a bundle with a flipped byte, naming the version, and imports nothing', async () => {
    const good = await readFile(bundlePath);
    const tampered = flipByteIn(good, await snapshotBytes(central.server, 'Version_3', 'gz'));
    await importBundle({ name: 'metasync-bundle-Version_1-Version_4.tar', buffer: tampered });
    const refused = panel().locator('[data-test="bundle-refused"]');
    await refused.getByText(/Version_3 in the bundle is damaged/).waitFor();
    await refused.scrollIntoViewIfNeeded();
    await shot(lpage, 'refused-damaged', true);
    await assertNothingImported();
  });

  it('refuses a bundle signed by another key, naming both fingerprints', async () => {
    const other = await resignBundle(await readFile(bundlePath), {
      publicKeyPem: centralKey.publicKey,
      fingerprint: centralKey.fingerprint,
    });
    await importBundle({ name: 'metasync-bundle-Version_1-Version_4.tar', buffer: other.bundle });
    const refused = panel().locator('[data-test="bundle-refused"]');
    await refused.getByText(/Signed with a key this instance does not trust/).waitFor();
    await refused
      .locator('[data-test="bundle-fingerprint"]')
      .getByText(grouped(other.fingerprint))
      .waitFor();
    await refused
      .locator('[data-test="trusted-fingerprint"]')
      .getByText(grouped(centralKey.fingerprint))
      .waitFor();
    await refused.scrollIntoViewIfNeeded();
    await shot(lpage, 'refused-key', true);
    await assertNothingImported();
  });

  it('refuses a bundle that skips versions, naming the missing ones', async () => {
    const res = await central.server.request('/api/metasync/bundles?from=Version_3');
    assert.equal(res.status, 200);
    const later = Buffer.from(await res.arrayBuffer());
    await importBundle({ name: 'metasync-bundle-Version_3-Version_4.tar', buffer: later });
    const refused = panel().locator('[data-test="bundle-refused"]');
    await refused.getByText(/Versions are missing: Version_1, Version_2/).waitFor();
    await refused.scrollIntoViewIfNeeded();
    await shot(lpage, 'refused-gap', true);
    await assertNothingImported();
  });

  it('uploads the bundle with its progress, imports it and lists the versions', async () => {
    await openImportExport();
    await panel().locator('input[type="file"]').setInputFiles(bundlePath);
    const chosen = panel().locator('[data-test="bundle-chosen"]');
    await chosen.getByText('Version_1 to Version_4 (4)').waitFor();
    await chosen.getByText(grouped(centralKey.fingerprint)).waitFor();
    await panel().scrollIntoViewIfNeeded();
    await shot(lpage, 'local-bundle-chosen', true);

    // The upload slowed down (Chromium's network emulation) so that its progress can be seen.
    const cdp = await lpage.context().newCDPSession(lpage);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: UPLOAD_BYTES_PER_SECOND,
    });
    await panel().getByRole('button', { name: 'Import bundle' }).click();
    // Some bytes sent, not all: the bar moves while the file goes.
    await panel()
      .getByText(/^Uploading: [1-9][\d.]* [kM]?B of [\d.]+ [kM]?B \([1-9]\d? %\)/)
      .waitFor();
    await shot(lpage, 'local-bundle-uploading', true);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    const result = panel().locator('[data-test="bundle-result"]');
    await result.getByText('Bundle imported').waitFor({ timeout: 120_000 });
    await result.getByText('Imported Version_1, Version_2, Version_3, Version_4.').waitFor();
    for (const name of ['Version_1', 'Version_2', 'Version_3', 'Version_4'])
      await result.getByRole('cell', { name, exact: true }).waitFor();
    assert.equal(await result.getByText('SUCCESS', { exact: true }).count(), 4);
    await result.scrollIntoViewIfNeeded();
    await shot(lpage, 'local-bundle-imported', true);

    const strip = (vs: Awaited<ReturnType<typeof listVersions>>) =>
      vs.map(({ name, id, type, created, hashCode }) => ({ name, id, type, created, hashCode }));
    assert.deepEqual(
      strip(await listVersions(local.server)),
      strip(await listVersions(central.server)),
    );

    await result.getByRole('button', { name: 'Open the run in Sync history' }).click();
    await lpage.getByText('BUNDLE', { exact: false }).first().waitFor();
    await lpage.getByRole('cell', { name: 'Version_4', exact: true }).waitFor();
    await shot(lpage, 'local-bundle-run', true);

    // The run turned versioning on, as every run does; the site stays a local, and its
    // Versioning screen lists the versions.
    await lpage.reload();
    await section(lpage, 'Metadata versioning');
    await lpage.locator('[data-test="role"]').getByText('Local').waitFor();
    await lpage.locator('[data-test="sync-status"]').waitFor();
    await lpage.getByRole('cell', { name: 'Version_4', exact: true }).first().waitFor();
    await shot(lpage, 'local-versioning-after', true);
  });

  it('imports nothing from the same bundle again', async () => {
    await openImportExport();
    await panel().locator('input[type="file"]').setInputFiles(bundlePath);
    await panel()
      .locator('[data-test="bundle-chosen"]')
      .getByText('none: this instance holds every version in the bundle')
      .waitFor();
    await panel().getByRole('button', { name: 'Import bundle' }).click();
    const result = panel().locator('[data-test="bundle-result"]');
    await result.getByText('Bundle imported').waitFor();
    await result
      .getByText(
        'No version was imported. Already here: Version_1, Version_2, Version_3, Version_4.',
      )
      .waitFor();
    assert.equal(await result.getByText('ALREADY HERE', { exact: true }).count(), 4);
    await shot(lpage, 'local-bundle-again');
    assert.equal((await listVersions(local.server)).length, 4);

    // On a phone the panel and its result fit the screen's width (fingerprints and names wrap).
    await lpage.setViewportSize({ width: 375, height: 800 });
    await result.waitFor();
    await shot(lpage, 'local-bundle-again-phone');
    const width = await lpage.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 380, `page is ${width}px wide at 375`);
  });
});
