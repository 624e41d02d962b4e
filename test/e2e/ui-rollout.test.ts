/**
 * The staged rollout in the web UI (issue 22 §2, §4), in Debian's Chromium against a real
 * central and a real local: the Rollout screen turns rollout on with a ring of the local's system
 * id (a refused automatic-release value shown at its field first); a third version then shows
 * CANARY with the local "not yet"; it is held (HELD); after the local reports a failure its
 * release is refused naming the failure, and "Release anyway" releases it (RELEASED); a
 * fourth version withdrawn through the modal leaves the table and is listed under the
 * withdrawals; a user without F_METADATA_MANAGE is not offered the tab. Each step is checked
 * against the server's own answer, not only the screen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
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
  createVersion,
  importMetadata,
  newDataElement,
  start,
  type Started,
} from '../support/sync.ts';
import { enableVersioning, fetchJson } from '../support/versions.ts';
import type { RolloutConfig, RolloutVersions } from '../../src/http/schemas/api-types.ts';

describe('web UI: staged rollout (issue 22)', { skip: skipWithoutBrowser }, () => {
  let central: Started;
  let local: Started;
  let browser: Browser;
  let page: Page;
  let canary: string;

  before(async () => {
    prepareBrowserTest();
    [central, local] = await Promise.all([start(await centralBackend()), start('pglite')]);
    canary = local.server.instance.services.instance.systemId;
    await enableVersioning(central.server);
    for (const label of ['One', 'Two']) {
      await importMetadata(central.server, { dataElements: [newDataElement(label)] });
      await createVersion(central.server, 'BEST_EFFORT');
    }
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, central.server.url);
  });

  after(async () => {
    await browser?.close();
    await Promise.all([central?.dispose(), local?.dispose()]);
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/rollout-${name}.png` });
  const versionsPanel = () => page.locator('[data-test="rollout-versions"]');
  const row = (name: string) =>
    versionsPanel()
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name, exact: true }) });
  const overview = async () =>
    (await fetchJson<RolloutVersions>(central.server, '/api/metasync/rollout/versions')).body;
  const stateOf = async (name: string) =>
    (await overview()).versions.find((v) => v.name === name)?.state;

  /** Opens an action's modal on a version's row, gives the reason and confirms. */
  async function act(
    name: string,
    action: 'Release' | 'Hold' | 'Withdraw',
    reason: string,
    closes = true,
  ) {
    await row(name)
      .getByRole('button', { name: `${action}…` })
      .click();
    const modal = page.locator('[data-test="rollout-action"]');
    await modal.locator('textarea[name="rolloutReason"]').fill(reason);
    await modal.getByRole('button', { name: action, exact: true }).click();
    if (closes) await modal.waitFor({ state: 'detached' });
  }

  it('turns rollout on with a ring of the local, a bad value shown at its field first', async () => {
    await page.getByRole('tab', { name: 'Rollout' }).click();
    const form = page.locator('[data-test="rollout-config"]');
    await form.getByText('New versions go to the ring first').click();
    await form.locator('input[name="ringMember"]').fill(canary);
    await form.getByRole('button', { name: 'Add to ring' }).click();
    await form.getByRole('cell', { name: `system:${canary}` }).waitFor();
    // The same local twice, and 0 minutes (a number, so only the server refuses it): each of the
    // server's field errors shows at its own field, the second member's at its row.
    await form.locator('input[name="ringMember"]').fill(canary);
    await form.getByRole('button', { name: 'Add to ring' }).click();
    await form.locator('input[name="autoReleaseAfterMinutes"]').fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText(/autoReleaseAfterMinutes is a whole number of minutes/).waitFor();
    const members = form.getByRole('row').filter({ hasText: `system:${canary}` });
    await members.nth(1).getByText(`system:${canary} is in the ring twice`).waitFor();
    assert.equal(await members.nth(0).locator('[data-test="ring-error"]').count(), 0);
    await shot('field-error');
    await members.nth(1).getByRole('button', { name: 'Remove' }).click();
    assert.equal(
      (await fetchJson<RolloutConfig>(central.server, '/api/metasync/rollout')).body.enabled,
      false,
    );

    await form.locator('input[name="autoReleaseAfterMinutes"]').fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Last saved by admin').waitFor();
    const saved = (await fetchJson<RolloutConfig>(central.server, '/api/metasync/rollout')).body;
    assert.deepEqual(
      [saved.enabled, saved.ring, saved.autoReleaseAfterMinutes],
      [true, [{ systemId: canary }], null],
    );
  });

  it('shows a new version CANARY with the local not yet, holds it, releases it over a failure', async () => {
    await importMetadata(central.server, { dataElements: [newDataElement('Three')] });
    await createVersion(central.server, 'ATOMIC'); // Version_3
    await versionsPanel().getByRole('button', { name: 'Refresh' }).click();
    await row('Version_3').getByText('CANARY', { exact: true }).waitFor();
    await row('Version_3').getByText(`system:${canary} not yet`).waitFor();
    assert.equal(await row('Version_2').getByText('RELEASED', { exact: true }).count(), 1);
    await shot('canary');

    await act('Version_3', 'Hold', 'Waiting for the district report');
    await row('Version_3').getByText('HELD', { exact: true }).waitFor();
    assert.equal(await stateOf('Version_3'), 'HELD');

    // The canary reports a failure (as a metasync local does after its run): the release is
    // refused naming it, and goes through with "Release anyway".
    const report = await central.server.request('/api/metasync/fleet/outcome', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-metasync-system-id': canary },
      body: JSON.stringify({
        version: 'Version_3',
        status: 'FAILED',
        failureKind: 'IMPORT_FAILED',
        message: 'categoryCombo bRowv6yZOF2 is missing',
      }),
    });
    assert.equal(report.status, 200, await report.text());
    await versionsPanel().getByRole('button', { name: 'Refresh' }).click();
    await row('Version_3').getByText('categoryCombo bRowv6yZOF2 is missing').waitFor();
    await act('Version_3', 'Release', 'The district report is fine', false);
    const modal = page.locator('[data-test="rollout-action"]');
    await modal
      .locator('[data-test="rollout-refused"]')
      .getByText(
        `system:${canary} failed Version_3 (IMPORT_FAILED): categoryCombo bRowv6yZOF2 is missing`,
      )
      .waitFor();
    await shot('refused');
    assert.equal(await stateOf('Version_3'), 'HELD');
    await modal.getByRole('button', { name: 'Release anyway' }).click();
    await modal.waitFor({ state: 'detached' });
    await row('Version_3').getByText('RELEASED', { exact: true }).waitFor();
    assert.equal(await row('Version_3').getByRole('button').count(), 0);
    assert.equal(await stateOf('Version_3'), 'RELEASED');
    await shot('released');
    const audit = await fetchJson<{
      audit: { action: string; reason: string; details: unknown }[];
    }>(central.server, '/api/metadata/sync/audit');
    assert.deepEqual(
      audit.body.audit
        .filter((a) => a.action === 'ROLLOUT_RELEASE')
        .map((a) => [a.reason, a.details]),
      [
        [
          'The district report is fine',
          { version: 'Version_3', released: ['Version_3'], force: true },
        ],
      ],
    );
  });

  it('withdraws a fourth version: gone from the table, listed under the withdrawals', async () => {
    await importMetadata(central.server, { dataElements: [newDataElement('Four')] });
    const v4 = await createVersion(central.server, 'BEST_EFFORT');
    await versionsPanel().getByRole('button', { name: 'Refresh' }).click();
    await row('Version_4').getByText('CANARY', { exact: true }).waitFor();

    await act('Version_4', 'Withdraw', 'Breaks the data entry form');
    await row('Version_4').waitFor({ state: 'detached' });
    const withdrawn = page
      .locator('[data-test="rollout-withdrawals"]')
      .getByRole('row')
      .filter({ hasText: 'Version_4' });
    await withdrawn.getByText('Breaks the data entry form').waitFor();
    await withdrawn.getByText(v4.hashCode).waitFor();
    await withdrawn.getByRole('cell', { name: 'admin', exact: true }).waitFor();
    await shot('withdrawn');
    const o = await overview();
    assert.deepEqual(
      o.versions.map((v) => v.name),
      ['Version_1', 'Version_2', 'Version_3'],
    );
    assert.deepEqual(
      o.withdrawals.map((w) => [w.name, w.hashCode, w.by]),
      [['Version_4', v4.hashCode, 'admin']],
    );

    // The next version, made without force, holds the withdrawn changes again under the same name;
    // the Versioning screen lists it with its rollout state, though the ring alone may fetch it.
    const again = await createVersion(central.server, 'BEST_EFFORT');
    assert.equal(again.name, 'Version_4');
    assert.notEqual(again.hashCode, v4.hashCode);
    await page.getByRole('tab', { name: 'Metadata versioning' }).click();
    const list = page.locator('section[aria-labelledby="versioning-title"]');
    const listRow = (name: string) =>
      list.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
    await listRow('Version_4').getByText('CANARY', { exact: true }).waitFor();
    await listRow('Version_3').getByText('RELEASED', { exact: true }).waitFor();
    await shot('versioning-states');
  });

  it('shows the Rollout tab only to users who may manage metadata', async () => {
    await asUserWith(
      browser,
      central.server,
      { username: 'exporter', password: 'Exporter-Pass-1!', authorities: ['F_METADATA_EXPORT'] },
      { ready: (p) => p.getByRole('tab', { name: 'Fleet' }) },
      async (other) => {
        assert.equal(await other.getByRole('tab', { name: 'Rollout' }).count(), 0);
        assert.equal(await page.getByRole('tab', { name: 'Rollout' }).count(), 1);
      },
    );
  });
});
