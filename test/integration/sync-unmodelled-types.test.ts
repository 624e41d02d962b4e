/**
 * Nothing in a version is dropped silently (issue 16 §8). A DHIS2 central's snapshot with types
 * metasync does not model (data approval levels and workflows, notification templates, program
 * sections, map views, …) is synced by a metasync local over real HTTP: the objects are stored,
 * served again as received (`GET /api/{type}/{id}`, `GET /api/metadata`), reported per type, and
 * a metasync central versions them for its own locals. Keys that are no DHIS2 type, and DHIS2
 * types metasync does not store, make the version a WARNING with their counts.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { dhis2Unmodelled } from '../support/dhis2-unmodelled.ts';
import { startFakeDhis2Central, type FakeCentral } from '../support/fake-dhis2.ts';
import { getObject } from '../support/metadata.ts';
import { ADMIN_PASSWORD, type TestServer } from '../support/server.ts';
import {
  connect,
  createVersion,
  importMetadata,
  resetServer,
  syncOk,
  useCentralAndLocal,
  type SyncReportJson,
} from '../support/sync.ts';
import {
  enableVersioning,
  fetchJson,
  okJson,
  setSetting,
  snapshot,
  uid,
} from '../support/versions.ts';

type Json = Record<string, unknown>;
type Stats = { created: number; updated: number; ignored: number; total: number };
type VersionReport = SyncReportJson['versions'][number] & { typeStats?: Record<string, Stats> };

const KLASS: Record<string, string> = {
  dataApprovalLevels: 'org.hisp.dhis.dataapproval.DataApprovalLevel',
  dataApprovalWorkflows: 'org.hisp.dhis.dataapproval.DataApprovalWorkflow',
  dataSetNotificationTemplates: 'org.hisp.dhis.dataset.notifications.DataSetNotificationTemplate',
  programSections: 'org.hisp.dhis.program.ProgramSection',
  mapViews: 'org.hisp.dhis.mapping.MapView',
  externalMapLayers: 'org.hisp.dhis.mapping.ExternalMapLayer',
  analyticsTableHooks: 'org.hisp.dhis.analytics.AnalyticsTableHook',
};

const system = (date: string) => ({
  id: 'a1b2c3d4-0000-4000-8000-000000000016',
  rev: 'abc1234',
  version: '2.41.1',
  date,
});

/** Version_n entities as a DHIS2 central answers them. */
const entity = (n: number, created: string): Json => ({
  name: `Version_${n}`,
  created,
  lastUpdated: created,
  displayName: `Version_${n}`,
  type: 'BEST_EFFORT',
  id: uid(),
});

/** A fake DHIS2 central publishing `snapshots` as Version_1, Version_2, … */
async function dhis2Central(snapshots: Json[]): Promise<FakeCentral> {
  const versions = snapshots.map((s, i) => {
    const created = `2024-03-0${i + 2}T08:00:00.000+0000`;
    return { entity: entity(i + 1, created), snapshot: { system: system(created), ...s } };
  });
  return startFakeDhis2Central({
    username: 'admin',
    password: ADMIN_PASSWORD,
    versions,
    published: versions.map((v) => String(v.entity.name)),
    firstHistory: {
      metadataversions: versions.map((v) => ({
        name: v.entity.name,
        type: v.entity.type,
        created: v.entity.created,
        id: v.entity.id,
      })),
    },
  });
}

/** Every object of `metadata`'s unmodelled types is served again exactly as it was sent. */
async function assertServedAsReceived(
  server: TestServer,
  metadata: Record<string, Json[]>,
  keys: string[],
): Promise<void> {
  for (const key of keys)
    for (const sent of metadata[key]!) {
      const got = await getObject(server, key, sent.id as string);
      // Same JSON text: the same value with its keys in the order they arrived.
      assert.equal(JSON.stringify(got), JSON.stringify(sent), `${key} ${String(sent.id)}`);
    }
  const q = keys.map((k) => `${k}=true`).join('&');
  const exported = await okJson(server, `/api/metadata?${q}`);
  for (const key of keys) {
    const byId = new Map((exported[key] as Json[]).map((o) => [o.id, o]));
    for (const sent of metadata[key]!)
      assert.equal(JSON.stringify(byId.get(sent.id)), JSON.stringify(sent), key);
  }
}

for (const backend of await backends()) {
  describe(`unmodelled DHIS2 metadata types, local on ${backend}`, () => {
    const { central, local } = useCentralAndLocal(backend);
    let fake: FakeCentral | null = null;
    beforeEach(async () => {
      await fake?.stop();
      fake = null;
      await resetServer(central);
      await resetServer(local);
      await enableVersioning(central);
    });
    after(async () => {
      await fake?.stop();
    });

    it('a DHIS2 central’s version with unmodelled types: stored, served as received, reported per type', async () => {
      const u = dhis2Unmodelled();
      fake = await dhis2Central([u.metadata]);
      await connect(local, fake.url);
      const report = await syncOk(local);
      const v = report.versions[0] as VersionReport;
      assert.equal(v.status, 'SUCCESS', JSON.stringify(v.errors));
      assert.deepEqual(v.errors, []);
      for (const key of u.opaqueKeys) {
        const n = u.metadata[key]!.length;
        assert.deepEqual(
          [v.typeStats?.[KLASS[key]!]?.created, v.typeStats?.[KLASS[key]!]?.total],
          [n, n],
          key,
        );
      }
      const total = Object.values(u.metadata).reduce((s, a) => s + a.length, 0);
      assert.equal(v.stats?.total, total);
      assert.equal(v.stats?.created, total);
      await assertServedAsReceived(local, u.metadata, u.opaqueKeys);
      // The modelled data set keeps its reference to the (opaque) workflow.
      const ds = await getObject(local, 'dataSets', u.ids.dataSet);
      assert.deepEqual(ds?.workflow, { id: u.ids.workflow });
      const listed = await okJson(
        local,
        '/api/dataApprovalLevels?fields=id,name,code&order=name:asc',
      );
      assert.equal((listed.pager as Json).total, 2);
    });

    it('a metasync central imports and versions them; its local stores them as received; an update travels', async () => {
      const u = dhis2Unmodelled('Relay');
      const r = await fetchJson<{
        response: { status: string; typeReports: { klass: string; stats: Stats }[] };
      }>(central, '/api/metadata', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(u.metadata),
      });
      assert.equal(r.body.response.status, 'OK', r.text.slice(0, 2000));
      for (const key of u.opaqueKeys) {
        const tr = r.body.response.typeReports.find((t) => t.klass === KLASS[key]);
        assert.equal(tr?.stats.created, u.metadata[key]!.length, key);
      }
      const v1 = await createVersion(central, 'ATOMIC');
      const s1 = await snapshot(central, v1.name);
      const byId = (a: Json, b: Json) => (String(a.id) < String(b.id) ? -1 : 1);
      for (const key of u.opaqueKeys)
        assert.deepEqual(
          [...(s1[key] as Json[])].sort(byId),
          [...u.metadata[key]!].sort(byId),
          key,
        );
      const preview0 = await okJson(central, '/api/metadata/version/preview');
      assert.equal(preview0.objects, 0);

      await connect(local, central.url);
      await syncOk(local);
      await assertServedAsReceived(local, u.metadata, u.opaqueKeys);

      // An update of an opaque object (only its lastUpdated and one property) is a change.
      const wf = {
        ...u.metadata.dataApprovalWorkflows![0]!,
        lastUpdated: '2024-04-01T00:00:00.000',
        periodType: 'Quarterly',
      };
      const up = await fetchJson<{ response: { stats: Stats } }>(central, '/api/metadata', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataApprovalWorkflows: [wf] }),
      });
      assert.equal(up.body.response.stats.updated, 1, up.text);
      const preview = await okJson(central, '/api/metadata/version/preview');
      assert.deepEqual(preview.types, { dataApprovalWorkflows: 1 });
      await createVersion(central, 'BEST_EFFORT');
      await syncOk(local);
      await assertServedAsReceived(local, { dataApprovalWorkflows: [wf] }, [
        'dataApprovalWorkflows',
      ]);
    });

    it('their deletions travel in deletedObjects (keyVersionIncludeDeletions) and a local applies them', async () => {
      const u = dhis2Unmodelled('Gone');
      await importMetadata(central, u.metadata);
      await createVersion(central, 'ATOMIC');
      await connect(local, central.url);
      await syncOk(local);
      assert.ok(await getObject(local, 'dataApprovalWorkflows', u.ids.workflow));
      await setSetting(central, 'keyVersionIncludeDeletions', true);
      await importMetadata(
        central,
        {
          dataSets: [{ id: u.ids.dataSet }],
          dataSetNotificationTemplates: [{ id: u.ids.template }],
          dataApprovalWorkflows: [{ id: u.ids.workflow }],
          dataApprovalLevels: [{ id: u.ids.level1 }, { id: u.ids.level2 }],
        },
        '?importStrategy=DELETE',
      );
      const v2 = await createVersion(central, 'BEST_EFFORT');
      const gone = (await snapshot(central, v2.name)).deletedObjects ?? [];
      assert.ok(
        gone.some((d) => d.uid === u.ids.workflow && d.klass === KLASS.dataApprovalWorkflows),
        JSON.stringify(gone),
      );
      const report = await syncOk(local);
      assert.deepEqual(report.versions[0]?.status, 'SUCCESS', JSON.stringify(report.versions));
      for (const [type, id] of [
        ['dataApprovalWorkflows', u.ids.workflow],
        ['dataApprovalLevels', u.ids.level1],
        ['dataSetNotificationTemplates', u.ids.template],
        ['dataSets', u.ids.dataSet],
      ] as const)
        assert.equal(await getObject(local, type, id), null, `${type} ${id}`);
    });

    it('a key that is no DHIS2 type (E4064) or a type metasync does not store (E4065) makes the version a WARNING with its counts', async () => {
      const u = dhis2Unmodelled('Typo');
      fake = await dhis2Central([
        {
          ...u.metadata,
          dataApprovalWorkflowz: [{ id: uid(), name: 'typo' }],
          jobConfigurations: [{ id: uid(), name: 'Nightly analytics', jobType: 'ANALYTICS_TABLE' }],
        },
      ]);
      await connect(local, fake.url);
      const report = await syncOk(local);
      const v = report.versions[0] as VersionReport;
      assert.equal(v.status, 'WARNING');
      assert.deepEqual(v.errors.map((e) => e.errorCode).sort(), ['E4064', 'E4065']);
      assert.equal(v.typeStats?.dataApprovalWorkflowz?.ignored, 1);
      assert.equal(v.typeStats?.['org.hisp.dhis.scheduling.JobConfiguration']?.ignored, 1);
      // Everything else arrived.
      await assertServedAsReceived(local, u.metadata, u.opaqueKeys);
    });
  });
}
