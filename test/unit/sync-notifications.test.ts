/** Who gets which mail after a run (issue 8 §4, contract §10), and how the mails read. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adviceFor, notificationsFor } from '../../src/domain/notifications/sync-notifications.ts';
import {
  newReport,
  FAILURE_KINDS,
  type SyncReport,
  type VersionReport,
} from '../../src/domain/sync/sync-report.ts';
import type { OutgoingMail } from '../../src/domain/notifications/mailer.ts';
import { createSyncNotifier } from '../../src/mail/sync-notifier.ts';
import { renderFailure } from '../../src/mail/templates/sync-failure.ts';
import { renderSuccess } from '../../src/mail/templates/sync-success.ts';

const stats = (created: number, updated = 0) => ({
  created,
  updated,
  deleted: 0,
  ignored: 0,
  total: created + updated,
});
const version = (name: string, status: VersionReport['status'] = 'SUCCESS'): VersionReport => ({
  name,
  type: 'ATOMIC',
  status,
  stats: stats(3),
  typeStats: { DataElement: stats(2), CategoryCombo: stats(1) },
  errors: [],
});
function report(status: 'SUCCESS' | 'FAILED', versions: VersionReport[] = []): SyncReport {
  const r = newReport(`r-${Math.random()}`, 'SCHEDULED', 'job:x', new Date(0));
  r.status = status;
  r.versions = versions;
  if (status === 'FAILED')
    r.error = {
      kind: 'REMOTE_UNREACHABLE',
      message: 'connect ECONNREFUSED',
      version: 'Version_2',
      step: 'ping',
    };
  return r;
}
const kinds = (ns: ReturnType<typeof notificationsFor>) =>
  ns.map((n) => (n.kind === 'SUCCESS' ? `SUCCESS:${n.version.name}` : n.kind));

describe('notificationsFor', () => {
  it('one success mail per imported version; none for a run with nothing new', () => {
    const r = report('SUCCESS', [version('Version_1'), version('Version_2', 'WARNING')]);
    assert.deepEqual(kinds(notificationsFor({ report: r, previous: null, onlyOnChange: false })), [
      'SUCCESS:Version_1',
      'SUCCESS:Version_2',
    ]);
    assert.deepEqual(
      notificationsFor({ report: report('SUCCESS'), previous: null, onlyOnChange: false }),
      [],
    );
  });

  it('a failed run mails the failure, after the versions it did import', () => {
    const r = report('FAILED', [version('Version_1'), version('Version_2', 'FAILED')]);
    assert.deepEqual(kinds(notificationsFor({ report: r, previous: null, onlyOnChange: false })), [
      'SUCCESS:Version_1',
      'FAILURE',
    ]);
    // Without the only-on-change setting every failure mails.
    assert.deepEqual(
      kinds(notificationsFor({ report: r, previous: report('FAILED'), onlyOnChange: false })),
      ['SUCCESS:Version_1', 'FAILURE'],
    );
  });

  it('only-on-change: first failure and recovery mail, repeats do not', () => {
    const ok = report('SUCCESS');
    const bad = report('FAILED');
    const on = (r: SyncReport, previous: SyncReport | null) =>
      kinds(notificationsFor({ report: r, previous, onlyOnChange: true }));
    assert.deepEqual(on(bad, ok), ['FAILURE']);
    assert.deepEqual(on(bad, null), ['FAILURE']);
    assert.deepEqual(on(bad, bad), []);
    assert.deepEqual(on(ok, bad), ['RECOVERY']);
    assert.deepEqual(on(report('SUCCESS', [version('Version_3')]), bad), ['SUCCESS:Version_3']);
    assert.deepEqual(on(report('SUCCESS', [version('Version_3')]), ok), []);
    assert.deepEqual(on(ok, ok), []);
  });

  it('interrupted or running runs mail nothing', () => {
    const r = report('SUCCESS', [version('Version_1')]);
    r.status = 'INTERRUPTED';
    assert.deepEqual(notificationsFor({ report: r, previous: null, onlyOnChange: false }), []);
  });

  it('has advice for every failure kind', () => {
    for (const k of FAILURE_KINDS) assert.ok(adviceFor(k).length > 20, k);
  });
});

describe('templates', () => {
  it('success mail: DHIS2 subject, version name, type and stats per type', () => {
    const m = renderSuccess(version('Version_7'), 'metasync');
    assert.equal(m.subject, 'Success Notification: Metadata Synchronization');
    assert.match(m.text, /Version Name: Version_7\nVersion Type: ATOMIC/);
    assert.match(m.text, /Metadata Object Type: DataElement\nStats:\ntotal: 2\ncreated: 2/);
    assert.match(m.html, /<td>DataElement<\/td><td>2<\/td>/);
  });
  it('failure mail: subject, version, step, cause, what to do; HTML escaped', () => {
    const r = report('FAILED');
    r.error!.message = 'bad <thing> & more';
    const m = renderFailure(r, adviceFor('REMOTE_UNREACHABLE'), 'metasync');
    assert.equal(m.subject, 'Action Required: MetadataSync Failed Notification');
    assert.match(m.text, /Version: Version_2/);
    assert.match(m.text, /Step: ping/);
    assert.match(m.text, /Cause: bad <thing> & more/);
    assert.match(m.text, /What to do: Check that the central server is up/);
    assert.match(m.html, /bad &#60;thing&#62; &#38; more/);
  });
});

describe('data push failure', () => {
  it('mails a failure that names the data push and what to do', () => {
    const r = report('FAILED');
    r.error = {
      kind: 'DATA_PUSH',
      message: 'DataValueSynchronization failed. Not all pages were synchronised successfully.',
      version: 'Version_4',
      step: 'dataPush',
    };
    const [n] = notificationsFor({ report: r, previous: null, onlyOnChange: false });
    assert.equal(n?.kind, 'FAILURE');
    const m = renderFailure(r, n.kind === 'FAILURE' ? n.advice : '', 'metasync');
    assert.match(m.text, /^Data push: FAILED$/m);
    assert.match(m.text, /Step: dataPush/);
    assert.match(m.text, /Cause: DataValueSynchronization failed/);
    assert.match(m.text, /What to do: The data push to the central failed/);
  });

  it('says what went upstream before it stopped, and what waits (issue 21 §2)', () => {
    const r = report('FAILED');
    r.error = { kind: 'DATA_PUSH', message: 'cut', version: null, step: 'dataPush' };
    const at = r.startTime;
    r.dataPushed = [
      { kind: 'dataValues', status: 'FAILED', sent: 100, pages: 1, after: 0, upTo: 300, at },
    ];
    const m = renderFailure(r, adviceFor('DATA_PUSH'), 'metasync');
    assert.match(
      m.text,
      /^Sent upstream: data values: 100 sent before it stopped; changes 1–300 stay queued for the next run$/m,
    );
  });
});

describe('data push warning (issue 16 §4)', () => {
  const warned = (r: SyncReport) => {
    const push = r.steps.find((s) => s.name === 'dataPush')!;
    push.status = 'WARNING';
    push.message =
      'Pushed data values: 2. Warning: events not pushed: the central has no /api/events (HTTP 404)';
    return r;
  };

  it('the success mail of each version says the push left events behind', () => {
    const r = warned(report('SUCCESS', [version('Version_8')]));
    const [n] = notificationsFor({ report: r, previous: null, onlyOnChange: false });
    assert.ok(n?.kind === 'SUCCESS');
    const m = renderSuccess(n.version, 'metasync', n.dataPushWarning);
    assert.match(
      m.text,
      /^Data push: WARNING: Pushed data values: 2\. Warning: events not pushed: the central has no \/api\/events \(HTTP 404\)$/m,
    );
    assert.match(m.html, /Data push: WARNING:<\/b> Pushed data values: 2/);
    // Without a warning the mail is as before.
    assert.doesNotMatch(renderSuccess(version('Version_8'), 'metasync').text, /Data push/);
  });

  it('the failure mail of a later step says so too', () => {
    const r = warned(report('FAILED'));
    const m = renderFailure(r, adviceFor('REMOTE_UNREACHABLE'), 'metasync');
    assert.match(
      m.text,
      /^Data push: WARNING: Pushed data values: 2\. Warning: events not pushed/m,
    );
  });
});

describe('drift in the mails (issue 23 §3)', () => {
  const drift = { changed: 2, created: 1, deleted: 1, checkedAt: '2026-12-07T10:00:00.000Z' };
  const line =
    'Drift: 2 objects changed, 1 created, 1 deleted locally since the versions applied — see Drift in the admin UI / `metasync drift`';

  it('the success mail mentions the run’s drift, text and HTML; none when nothing drifted', () => {
    const m = renderSuccess(version('Version_9'), 'metasync', undefined, drift);
    assert.ok(m.text.split('\n').includes(line), m.text);
    assert.match(m.html, /<b>Drift:<\/b> 2 objects changed, 1 created, 1 deleted locally/);
    const none = { ...drift, changed: 0, created: 0, deleted: 0 };
    for (const d of [none, null, undefined]) {
      const clean = renderSuccess(version('Version_9'), 'metasync', undefined, d);
      assert.doesNotMatch(clean.text, /Drift/);
      assert.doesNotMatch(clean.html, /Drift/);
    }
    const one = renderSuccess(version('Version_9'), 'metasync', undefined, {
      ...none,
      changed: 1,
    });
    assert.match(one.text, /^Drift: 1 object changed, 0 created, 0 deleted locally/m);
  });

  it('the failure mail names the failed version’s drifted objects and the run’s drift', () => {
    const r = report('FAILED', [
      {
        ...version('Version_3', 'FAILED'),
        drifted: [
          { type: 'dataElements', id: 'deAbc123456', name: 'ANC <1st> visit', kind: 'changed' },
          { type: 'organisationUnits', id: 'ouGone12345', name: null, kind: 'deleted' },
        ],
      },
    ]);
    r.drift = drift;
    const m = renderFailure(r, adviceFor('IMPORT_FAILED'), 'metasync');
    assert.match(
      m.text,
      /^Drifted locally before this version:\ndataElements deAbc123456 \(ANC <1st> visit\) changed\norganisationUnits ouGone12345 deleted$/m,
    );
    assert.ok(m.text.split('\n').includes(line), m.text);
    assert.match(m.html, /<li>dataElements deAbc123456 \(ANC &#60;1st&#62; visit\) changed<\/li>/);
    assert.match(m.html, /<b>Drift:<\/b> 2 objects changed/);
    // A failure with no drift reads as before.
    const plain = renderFailure(report('FAILED'), adviceFor('REMOTE_UNREACHABLE'), 'metasync');
    assert.doesNotMatch(plain.text, /Drift/);
  });

  it('the notifier renders each success mail with the run’s drift', async () => {
    const r = report('SUCCESS', [version('Version_10')]);
    r.drift = drift;
    const sent: OutgoingMail[] = [];
    const notify = createSyncNotifier({
      mailer: {
        send: (mail) => {
          sent.push(mail);
          return Promise.resolve({ ok: true, messageId: 'm1', response: '250 OK' });
        },
      },
      settings: {
        get: ((key: string) =>
          Promise.resolve(
            key === 'keySystemNotificationsEmail' ? 'ops@example.org' : false,
          )) as never,
      },
      store: { list: () => Promise.resolve([]), save: () => Promise.resolve() },
      now: () => new Date(0),
      systemName: () => Promise.resolve('metasync'),
      log: () => undefined,
    });
    await notify(r);
    assert.equal(sent.length, 1);
    assert.ok(sent[0]!.text.split('\n').includes(line), sent[0]!.text);
  });
});
