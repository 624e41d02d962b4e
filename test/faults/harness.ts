/**
 * What every fault test checks after a fault (issue 10 §1), on a local that is either an
 * in-process server or a child process (anything with an authenticated `request`):
 *
 * (a) the local is exactly at a version the central recorded, and its metadata equals the
 *     central's at that version: the central's canonical export is kept right after each version
 *     is created (the ledger), and the local's export must equal the one for its current version;
 * (b) no data value is duplicated or lost on the central: every value there is one the local
 *     wrote, each key once, and once a run succeeded the central holds exactly the local's values;
 * (c) a faulted run is reported FAILED with its cause, in the answer and in the stored report;
 * (d) the next run, fault removed, succeeds and brings the local to the central's newest version.
 */
import assert from 'node:assert/strict';
import { DATA_METADATA, IDS } from '../support/data.ts';
import { startServer, type TestServer } from '../support/server.ts';
import {
  createVersion,
  importMetadata,
  newDataElement,
  start,
  type Started,
  type SyncReportJson,
} from '../support/sync.ts';
import { enableVersioning } from '../support/versions.ts';
import type { Backend, TestDatabase } from '../support/databases.ts';

type Json = Record<string, unknown>;

/** An in-process TestServer or a ChildServer: requests go with admin Basic auth. */
export interface Http {
  request(path: string, init?: RequestInit): Promise<Response>;
}

export async function getJson<T = Json>(h: Http, path: string, init: RequestInit = {}) {
  const res = await h.request(path, init);
  const text = await res.text();
  let body: T;
  try {
    body = (text ? JSON.parse(text) : null) as T;
  } catch {
    throw new Error(`${path} answered ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, body, text };
}

/** A seeded PRNG (mulberry32), so a failing random schedule can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * GET /api/metadata, made comparable across instances: without `system` (each instance's id
 * and the export time) and without each object's `created` / `lastUpdated`, which every instance
 * stamps with its own write time (the local imports the central's objects; the times of that
 * import are its own); every list sorted by id.
 */
export async function canonicalExport(h: Http): Promise<Record<string, Json[]>> {
  const r = await getJson<Record<string, unknown>>(h, '/api/metadata');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const out: Record<string, Json[]> = {};
  for (const [type, list] of Object.entries(r.body)) {
    if (type === 'system' || !Array.isArray(list)) continue;
    out[type] = (list as Json[])
      .map(({ created: _c, lastUpdated: _u, ...rest }) => rest)
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return out;
}

export interface Central {
  server: TestServer;
  /** The central's canonical export right after each version was created, by version name. */
  ledger: Map<string, Record<string, Json[]>>;
  /**
   * Changes some metadata, creates the next version and records its export; `extra` adds
   * properties to each new data element (e.g. a long random description, for a large snapshot).
   */
  nextVersion(objects?: number, extra?: () => Json): Promise<string>;
  latest(): string;
  dispose(): Promise<void>;
}

/** A central on `backend`, or on `database` (e.g. one reached through a fault proxy). */
export async function startCentral(backend: Backend, database?: TestDatabase): Promise<Central> {
  const started: Started = database
    ? await (async () => {
        const s = await startServer(database);
        return {
          server: s,
          dispose: async () => {
            await s.stop();
            await database.dispose();
          },
        };
      })()
    : await start(backend);
  const server = started.server;
  await enableVersioning(server);
  const ledger = new Map<string, Record<string, Json[]>>();
  let latest = '';
  let n = 0;
  const central: Central = {
    server,
    ledger,
    async nextVersion(objects = 40, extra = () => ({})) {
      n++;
      const body =
        n === 1
          ? DATA_METADATA
          : {
              dataElements: Array.from({ length: objects }, () =>
                newDataElement(`Fault${n}`, extra()),
              ),
              // An update of an object every local already has.
              organisationUnits: [
                {
                  ...(DATA_METADATA.organisationUnits as Json[])[1],
                  name: `Data child ${n}`,
                  shortName: `Data child ${n}`,
                },
              ],
            };
      await importMetadata(server, body, '?atomicMode=NONE');
      latest = (await createVersion(server, 'ATOMIC')).name;
      ledger.set(latest, await canonicalExport(server));
      return latest;
    },
    latest: () => latest,
    dispose: () => started.dispose(),
  };
  return central;
}

/** The versions a server lists, oldest first. */
export async function versionNames(h: Http): Promise<string[]> {
  const r = await getJson<{ metadataversions: { name: string }[] }>(h, '/api/metadata/versions');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.body.metadataversions
    .map((v) => v.name)
    .sort((a, b) => Number(a.split('_')[1]) - Number(b.split('_')[1]));
}

/**
 * (a): the local's versions are the central's first k, its sync status names the k-th as its
 * current version, `keySystemMetadataVersion` is untouched (DHIS2 writes it only for versions
 * created locally, never on a sync import), and its metadata is the central's at that version.
 * Returns the local's current version.
 */
export async function assertAtRecordedVersion(central: Central, local: Http): Promise<string> {
  const ours = await versionNames(local);
  const theirs = await versionNames(central.server);
  assert.ok(ours.length > 0, 'the local has synced Version_1 before any fault');
  assert.deepEqual(ours, theirs.slice(0, ours.length), 'the local skipped or invented a version');
  const current = ours[ours.length - 1]!;
  const status = await getJson<{ currentVersion: string | null }>(
    local,
    '/api/metadata/sync/status',
  );
  assert.equal(status.body.currentVersion, current);
  const setting = await getJson<Json>(local, '/api/systemSettings/keySystemMetadataVersion');
  assert.equal(setting.body.keySystemMetadataVersion, '');
  const expected = central.ledger.get(current);
  assert.ok(expected, `no recorded export for ${current}`);
  assert.deepEqual(await canonicalExport(local), expected, `metadata differs at ${current}`);
  return current;
}

const KEY_FIELDS = ['dataElement', 'period', 'orgUnit', 'categoryOptionCombo'] as const;

/** The data values a server holds under the test org unit tree, as `key → value` pairs. */
export async function dataValues(h: Http): Promise<[string, string][]> {
  const r = await getJson<{ dataValues?: Json[] }>(
    h,
    `/api/dataValueSets?orgUnit=${IDS.ouRoot}&children=true`,
  );
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return (r.body.dataValues ?? [])
    .map((v): [string, string] => [
      [...KEY_FIELDS.map((k) => String(v[k])), String(v.attributeOptionCombo ?? IDS.coc)].join('/'),
      String(v.value),
    ])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** The values the local writes, with every value each key ever had (the central may lag). */
export class LocalValues {
  private readonly history = new Map<string, string[]>();
  private next = 0;
  constructor(private readonly random: () => number = Math.random) {}

  /** Writes `fresh` new values and updates `updates` existing ones on the local. */
  async write(local: Http, fresh: number, updates = 1): Promise<void> {
    const rows: Json[] = [];
    for (let i = 0; i < fresh; i++) {
      const k = this.next++;
      const period = `${2000 + Math.floor(k / 12)}${String((k % 12) + 1).padStart(2, '0')}`;
      rows.push(this.row(IDS.deNumber, period, String(k)));
    }
    const keys = [...this.history.keys()];
    for (let i = 0; i < updates && keys.length > 0; i++) {
      const key = keys[Math.floor(this.random() * keys.length)]!;
      const [de, pe] = key.split('/');
      rows.push(this.row(de!, pe!, String(Math.floor(this.random() * 1e6))));
    }
    if (rows.length === 0) return;
    const r = await getJson<{ response?: { status?: string } }>(local, '/api/dataValueSets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataValues: rows }),
    });
    assert.equal(r.body.response?.status, 'SUCCESS', r.text.slice(0, 500));
  }

  private row(de: string, pe: string, value: string): Json {
    const key = [de, pe, IDS.ouRoot, IDS.coc, IDS.coc].join('/');
    this.history.set(key, [...(this.history.get(key) ?? []), value]);
    return {
      dataElement: de,
      period: pe,
      orgUnit: IDS.ouRoot,
      categoryOptionCombo: IDS.coc,
      attributeOptionCombo: IDS.coc,
      value,
    };
  }

  /**
   * (b): each key once on the central, each a key the local has, with a value the local wrote;
   * with `exact` (after a successful run) the central holds exactly the local's values.
   */
  async assertOnCentral(central: Http, local: Http, exact: boolean): Promise<void> {
    const theirs = await dataValues(central);
    const ours = await dataValues(local);
    const keys = theirs.map(([k]) => k);
    assert.equal(new Set(keys).size, keys.length, 'a data value is duplicated on the central');
    assert.equal(ours.length, this.history.size, 'the local lost a value it wrote');
    if (exact) {
      assert.deepEqual(theirs, ours, 'the central does not hold exactly the local values');
      return;
    }
    for (const [key, value] of theirs) {
      const written = this.history.get(key);
      assert.ok(written, `the central has ${key}, which the local never wrote`);
      assert.ok(written.includes(value), `the central has ${key}=${value}, never written`);
    }
  }
}

/** (c): the run failed with a cause, and the stored report says the same. */
export async function assertFailedRun(
  local: Http,
  report: SyncReportJson,
  expected: { step: string; kinds: string[]; message: RegExp },
): Promise<void> {
  const detail = JSON.stringify({ error: report.error, steps: report.steps });
  assert.equal(report.status, 'FAILED', detail);
  assert.ok(report.endTime, detail);
  assert.equal(report.error?.step, expected.step, detail);
  assert.ok(expected.kinds.includes(report.error.kind), detail);
  assert.match(report.error.message, expected.message, detail);
  const failedStep = report.steps.find((s) => s.name === expected.step);
  assert.equal(failedStep?.status, 'FAILED', detail);
  assert.ok(!report.steps.some((s) => s.status === 'RUNNING'), `a step left RUNNING: ${detail}`);
  const stored = await getJson<{ reports: SyncReportJson[] }>(local, '/api/metadata/sync/reports');
  const same = stored.body.reports.find((r) => r.id === report.id);
  assert.ok(same, 'the run is not listed in GET /api/metadata/sync/reports');
  assert.equal(same.status, 'FAILED');
  assert.deepEqual(same.error, report.error);
}

/** (d): a run that succeeds and leaves the local at the central's newest version. */
export async function assertRecovers(central: Central, local: Http): Promise<SyncReportJson> {
  const r = await getJson<SyncReportJson>(local, '/api/metadata/sync/run?wait=true', {
    method: 'POST',
  });
  assert.equal(r.status, 200, r.text.slice(0, 1000));
  assert.equal(r.body.status, 'SUCCESS', JSON.stringify(r.body.error));
  const names = await versionNames(local);
  assert.equal(names[names.length - 1], central.latest());
  return r.body;
}
