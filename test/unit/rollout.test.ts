/**
 * The staged rollout's rules (issue 22 §1–§4, src/domain/rollout): who is in the ring, which
 * prefix of the chain a caller sees, what each canary made of a version, and the plans of a
 * release, a hold, a withdrawal and the automatic release.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canaryProgress,
  dueForAutoRelease,
  planHold,
  planRelease,
  planWithdraw,
  type CanaryOutcome,
  type RolloutVersion,
  type Sighting,
} from '../../src/domain/rollout/release-plan.ts';
import {
  inRing,
  initialState,
  rolloutProblems,
  visiblePrefix,
  type RingMember,
  type RolloutConfig,
  type VersionState,
} from '../../src/domain/rollout/rollout.ts';

const T0 = new Date('2026-12-01T10:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const ring: RingMember[] = [{ systemId: 'sys-A' }, { username: 'dhis2-canary' }];
const config: RolloutConfig = { enabled: true, ring, autoReleaseAfterMinutes: 30 };

const chain = (...states: VersionState[]): RolloutVersion[] =>
  states.map((state, i) => ({
    id: `id${i + 1}`,
    name: `Version_${i + 1}`,
    number: i + 1,
    state,
    created: minutes(i),
  }));

const outcome = (
  versionId: string,
  who: { systemId?: string; username?: string },
  status: 'SUCCESS' | 'FAILED',
  at = 10,
): CanaryOutcome => ({
  versionId,
  systemId: who.systemId ?? null,
  username: who.username ?? 'sync',
  status,
  failureKind: status === 'FAILED' ? 'IMPORT_FAILED' : null,
  message: status === 'FAILED' ? 'E5002 missing reference' : null,
  at: minutes(at),
});

const progressOf = (
  versions: RolloutVersion[],
  outcomes: CanaryOutcome[] = [],
  sightings: Sighting[] = [],
) => canaryProgress(versions, ring, outcomes, sightings);

describe('rollout: ring and visibility', () => {
  it('a caller is in the ring by system id, or by the user it signs in as', () => {
    assert.equal(inRing(config, { systemId: 'sys-A', username: 'anyone' }), true);
    assert.equal(inRing(config, { systemId: null, username: 'dhis2-canary' }), true);
    assert.equal(inRing(config, { systemId: 'sys-B', username: 'sync' }), false);
    // A system-id member never matches a caller that sent none.
    assert.equal(
      inRing({ ...config, ring: [{ systemId: '' }] }, { systemId: null, username: '' }),
      false,
    );
  });

  it('new versions start CANARY with rollout on, RELEASED without', () => {
    assert.equal(initialState(config), 'CANARY');
    assert.equal(initialState({ ...config, enabled: false }), 'RELEASED');
  });

  it('outside the ring the chain ends before the first unreleased version; in it, before the first held one', () => {
    const states: VersionState[] = ['RELEASED', 'RELEASED', 'CANARY', 'CANARY', 'HELD', 'CANARY'];
    assert.equal(visiblePrefix(states, false), 2);
    assert.equal(visiblePrefix(states, true), 4);
    assert.equal(visiblePrefix(['RELEASED', 'RELEASED'], false), 2);
    assert.equal(visiblePrefix(['HELD', 'CANARY'], true), 0);
    assert.equal(visiblePrefix([], false), 0);
  });

  it('a configuration names its bad fields', () => {
    assert.deepEqual(rolloutProblems(config), []);
    assert.deepEqual(
      rolloutProblems({
        enabled: true,
        ring: [{ username: 'x' }, { username: 'x' }, { systemId: ' ' }],
        autoReleaseAfterMinutes: 0,
      }).map((p) => p.property),
      ['ring[1]', 'ring[2]', 'autoReleaseAfterMinutes'],
    );
    assert.equal(rolloutProblems({ ...config, autoReleaseAfterMinutes: 1.5 }).length, 1);
  });
});

describe('rollout: what the canaries made of a version', () => {
  const versions = chain('RELEASED', 'RELEASED', 'CANARY', 'CANARY');

  it('reached by a SUCCESS on it or later, by a DHIS2 local’s baseline; failed only while not reached since', () => {
    const p = progressOf(
      versions,
      [
        outcome('id3', { systemId: 'sys-A' }, 'FAILED', 5),
        outcome('id3', { systemId: 'sys-A' }, 'SUCCESS', 6),
        outcome('id4', { systemId: 'sys-A' }, 'FAILED', 7),
      ],
      [{ systemId: null, username: 'dhis2-canary', baseline: 'Version_3' }],
    );
    assert.deepEqual(
      p.get('id3')!.map((m) => [m.member, m.progress]),
      [
        ['system:sys-A', 'REACHED'],
        ['user:dhis2-canary', 'REACHED'],
      ],
    );
    assert.deepEqual(
      p.get('id4')!.map((m) => [m.member, m.progress, m.failureKind]),
      [
        ['system:sys-A', 'FAILED', 'IMPORT_FAILED'],
        ['user:dhis2-canary', 'NOT_YET', null],
      ],
    );
    // A later SUCCESS counts for every earlier version.
    const later = progressOf(versions, [outcome('id4', { systemId: 'sys-A' }, 'SUCCESS')]);
    assert.equal(later.get('id3')![0]!.progress, 'REACHED');
  });

  it('an outcome for a withdrawn version (another id, same name) says nothing of the new one', () => {
    const p = progressOf(versions, [outcome('withdrawn3', { systemId: 'sys-A' }, 'FAILED')]);
    assert.equal(p.get('id3')![0]!.progress, 'NOT_YET');
  });
});

describe('rollout: release, hold, withdraw', () => {
  const versions = chain('RELEASED', 'RELEASED', 'CANARY', 'CANARY', 'CANARY');

  it('release takes the version and every earlier unreleased one', () => {
    assert.deepEqual(planRelease(versions, progressOf(versions), 'Version_4', false), {
      ok: true,
      names: ['Version_3', 'Version_4'],
    });
    assert.deepEqual(planRelease(versions, progressOf(versions), 'Version_2', false), {
      ok: true,
      names: [],
    });
    assert.equal(planRelease(versions, progressOf(versions), 'Version_9', false).ok, false);
  });

  it('release is refused naming the failing canaries, unless forced', () => {
    const p = progressOf(versions, [outcome('id3', { systemId: 'sys-A' }, 'FAILED')]);
    const refused = planRelease(versions, p, 'Version_4', false);
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.reason === 'CANARY_FAILED');
    assert.match(refused.message, /system:sys-A failed Version_3 \(IMPORT_FAILED\)/);
    assert.deepEqual(planRelease(versions, p, 'Version_4', true), {
      ok: true,
      names: ['Version_3', 'Version_4'],
    });
    // A failure on a later version does not hold back an earlier one's release.
    assert.equal(
      planRelease(
        chain('CANARY', 'CANARY'),
        progressOf(chain('CANARY', 'CANARY'), [outcome('id2', { systemId: 'sys-A' }, 'FAILED')]),
        'Version_1',
        false,
      ).ok,
      true,
    );
  });

  it('hold stops the version and every later one; a released version cannot be held or withdrawn', () => {
    assert.deepEqual(planHold(versions, 'Version_4'), {
      ok: true,
      names: ['Version_4', 'Version_5'],
    });
    for (const plan of [planHold(versions, 'Version_2'), planWithdraw(versions, 'Version_1')])
      assert.ok(!plan.ok && plan.reason === 'RELEASED', JSON.stringify(plan));
  });

  it('withdraw removes the version and every later one, newest first', () => {
    assert.deepEqual(planWithdraw(versions, 'Version_3'), {
      ok: true,
      names: ['Version_5', 'Version_4', 'Version_3'],
    });
  });
});

describe('rollout: automatic release', () => {
  it('releases, in order, CANARY versions old enough that every ring member reached', () => {
    const versions = chain('RELEASED', 'CANARY', 'CANARY', 'CANARY');
    const reachedAll = (id: string): CanaryOutcome[] => [
      outcome(id, { systemId: 'sys-A' }, 'SUCCESS'),
      outcome(id, { username: 'dhis2-canary' }, 'SUCCESS'),
    ];
    const p = progressOf(versions, reachedAll('id3'));
    // Version_2 and Version_3 reached by both (a SUCCESS on Version_3 counts for Version_2).
    assert.deepEqual(dueForAutoRelease(versions, p, 30, minutes(40)), ['Version_2', 'Version_3']);
    // Too young: Version_3 was created at minute 2, so 31 minutes lets Version_2 go alone.
    assert.deepEqual(dueForAutoRelease(versions, p, 30, minutes(31)), ['Version_2']);
    assert.deepEqual(dueForAutoRelease(versions, p, null, minutes(999)), []);
    // One member not there yet, or a hold, stops it.
    const half = progressOf(versions, [outcome('id2', { systemId: 'sys-A' }, 'SUCCESS')]);
    assert.deepEqual(dueForAutoRelease(versions, half, 30, minutes(99)), []);
    const held = chain('RELEASED', 'HELD', 'CANARY');
    assert.deepEqual(
      dueForAutoRelease(held, progressOf(held, reachedAll('id3')), 1, minutes(99)),
      [],
    );
    // An empty ring never releases by itself.
    assert.deepEqual(
      dueForAutoRelease(versions, canaryProgress(versions, [], [], []), 1, minutes(99)),
      [],
    );
  });
});
