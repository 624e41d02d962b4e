/**
 * What a run's data push sent upstream, seen in the web UI's run view (issue 21 §2), in Debian's
 * Chromium: a local with values of its own syncs with a real central; the finished run's page
 * lists per kind what went ("Data sent upstream"), from the report's `dataPushed`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser } from 'playwright-core';
import {
  launchChromium,
  logIn,
  prepareBrowserTest,
  SHOTS,
  skipWithoutBrowser,
} from '../support/browser.ts';
import { IDS, importDataMetadata, postValues, value } from '../support/data.ts';
import { centralBackend, connect, start, syncOk, type Started } from '../support/sync.ts';
import { enableVersioning } from '../support/versions.ts';

describe('web UI: what a run sent upstream (issue 21 §2)', { skip: skipWithoutBrowser }, () => {
  let central: Started;
  let local: Started;
  let browser: Browser;

  before(async () => {
    prepareBrowserTest();
    const backend = await centralBackend();
    [central, local] = await Promise.all([start(backend), start(backend)]);
    await enableVersioning(central.server);
    for (const s of [central, local]) await importDataMetadata(s.server);
    await connect(local.server, central.server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await Promise.all([central?.dispose(), local?.dispose()]);
  });

  it('lists per kind the rows sent and their change window', async () => {
    const posted = await postValues(local.server, {
      dataValues: ['202001', '202002', '202003'].map((p) => value(IDS.deNumber, p, '1')),
    });
    assert.equal(posted.summary.status, 'SUCCESS', posted.text);
    const report = await syncOk(local.server);

    const page = await (
      await browser.newContext({ viewport: { width: 1280, height: 900 } })
    ).newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, local.server.url);
    await page.goto(`${local.server.url}/#/history/${report.id}`);

    const table = page.getByTestId('data-pushed');
    await table.waitFor();
    const rows = await table.locator('tbody tr').allTextContents();
    assert.equal(rows.length, 3, rows.join('\n'));
    assert.match(rows[0]!, /dataValues\s*SENT\s*data values: 3 sent \(changes 1–3\)/);
    assert.match(
      rows[1]!,
      /completeDataSetRegistrations\s*SENT\s*complete registrations: nothing to send \(up to change 3\)/,
    );
    assert.match(rows[2]!, /events\s*SENT\s*events: nothing to send/);
    await page.screenshot({ path: `${SHOTS}/22-local-run-data-sent.png`, fullPage: true });
  });
});
