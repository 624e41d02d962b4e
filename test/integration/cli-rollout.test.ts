/**
 * The staged rollout from the real command line, as child processes (issue 22 §4), on both
 * backends: `rollout set` saves the ring and the automatic release, audited as the
 * operating-system user; `rollout show` prints each version's state and each canary's progress
 * (and `--json` the admin's view); `version release` is refused naming a failing canary and goes
 * through with --force; `version hold` and `version withdraw` change the chain, audited with their
 * reason. The versions and the canary's outcome are made in this process, between CLI runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Authority } from '../../src/domain/authorities.ts';
import { runCli, withServices, type CliServices } from '../support/cli-process.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';

const CLI_USER = 'field-admin';
const CANARY = 'LocalAAAAAA';

const cli = (args: string[], database: TestDatabase) => runCli(args, database, CLI_USER);

type Services = CliServices;

const createVersion = (s: Services) =>
  s.versions.create({ type: 'BEST_EFFORT', force: true, authorities: new Set([Authority.ALL]) });

const states = (database: TestDatabase) =>
  withServices(database, async (s) =>
    Object.fromEntries((await s.rollout.overview()).versions.map((v) => [v.name, v.state])),
  );

for (const [n, backend] of (await backends()).entries()) {
  describe(`metasync rollout | version release, hold, withdraw on ${backend}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(backend);
      await withServices(database, async (s) => {
        await s.settings.update({ keyVersionEnabled: true });
        await createVersion(s); // Version_1 and Version_2: released, no rollout yet
        await createVersion(s);
      });
    });
    after(() => database.dispose());

    it('rollout set saves the ring and the automatic release, audited as the CLI user', async () => {
      const r = await cli(
        ['rollout', 'set', '--enable', '--ring', `system:${CANARY},user:dhis2canary`],
        database,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Rollout: on/m);
      assert.match(r.stdout, new RegExp(`^Ring: system:${CANARY}, user:dhis2canary$`, 'm'));
      // Only what is given changes: the automatic release is set alone, the ring stays.
      const auto = await cli(['rollout', 'set', '--auto-release', '30'], database);
      assert.equal(auto.code, 0, auto.stderr);
      await withServices(database, async (s) => {
        const stored = await s.rollout.stored();
        assert.deepEqual(
          [stored?.enabled, stored?.ring, stored?.autoReleaseAfterMinutes, stored?.updatedBy],
          [true, [{ systemId: CANARY }, { username: 'dhis2canary' }], 30, CLI_USER],
        );
        const [entry] = await s.sync.audits();
        assert.deepEqual([entry?.action, entry?.username], ['ROLLOUT_CONFIG', CLI_USER]);
        // Two new versions start CANARY; the canary fails the first.
        await createVersion(s); // Version_3
        await createVersion(s); // Version_4
        await s.rollout.recordOutcome(
          { systemId: CANARY, username: 'locala' },
          {
            version: 'Version_3',
            status: 'FAILED',
            failureKind: 'IMPORT_FAILED',
            message: 'categoryCombo xYz12345678 is missing',
          },
        );
      });
    });

    if (n === 0)
      it('rollout set refuses a bad ring or minutes and changes nothing', async () => {
        const ring = await cli(['rollout', 'set', '--ring', 'host:abc'], database);
        assert.equal(ring.code, 1);
        assert.match(ring.stderr, /^metasync: --ring: "host:abc" is neither/m);
        const zero = await cli(['rollout', 'set', '--auto-release', '0'], database);
        assert.equal(zero.code, 1);
        assert.match(zero.stderr, /^metasync: autoReleaseAfterMinutes is a whole number/m);
        await withServices(database, async (s) => {
          assert.equal((await s.rollout.stored())?.autoReleaseAfterMinutes, 30);
        });
      });

    it("rollout show prints each version's state and each canary's progress", async () => {
      const r = await cli(['rollout', 'show'], database);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Automatic release: after 30 min$/m);
      assert.match(
        r.stdout,
        new RegExp(
          `^Version_3 .* CANARY +system:${CANARY} FAILED \\(IMPORT_FAILED: categoryCombo xYz12345678 is missing\\), user:dhis2canary not yet$`,
          'm',
        ),
      );
      assert.match(
        r.stdout,
        /^Version_2 .* RELEASED +system:\S+ not yet, user:dhis2canary not yet$/m,
      );
      const json = await cli(['rollout', 'show', '--json'], database);
      assert.equal(json.code, 0, json.stderr);
      const o = JSON.parse(json.stdout) as {
        versions: { name: string; state: string; canaries: { progress: string }[] }[];
      };
      assert.deepEqual(
        o.versions.map((v) => [v.name, v.state, v.canaries.map((c) => c.progress)]),
        [
          ['Version_1', 'RELEASED', ['NOT_YET', 'NOT_YET']],
          ['Version_2', 'RELEASED', ['NOT_YET', 'NOT_YET']],
          ['Version_3', 'CANARY', ['FAILED', 'NOT_YET']],
          ['Version_4', 'CANARY', ['NOT_YET', 'NOT_YET']],
        ],
      );
    });

    it('version release is refused naming the failing canary, and goes through with --force', async () => {
      const refused = await cli(
        ['version', 'release', 'Version_3', '--reason', 'looks fine'],
        database,
      );
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        new RegExp(`system:${CANARY} failed Version_3 \\(IMPORT_FAILED\\)`),
      );
      assert.equal((await states(database)).Version_3, 'CANARY');

      const forced = await cli(
        ['version', 'release', 'Version_3', '--reason', 'the combo is fixed there', '--force'],
        database,
      );
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(
        forced.stdout,
        /^Released Version_3\. Recorded in the audit log as field-admin\.$/m,
      );
      assert.deepEqual(await states(database), {
        Version_1: 'RELEASED',
        Version_2: 'RELEASED',
        Version_3: 'RELEASED',
        Version_4: 'CANARY',
      });
      await withServices(database, async (s) => {
        const [entry] = await s.sync.audits();
        assert.deepEqual(
          [entry?.action, entry?.username, entry?.reason, entry?.details],
          [
            'ROLLOUT_RELEASE',
            CLI_USER,
            'the combo is fixed there',
            { version: 'Version_3', released: ['Version_3'], force: true },
          ],
        );
      });
    });

    it('version hold, then withdraw: the chain goes back to Version_3, the withdrawal is listed', async () => {
      const held = await cli(
        ['version', 'hold', 'Version_4', '--reason', 'wait for Monday'],
        database,
      );
      assert.equal(held.code, 0, held.stderr);
      assert.match(held.stdout, /^Held Version_4\./m);
      assert.equal((await states(database)).Version_4, 'HELD');

      const gone = await cli(
        ['version', 'withdraw', 'Version_4', '--reason', 'breaks data entry'],
        database,
      );
      assert.equal(gone.code, 0, gone.stderr);
      assert.match(gone.stdout, /^Withdrew Version_4\./m);
      await withServices(database, async (s) => {
        assert.deepEqual((await s.versions.list()).map((v) => v.name).sort(), [
          'Version_1',
          'Version_2',
          'Version_3',
        ]);
        const [w] = (await s.rollout.overview()).withdrawals;
        assert.deepEqual([w?.name, w?.by, w?.reason], ['Version_4', CLI_USER, 'breaks data entry']);
      });
      const show = await cli(['rollout', 'show'], database);
      assert.match(
        show.stdout,
        /^Withdrawn:\n {2}Version_4 {2}[0-9a-f]+ {2}by field-admin at .*: breaks data entry$/m,
      );
    });

    if (n === 0)
      it('a released version cannot be held, and a reason is required', async () => {
        const late = await cli(
          ['version', 'hold', 'Version_3', '--reason', 'too late now'],
          database,
        );
        assert.equal(late.code, 1);
        assert.match(late.stderr, /^metasync: .*Version_3/m);
        const bare = await cli(['version', 'withdraw', 'Version_3'], database);
        assert.equal(bare.code, 1);
        assert.match(bare.stderr, /^metasync: --reason is required/m);
        const short = await cli(['version', 'hold', 'Version_3', '--reason', 'no'], database);
        assert.equal(short.code, 1);
        assert.match(short.stderr, /^metasync: A reason of at least 5 characters/m);
        assert.equal((await states(database)).Version_3, 'RELEASED');
      });
  });
}
