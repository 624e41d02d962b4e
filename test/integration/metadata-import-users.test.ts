/**
 * Users through POST /api/metadata, both backends (issue 4 §5): plaintext passwords (top-level
 * and legacy `userCredentials`) are hashed and work for HTTP Basic; a re-import without a
 * password keeps the old one; DHIS2 bcrypt hashes are kept; no response ever shows a password
 * or a stored hash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { backends } from '../support/databases.ts';
import { uidSource } from '../support/generate-metadata.ts';
import { getJson, importOk, postMetadata } from '../support/metadata.ts';
import { useServer } from '../support/server.ts';

const uid = uidSource(777);
const ROLE = { id: uid(), name: 'Metadata readers', authorities: ['F_METADATA_EXPORT'] };
const TOP = { id: uid(), password: 'Top-level-pw-1!' };
const LEGACY = { id: uid(), password: 'Legacy-creds-pw-2!' };
const BCRYPT = { id: uid(), password: 'From-dhis2-pw-3!' };

const topUser = (password?: string) => ({
  id: TOP.id,
  username: 'toplevel',
  firstName: 'Top',
  surname: 'Level',
  ...(password ? { password } : {}),
  userRoles: [{ id: ROLE.id }],
});
const legacyUser = (password?: string) => ({
  id: LEGACY.id,
  firstName: 'Legacy',
  surname: 'Creds',
  userCredentials: {
    username: 'legacy',
    ...(password ? { password } : {}),
    userRoles: [{ id: ROLE.id }],
  },
});

for (const backend of await backends()) {
  describe(`users in metadata imports on ${backend}`, () => {
    const server = useServer(backend);

    const me = async (username: string, password: string) =>
      (await server.request('/api/me', { auth: [username, password] })).status;
    const storedHash = async (id: string) =>
      (
        await server.instance.database.db
          .selectFrom('app_user')
          .select('password_hash')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).password_hash;
    /** Every secret of a user: the password, the whole stored hash and its hash part. */
    const secrets: string[] = [];
    const assertNoSecret = (what: string, text: string) => {
      for (const s of secrets) assert.ok(!text.includes(s), `${what} contains ${s.slice(0, 12)}…`);
      assert.ok(!/"password(Hash)?"\s*:/.test(text), `${what} has a password property`);
    };

    it('hashes plaintext passwords (top-level and userCredentials); both users can log in', async () => {
      const r = await postMetadata(server, {
        userRoles: [ROLE],
        users: [topUser(TOP.password), legacyUser(LEGACY.password)],
      });
      assert.equal(r.httpStatus, 200, r.text);
      assert.equal(r.report.stats.created, 3);
      for (const u of [TOP, LEGACY]) {
        const hash = await storedHash(u.id);
        assert.notEqual(hash, u.password);
        assert.ok(!hash.includes(u.password));
        secrets.push(u.password, hash, hash.split('$').pop()!);
      }
      assertNoSecret('import report', r.text);
      assert.equal(await me('toplevel', TOP.password), 200);
      assert.equal(await me('legacy', LEGACY.password), 200);
      const body = (await getJson(server, '/api/me', ['legacy', LEGACY.password])).body;
      assert.deepEqual(body.authorities, ['F_METADATA_EXPORT']);
    });

    it('keeps a DHIS2 bcrypt hash as the stored hash; the user logs in with its password', async () => {
      const hash = bcrypt.hashSync(BCRYPT.password, 4);
      secrets.push(BCRYPT.password, hash, hash.slice(-31));
      const r = await importOk(server, {
        users: [
          { id: BCRYPT.id, username: 'fromdhis2', password: hash, userRoles: [{ id: ROLE.id }] },
        ],
      });
      assert.equal(r.stats.created, 1);
      assert.equal(await storedHash(BCRYPT.id), hash);
      assert.equal(await me('fromdhis2', BCRYPT.password), 200);
      assertNoSecret('import report', JSON.stringify(r));
    });

    it('a re-import without a password keeps the old one; a new password replaces it', async () => {
      const before = await storedHash(TOP.id);
      const r = await importOk(server, {
        users: [{ ...topUser(), surname: 'Renamed' }, legacyUser()],
      });
      assert.equal(r.stats.updated, 2);
      assert.equal(await storedHash(TOP.id), before);
      assert.equal(await me('toplevel', TOP.password), 200);
      assert.equal(await me('legacy', LEGACY.password), 200);
      assert.equal((await getJson(server, `/api/users/${TOP.id}`)).body.surname, 'Renamed');

      const next = 'Next-password-4!';
      secrets.push(next);
      const changed = await importOk(server, { users: [legacyUser(next)] });
      assertNoSecret('import report', JSON.stringify(changed));
      assert.equal(await me('legacy', next), 200);
      assert.equal(await me('legacy', LEGACY.password), 401);
      const hash = await storedHash(LEGACY.id);
      secrets.push(hash, hash.split('$').pop()!);
    });

    it('an import that fails does not echo the password', async () => {
      const secret = 'Never-echoed-pw-5!';
      secrets.push(secret);
      const r = await postMetadata(server, {
        users: [{ id: uid(), username: 'broken', password: secret, userRoles: [{ id: uid() }] }],
      });
      assert.equal(r.httpStatus, 409);
      assertNoSecret('error report', r.text);
      const dry = await postMetadata(server, { users: [topUser(secret)] }, { dryRun: 'true' });
      assert.equal(dry.httpStatus, 200);
      assertNoSecret('dry-run report', dry.text);
      assert.equal(await me('toplevel', TOP.password), 200, 'a dry run changed the password');
    });

    it('no list, get or export contains a password or a stored hash', async () => {
      assert.ok(secrets.length >= 10);
      for (const path of [
        '/api/users',
        '/api/users?fields=*',
        '/api/users?fields=:all,userCredentials[*]',
        `/api/users/${TOP.id}`,
        `/api/users/${LEGACY.id}?fields=*`,
        `/api/users/${BCRYPT.id}`,
        '/api/metadata',
        '/api/metadata?users=true&fields=*',
      ]) {
        const r = await getJson(server, path);
        assert.equal(r.status, 200, path);
        assertNoSecret(path, r.text);
      }
      const legacy = (await getJson(server, `/api/users/${LEGACY.id}`)).body;
      assert.deepEqual(legacy.userCredentials, {
        username: 'legacy',
        userRoles: [{ id: ROLE.id }],
      });
    });
  });
}
