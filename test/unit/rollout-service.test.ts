/**
 * The staged rollout as the central runs it (issue 22), over the in-memory version and rollout
 * stores and the real version creation: new versions start CANARY, callers see their prefix,
 * outcomes move canaries, a failure blocks the release and is mailed, a withdrawal puts the
 * chain back and the next version holds the changes again, the automatic release. No database.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { Authority } from '../../src/domain/authorities.ts';
import { ErrorCode, isAppError } from '../../src/domain/errors.ts';
import type { AuditEntry } from '../../src/domain/sync/sync-ports.ts';
import {
  createRolloutService,
  type RolloutNotice,
  type RolloutService,
} from '../../src/domain/rollout/rollout-service.ts';
import { createVersion } from '../../src/domain/versioning/create-version.ts';
import { createMemoryRolloutStore } from '../support/fakes/memory-rollout-store.ts';
import {
  createMemoryVersionStore,
  type MemoryVersionStore,
} from '../support/fakes/memory-version-store.ts';

const T0 = new Date('2026-12-01T10:00:00Z');
const A = { systemId: 'sys-A', username: 'sync' };
const B = { systemId: 'sys-B', username: 'sync' };
const DHIS2 = { systemId: null, username: 'dhis2-canary' };

let clock: Date;
let fake: MemoryVersionStore;
let rollout: RolloutService;
let audits: Omit<AuditEntry, 'id'>[];
let notices: RolloutNotice[];
let ids: number;

const create = async (label: string) => {
  await fake.put('dataElements', `de${label.padEnd(9, '0')}`, `{"id":"${label}"}`);
  return createVersion(
    {
      versions: fake.store,
      settings: {
        value: async (key) => (key === 'keyVersionEnabled' ? true : ''),
        update: async () => undefined,
      },
      system: () => ({ id: 'unit', rev: 'r', version: '2.41.0' }),
      newId: () => `vid${String(++ids).padStart(8, '0')}`,
      now: () => clock,
      initialState: () => rollout.initialState(),
    },
    { type: 'ATOMIC', force: false, authorities: new Set([Authority.ALL]) },
  );
};

const names = async (caller: { systemId: string | null; username: string }) =>
  (await rollout.visibleTo(caller)).map((v) => v.name);

const rejects = (code: ErrorCode, message: RegExp) => (e: unknown) => {
  assert.ok(isAppError(e), String(e));
  assert.equal(e.code, code);
  assert.match(e.message, message);
  return true;
};

const by = { by: 'admin', reason: 'checked on the canaries' };

beforeEach(async () => {
  clock = T0;
  ids = 0;
  audits = [];
  notices = [];
  fake = createMemoryVersionStore();
  rollout = createRolloutService({
    versions: fake.store,
    store: createMemoryRolloutStore(),
    audit: async (e) => void audits.push(e),
    setVersionSetting: async (name, trx) =>
      trx.putMany(new Map([['keySystemMetadataVersion', name]])),
    notify: async (n) => void notices.push(n),
    now: () => clock,
  });
  await create('one');
  await create('two');
  await rollout.saveConfig(
    {
      enabled: true,
      ring: [{ systemId: 'sys-A' }, { username: 'dhis2-canary' }],
      autoReleaseAfterMinutes: null,
    },
    'admin',
  );
});

describe('rollout service', () => {
  it('a new version is CANARY: the ring sees it, everyone else stops at the last released one', async () => {
    const v3 = await create('three');
    assert.equal(v3.state, 'CANARY');
    assert.deepEqual(await names(A), ['Version_1', 'Version_2', 'Version_3']);
    assert.deepEqual(await names(DHIS2), ['Version_1', 'Version_2', 'Version_3']);
    assert.deepEqual(await names(B), ['Version_1', 'Version_2']);
  });

  it('a canary failure blocks the release naming it, and is mailed; force releases anyway', async () => {
    await create('three');
    await rollout.recordOutcome(A, {
      version: 'Version_3',
      status: 'FAILED',
      failureKind: 'IMPORT_FAILED',
      message: 'E5002 missing reference',
    });
    assert.deepEqual(notices, [
      {
        kind: 'CANARY_FAILED',
        version: 'Version_3',
        local: 'system:sys-A',
        failureKind: 'IMPORT_FAILED',
        message: 'E5002 missing reference',
      },
    ]);
    await assert.rejects(
      rollout.release('Version_3', { ...by, force: false }),
      rejects(ErrorCode.CONFLICT, /system:sys-A failed Version_3 \(IMPORT_FAILED\)/),
    );
    await assert.rejects(
      rollout.release('Version_3', { by: 'admin', reason: 'no', force: true }),
      rejects(ErrorCode.VALIDATION_FAILED, /reason/),
    );
    assert.deepEqual(await rollout.release('Version_3', { ...by, force: true }), ['Version_3']);
    assert.deepEqual(await names(B), ['Version_1', 'Version_2', 'Version_3']);
    assert.deepEqual(
      audits.map((a) => [a.action, a.username]),
      [
        ['ROLLOUT_CONFIG', 'admin'],
        ['ROLLOUT_RELEASE', 'admin'],
      ],
    );
    assert.equal(notices.at(-1)?.kind, 'RELEASED');
  });

  it('hold hides a version from the ring too; a released one cannot be held', async () => {
    await create('three');
    await create('four');
    assert.deepEqual(await rollout.hold('Version_4', by), ['Version_4']);
    assert.deepEqual(await names(A), ['Version_1', 'Version_2', 'Version_3']);
    await assert.rejects(rollout.hold('Version_2', by), rejects(ErrorCode.CONFLICT, /released/));
  });

  it('withdraw puts the chain back; the next version is Version_3 again, holding the changes', async () => {
    const v3 = await create('three');
    assert.deepEqual(await rollout.withdraw('Version_3', by), ['Version_3']);
    assert.equal(await fake.settings.get('keySystemMetadataVersion'), 'Version_2');
    assert.deepEqual(await names(A), ['Version_1', 'Version_2']);
    assert.deepEqual(
      (await rollout.overview()).withdrawals.map((w) => [w.name, w.hashCode, w.reason]),
      [['Version_3', v3.hashCode, by.reason]],
    );
    assert.equal(notices.at(-1)?.kind, 'WITHDRAWN');
    await fake.put('dataElements', 'defix000000', '{"id":"fix"}');
    const again = await create('fixed');
    assert.equal(again.name, 'Version_3');
    assert.notEqual(again.hashCode, v3.hashCode);
    assert.equal(again.objects, 3, 'the withdrawn change, the fix and the new object');
    await assert.rejects(
      rollout.withdraw('Version_1', by),
      rejects(ErrorCode.CONFLICT, /released/),
    );
  });

  it('a DHIS2 canary reaches a version by asking the history from it', async () => {
    const v3 = await create('three');
    await fake.store.recordFleet({
      key: 'user:dhis2-canary@10.0.0.9',
      systemId: null,
      name: null,
      username: 'dhis2-canary',
      address: '10.0.0.9',
      baseline: 'Version_3',
      lastSeen: clock,
      state: null,
      via: null,
      relay: null,
    });
    const view = (await rollout.overview()).versions.find((v) => v.id === v3.id)!;
    assert.deepEqual(
      view.canaries.map((c) => [c.member, c.progress]),
      [
        ['system:sys-A', 'NOT_YET'],
        ['user:dhis2-canary', 'REACHED'],
      ],
    );
  });

  it('the automatic release lets a version go once every canary reached it and the time has passed', async () => {
    await rollout.saveConfig(
      { enabled: true, ring: [{ systemId: 'sys-A' }], autoReleaseAfterMinutes: 1 },
      'admin',
    );
    await create('three');
    await rollout.recordOutcome(A, {
      version: 'Version_3',
      status: 'SUCCESS',
      failureKind: null,
      message: null,
    });
    assert.deepEqual(await rollout.autoRelease(), [], 'not a minute old yet');
    clock = new Date(T0.getTime() + 61_000);
    assert.deepEqual(await rollout.autoRelease(), ['Version_3']);
    assert.deepEqual(await names(B), ['Version_1', 'Version_2', 'Version_3']);
    assert.equal(audits.at(-1)?.username, 'auto-release');
  });

  it('an outcome for an unknown version is not recorded; a bad configuration names its fields', async () => {
    assert.deepEqual(
      await rollout.recordOutcome(B, {
        version: 'Version_9',
        status: 'FAILED',
        failureKind: null,
        message: null,
      }),
      { recorded: false },
    );
    await assert.rejects(
      rollout.saveConfig(
        { enabled: true, ring: [{ username: '' }], autoReleaseAfterMinutes: 0 },
        'admin',
      ),
      (e: unknown) => {
        assert.ok(isAppError(e));
        assert.deepEqual(
          e.fields?.map((f) => f.property),
          ['ring[0]', 'autoReleaseAfterMinutes'],
        );
        return true;
      },
    );
  });
});
