/**
 * The screens of issue 24 §3 in Debian's Chromium, against a real central and a real local in
 * this process and the SMTP sink: manual sync by name, the versions table's "Last sync", the
 * status's freshness and "Ask the central now", the export's download, the test e-mail, a job
 * edited, run and deleted, and a divergence recovered by a rebaseline that the audit log shows;
 * axe-core finds no serious or critical violation on the new panels and the dialog.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type Browser, type Page } from 'playwright-core';
import {
  launchChromium,
  logIn,
  prepareBrowserTest,
  SHOTS,
  skipWithoutBrowser,
} from '../support/browser.ts';
import { expectAccessible, WITH_BEST_PRACTICES } from '../support/axe.ts';
import { eventually } from '../support/eventually.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  postSettings,
  start,
  type Started,
} from '../support/sync.ts';
import { enableVersioning, fetchJson, listVersions } from '../support/versions.ts';
import type {
  JobConfigurationList,
  SyncAuditEntry,
  SyncReport,
} from '../../src/http/schemas/api-types.ts';

const skip = skipWithoutBrowser;

describe('issue 24 §3 screens in Chromium', { skip }, () => {
  let central: Started;
  let local: Started;
  let sink: SmtpSink;
  let browser: Browser;
  let page: Page;
  const first = newDataElement('Screens one');
  const second = newDataElement('Screens two');

  before(async () => {
    prepareBrowserTest();
    sink = await startSmtpSink();
    const backend = await centralBackend();
    [central, local] = await Promise.all([start(backend), start(backend)]);
    await enableVersioning(central.server);
    await importMetadata(central.server, { dataElements: [first] });
    await createVersion(central.server); // Version_1
    await importMetadata(central.server, { dataElements: [second] });
    await createVersion(central.server); // Version_2
    await connect(local.server, central.server.url);
    await postSettings(local.server, {
      keyEmailHostName: '127.0.0.1',
      keyEmailPort: sink.port,
      keyEmailTls: false,
      keyEmailSender: 'metasync@example.org',
    });
    // The test e-mail goes to the user's own address (DHIS2's /api/email/test).
    await sql`update app_user set email = 'admin@example.org' where username = 'admin'`.execute(
      local.server.instance.database.db,
    );
    browser = await launchChromium();
    const ctx = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    await logIn(page, local.server.url);
  });

  after(async () => {
    await browser?.close();
    await Promise.all([central?.dispose(), local?.dispose(), sink?.close()]);
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const section = (label: string) => page.getByRole('tab', { name: label }).click();
  const status = () => page.locator('[data-test="sync-status"]');
  const busy = () => page.locator('[data-test="busy-note"]');

  /**
   * Holds the requests to `url` until `release()`, so that a long action's progress can be seen
   * while its request is open (no timing: the answer waits for the test).
   */
  async function hold(url: RegExp) {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    await page.route(url, async (route) => {
      await gate;
      await route.continue();
    });
    return {
      release: () => open(),
      done: () => page.unroute(url),
    };
  }

  it('syncs up to a named version from Import/Export, and only up to it', async () => {
    await section('Import/Export');
    await page.locator('input[name="versionName"]').fill('Version_1');
    const held = await hold(/\/api\/41\/metadata\/sync\?versionName=/);
    await page.getByRole('button', { name: 'Sync this version' }).click();
    await busy().getByText('Syncing up to Version_1: every missing version is imported…').waitFor();
    held.release();
    await page
      .locator('form', { hasText: 'Manual sync' })
      .getByText('Synced up to Version_1.')
      .waitFor();
    await held.done();
    assert.equal(await busy().count(), 0);
    await shot('s24-01-manual-sync-by-name');
    const names = (await listVersions(local.server)).map((v) => v.name);
    assert.deepEqual(names, ['Version_1']);
  });

  it('shows per version when it last synced, and says when the central was last asked', async () => {
    await section('Metadata versioning');
    await page.getByRole('cell', { name: 'Version_1', exact: true }).waitFor();
    const row = page.getByRole('row', { name: /Version_1/ });
    const table = page.locator('table', {
      has: page.getByRole('cell', { name: 'Version_1', exact: true }),
    });
    const headers = await table.locator('th').allTextContents();
    assert.ok(
      headers.includes('Last sync attempt') && headers.includes('Last sync'),
      JSON.stringify(headers),
    );
    const cells = await row.getByRole('cell').allTextContents();
    const lastSync = cells[headers.indexOf('Last sync')]!;
    assert.notEqual(lastSync, '—', cells.join(' | '));
    assert.equal(cells[headers.indexOf('Last sync attempt')], '', 'it did not fail');
    // Behind by one, and the line says when the central was asked; asking again asks it.
    await status().getByText('Behind by 1 version', { exact: true }).waitFor();
    const freshness = page.locator('[data-test="status-freshness"]');
    await freshness.getByText(/The central last answered /).waitFor();
    const asked = page.waitForResponse((r) =>
      r.url().endsWith('/api/41/metadata/sync/status?refresh=true'),
    );
    await freshness.getByRole('button', { name: 'Ask the central now' }).click();
    assert.equal((await asked).status(), 200);
    await shot('s24-02-versions-last-sync');
    await expectAccessible(
      page,
      'local: versioning, behind, last sync per version',
      WITH_BEST_PRACTICES,
    );
  });

  it('says "Up to date as of" the time the central was asked, never a bare "Up to date"', async () => {
    await status().getByRole('button', { name: 'Sync now' }).click();
    const headline = status().getByText(/^Up to date as of /);
    await headline.waitFor();
    assert.equal(await status().getByText('Up to date', { exact: true }).count(), 0);
    const body = (await (await local.server.request('/api/metadata/sync/status')).json()) as {
      remoteCheckedAt: string;
    };
    assert.ok(body.remoteCheckedAt, 'the run read the central');
    await page.getByRole('cell', { name: 'Version_2', exact: true }).waitFor();
    await shot('s24-03-up-to-date-as-of');
  });

  it('says so when the central cannot be asked, and keeps the time it last answered', async () => {
    // A port nothing listens on: the refresh fails at once.
    await connect(local.server, 'http://127.0.0.1:9');
    await status().getByRole('button', { name: 'Ask the central now' }).click();
    const freshness = page.locator('[data-test="status-freshness"]');
    await freshness.getByText(/Asking it failed: /).waitFor();
    await status()
      .getByText(
        /^(Up to date as of .*; the central could not be asked now|Not known: the central could not be asked)$/,
      )
      .waitFor();
    await shot('s24-03c-central-not-asked');
    await connect(local.server, central.server.url);
    await status().getByRole('button', { name: 'Ask the central now' }).click();
    await status()
      .getByText(/^Up to date as of [^;]*$/)
      .waitFor();
    assert.equal(await freshness.getByText(/Asking it failed/).count(), 0);
  });

  it('downloads the metadata export, whose content holds the synced objects', async () => {
    await section('Import/Export');
    const download = page.waitForEvent('download');
    const held = await hold(/\/api\/41\/metadata$/);
    await page.getByRole('button', { name: 'Download metadata.json' }).click();
    await busy().getByText('Exporting all metadata…').waitFor();
    held.release();
    const file = await download;
    await held.done();
    await busy().waitFor({ state: 'detached' });
    assert.equal(file.suggestedFilename(), 'metadata.json');
    const json = JSON.parse(await readFile((await file.path())!, 'utf8')) as {
      dataElements?: { id: string; name: string }[];
    };
    const ids = (json.dataElements ?? []).map((d) => d.id);
    assert.ok(ids.includes(first.id as string) && ids.includes(second.id as string), ids.join());
  });

  it('shows the import of a file while the server works on it', async () => {
    await section('Import/Export');
    await page.locator('input[name="file"]').setInputFiles({
      name: 'more.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ dataElements: [newDataElement('Checked')] })),
    });
    const held = await hold(/\/api\/41\/metadata\?importStrategy=/);
    await page.getByRole('button', { name: 'Start dry run' }).click();
    await busy().getByText('Checking more.json: the server validates every object…').waitFor();
    await shot('s24-03b-import-progress');
    await expectAccessible(page, 'local: import in progress', WITH_BEST_PRACTICES);
    held.release();
    await page
      .locator('[data-test="import-report"]')
      .getByText('Dry run: nothing was saved')
      .waitFor();
    await held.done();
    assert.equal(await busy().count(), 0);
  });

  it('sends the test e-mail, which the SMTP sink receives', async () => {
    await section('Settings: Email');
    await page.getByRole('button', { name: 'Send me a test email' }).click();
    await page.getByText('Test e-mail sent').waitFor();
    const [mail] = await sink.waitFor(1);
    assert.deepEqual(mail!.envelopeTo, ['admin@example.org']);
    assert.equal(mail!.subject, 'Test message from metasync');
    await shot('s24-04-test-email-sent');
  });

  it('edits a job, runs it now and deletes it (Scheduler)', async () => {
    const jobs = async () =>
      (await fetchJson<JobConfigurationList>(local.server, '/api/jobConfigurations?paging=false'))
        .body.jobConfigurations;
    const runs = async () =>
      (await fetchJson<{ reports: SyncReport[] }>(local.server, '/api/metadata/sync/reports')).body
        .reports.length;
    await section('Scheduler');
    await page.getByRole('button', { name: 'New metadata sync job' }).click();
    await page.locator('input[name="name"]').fill('Night sync');
    await page.getByRole('button', { name: 'Save' }).click();
    const row = (name: string) => page.getByRole('row', { name: new RegExp(name) });
    await row('Night sync').waitFor();

    await row('Night sync').getByRole('button', { name: 'Edit' }).click();
    await page.locator('input[name="name"]').fill('Morning sync');
    await page.getByRole('button', { name: 'Save' }).click();
    await row('Morning sync').waitFor();
    assert.equal(await row('Night sync').count(), 0);
    assert.deepEqual(
      (await jobs()).filter((j) => /sync$/.test(j.name)).map((j) => j.name),
      ['Morning sync'],
    );

    const before = await runs();
    await row('Morning sync').getByRole('button', { name: 'Run now' }).click();
    await page.getByText('Started “Morning sync”').waitFor();
    await eventually(async () => assert.ok((await runs()) > before, 'a run was reported'), 15_000);
    await shot('s24-05-scheduler-run-now');

    await row('Morning sync').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('Deleted “Morning sync”').waitFor();
    await row('Morning sync').waitFor({ state: 'detached' });
    assert.ok(!(await jobs()).some((j) => j.name === 'Morning sync'));
  });

  it('recovers a divergence by a rebaseline with a reason, which the audit log shows', async () => {
    // Unplugged, the local makes a version of its own; plugged back in, that diverges.
    await connect(local.server, '');
    await importMetadata(local.server, { dataElements: [newDataElement('Made here')] });
    await createVersion(local.server, 'BEST_EFFORT'); // the local's own Version_3
    await connect(local.server, central.server.url);

    await section('Metadata versioning');
    await status().getByRole('button', { name: 'Sync now' }).click();
    await status().getByText('Diverged', { exact: true }).waitFor();
    await status().getByRole('button', { name: 'Rebaseline…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Version_2').first().waitFor();
    await dialog.locator('textarea[name="reason"]').fill('no');
    await dialog.getByRole('button', { name: 'Rebaseline', exact: true }).click();
    await dialog.getByText('Give a reason of at least 5 characters').waitFor();
    await dialog.locator('textarea[name="reason"]').fill('The site made its own version');
    await shot('s24-06-rebaseline-dialog');
    await expectAccessible(page, 'local: rebaseline dialog', WITH_BEST_PRACTICES);
    await dialog.getByRole('button', { name: 'Rebaseline', exact: true }).click();
    await page.getByText('Rebaselined to Version_2').first().waitFor();
    await dialog.waitFor({ state: 'detached' });
    await status()
      .getByText(/^Up to date as of /)
      .waitFor();

    const audit = page.locator('[data-test="audit-log"]');
    const entry = audit.getByRole('row', { name: /REBASELINE/ });
    await entry.getByText('The site made its own version').waitFor();
    await entry.getByText(/to: Version_2/).waitFor();
    await shot('s24-07-audit-log');
    await expectAccessible(
      page,
      'local: versioning after a rebaseline, audit log',
      WITH_BEST_PRACTICES,
    );
    const log = await fetchJson<{ audit: SyncAuditEntry[] }>(
      local.server,
      '/api/metadata/sync/audit',
    );
    assert.ok(
      log.body.audit.some(
        (a) => a.action === 'REBASELINE' && a.reason === 'The site made its own version',
      ),
      log.text,
    );
    assert.deepEqual(
      (await listVersions(local.server)).map((v) => v.name),
      ['Version_1', 'Version_2'],
    );
  });
  it('lists a version whose import failed with its last sync attempt, and no last sync', async () => {
    // The same code on two objects: the central's atomic Version_3 cannot be imported here.
    const code = 'SCREENS_CLASH';
    await importMetadata(local.server, { dataElements: [newDataElement('Here', { code })] });
    await importMetadata(central.server, { dataElements: [newDataElement('There', { code })] });
    await createVersion(central.server); // Version_3
    await status().getByRole('button', { name: 'Sync now' }).click();
    await status().getByText('Failed', { exact: true }).waitFor();
    await page.getByRole('cell', { name: 'Version_3', exact: true }).waitFor();
    const table = page.locator('table', {
      has: page.getByRole('cell', { name: 'Version_1', exact: true }),
    });
    const headers = await table.locator('th').allTextContents();
    const cells = await table
      .getByRole('row', { name: /Version_3/ })
      .getByRole('cell')
      .allTextContents();
    assert.notEqual(cells[headers.indexOf('Last sync attempt')], '', cells.join(' | '));
    assert.equal(cells[headers.indexOf('Last sync')], '—', cells.join(' | '));
    assert.ok(!(await listVersions(local.server)).some((v) => v.name === 'Version_3'));
    await shot('s24-08-failed-version-attempt');
  });
});
