/**
 * What a central's snapshots hold beyond "every object changed in the range" (issue 16 §7).
 *
 * metasync's bootstrap superuser and its role carry DHIS2's fixed ids (`M5zQapPyTZI`,
 * `yrB6vc5Ip3r`, see auth/users.ts), because every DHIS2 instance has them too. A DHIS2 local
 * importing them would replace its own administrator (name, org unit assignments, roles). So they
 * stay out of every snapshot, their deletions included, unless
 * `keyVersionIncludeBootstrapAdmin` says otherwise. Other users that reference the Superuser role
 * by id still import everywhere: DHIS2 and metasync both have the role under that id.
 *
 * The "nothing changed" check and the preview count the same objects the snapshot holds, so a
 * change to the excluded objects alone makes no new version (docs/protocol.md).
 */
import { SUPERUSER } from '../auth/users.ts';

/** An object by its plural type key and id. */
export interface ObjectKey {
  type: string;
  id: string;
}

export interface SnapshotScope {
  /** keyVersionIncludeDeletions: carry `deletedObjects` (issue 5 §5). */
  includeDeletions: boolean;
  /** Objects left out of the snapshot, as objects and as deletions. */
  excluded: readonly ObjectKey[];
}

export const BOOTSTRAP_OBJECTS: readonly ObjectKey[] = [
  { type: 'users', id: SUPERUSER.userId },
  { type: 'userRoles', id: SUPERUSER.roleId },
];

/** The scope the two versioning settings give. */
export async function snapshotScope(
  setting: (key: string) => Promise<unknown>,
): Promise<SnapshotScope> {
  const includeDeletions = (await setting('keyVersionIncludeDeletions')) === true;
  const includeAdmin = (await setting('keyVersionIncludeBootstrapAdmin')) === true;
  return { includeDeletions, excluded: includeAdmin ? [] : BOOTSTRAP_OBJECTS };
}
