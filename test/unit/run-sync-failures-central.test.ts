/**
 * A sync run that fails before it applies any version, each FailureKind through its real trigger
 * over in-memory fakes: the central unconfigured, unreachable, refusing the password, redirecting,
 * answering 500 or something unreadable, the data push refused, the chain check finding another
 * history, a bug. The outcomes test/integration/sync-failures, sync-central-answers,
 * sync-divergence, sync-dhis2-central and data-push assert over HTTP; the checks each case makes
 * are in test/support/fakes/sync-failure-cases.ts. INTERRUPTED is the one kind runSync never sets:
 * on main the scheduler's stop and the sync store's take-over of a dead run set it (see
 * sync-status.test.ts for how such a run reads).
 */
import { remote } from '../support/fakes/fake-central-client.ts';
import { describeFailures, type FailureCase } from '../support/fakes/sync-failure-cases.ts';

const CASES: FailureCase[] = [
  {
    name: 'no remote configured',
    kind: 'REMOTE_NOT_CONFIGURED',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message: /^Remote server is not configured$/,
    arrange: (h) => h.central.fail('ping', remote.notConfigured(), Infinity),
  },
  {
    name: 'an unreachable central, retried',
    kind: 'REMOTE_UNREACHABLE',
    step: 'ping',
    attempts: 3,
    version: 'Version_1',
    message: /^Network is unreachable: http:\/\/central\.test \(connect ECONNREFUSED/,
    arrange: (h) => h.central.fail('ping', remote.unreachable(), Infinity),
  },
  {
    name: 'a wrong password (401), not retried',
    kind: 'REMOTE_AUTH',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message: /^Authentication failed$/,
    arrange: (h) => h.central.fail('ping', remote.auth(), Infinity),
  },
  {
    name: 'a 401 to /api/system/info after the ping',
    kind: 'REMOTE_AUTH',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message: /^Authentication failed$/,
    arrange: (h) => h.central.fail('systemInfo', remote.auth(), Infinity),
  },
  {
    name: 'a redirect, with its target, not retried',
    kind: 'REMOTE_REDIRECT',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message:
      /^The central redirected to https:\/\/central\.example\.org\/dhis\/api\/system\/ping \(HTTP 302 for http:\/\/central\.test\/api\/system\/ping\)/,
    arrange: (h) =>
      h.central.fail(
        'ping',
        remote.redirect('https://central.example.org/dhis/api/system/ping'),
        Infinity,
      ),
  },
  {
    name: 'a redirect to a relative Location, resolved against the address asked for',
    kind: 'REMOTE_REDIRECT',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message: /^The central redirected to http:\/\/central\.test\/dhis-web-login\/ \(HTTP 302 /,
    arrange: (h) => h.central.fail('ping', remote.redirect('/dhis-web-login/'), Infinity),
  },
  {
    name: 'the data push refused, retried like DHIS2',
    kind: 'DATA_PUSH',
    step: 'dataPush',
    attempts: 3,
    version: 'Version_1',
    message: /^Data values: page 1 failed: .*WARNING.*PushDeGone1: Data element not found$/,
    arrange: (h) =>
      h.onDataPush(() => ({
        status: 'FAILED',
        message:
          'Data values: page 1 failed: the central answered WARNING. Conflicts: PushDeGone1: Data element not found',
      })),
  },
  {
    name: 'the central answers 500 to history, retried',
    kind: 'REMOTE_ERROR',
    step: 'history',
    attempts: 3,
    version: 'Version_1',
    message: /^Server Error\. Http call failed with status code: 500 Caused by: Database is down$/,
    arrange: (h) => h.central.fail('history', remote.http(500), Infinity),
  },
  {
    name: 'the central answers 500 to the chain check',
    kind: 'REMOTE_ERROR',
    step: 'history',
    attempts: 3,
    version: 'Version_1',
    message: /status code: 500/,
    arrange: (h) => h.central.fail('version', remote.http(500), Infinity),
  },
  {
    name: 'the central lists a version of an unknown type (a parse error)',
    kind: 'REMOTE_ERROR',
    step: 'history',
    attempts: 3,
    version: 'Version_1',
    message:
      /^Exception occurred while trying to do JSON conversion\. Caused by: the central listed Version_2 with type "PARTIAL"/,
    arrange: (h) =>
      h.central.fail(
        'history',
        remote.parse('the central listed Version_2 with type "PARTIAL", not BEST_EFFORT or ATOMIC'),
        Infinity,
      ),
  },
  {
    name: 'the central has no version named as the local’s current one',
    kind: 'DIVERGED',
    step: 'history',
    attempts: 1,
    version: 'Version_1',
    message:
      /^The central has no Version_1, this instance's current version: .*"metasync sync rebaseline"/,
    arrange: (h) => h.central.remove('Version_1'),
  },
  {
    name: 'the central’s version of the same name has another hashCode',
    kind: 'DIVERGED',
    step: 'history',
    attempts: 1,
    version: 'Version_1',
    message: /^Version_1 differs: hashCode [0-9a-f]{32} here, 0{32} on the central\./,
    arrange: (h) => h.central.alter('Version_1', { hashCode: '0'.repeat(32) }),
  },
  {
    name: 'a bug while reading the central’s release',
    kind: 'INTERNAL',
    step: 'ping',
    attempts: 3,
    version: 'Version_1',
    message: /^Cannot read properties of undefined/,
    arrange: (h) =>
      h.central.fail(
        'systemInfo',
        new TypeError("Cannot read properties of undefined (reading 'version')"),
        Infinity,
      ),
  },
];

describeFailures('runSync fails before any version', CASES);
