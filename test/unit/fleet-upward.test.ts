/**
 * A relay's side of the tree (src/sync/fleet-upward.ts, issue 21 §4, §5) over fakes: it keeps
 * its upstream's name, reports only as a relay and only to a metasync upstream, records a
 * refused report on the run report without failing anything, and counts its downstream.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FleetEntry } from '../../src/domain/ports.ts';
import type { CentralClient, CentralInfo } from '../../src/domain/sync/central-client.ts';
import { newReport, type SyncReport } from '../../src/domain/sync/sync-report.ts';
import type { ReportedLocal } from '../../src/domain/versioning/fleet-report.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import { createFleetUpward, type FleetUpwardDeps } from '../../src/sync/fleet-upward.ts';

const VERSIONS = [1, 2].map((n) => ({ name: `Version_${n}`, number: n }) as MetadataVersion);
const D1: FleetEntry = {
  key: 'system:d1',
  systemId: 'd1',
  name: 'District 1',
  username: 'sync-d',
  address: '10.0.1.1',
  baseline: 'Version_1',
  lastSeen: new Date('2026-12-01T10:00:00.000Z'),
  state: 'FAILED',
  via: null,
  relay: null,
};

function setUp(
  settings: Record<string, unknown>,
  report?: (l: readonly ReportedLocal[]) => number,
) {
  const values = new Map<string, unknown>(Object.entries(settings));
  const sent: (readonly ReportedLocal[])[] = [];
  const saved: SyncReport[] = [];
  const logs: string[] = [];
  const deps: FleetUpwardDeps = {
    systemId: 'relay-r',
    versions: { list: async () => VERSIONS, fleet: async () => [D1] },
    settings: {
      get: (async (k: string) => values.get(k) ?? '') as FleetUpwardDeps['settings']['get'],
      update: async (e: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(e)) values.set(k, v);
      },
    },
    log: (_o, msg) => logs.push(msg),
  };
  const client = {
    reportFleet: async (locals: readonly ReportedLocal[]) => {
      sent.push(locals);
      if (!report) throw new Error('HTTP 403 refused');
      return report(locals);
    },
  } as unknown as CentralClient;
  const run = (central: CentralInfo | undefined) => {
    const r = newReport('rep-1', 'MANUAL', null, new Date());
    if (central) r.central = central;
    return r;
  };
  return {
    values,
    sent,
    saved,
    logs,
    client,
    run,
    upward: createFleetUpward(deps),
    save: async (r: SyncReport) => void saved.push(structuredClone(r)),
  };
}

const METASYNC: CentralInfo = {
  version: '2.41.0',
  revision: null,
  metasync: true,
  name: 'National',
};
const RELAY = { keyRemoteInstanceUrl: 'http://n.example', keyVersionEnabled: true };

describe('createFleetUpward', () => {
  it('a relay with a metasync upstream reports its fleet, keeps the name and notes it on the report', async () => {
    const t = setUp(RELAY, (l) => l.length);
    const report = t.run(METASYNC);
    await t.upward.afterRun(t.client, report, t.save);
    assert.deepEqual(
      t.sent[0]?.map((l) => [l.systemId, l.relay, l.state]),
      [['d1', 'relay-r', 'FAILED']],
    );
    assert.equal(t.values.get('keyRemoteSystemName'), 'National');
    assert.deepEqual(report.fleet, {
      status: 'SENT',
      locals: 1,
      message: 'Reported 1 downstream local(s) to the central.',
    });
    assert.equal(t.saved.at(-1)?.fleet?.status, 'SENT');
  });

  it('a refused report is recorded as FAILED and logged; nothing throws', async () => {
    const t = setUp(RELAY);
    const report = t.run(METASYNC);
    await t.upward.afterRun(t.client, report, t.save);
    assert.equal(report.fleet?.status, 'FAILED');
    assert.match(report.fleet?.message ?? '', /HTTP 403 refused/);
    assert.deepEqual(t.logs, ['could not report the downstream fleet']);
  });

  it('never reports to a DHIS2 upstream, nor when versioning is off, nor before the ping', async () => {
    for (const [settings, central] of [
      [RELAY, { ...METASYNC, metasync: false }],
      [{ ...RELAY, keyVersionEnabled: false }, METASYNC],
      [RELAY, undefined],
    ] as const) {
      const t = setUp(settings, (l) => l.length);
      const report = t.run(central);
      await t.upward.afterRun(t.client, report, t.save);
      assert.equal(t.sent.length, 0, JSON.stringify({ settings, central }));
      assert.equal(report.fleet, undefined);
    }
  });

  it("a relay's status names its upstream and counts its downstream; a plain instance has none", async () => {
    const t = setUp(RELAY, (l) => l.length);
    assert.deepEqual(await t.upward.status('http://n.example'), {
      upstream: { url: 'http://n.example', name: null },
      downstream: { locals: 1, behind: 1, failing: 1, diverged: 0 },
    });
    await t.upward.afterRun(t.client, t.run(METASYNC), t.save);
    assert.equal((await t.upward.status('http://n.example'))?.upstream.name, 'National');
    assert.equal(await t.upward.status(''), null);
    const off = setUp({ ...RELAY, keyVersionEnabled: false });
    assert.equal(await off.upward.status('http://n.example'), null);
  });
});
