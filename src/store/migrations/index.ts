/** The ordered list of migrations. Append only: a released migration is never edited. */
import type { Migration } from 'kysely';
import * as m0001 from './0001-init.ts';
import * as m0002 from './0002-metadata.ts';
import * as m0003 from './0003-versions.ts';
import * as m0004 from './0004-sync.ts';
import * as m0005 from './0005-data.ts';
import * as m0006 from './0006-jobs.ts';
import * as m0007 from './0007-version-hash-not-unique.ts';
import * as m0008 from './0008-tracker.ts';
import * as m0009 from './0009-login-failure-client.ts';
import * as m0010 from './0010-partial-download.ts';
import * as m0011 from './0011-signing-key.ts';
import * as m0012 from './0012-local-signing-keys.ts';
import * as m0013 from './0013-fleet-tree.ts';
import * as m0014 from './0014-rollout.ts';
import * as m0015 from './0015-drift.ts';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-init': m0001,
  '0002-metadata': m0002,
  '0003-versions': m0003,
  '0004-sync': m0004,
  '0005-data': m0005,
  '0006-jobs': m0006,
  '0007-version-hash-not-unique': m0007,
  '0008-tracker': m0008,
  '0009-login-failure-client': m0009,
  '0010-partial-download': m0010,
  '0011-signing-key': m0011,
  '0012-local-signing-keys': m0012,
  '0013-fleet-tree': m0013,
  '0014-rollout': m0014,
  '0015-drift': m0015,
};
