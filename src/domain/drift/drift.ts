/**
 * Drift (issue 23): what was changed on a local behind its central's back. The local's applied
 * versions imply a state (the fold of their snapshots in order: the newest object wins, carried
 * deletions apply; a rebaseline is a new base). The live metadata is compared with it through a
 * per-object hash of the content the last applied version gave each object (the baseline), so a
 * check is a comparison of two hash columns, not a rebuild of the implied state.
 */

/** How an object differs from the state the applied versions imply. */
export type DriftKind = 'changed' | 'created' | 'deleted';

export interface DriftCounts {
  changed: number;
  created: number;
  deleted: number;
}

/** One property that differs: its path (`name`, `options[2].code`), both values cut short. */
export interface DriftPath {
  path: string;
  /** The value the applied versions imply; undefined when the property is absent there. */
  implied?: string;
  /** The value live on this instance; undefined when the property is absent here. */
  live?: string;
}

export interface DriftObject {
  type: string;
  id: string;
  name: string | null;
  code: string | null;
  /** The version that last gave the object its content (changed and deleted objects). */
  version?: string;
  /** Changed objects: the properties that differ (at most MAX_PATHS). */
  paths?: DriftPath[];
  /** Changed objects: more paths differ than are listed. */
  morePaths?: boolean;
}

/** Where the implied state starts: the applied versions, or the state at a rebaseline. */
export interface DriftBase {
  kind: 'VERSIONS' | 'REBASELINE';
  /** The first version folded (VERSIONS) or the version rebaselined to (REBASELINE). */
  version: string;
  /** When the base was laid: the first version's import, or the rebaseline. */
  since: string;
  /** The version the baseline holds up to (the local's current version). */
  upTo: string;
}

export interface DriftReport {
  checkedAt: string;
  /** Null when no version was applied yet: nothing implies a state, so nothing can drift. */
  base: DriftBase | null;
  counts: DriftCounts;
  /** Counts per metadata type (plural key: dataElements), only types with drift. */
  types: Record<string, DriftCounts>;
  changed: DriftObject[];
  created: DriftObject[];
  deleted: DriftObject[];
  /** A list was cut at the limit asked for; the counts are always complete. */
  truncated: boolean;
  /** The properties a comparison ignores (./ignored-properties.ts). */
  ignoredProperties: string[];
}

/** The drift the status and the e-mails show (issue 23 §3). */
export interface DriftSummary extends DriftCounts {
  checkedAt: string;
}

export interface RepairInput {
  type?: string;
  ids?: string[];
  /** Also delete the objects created locally (never by default). */
  includeCreated?: boolean;
  dryRun?: boolean;
  reason: string;
  username: string;
  actorId: string;
}

export interface RepairResult {
  dryRun: boolean;
  /** Changed objects put back to their implied content. */
  restored: DriftObject[];
  /** Deleted objects created again. */
  recreated: DriftObject[];
  /** Objects created locally that were deleted (only with includeCreated). */
  removed: DriftObject[];
  /** Objects in scope that could not be repaired, and why (the import's messages). */
  failed: { type: string; id: string; message: string }[];
  /** The drift left after the repair (the dry run: the drift now). */
  after: DriftCounts;
}

export const noDrift = (): DriftCounts => ({ changed: 0, created: 0, deleted: 0 });

/** The drift use cases the HTTP routes, the CLI and the sync run call (services.drift). */
export interface DriftService {
  /** Compares the live metadata with the implied state now and records the counts. */
  check(options?: { limit?: number; type?: string }): Promise<DriftReport>;
  /** The last check's counts, for the status; null before any check. */
  summary(): Promise<DriftSummary | null>;
  /** Restores the implied state for the objects in scope, in one transaction, audited. */
  repair(input: RepairInput): Promise<RepairResult>;
}
