/**
 * The escalation rule (domain/auth/escalation.ts) over in-memory users and roles: what
 * `refuseEscalation` refuses, what it lets through, and that a holder of ALL is never looked up.
 * The HTTP cases are in security-escalation.test.ts; the import use case's own check in
 * escalation-import.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refuseEscalation } from '../../src/domain/auth/escalation.ts';
import { isAppError } from '../../src/domain/errors.ts';

type Json = Record<string, unknown>;

const stored: Record<string, Json[]> = {
  userRoles: [
    { id: 'roleAdmin01', code: 'ADMINS', name: 'Admins', authorities: ['ALL'] },
    { id: 'roleImport1', name: 'Importers', authorities: ['F_METADATA_IMPORT'] },
  ],
  users: [
    { id: 'userBoss001', code: 'BOSS', username: 'boss', userRoles: [{ id: 'roleAdmin01' }] },
    { id: 'userPlain01', username: 'plain', userRoles: [{ id: 'roleImport1' }] },
  ],
};

function lister() {
  const calls: string[] = [];
  const list = async (type: string) => {
    calls.push(type);
    return stored[type] ?? [];
  };
  return { calls, list };
}

const importer = new Set(['F_METADATA_IMPORT']);

async function refusedWith(payload: Json, pattern: RegExp): Promise<void> {
  await assert.rejects(
    refuseEscalation(payload, importer, lister().list),
    (e: unknown) => isAppError(e) && e.code === 'FORBIDDEN' && pattern.test(e.message),
    `expected FORBIDDEN matching ${String(pattern)} for ${JSON.stringify(payload)}`,
  );
}

describe('refuseEscalation', () => {
  it('refuses a new role granting an authority the actor lacks', () =>
    refusedWith({ userRoles: [{ name: 'Mine', authorities: ['ALL'] }] }, /would grant ALL/));

  it('refuses changing a stored role that holds more, found by code', () =>
    refusedWith(
      { userRoles: [{ code: 'ADMINS', name: 'Renamed', authorities: [] }] },
      /holds ALL/,
    ));

  it('refuses giving a user a privileged role referenced by code', () =>
    refusedWith(
      { users: [{ username: 'newbie', userRoles: [{ code: 'ADMINS' }] }] },
      /newbie would get ALL/,
    ));

  it('refuses touching a privileged user found by username in the legacy userCredentials', () =>
    refusedWith(
      { users: [{ userCredentials: { username: 'boss', password: 'x' } }] },
      /boss holds ALL/,
    ));

  it('lets through writes within the actor’s authorities', async () => {
    await refuseEscalation(
      {
        userRoles: [{ name: 'More importers', authorities: ['F_METADATA_IMPORT'] }],
        users: [{ username: 'plain', userRoles: [{ id: 'roleImport1' }] }],
        dataElements: [{ name: 'not a user or role' }],
      },
      importer,
      lister().list,
    );
  });

  it('reads nothing for a holder of ALL', async () => {
    const { calls, list } = lister();
    await refuseEscalation(
      { users: [{ username: 'boss', password: 'y' }] },
      new Set(['ALL']),
      list,
    );
    assert.deepEqual(calls, [], 'ALL should not need a lookup');
  });

  it('lists each type once per check, however many refs', async () => {
    const { calls, list } = lister();
    await refuseEscalation(
      {
        users: [
          { username: 'plain', userRoles: [{ id: 'roleImport1' }, { id: 'roleImport1' }] },
          { username: 'other', userRoles: [{ id: 'roleImport1' }] },
        ],
      },
      importer,
      list,
    );
    assert.deepEqual(calls.sort(), ['userRoles', 'users']);
  });

  it('ignores a body that is not an object (the import refuses it itself)', async () => {
    for (const body of [null, 'x', 42, [], { users: 'x', userRoles: [null, 1] }])
      await refuseEscalation(body, importer, lister().list);
  });
});
