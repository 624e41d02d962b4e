/**
 * Sync mails and the test mail (issue 8 §3–§4) against an in-process SMTP sink: a success mail
 * per imported version, a failure mail, notify-only-on-change, an unreachable SMTP server that
 * does not fail the sync, and POST /api/email/test.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { importDataMetadata, postValues, value } from '../support/data.ts';
import { backends } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import {
  centralBackend,
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  postSettings,
  runSync,
  start,
  type Started,
  type SyncReportJson,
} from '../support/sync.ts';
import { enableVersioning, fetchJson } from '../support/versions.ts';

type Notification = {
  kind: string;
  to: string;
  subject: string;
  status: string;
  detail: string;
  version?: string;
};
type Report = SyncReportJson & { notifications?: Notification[] };
const TO = 'ops@example.org';
const CLOSED = 'http://127.0.0.1:1';

for (const backend of await backends()) {
  describe(`sync e-mails, local on ${backend}`, () => {
    let c: Started;
    let l: Started;
    let central: TestServer;
    let local: TestServer;
    let sink: SmtpSink;
    before(async () => {
      sink = await startSmtpSink();
      c = await start(backend === 'pglite' ? await centralBackend() : backend);
      l = await start(backend, { syncRetry: 1, syncRetryFrequencyMs: 10 });
      central = c.server;
      local = l.server;
      await enableVersioning(central);
      await connect(local, central.url);
      await postSettings(local, {
        keyEmailHostName: '127.0.0.1',
        keyEmailPort: sink.port,
        keyEmailTls: false,
        keyEmailSender: 'metasync@example.org',
        keySystemNotificationsEmail: TO,
      });
    });
    beforeEach(() => {
      sink.mails.length = 0;
    });
    after(async () => {
      await l?.dispose();
      await c?.dispose();
      await sink?.close();
    });

    const run = async () => (await runSync(local)) as Report;

    it('one success mail per imported version, to keySystemNotificationsEmail', async () => {
      await importMetadata(central, {
        dataElements: [newDataElement('MailA'), newDataElement('MailB')],
      });
      await createVersion(central, 'ATOMIC');
      await importMetadata(central, { dataElements: [newDataElement('MailC')] });
      await createVersion(central, 'BEST_EFFORT');
      const report = await run();
      assert.equal(report.status, 'SUCCESS');
      const mails = await sink.waitFor(2);
      assert.equal(mails.length, 2);
      for (const m of mails) {
        assert.deepEqual(m.envelopeTo, [TO]);
        assert.equal(m.subject, 'Success Notification: Metadata Synchronization');
        assert.equal(m.parsed.from?.value[0]?.address, 'metasync@example.org');
      }
      assert.match(mails[0]!.text, /Version Name: Version_1\nVersion Type: ATOMIC/);
      assert.match(
        mails[0]!.text,
        /Metadata Object Type: org\.hisp\.dhis\.dataelement\.DataElement\nStats:\ntotal: 2\ncreated: 2/,
      );
      assert.match(mails[1]!.text, /Version Name: Version_2\nVersion Type: BEST_EFFORT/);
      assert.match(mails[1]!.html, /<b>Version_2<\/b>/);
      assert.deepEqual(
        report.notifications?.map((n) => [n.kind, n.version, n.status, n.to]),
        [
          ['SUCCESS', 'Version_1', 'SENT', TO],
          ['SUCCESS', 'Version_2', 'SENT', TO],
        ],
      );
      const stored = await fetchJson<Report>(local, `/api/metadata/sync/reports/${report.id}`);
      assert.equal(stored.body.notifications?.length, 2);
    });

    it('a failed run mails which version, which step, the cause and what to do', async () => {
      await connect(local, CLOSED);
      const report = await run();
      assert.equal(report.status, 'FAILED');
      const [mail] = await sink.waitFor(1);
      assert.deepEqual(mail!.envelopeTo, [TO]);
      assert.equal(mail!.subject, 'Action Required: MetadataSync Failed Notification');
      assert.match(mail!.text, /Failure: REMOTE_UNREACHABLE/);
      assert.match(mail!.text, /Step: \w+/);
      assert.match(mail!.text, /Version: Version_2/);
      assert.match(mail!.text, /Cause: .+/);
      assert.match(mail!.text, /What to do: Check that the central server is up/);
      assert.match(mail!.html, /What to do:/);
      assert.equal(report.notifications?.[0]?.kind, 'FAILURE');
    });

    it('notify-only-on-change: a repeated failure is silent, the recovery mails', async () => {
      await postSettings(local, { keyMetadataSyncNotifyOnlyOnChange: true });
      const again = await run();
      assert.equal(again.status, 'FAILED');
      assert.equal(again.notifications, undefined);
      await connect(local, central.url);
      const back = await run();
      assert.equal(back.status, 'SUCCESS');
      const [mail] = await sink.waitFor(1);
      assert.equal(mail!.subject, 'Recovered: Metadata Synchronization');
      assert.match(mail!.text, /works again/);
      const quiet = await run();
      assert.equal(quiet.notifications, undefined);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(sink.mails.length, 1);
      await postSettings(local, { keyMetadataSyncNotifyOnlyOnChange: false });
    });

    it('a data-push failure mails too', async () => {
      const gone = {
        id: 'MailDeGone1',
        code: 'MAIL_GONE',
        name: 'Mail gone',
        shortName: 'Mail gone',
        valueType: 'NUMBER',
        aggregationType: 'SUM',
        domainType: 'AGGREGATE',
      };
      for (const s of [central, local]) {
        await importDataMetadata(s);
        await importDataMetadata(s, { dataElements: [gone] });
      }
      const del = await central.request(`/api/dataElements/${gone.id}`, { method: 'DELETE' });
      assert.equal(del.status, 200, await del.text());
      const posted = await postValues(local, { dataValues: [value(gone.id, '202001', '1')] });
      assert.equal(posted.status, 200, posted.text);
      const report = await run();
      assert.equal(report.status, 'FAILED');
      assert.equal(report.error?.kind, 'DATA_PUSH');
      const [mail] = await sink.waitFor(1);
      assert.equal(mail!.subject, 'Action Required: MetadataSync Failed Notification');
      assert.match(mail!.text, /^Data push: FAILED$/m);
      assert.match(mail!.text, /Failure: DATA_PUSH/);
      assert.match(mail!.text, /Step: dataPush/);
      assert.match(mail!.text, /What to do: The data push to the central failed/);
      // The central learns the element again: the next run pushes and succeeds.
      await importDataMetadata(central, { dataElements: [gone] });
      assert.equal((await run()).status, 'SUCCESS');
    });

    it('an unreachable SMTP server is recorded in the report and does not fail the sync', async () => {
      await postSettings(local, { keyEmailPort: 1 });
      await importMetadata(central, { dataElements: [newDataElement('MailD')] });
      await createVersion(central);
      const report = await run();
      assert.equal(report.status, 'SUCCESS');
      assert.equal(report.notifications?.[0]?.status, 'FAILED');
      assert.match(report.notifications?.[0]?.detail ?? '', /ECONNREFUSED|connect/);
      assert.ok(local.logs.lines.some((l) => l.msg === 'sync notification mail could not be sent'));
      assert.equal(sink.mails.length, 0);
      await postSettings(local, { keyEmailPort: sink.port });
    });

    it('an offline bundle import mails as an online run does (issue 20 §3)', async () => {
      await connect(local, central.url);
      await runSync(local);
      const { publicKeyPem } = await central.instance.services.signing.publicKey();
      const pin = await fetchJson(local, '/api/metasync/signing-key/pinned', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ publicKey: publicKeyPem }),
      });
      assert.equal(pin.status, 200, pin.text);
      await importMetadata(central, { dataElements: [newDataElement('MailBundle')] });
      const v = await createVersion(central, 'BEST_EFFORT');
      const tar = await central.request(`/api/metasync/bundles?from=${v.name}&to=${v.name}`);
      assert.equal(tar.status, 200);
      sink.mails.length = 0;
      const r = await fetchJson<Report>(local, '/api/metasync/bundles?wait=true', {
        method: 'POST',
        headers: { 'content-type': 'application/x-tar' },
        body: Buffer.from(await tar.arrayBuffer()),
      });
      assert.equal(r.status, 200, r.text.slice(0, 1000));
      assert.equal(r.body.status, 'SUCCESS', JSON.stringify(r.body.error));
      assert.equal(r.body.trigger, 'BUNDLE');
      const [mail] = await sink.waitFor(1);
      assert.equal(mail!.subject, 'Success Notification: Metadata Synchronization');
      assert.match(mail!.text, new RegExp(`Version Name: ${v.name}\nVersion Type: BEST_EFFORT`));
      assert.deepEqual(
        r.body.notifications?.map((n) => [n.kind, n.version, n.status, n.to]),
        [['SUCCESS', v.name, 'SENT', TO]],
      );
    });

    it('POST /api/email/test mails the current user and reports the SMTP answer', async () => {
      const none = await fetchJson<Record<string, unknown>>(local, '/api/email/test', {
        method: 'POST',
      });
      assert.equal(none.status, 400, none.text);
      assert.match(String(none.body.message), /no email configured for current user/);
      await sql`update app_user set email = 'admin@example.org' where username = 'admin'`.execute(
        local.instance.database.db,
      );
      const ok = await fetchJson<{ message: string; response: { to: string; smtp: string } }>(
        local,
        '/api/email/test',
        { method: 'POST' },
      );
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.response.to, 'admin@example.org');
      assert.match(ok.body.response.smtp, /^250/);
      const [mail] = await sink.waitFor(1);
      assert.deepEqual(mail!.envelopeTo, ['admin@example.org']);
      assert.equal(mail!.subject, 'Test message from metasync');
      assert.match(mail!.text, /test message sent on request of admin/);

      await postSettings(local, { keyEmailPort: 1 });
      const down = await fetchJson<Record<string, unknown>>(local, '/api/email/test', {
        method: 'POST',
      });
      assert.equal(down.status, 502, down.text);
      assert.match(String(down.body.message), /could not be sent.*(ECONNREFUSED|connect)/);
      await postSettings(local, { keyEmailHostName: '' });
      const unset = await fetchJson<Record<string, unknown>>(local, '/api/email/test', {
        method: 'POST',
      });
      assert.equal(unset.status, 409, unset.text);
      assert.match(String(unset.body.message), /keyEmailHostName/);
    });
  });
}
