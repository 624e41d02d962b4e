/**
 * What a metadata import plan (./plan-import.ts, issue 4 §2) reads from the store and the caller,
 * and what it hands back to be written.
 */
import type { ImportParams } from './import-params.ts';
import type { ImportReport } from './import-report.ts';
import type { MetadataType } from './types.ts';

export interface StoredMeta {
  type: string;
  id: string;
  code: string | null;
  name: string | null;
  scope: string;
  contentHash: string;
  created: string;
  createdBy: string | null;
  /** For users: the stored password hash (a re-imported DHIS2 bcrypt hash equal to it is no change). */
  passwordHash?: string;
}

export interface ImportLookups {
  /** By idKey(type, id). */
  byId: ReadonlyMap<string, StoredMeta>;
  byCode: ReadonlyMap<string, StoredMeta>;
  byName: ReadonlyMap<string, StoredMeta>;
  byUnique: ReadonlyMap<string, StoredMeta>;
  /** Referenced ids that exist in the store. */
  existing: ReadonlySet<string>;
  /** For ids that may be deleted: the stored objects referencing them (by id, any type). */
  referencedBy: ReadonlyMap<string, readonly { type: string; id: string }[]>;
  /** Stored parent of each stored org unit on the chains above the payload's parents. */
  orgUnitParents?: ReadonlyMap<string, string>;
}

export interface PlanContext {
  params: ImportParams;
  now: Date;
  actorId: string;
  newUid: () => string;
  /**
   * A version's import (issue 23 §2): receives, for every object of the payload with an id, the
   * content hash its stored form has when imported, failed objects included. The drift
   * baseline: what the version says each object should be, whatever became of it here.
   */
  baseline?: BaselineRow[];
}

/** An object's hash as a version gives it (issue 23 §2). */
export interface BaselineRow {
  type: string;
  id: string;
  hash: string;
}

export interface PlannedWrite {
  op: 'create' | 'update';
  type: MetadataType;
  id: string;
  code: string | null;
  name: string | null;
  scope: string;
  payload: Record<string, unknown>;
  /** The store's own record of the write (an opaque payload keeps the sender's dates). */
  created: string;
  lastUpdated: string;
  createdBy: string;
  contentHash: string;
  refs: string[];
  /** Plain or pre-hashed password carried by a user object; never stored in the payload. */
  password: string | null;
}

export interface PlannedDelete {
  type: MetadataType;
  id: string;
  code: string | null;
}

export interface ImportPlan {
  writes: PlannedWrite[];
  deletes: PlannedDelete[];
  report: ImportReport;
}
