/**
 * The run's side of resumable downloads (issue 19 §2, §6), over in-memory fakes: it asks each
 * snapshot with the version's id and a progress callback, emits the progress as `download`
 * events, records the download on the version's report, prunes kept partials at the start and
 * drops a version's partial once its download was used, but keeps it when the download broke.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartialDownloadStore } from '../../src/domain/ports.ts';
import type { SnapshotOptions } from '../../src/domain/sync/central-client.ts';
import { remote } from '../support/fakes/fake-central-client.ts';
import { createMemoryPartialDownloads } from '../support/fakes/memory-partial-downloads.ts';
import { withVersions, type SyncHarness } from '../support/fakes/sync-run-harness.ts';

/** The harness's snapshots report progress and carry a download record, as the HTTP client's. */
function instrument(h: SyncHarness) {
  const asked: { name: string; options: SnapshotOptions | undefined }[] = [];
  const snapshot = h.central.snapshot.bind(h.central);
  h.central.snapshot = async (name, options) => {
    asked.push({ name, options });
    const s = await snapshot(name);
    options?.onProgress?.({
      version: name,
      received: 10,
      total: 20,
      resumedFrom: 5,
      bytesPerSecond: 7,
    });
    return { ...s, download: { received: 15, size: 20, resumedFrom: 5, seconds: 0.5 } };
  };
  return asked;
}

async function withPartials(h: SyncHarness, names: string[]): Promise<PartialDownloadStore> {
  const partials = createMemoryPartialDownloads(() => null);
  for (const version of names) {
    await partials.begin({ version, versionId: `id-${version}`, etag: '"e"' });
    await partials.append(version, 0, Buffer.from('kept'));
  }
  h.deps.partials = partials;
  return partials;
}

describe('runSync: downloads', () => {
  it('asks with the version id and progress, emits it, records the download, drops used partials', async () => {
    const h = await withVersions(2);
    const asked = instrument(h);
    const partials = await withPartials(h, ['Version_1', 'Version_2']);
    const report = await h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.deepEqual(
      asked.map((a) => [a.name, a.options?.versionId]),
      [
        ['Version_1', 'verC0000001'],
        ['Version_2', 'verC0000002'],
      ],
    );
    assert.deepEqual(
      h.events.filter((e) => e.kind === 'download'),
      ['Version_1', 'Version_2'].map((version) => ({
        kind: 'download',
        version,
        received: 10,
        total: 20,
        resumedFrom: 5,
        bytesPerSecond: 7,
      })),
    );
    for (const v of report.versions)
      assert.deepEqual(v.download, { received: 15, size: 20, resumedFrom: 5, seconds: 0.5 });
    assert.equal(await partials.find('Version_1'), null);
    assert.equal(await partials.find('Version_2'), null);
  });

  it('a HASH_MISMATCH drops the partial and records the download on the FAILED version', async () => {
    const h = await withVersions(1);
    instrument(h);
    h.central.tamper('Version_1', Buffer.from('{"dataElements":[]}'));
    const partials = await withPartials(h, ['Version_1']);
    const report = await h.run();
    assert.equal(report.error?.kind, 'HASH_MISMATCH');
    assert.equal(report.versions[0]?.status, 'FAILED');
    assert.equal(report.versions[0]?.download?.resumedFrom, 5);
    assert.equal(await partials.find('Version_1'), null, 'the next run starts clean');
  });

  it("a download that broke keeps its partial for the next attempt; an imported version's is pruned at start", async () => {
    const h = await withVersions(2, { retries: 1 });
    h.central.fail('snapshot', remote.unreachable('the answer broke off'), 1);
    const partials = await withPartials(h, ['Version_1']);
    assert.equal((await h.run()).error?.kind, 'REMOTE_UNREACHABLE');
    assert.equal((await partials.find('Version_1'))?.bytes, 4);

    // Version_1 imported elsewhere (the store's newest is now 1): the next run prunes its partial.
    const pruning = createMemoryPartialDownloads(() => 1);
    await pruning.begin({ version: 'Version_1', versionId: 'x', etag: '"e"' });
    await pruning.begin({ version: 'Version_2', versionId: 'y', etag: '"e"' });
    let pruned = 0;
    h.deps.partials = {
      discard: (v) => pruning.discard(v),
      pruneImported: async () => {
        const gone = await pruning.pruneImported();
        pruned += gone.length;
        return gone;
      },
    };
    h.central.fail('ping', remote.unreachable(), 1);
    await h.run();
    assert.equal(pruned, 1);
    assert.equal(await pruning.find('Version_1'), null);
    assert.notEqual(await pruning.find('Version_2'), null, 'not imported: kept');
  });
});
