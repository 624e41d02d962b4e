/**
 * The transfer seen by people in the web UI (issue 19 §6), in Debian's Chromium: a local pulls a
 * version of some hundreds of kB from a real central through the fault proxy's `link` fault,
 * which lets the snapshot through at 24 kB/s; the run's page shows the download under way (bytes of the total, the rate,
 * the time left) while it goes on, and the finished run shows what it moved. The progress and
 * the bytes come from the metadata client (its `onProgress` and meter, the resume part of
 * issue 19 §2) through run-sync's `download` events and the run's meter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import {
  launchChromium,
  logIn,
  prepareBrowserTest,
  SHOTS,
  skipWithoutBrowser,
} from '../support/browser.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  start,
  type Started,
} from '../support/sync.ts';
import { enableVersioning } from '../support/versions.ts';

const skip = skipWithoutBrowser;

/** A snapshot's pace through the proxy: 24 kB/s, so a few hundred kB take seconds. */
const PACE = 24_000;

describe("web UI: a run's transfer (issue 19 §6)", { skip }, () => {
  let central: Started;
  let local: Started;
  let proxy: FaultProxy;
  let browser: Browser;
  let page: Page;

  before(async () => {
    prepareBrowserTest();
    const backend = await centralBackend();
    [central, local] = await Promise.all([start(backend), start(backend)]);
    await enableVersioning(central.server);
    // Names that do not repeat, so the gzip stays some hundreds of kB: seconds at 24 kB/s.
    const elements = Array.from({ length: 1500 }, (_, i) =>
      newDataElement(`Transfer ${i} ${Math.random().toString(36).slice(2)}`, {
        description: Array.from({ length: 6 }, () => Math.random().toString(36).slice(2)).join(' '),
      }),
    );
    await importMetadata(central.server, { dataElements: elements });
    await createVersion(central.server, 'BEST_EFFORT');
    proxy = await startFaultProxy({
      target: { host: '127.0.0.1', port: Number(new URL(central.server.url).port) },
      mode: 'http',
    });
    proxy.set({ path: /\/data(\.gz)?$/, fault: { kind: 'link', bytesPerSecond: PACE } });
    await connect(local.server, proxy.url);
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await Promise.all([central?.dispose(), local?.dispose()]);
  });

  it('shows the download under way, then what the finished run moved', async () => {
    await logIn(page, local.server.url);

    const started = await local.server.request('/api/metadata/sync/run', { method: 'POST' });
    assert.equal(started.status, 202, await started.clone().text());
    const { id } = (await started.json()) as { id: string };
    await page.goto(`${local.server.url}/#/history/${id}`);

    // While it runs: "<bytes> of <total> · <rate>/s · <time> left", growing.
    const live = page.getByTestId('live-download');
    await live.waitFor();
    // Per version (issue 24 §3): the run's share of its versions, from the report it saves.
    await page
      .locator('[data-test="run-progress"]')
      .getByText(/^Step versions: 0 of 1 version done\.$/)
      .waitFor();
    const first = (await live.textContent()) ?? '';
    assert.match(first, /Downloading Version_1: [\d.]+ [kM]?B of [\d.]+ [kM]?B · [\d.]+ [kM]?B\/s/);
    await page.screenshot({ path: `${SHOTS}/20-local-run-downloading.png`, fullPage: true });
    let later = first;
    for (let i = 0; i < 100 && later === first; i++) {
      await page.waitForTimeout(200);
      later = (await live.textContent()) ?? first;
    }
    assert.notEqual(later, first, 'the line grows while the download goes on');
    assert.match(later, / left/);

    // Finished: the transfer, and the version's download.
    const transfer = page.getByTestId('transfer');
    await transfer.waitFor({ timeout: 120_000 });
    const text = (await transfer.textContent()) ?? '';
    assert.match(text, /Received\s*[\d.]+ (kB|MB)/);
    assert.match(text, /Download rate\s*[\d.]+ kB\/s/);
    assert.match(text, /Resumed downloads\s*none/);
    assert.equal(await live.count(), 0, 'no live line once the run has ended');
    await page
      .getByRole('cell', { name: /^[\d.]+ (kB|MB)$/ })
      .first()
      .waitFor();
    await page.screenshot({ path: `${SHOTS}/21-local-run-transfer.png`, fullPage: true });
  });
});
