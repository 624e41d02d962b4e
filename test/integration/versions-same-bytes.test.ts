/**
 * Two forced creates with nothing changed in the same millisecond write the same snapshot bytes,
 * so the same hashCode: both versions must exist, chained (migration 0007; before it, a 500).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createInstance } from '../../src/main.ts';
import { backends, createTestDatabase } from '../support/databases.ts';
import { LogCapture } from '../support/server.ts';

const FROZEN = new Date('2026-11-25T12:00:00.000Z');

for (const backend of await backends()) {
  describe(`identical snapshots on ${backend}`, () => {
    it('two forced versions in the same millisecond share a hash and both are kept', async (t) => {
      const database = await createTestDatabase(backend);
      const instance = await createInstance(
        loadConfig(
          { host: '127.0.0.1', port: '0' },
          { METASYNC_ADMIN_PASSWORD: 'Frozen-Clock-1!' },
        ),
        {
          logger: createLogger('warn', new LogCapture()),
          database: await database.open(),
          clock: { now: () => new Date(FROZEN) },
        },
      );
      t.after(async () => {
        await instance.stop();
        await database.dispose();
      });
      const { services } = instance;
      await services.settings.update({ keyVersionEnabled: true });
      const all = new Set(['ALL']);
      const v1 = await services.versions.create({
        type: 'BEST_EFFORT',
        force: true,
        authorities: all,
      });
      const v2 = await services.versions.create({
        type: 'BEST_EFFORT',
        force: true,
        authorities: all,
      });
      const v3 = await services.versions.create({ type: 'ATOMIC', force: true, authorities: all });
      assert.deepEqual([v1.name, v2.name, v3.name], ['Version_1', 'Version_2', 'Version_3']);
      // Version_2 and Version_3 are both empty deltas stamped with the same instant.
      assert.equal(v2.hashCode, v3.hashCode);
      assert.equal(v3.parentHashCode, v2.hashCode);
      assert.equal((await services.versions.list()).length, 3);
    });
  });
}
