/**
 * Data up through a relay (issue 21 §2, §3, §6) between three real servers: a district D pushes
 * to its relay R as to a central, R's own push forwards to the national N. Values keep D's value,
 * storedBy, created and lastUpdated at N; a repeated run or a resend counts nothing twice; a
 * value changed on D while R's forward is under way reaches N with its latest value; with the
 * R–N link cut D still syncs with R, R holds D's values, and forwards them once when it returns.
 * R runs on the backend under test; R's link to N goes through the fault proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { IDS, dataSeq, importDataMetadata, postValues } from '../support/data.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { CLERK, DAY, districtValue, expected, held, keyOf, range } from '../support/relay-data.ts';
import { useRelayTree } from '../support/relay-tree.ts';
import type { TestServer } from '../support/server.ts';
import {
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  postSettings,
  runSync,
  step,
  syncOk,
  type SyncReportJson,
} from '../support/sync.ts';
import { fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;

const pushed = (report: SyncReportJson, kind: string) => {
  const k = report.dataPushed?.find((x) => x.kind === kind);
  assert.ok(k, `no ${kind} in ${JSON.stringify(report.dataPushed)}`);
  return k;
};

async function post(server: TestServer, path: string, body: Json) {
  const r = await fetchJson<{ response?: { status?: string } }>(server, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, r.text.slice(0, 1000));
  return r;
}

for (const backend of await backends()) {
  describe(`data through a ${backend} relay`, () => {
    const once = { syncRetry: 1, syncRetryFrequencyMs: 10 };
    const { national, relay, district } = useRelayTree(backend, { relay: once, district: once });
    let proxy: FaultProxy;
    /** What D holds, as sent; N must end with exactly this. */
    const entered = new Map<string, Json>();
    const enter = async (values: Json[]) => {
      const r = await postValues(district, { dataValues: values });
      assert.equal(r.summary.status, 'SUCCESS', r.text.slice(0, 1000));
      for (const v of values) entered.set(keyOf(v), v);
    };

    before(async () => {
      const n = new URL(national.url);
      proxy = await startFaultProxy({
        target: { host: n.hostname, port: Number(n.port) },
        mode: 'http',
      });
      await connect(relay, proxy.url);
      // Pages of 100 on R: a forward of 1,000 values is ten pages to catch between.
      await postSettings(relay, { dataValuesPageSize: 100 });
      // The data model reaches D the way metadata goes in a tree: N's version, through R.
      await importDataMetadata(national);
      await createVersion(national, 'ATOMIC');
      await syncOk(relay);
      await syncOk(district);
    });
    after(() => proxy?.close());

    it("1,000 values entered on D reach N once, with D's storedBy, created and lastUpdated", async () => {
      await enter(range(0, 1000).map((i) => districtValue(i)));
      const registrations = ['202001', '202002', '202003'].map((period, k) => ({
        dataSet: IDS.dataSet,
        period,
        organisationUnit: IDS.ouRoot,
        date: `2024-02-0${k + 1}T09:00:00.000Z`,
        storedBy: CLERK,
        lastUpdatedBy: CLERK,
        lastUpdated: `2024-02-0${k + 1}T10:00:00.000Z`,
        completed: true,
      }));
      await post(district, '/api/completeDataSetRegistrations', {
        completeDataSetRegistrations: registrations,
      });
      const events = [1, 2, 3].map((k) => ({
        event: `RelayEvnt0${k}`,
        program: IDS.program,
        programStage: IDS.stage,
        orgUnit: IDS.ouRoot,
        eventDate: `2024-03-0${k}`,
        status: 'COMPLETED',
        storedBy: CLERK,
        // DHIS2 ≤ 2.41 writes these without an offset; read as UTC (issue 16 §1).
        created: `2024-03-0${k}T08:00:00.000`,
        lastUpdated: `2024-03-0${k}T08:30:00.000`,
        dataValues: [{ dataElement: IDS.deText, value: `seen ${k}` }],
      }));
      await post(district, '/api/events?strategy=SYNC', { events });

      const down = await syncOk(district);
      assert.equal(pushed(down, 'dataValues').sent, 1000);
      assert.equal((await held(relay)).size, 1000);
      const nationalBefore = await dataSeq(national);
      const up = await syncOk(relay);
      const values = pushed(up, 'dataValues');
      assert.deepEqual(
        { status: values.status, sent: values.sent, pages: values.pages },
        { status: 'SENT', sent: 1000, pages: 10 },
      );
      assert.equal(values.upTo, await dataSeq(relay));
      assert.equal(pushed(up, 'completeDataSetRegistrations').sent, 3);
      assert.equal(pushed(up, 'events').sent, 3);
      assert.equal(await dataSeq(national), nationalBefore + 1006);

      // N holds exactly D's 1,000, each as entered on D: not R's clock, not N's.
      assert.deepEqual(await held(national), expected(entered.values()));
      const regs = await fetchJson<{ completeDataSetRegistrations: Json[] }>(
        national,
        `/api/completeDataSetRegistrations?dataSet=${IDS.dataSet}`,
      );
      assert.deepEqual(
        regs.body.completeDataSetRegistrations
          .map((r) => [r.period, r.date, r.storedBy, r.lastUpdatedBy, r.lastUpdated])
          .sort(),
        registrations.map((r) => [r.period, r.date, CLERK, CLERK, r.lastUpdated]),
      );
      const got = await fetchJson<{ events: Json[] }>(
        national,
        `/api/events?program=${IDS.program}`,
      );
      assert.deepEqual(
        got.body.events.map((e) => [e.event, e.storedBy, e.created, e.lastUpdated]).sort(),
        events.map((e) => [e.event, CLERK, `${e.created}Z`, `${e.lastUpdated}Z`]),
      );

      // R again: nothing to forward, nothing counted again at N.
      const quiet = await syncOk(relay);
      assert.equal(step(quiet, 'dataPush').status, 'SKIPPED');
      assert.deepEqual(
        quiet.dataPushed?.map((k) => [k.kind, k.status, k.sent]),
        [
          ['dataValues', 'SENT', 0],
          ['completeDataSetRegistrations', 'SENT', 0],
          ['events', 'SENT', 0],
        ],
      );
      assert.equal(await dataSeq(national), nationalBefore + 1006);

      // A resend of the same rows (a retried page whose answer was lost) counts as ignored,
      // also when only lastUpdated differs: nothing is written, the first timestamps stay.
      const resend = [...entered.values()].map((v) => ({
        ...v,
        lastUpdated: new Date(Date.parse(String(v.lastUpdated)) + DAY).toISOString(),
      }));
      const again = await postValues(national, { dataValues: resend });
      assert.deepEqual(again.summary.importCount, {
        imported: 0,
        updated: 0,
        ignored: 1000,
        deleted: 0,
      });
      assert.equal(await dataSeq(national), nationalBefore + 1006);
      assert.deepEqual(await held(national), expected(entered.values()));
    });

    it('a value changed on D while R forwards reaches N with its latest value', async () => {
      // 500 edits on D go to R, and R forwards them in five pages.
      await enter(range(0, 500).map((i) => districtValue(i, String(i + 100_000), 1)));
      await syncOk(district);
      // While R's second page is on the wire, D changes ten of the last page's values again and
      // pushes them to R: they get change numbers above the forward's cut.
      const late = range(490, 500).map((i) => districtValue(i, String(i + 200_000), 2));
      let landed: Promise<number> | null = null;
      proxy.set(
        { method: 'POST', path: /^\/api\/dataValueSets/, fault: { kind: 'pass' }, times: 1 },
        {
          method: 'POST',
          path: /^\/api\/dataValueSets/,
          fault: { kind: 'delay', ms: 2000 },
          times: 1,
          onMatch: () => {
            landed = (async () => {
              await enter(late);
              const r = await syncOk(district);
              assert.equal(pushed(r, 'dataValues').sent, 10);
              return Date.now();
            })();
          },
        },
      );
      const underWay = await syncOk(relay);
      proxy.clear();
      const landing = landed as Promise<number> | null;
      assert.ok(landing, 'the forward never reached its second page');
      const landedAt = await landing;
      assert.ok(
        landedAt < Date.parse(underWay.endTime!),
        "D's changes reached R after R's forward ended",
      );
      // The ten moved past the cut: this forward left them out, N still has their first value.
      assert.equal(pushed(underWay, 'dataValues').sent, 490);
      const first = expected(range(490, 500).map((i) => districtValue(i)));
      const atN = await held(national);
      for (const [key, row] of first) assert.equal(atN.get(key), row);

      const next = await syncOk(relay);
      assert.equal(pushed(next, 'dataValues').sent, 10);
      assert.deepEqual(await held(national), expected(entered.values()));
    });

    it('with the R–N link cut D still syncs with R, R holds its values and forwards them once when the link returns', async () => {
      // A new version at N that R takes before the cut: D must reach it through R during it.
      await importMetadata(national, { dataElements: [newDataElement('RelayCut')] });
      const v2 = await createVersion(national, 'BEST_EFFORT');
      await syncOk(relay);

      proxy.set({ fault: { kind: 'reset' } });
      const cut = await runSync(relay);
      assert.equal(cut.status, 'FAILED');
      assert.equal(cut.error?.step, 'ping');

      await enter(range(1000, 1200).map((i) => districtValue(i)));
      const down = await syncOk(district);
      assert.equal(pushed(down, 'dataValues').sent, 200);
      assert.equal(down.toVersion, v2.name);
      assert.equal((await held(relay)).size, 1200);
      const nationalBefore = await dataSeq(national);

      // The link half back: the ping and the first page go, the second is reset.
      proxy.set(
        { method: 'POST', path: /^\/api\/dataValueSets/, fault: { kind: 'pass' }, times: 1 },
        { method: 'POST', path: /^\/api\/dataValueSets/, fault: { kind: 'reset' } },
      );
      const half = await runSync(relay);
      assert.equal(half.status, 'FAILED');
      assert.equal(half.error?.step, 'dataPush');
      const broken = pushed(half, 'dataValues');
      assert.deepEqual([broken.status, broken.sent, broken.pages], ['FAILED', 100, 1]);
      assert.equal(await dataSeq(national), nationalBefore + 100);

      // Restored: the next run sends everything from the watermark; the page N has already
      // is ignored there, so N counts each of the 200 once.
      proxy.clear();
      const restored = await syncOk(relay);
      const all = pushed(restored, 'dataValues');
      assert.deepEqual([all.status, all.sent, all.after], ['SENT', 200, broken.after]);
      assert.equal(await dataSeq(national), nationalBefore + 200);
      assert.deepEqual(await held(national), expected(entered.values()));
    });
  });
}
