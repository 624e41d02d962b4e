/** The scheduler's config keys (issue 8): defaults, values from the file, and refusals. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';

describe('scheduler config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-config-sched-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const file = async (text: string) => {
    const f = path.join(dir, `${Math.random()}.conf`);
    await writeFile(f, text);
    return f;
  };

  it('defaults: catch up on, reconcile every 30 s, 10 s shutdown grace', () => {
    const c = loadConfig({}, {});
    assert.equal(c.schedulerCatchUp, true);
    assert.equal(c.schedulerReconcileMs, 30_000);
    assert.equal(c.schedulerShutdownGraceMs, 10_000);
  });

  it('reads the keys from the file', async () => {
    const c = loadConfig(
      {
        config: await file(
          'scheduler.catch.up = false\nscheduler.reconcile.interval.ms = 5000\nscheduler.shutdown.grace.ms = 1\n',
        ),
      },
      {},
    );
    assert.equal(c.schedulerCatchUp, false);
    assert.equal(c.schedulerReconcileMs, 5000);
    assert.equal(c.schedulerShutdownGraceMs, 1);
  });

  it('refuses values of the wrong kind', async () => {
    const bad = await file('scheduler.catch.up = maybe\n');
    assert.throws(
      () => loadConfig({ config: bad }, {}),
      /scheduler.catch.up must be true or false/,
    );
    const neg = await file('scheduler.reconcile.interval.ms = -1\n');
    assert.throws(() => loadConfig({ config: neg }, {}), /scheduler.reconcile.interval.ms/);
  });
});
