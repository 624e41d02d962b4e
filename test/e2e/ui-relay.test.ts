/**
 * The relay in the web UI (issue 21 §4, §5), in Debian's Chromium against a real tree of three
 * servers N → R → D: N's Fleet screen shows D under R; R's header says "Relay of National", its
 * Fleet screen lists D and its status panel counts its downstream. Screenshots go to
 * .artifacts/screenshots/.
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
import { useRelayTree } from '../support/relay-tree.ts';
import { centralBackend, importMetadata, newDataElement, syncOk } from '../support/sync.ts';
import { createVersion } from '../support/versions.ts';

const backend = await centralBackend();

describe('a relay tree in the web UI (issue 21)', { skip: skipWithoutBrowser }, () => {
  const { national, relay, district } = useRelayTree(backend);
  let browser: Browser;

  before(async () => {
    prepareBrowserTest();
    await importMetadata(national, { dataElements: [newDataElement('Relay UI')] });
    await createVersion(national, 'ATOMIC');
    // R takes Version_1 from N, D from R; R's next run reports D to N.
    await syncOk(relay);
    await syncOk(district);
    const second = await syncOk(relay);
    assert.equal(second.fleet?.status, 'SENT', JSON.stringify(second.fleet));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  async function open(url: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await logIn(page, url);
    return page;
  }

  /** The Fleet screen's rows as [name, depth, via]. */
  async function fleetRows(page: Page): Promise<[string, string, string][]> {
    await page.getByRole('tab', { name: 'Fleet' }).click();
    const names = page.locator('[data-test="fleet-local"]');
    await names.first().waitFor();
    const rows: [string, string, string][] = [];
    for (let i = 0; i < (await names.count()); i++) {
      const n = names.nth(i);
      const via = page.locator('[data-test="fleet-via"]').nth(i);
      rows.push([
        (await n.innerText()).replace(/^└\s*/, ''),
        (await n.getAttribute('data-depth')) ?? '',
        await via.innerText(),
      ]);
    }
    return rows;
  }

  it("N's Fleet screen shows District under Region", async () => {
    const page = await open(national.url);
    assert.equal(await page.locator('[data-test="relay-of"]').count(), 0, 'N is no relay');
    assert.deepEqual(await fleetRows(page), [
      ['Region', '0', 'direct'],
      ['District', '1', 'Region'],
    ]);
    await page.screenshot({ path: `${SHOTS}/relay-01-national-fleet.png`, fullPage: true });
  });

  it('R says "Relay of National", lists District in its fleet and counts it in its status', async () => {
    const page = await open(relay.url);
    await page.locator('[data-test="relay-of"]').getByText('Relay of National').waitFor();
    const counts = page.locator('[data-test="relay-downstream"]');
    await counts.waitFor();
    assert.equal(await counts.locator('[data-test="downstream-locals"]').innerText(), '1');
    assert.equal(await counts.locator('[data-test="downstream-failing"]').innerText(), '0');
    await page.screenshot({ path: `${SHOTS}/relay-02-relay-status.png`, fullPage: true });
    assert.deepEqual(await fleetRows(page), [['District', '0', 'direct']]);
    await page.screenshot({ path: `${SHOTS}/relay-03-relay-fleet.png`, fullPage: true });
  });
});
