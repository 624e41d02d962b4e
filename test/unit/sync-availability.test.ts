/**
 * The availability check before a run's calls to the central (`checkAvailability`, issue 16 §11,
 * contract §8): how many pings, how far apart, which failures are pinged again, and what the
 * error says after several.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAvailability } from '../../src/domain/sync/availability.ts';
import { RemoteError } from '../../src/domain/sync/central-client.ts';
import { createFakeCentral, remote } from '../support/fakes/fake-central-client.ts';
import { memorySettings } from '../support/fakes/sync-import-fakes.ts';

const ATTEMPTS = 'syncMaxRemoteServerAvailabilityCheckAttempts';
const DELAY = 'syncDelayBetweenRemoteServerAvailabilityCheckAttempts';

function check(settings: Record<string, unknown>, failures: [RemoteError | Error, number][] = []) {
  const client = createFakeCentral();
  for (const [error, times] of failures) client.fail('ping', error, times);
  const sleeps: number[] = [];
  const run = checkAvailability({
    client,
    settings: memorySettings(settings),
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { client, sleeps, run };
}

describe('checkAvailability', () => {
  it('one ping by default: the check that answered is the first', async () => {
    const c = check({});
    assert.equal(await c.run, 1);
    assert.equal(c.client.count('ping'), 1);
    assert.deepEqual(c.sleeps, []);
  });

  const again: [string, () => RemoteError][] = [
    ['UNREACHABLE', () => remote.unreachable()],
    ['HTTP', () => remote.http(503, 'Service Unavailable')],
    ['NOT_FOUND', () => remote.notFound('/api/system/ping')],
    ['PARSE', () => remote.parse('Unexpected token <')],
  ];
  for (const [kind, error] of again)
    it(`${kind} is pinged again, the setting's delay apart, and answers at the third`, async () => {
      const c = check({ [ATTEMPTS]: 3, [DELAY]: 250 }, [[error(), 2]]);
      assert.equal(await c.run, 3);
      assert.equal(c.client.count('ping'), 3);
      assert.deepEqual(c.sleeps, [250, 250]);
    });

  const once: [string, () => RemoteError][] = [
    ['AUTH', () => remote.auth()],
    ['REDIRECT', () => remote.redirect('https://elsewhere.example.org/')],
    ['NOT_CONFIGURED', () => remote.notConfigured()],
  ];
  for (const [kind, error] of once)
    it(`${kind} is not pinged again: the same answer would come`, async () => {
      const first = error();
      const c = check({ [ATTEMPTS]: 5, [DELAY]: 10 }, [[first, Infinity]]);
      const e = await c.run.then(
        () => assert.fail('resolved'),
        (x: unknown) => x as RemoteError,
      );
      assert.equal(e.kind, kind);
      assert.equal(e.message, first.message, 'no count after a single check');
      assert.equal(e.status, first.status);
      assert.equal(c.client.count('ping'), 1);
      assert.deepEqual(c.sleeps, []);
    });

  it('out of checks: the last failure, saying how many checks were made', async () => {
    const c = check({ [ATTEMPTS]: 4, [DELAY]: 0 }, [[remote.http(502, 'Bad Gateway'), Infinity]]);
    await assert.rejects(c.run, (e: RemoteError) => {
      assert.equal(e.kind, 'HTTP');
      assert.equal(e.status, 502);
      assert.match(e.message, /^Server Error\. Http call failed with status code: 502/);
      assert.match(e.message, /Bad Gateway \(after 4 availability checks\)$/);
      return true;
    });
    assert.equal(c.client.count('ping'), 4);
    assert.deepEqual(c.sleeps, [0, 0, 0]);
  });

  it('a failure that is no RemoteError (a bug) is thrown as it is, at once', async () => {
    const bug = new TypeError('fetch is not a function');
    const c = check({ [ATTEMPTS]: 3 }, [[bug, Infinity]]);
    await assert.rejects(c.run, (e) => e === bug);
    assert.equal(c.client.count('ping'), 1);
  });

  const settingsCases: [string, Record<string, unknown>, number, number[]][] = [
    ['attempts as text', { [ATTEMPTS]: '3', [DELAY]: '5' }, 3, [5, 5]],
    ['attempts 0: still one check', { [ATTEMPTS]: 0 }, 1, []],
    ['attempts negative: still one check', { [ATTEMPTS]: -2 }, 1, []],
    ['attempts not a number: the default, one', { [ATTEMPTS]: 'many' }, 1, []],
    ['a negative delay: none', { [ATTEMPTS]: 2, [DELAY]: -100 }, 2, [0]],
    ['a delay not a number: none', { [ATTEMPTS]: 2, [DELAY]: 'soon' }, 2, [0]],
  ];
  for (const [what, settings, pings, sleeps] of settingsCases)
    it(`settings: ${what}`, async () => {
      const c = check(settings, [[remote.unreachable(), Infinity]]);
      await assert.rejects(c.run, (e: RemoteError) => e.kind === 'UNREACHABLE');
      assert.equal(c.client.count('ping'), pings);
      assert.deepEqual(c.sleeps, sleeps);
    });
});
