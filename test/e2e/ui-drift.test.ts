/**
 * Drift in the web UI (issue 23 §1, §3, §4), in Debian's Chromium against a real central and a
 * real local: after a sync, a data element's name is edited on the local through POST
 * /api/metadata as the admin, and the next run's drift check finds it. The status panel shows
 * the DRIFTED warning with a link to the Drift screen; the screen lists the data element under
 * "Changed locally" with its `name` path and both values; the run's detail names the drift; a
 * dry-run preview changes nothing; the repair with a reason puts the name back and the screen
 * shows the empty state. Edited again, then a new version that touches the data element: its
 * run's detail names it as drifted before that version. A local that applied no version yet
 * says so. Each step is checked against the server's own answer, not only the screen; a user
 * without F_METADATA_MANAGE is not offered the tab.
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
import { ADMIN_PASSWORD } from '../support/server.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  objects,
  start,
  syncOk,
  type Started,
} from '../support/sync.ts';
import { enableVersioning, fetchJson } from '../support/versions.ts';
import type { DriftReport, SyncReport } from '../../src/http/schemas/api-types.ts';

describe('web UI: drift (issue 23)', { skip: skipWithoutBrowser }, () => {
  let central: Started;
  let local: Started;
  let browser: Browser;
  let page: Page;
  let run: SyncReport;
  const de = newDataElement('Drift');
  const edited = `${String(de.name)} EDITED`;

  before(async () => {
    prepareBrowserTest();
    [central, local] = await Promise.all([start(await centralBackend()), start('pglite')]);
    await enableVersioning(central.server);
    await importMetadata(central.server, { dataElements: [de] });
    await createVersion(central.server, 'ATOMIC');
    await connect(local.server, central.server.url);
    await syncOk(local.server);
    // Edited behind the central's back; the next run's drift check (issue 23 §3) finds it.
    await importMetadata(local.server, { dataElements: [{ ...de, name: edited }] });
    run = await syncOk(local.server);
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, local.server.url);
  });

  after(async () => {
    await browser?.close();
    await Promise.all([central?.dispose(), local?.dispose()]);
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/drift-${name}.png` });
  const drift = async () =>
    (await fetchJson<DriftReport>(local.server, '/api/metasync/drift')).body;
  const liveName = async () =>
    (await objects(local.server, 'dataElements', 'id,name')).find((o) => o.id === de.id)?.name;

  it('the status panel warns DRIFTED and links to the Drift screen', async () => {
    assert.deepEqual(
      [run.drift?.changed, run.drift?.created, run.drift?.deleted],
      [1, 0, 0],
      JSON.stringify(run.drift),
    );
    const warning = page.locator('[data-test="drift-warning"]');
    await warning.getByText('DRIFTED: 1 changed, 0 created, 0 deleted locally').waitFor();
    await shot('status-warning');
    await warning.getByRole('link', { name: 'Show the drift' }).click();
    await page.locator('#drift-title').waitFor();
    assert.equal(new URL(page.url()).hash, '#/drift');
  });

  it('the Drift screen lists the data element with its name path and both values', async () => {
    await page
      .locator('[data-test="drift-base"]')
      .getByText(/^Compared with Version_1/)
      .waitFor();
    const changed = page.locator('[data-test="drift-changed"]');
    await changed.getByText('Changed locally (1)').waitFor();
    const row = changed.getByRole('row').filter({ hasText: String(de.id) });
    await row.getByRole('cell', { name: 'dataElements', exact: true }).waitFor();
    const paths = row
      .locator('[data-test="drift-paths"]')
      .getByRole('row')
      .filter({
        has: page.getByText('name', { exact: true }),
      });
    await paths.getByText(String(de.name), { exact: true }).waitFor();
    await paths.getByText(edited, { exact: true }).waitFor();
    await page.locator('[data-test="drift-created"]').getByText('Created locally (0)').waitFor();
    await page.locator('[data-test="drift-deleted"]').getByText('Deleted locally (0)').waitFor();
    await shot('screen');
    const report = await drift();
    assert.deepEqual(report.counts, { changed: 1, created: 0, deleted: 0 });
    assert.deepEqual(
      report.changed[0]?.paths?.find((p) => p.path === 'name'),
      {
        path: 'name',
        implied: de.name,
        live: edited,
      },
    );
  });

  it('the run detail names the drift after the run', async () => {
    await page.goto(`${local.server.url}/#/history/${run.id}`);
    const runDrift = page.locator('[data-test="run-drift"]');
    await runDrift.getByText(/^After this run: 1 changed, 0 created, 0 deleted locally/).waitFor();
    await runDrift.scrollIntoViewIfNeeded();
    await shot('run-detail');
    await page.goto(`${local.server.url}/#/drift`);
    await page.locator('[data-test="drift-changed"]').waitFor();
  });

  it('a preview changes nothing; the repair with a reason puts the name back: no drift', async () => {
    await page
      .locator('[data-test="drift-changed"]')
      .getByRole('row')
      .filter({ hasText: String(de.id) })
      .getByText(String(de.id), { exact: true })
      .click(); // ticks the object: the scope becomes "the selected objects"
    await page.getByRole('button', { name: 'Repair…' }).click();
    const modal = page.locator('[data-test="drift-repair"]');
    await modal.getByText('The selected objects (1)').waitFor();
    await modal.locator('textarea[name="driftReason"]').fill('Name edited by mistake');
    await modal.getByRole('button', { name: 'Preview (dry run)' }).click();
    const preview = modal.locator('[data-test="drift-preview"]');
    await preview.getByText('Would restore: 1').waitFor();
    await shot('preview');
    assert.equal(await liveName(), edited);

    await modal.getByRole('button', { name: 'Repair', exact: true }).click();
    const repaired = modal.locator('[data-test="drift-repaired"]');
    await repaired.getByText('Restored: 1').waitFor();
    await repaired.getByText('Drift left: 0 changed, 0 created, 0 deleted.').waitFor();
    await shot('repaired');
    await modal.getByRole('button', { name: 'Close', exact: true }).click();
    await modal.waitFor({ state: 'detached' });
    await page.getByText('No drift: this instance matches the versions it applied.').waitFor();
    await shot('empty');
    assert.equal(await liveName(), de.name);
    assert.deepEqual((await drift()).counts, { changed: 0, created: 0, deleted: 0 });
    const audit = await fetchJson<{ audit: { username: string; reason: string }[] }>(
      local.server,
      '/api/metadata/sync/audit',
    );
    assert.ok(
      audit.body.audit.some((a) => a.username === 'admin' && a.reason === 'Name edited by mistake'),
      JSON.stringify(audit.body),
    );
  });

  it('a version touching an object edited locally names it in the run detail', async () => {
    await importMetadata(local.server, { dataElements: [{ ...de, name: edited }] });
    await importMetadata(central.server, {
      dataElements: [{ ...de, description: 'Counted at the first visit' }],
    });
    await createVersion(central.server, 'ATOMIC'); // Version_2
    const next = await syncOk(local.server);
    assert.deepEqual(
      next.versions.map((v) => [v.name, v.drifted]),
      [['Version_2', [{ type: 'dataElements', id: de.id, name: edited, kind: 'changed' }]]],
    );
    await page.goto(`${local.server.url}/#/history/${next.id}`);
    const drifted = page.locator('[data-test="version-drifted"]');
    await drifted.getByText('Version_2: drifted locally before this version:').waitFor();
    const row = drifted.getByRole('row').filter({ hasText: String(de.id) });
    await row.getByRole('cell', { name: edited, exact: true }).waitFor();
    await row.getByRole('cell', { name: 'changed', exact: true }).waitFor();
    await drifted.scrollIntoViewIfNeeded();
    await shot('version-drifted');
  });

  it('a local that applied no version yet says so', async () => {
    const fresh = await start('pglite');
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      await connect(fresh.server, central.server.url);
      const other = await ctx.newPage();
      await logIn(other, fresh.server.url + '/#/drift', 'admin', ADMIN_PASSWORD, (p) =>
        p.getByText('No version applied yet'),
      );
      assert.equal(await other.getByRole('button', { name: 'Repair…' }).count(), 0);
      await other.screenshot({ path: `${SHOTS}/drift-no-version.png` });
      const r = await fetchJson<DriftReport>(fresh.server, '/api/metasync/drift');
      assert.equal(r.body.base, null);
    } finally {
      await ctx.close();
      await fresh.dispose();
    }
  });

  it('shows the Drift tab only to users who may manage metadata', async () => {
    await asUserWith(
      browser,
      local.server,
      { username: 'exporter', password: 'Exporter-Pass-1!', authorities: ['F_METADATA_EXPORT'] },
      { ready: (p) => p.getByRole('tab', { name: 'Sync history' }) },
      async (other) => {
        assert.equal(await other.getByRole('tab', { name: 'Drift' }).count(), 0);
        assert.equal(await page.getByRole('tab', { name: 'Drift' }).count(), 1);
      },
    );
  });
});
