/**
 * Drift (issue 23 §5), on both backends, over real HTTP between a central and a local: local
 * edits behind the central's back are listed exactly (paths, old and new values), the defaults
 * and the administrator are not; the next version that clashes with an edit names it; a repair
 * empties the check and lets that version import; a rebaseline is a new base.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DriftRepairResult, DriftReport } from '../../src/http/schemas/api-types.ts';
import { backends } from '../support/databases.ts';

import type { TestServer } from '../support/server.ts';
import {
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  runSync,
  syncOk,
  syncStatus,
  useCentralAndLocal,
} from '../support/sync.ts';
import { fetchJson, uid } from '../support/versions.ts';

type Json = Record<string, unknown>;

const drift = async (server: TestServer, query = '') => {
  const r = await fetchJson<DriftReport>(server, `/api/metasync/drift${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};

const repair = (server: TestServer, body: Json) =>
  fetchJson<DriftRepairResult & Json>(server, '/api/metasync/drift/repair', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const keys = (list: { type: string; id: string }[]) => list.map((o) => `${o.type}/${o.id}`).sort();

for (const backend of await backends()) {
  describe(`drift on a local (${backend})`, () => {
    const { central, local } = useCentralAndLocal(backend);
    const de = newDataElement('Drifting');
    const optionSetId = uid();
    const optionA = { id: uid(), code: 'OPT_A', name: 'Option A', optionSet: { id: optionSetId } };
    const optionB = { id: uid(), code: 'OPT_B', name: 'Option B', optionSet: { id: optionSetId } };
    const optionSet = {
      id: optionSetId,
      name: `Drift options ${optionSetId}`,
      valueType: 'TEXT',
      options: [{ id: optionA.id }, { id: optionB.id }],
    };
    const root = {
      id: uid(),
      name: 'Drift root',
      shortName: 'Drift root',
      openingDate: '2020-01-01',
    };
    const leaf = {
      id: uid(),
      name: 'Drift leaf',
      shortName: 'Drift leaf',
      openingDate: '2020-01-01',
      parent: { id: root.id },
    };
    const localOption = { id: uid(), name: 'Local only option', shortName: 'Local only option' };

    before(async () => {
      await connect(local, central.url);
      await importMetadata(central, {
        dataElements: [de],
        options: [optionA, optionB],
        optionSets: [optionSet],
        organisationUnits: [root, leaf],
      });
      await createVersion(central, 'ATOMIC'); // Version_1
      await syncOk(local);
    });

    it('a freshly synced local has no drift, and the defaults and the administrator are not drift', async () => {
      const r = await drift(local);
      assert.equal(r.base?.kind, 'VERSIONS');
      assert.equal(r.base?.version, 'Version_1');
      assert.deepEqual(r.counts, { changed: 0, created: 0, deleted: 0 }, JSON.stringify(r));
      assert.ok(r.ignoredProperties.includes('lastUpdated'));
      assert.ok(r.ignoredProperties.includes('password'));
    });

    it('four local edits are listed exactly: a name and an option code changed, a category option created, an org unit deleted', async () => {
      await importMetadata(local, { dataElements: [{ ...de, name: 'Renamed locally' }] });
      await importMetadata(local, { options: [{ ...optionA, code: 'OPT_X' }] });
      await importMetadata(local, { categoryOptions: [localOption] });
      await importMetadata(
        local,
        { organisationUnits: [{ id: leaf.id }] },
        '?importStrategy=DELETE',
      );

      const r = await drift(local);
      assert.deepEqual(r.counts, { changed: 2, created: 1, deleted: 1 }, JSON.stringify(r));
      assert.deepEqual(r.types.organisationUnits, { changed: 0, created: 0, deleted: 1 });
      assert.deepEqual(keys(r.changed), [`dataElements/${de.id}`, `options/${optionA.id}`].sort());
      assert.deepEqual(keys(r.created), [`categoryOptions/${localOption.id}`]);
      assert.deepEqual(keys(r.deleted), [`organisationUnits/${leaf.id}`]);
      const renamed = r.changed.find((o) => o.id === de.id)!;
      assert.deepEqual(renamed.paths, [
        { path: 'name', implied: de.name as string, live: 'Renamed locally' },
      ]);
      assert.equal(renamed.version, 'Version_1');
      const recoded = r.changed.find((o) => o.id === optionA.id)!;
      assert.deepEqual(recoded.paths, [{ path: 'code', implied: 'OPT_A', live: 'OPT_X' }]);
      // A deleted object is named from the content its version gave it.
      assert.equal(r.deleted[0]!.name, 'Drift leaf');
      assert.equal(r.truncated, false);

      // One type only, and a limit that cuts the list (the counts stay whole).
      const options = await drift(local, '?type=options');
      assert.deepEqual(keys(options.changed), [`options/${optionA.id}`]);
      assert.deepEqual(options.created, []);
      const cut = await drift(local, '?limit=1');
      assert.equal(cut.changed.length, 1);
      assert.equal(cut.truncated, true);
    });

    it('the next version clashes with the local edit: the run fails naming the drifted option, and the status warns', async () => {
      // The central adds an option with the code the local gave its Option A.
      const optionC = {
        id: uid(),
        code: 'OPT_X',
        name: 'Option C',
        optionSet: { id: optionSetId },
      };
      await importMetadata(central, {
        options: [optionC],
        optionSets: [{ ...optionSet, options: [...optionSet.options, { id: optionC.id }] }],
      });
      await createVersion(central, 'ATOMIC'); // Version_2
      const failed = await runSync(local);
      assert.equal(failed.status, 'FAILED', JSON.stringify(failed.error));
      const v2 = failed.versions.find((v) => v.name === 'Version_2')!;
      assert.ok(
        v2.drifted?.some((d) => d.id === optionA.id && d.kind === 'changed'),
        JSON.stringify(v2.drifted),
      );
      assert.match(failed.error!.message, new RegExp(`options ${optionA.id} .*changed locally`));
      assert.deepEqual(failed.drift && { ...failed.drift, checkedAt: '' }, {
        changed: 2,
        created: 1,
        deleted: 1,
        checkedAt: '',
      });
      const status = await syncStatus(local);
      assert.equal(status.drift?.changed, 2);
      assert.equal(status.drift?.deleted, 1);
      assert.match(status.message, /Drifted: 2 changed, 1 created, 1 deleted locally/);
      const metrics = await (await local.request('/metrics')).text();
      assert.match(metrics, /^metasync_drift_objects\{kind="changed"\} 2$/m);
      assert.match(metrics, /^metasync_drift_objects\{kind="created"\} 1$/m);
    });

    it('a repair needs a reason; a dry run changes nothing; the repair empties the check and the clashing version then imports', async () => {
      const noReason = await repair(local, { reason: 'x' });
      assert.equal(noReason.status, 400, noReason.text);

      const dry = await repair(local, {
        reason: 'see what it does',
        dryRun: true,
        includeCreated: true,
      });
      assert.equal(dry.status, 200, dry.text);
      assert.equal(dry.body.dryRun, true);
      assert.deepEqual(
        keys(dry.body.restored),
        [`dataElements/${de.id}`, `options/${optionA.id}`].sort(),
      );
      assert.deepEqual(keys(dry.body.recreated), [`organisationUnits/${leaf.id}`]);
      assert.deepEqual(keys(dry.body.removed), [`categoryOptions/${localOption.id}`]);
      assert.deepEqual(dry.body.after, { changed: 2, created: 1, deleted: 1 });
      assert.equal((await drift(local)).counts.changed, 2, 'a dry run writes nothing');

      // Without includeCreated the local-only option stays.
      const done = await repair(local, { reason: 'put the central’s metadata back' });
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(done.body.failed, []);
      assert.deepEqual(done.body.after, { changed: 0, created: 1, deleted: 0 });
      const all = await repair(local, { reason: 'and the local option too', includeCreated: true });
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(keys(all.body.removed), [`categoryOptions/${localOption.id}`]);
      assert.deepEqual(all.body.after, { changed: 0, created: 0, deleted: 0 });
      assert.deepEqual((await drift(local)).counts, { changed: 0, created: 0, deleted: 0 });

      const audits = await fetchJson<{
        audit: { action: string; reason: string; username: string }[];
      }>(local, '/api/metadata/sync/audit');
      assert.equal(audits.status, 200, audits.text);
      assert.ok(
        audits.body.audit.some(
          (a) =>
            a.action === 'DRIFT_REPAIR' &&
            a.reason === 'and the local option too' &&
            a.username === 'admin',
        ),
        audits.text,
      );

      const ok = await syncOk(local);
      assert.ok(ok.versions.some((v) => v.name === 'Version_2' && v.status === 'SUCCESS'));
      assert.deepEqual((await drift(local)).counts, { changed: 0, created: 0, deleted: 0 });
      assert.equal((await syncStatus(local)).drift?.changed, 0);
    });

    it('a rebaseline is a new base: what was there is no longer drift, a later edit is, with its paths', async () => {
      await importMetadata(local, { dataElements: [newDataElement('Made here before')] });
      assert.equal((await drift(local)).counts.created, 1);
      const rebased = await fetchJson<Json>(local, '/api/metadata/sync/rebaseline', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: 'Version_2', reason: 'accept this site as it is' }),
      });
      assert.equal(rebased.status, 200, rebased.text);
      const after = await drift(local);
      assert.equal(after.base?.kind, 'REBASELINE');
      assert.equal(after.base?.version, 'Version_2');
      assert.deepEqual(after.counts, { changed: 0, created: 0, deleted: 0 });

      await importMetadata(local, { dataElements: [{ ...de, shortName: 'Short here' }] });
      const later = await drift(local);
      assert.deepEqual(later.counts, { changed: 1, created: 0, deleted: 0 });
      assert.deepEqual(later.changed[0]!.paths, [
        { path: 'shortName', implied: de.shortName as string, live: 'Short here' },
      ]);
      const back = await repair(local, { reason: 'back to the rebaselined state' });
      assert.equal(back.status, 200, back.text);
      assert.deepEqual(back.body.after, { changed: 0, created: 0, deleted: 0 });
    });
  });
}
