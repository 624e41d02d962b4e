/**
 * Content for benchmark centrals: a chain of versions over generated metadata, and a fleet of
 * sync users. Shared by bench/central-one.ts (sync benchmarks) and bench/fleet-one.ts (load).
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createScryptHasher, DEFAULT_SCRYPT } from '../src/security/scrypt-hasher.ts';
import type { TestServer } from '../test/support/server.ts';
import { generateMetadata } from './generate.ts';

export type Post = (path: string, body?: unknown) => Promise<Response>;

/** POST as the admin; any answer but 2xx throws (a benchmark on a half-seeded central lies). */
export function poster(server: TestServer): Post {
  return async (p, body) => {
    const res = await server.request(p, {
      method: 'POST',
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return res;
  };
}

/**
 * Versioning on, `objects` generated objects as Version_1, then `versions - 1` further versions
 * each changing the descriptions of `changes` data elements (a moving window). Returns the count.
 */
export async function versionChain(
  post: Post,
  opts: { objects: number; versions: number; changes: number },
): Promise<number> {
  await post('/api/systemSettings', { keyVersionEnabled: true });
  const base = generateMetadata(opts.objects);
  await post('/api/metadata', base);
  await post('/api/metadata/version/create?type=ATOMIC');
  const des = base.dataElements!;
  for (let v = 0; v < opts.versions - 1; v++) {
    const from = (v * opts.changes) % des.length;
    const changed = des
      .slice(from, from + opts.changes)
      .map((d) => ({ ...d, description: `revision ${v}` }));
    await post('/api/metadata', { dataElements: changed });
    await post('/api/metadata/version/create?type=BEST_EFFORT');
  }
  return opts.versions;
}

export interface FleetUser {
  username: string;
  password: string;
  hash: string;
}

/**
 * `n` sync users with distinct passwords and their scrypt hashes (production parameters). Hashing
 * costs ~0.1 s of CPU each, so the hashes are computed once per machine and cached in the temp dir.
 */
export async function fleetUsers(n: number): Promise<FleetUser[]> {
  const key = createHash('sha256')
    .update(JSON.stringify([n, DEFAULT_SCRYPT]))
    .digest('hex');
  const file = path.join(os.tmpdir(), `metasync-bench-fleet-users-${key.slice(0, 12)}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as FleetUser[];
  } catch {
    const hasher = createScryptHasher();
    const users: FleetUser[] = [];
    // scrypt runs on libuv's thread pool: four at a time keeps both cores busy.
    for (let i = 0; i < n; i += 4) {
      const batch = Array.from({ length: Math.min(4, n - i) }, (_, k) => {
        const username = `sync-local-${String(i + k).padStart(4, '0')}`;
        const password = `Local-${i + k}-pw!`;
        return hasher.hash(password).then((hash) => ({ username, password, hash }));
      });
      users.push(...(await Promise.all(batch)));
    }
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(users));
    await rename(tmp, file);
    return users;
  }
}

/**
 * Imports the users (one role with F_METADATA_MANAGE, as a local's sync user needs) under one
 * throwaway password, hashed once, then gives each its own stored hash directly in the database.
 */
export async function createFleetUsers(server: TestServer, users: FleetUser[]): Promise<void> {
  const post = poster(server);
  const roleId = 'FleetRole01';
  const common = 'Fleet-common-1!';
  const id = (i: number) => `FleetUs${String(i).padStart(4, '0')}`;
  await post('/api/metadata', {
    userRoles: [{ id: roleId, name: 'Fleet sync', authorities: ['F_METADATA_MANAGE'] }],
    users: users.map((u, i) => ({
      id: id(i),
      username: u.username,
      firstName: 'Local',
      surname: String(i),
      password: common,
      userRoles: [{ id: roleId }],
    })),
  });
  const { db } = server.instance.database;
  for (const u of users)
    await db
      .updateTable('app_user')
      .set({ password_hash: u.hash })
      .where('username', '=', u.username)
      .execute();
}
