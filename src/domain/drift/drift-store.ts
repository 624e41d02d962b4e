/**
 * The drift store port (issue 23 §2). The baseline is written by a version's import, in its
 * transaction (`MetadataWriter.setBaseline`/`dropBaseline`); this port reads it against the live
 * objects. A check is three anti/inner joins of the baseline with the live objects' content hashes,
 * counted per type and listed up to a limit: no object's content is read unless it is listed.
 */
import type { ObjectKey } from '../versioning/snapshot-scope.ts';
import type { DriftKind, DriftSummary } from './drift.ts';

export interface DriftCount {
  type: string;
  kind: DriftKind;
  count: number;
}

/** A drifted object as the store lists it. */
export interface DriftRow {
  type: string;
  id: string;
  /** The live object's name and code (changed, created); null for a deleted one. */
  name: string | null;
  code: string | null;
  /** The version that gave it its content (changed, deleted); null for a created one. */
  version: string | null;
}

/**
 * How the baseline stands. VERSIONS: it follows the applied versions (`version` null);
 * REBASELINE: a rebaseline laid it from the live state (issue 23 §1: "a rebaseline is a new
 * base"). No record: versions were applied before drift was tracked, the baseline is to be folded.
 */
export interface DriftBaseRecord {
  kind: 'VERSIONS' | 'REBASELINE';
  version: string | null;
  at: Date;
}

export interface DriftStore {
  /** Drifted objects per type and kind; `exempt` objects never count (defaults, bootstrap). */
  counts(exempt: readonly ObjectKey[]): Promise<DriftCount[]>;
  /** Up to `limit` drifted objects of one kind, ordered by type then id. */
  list(
    kind: DriftKind,
    options: { limit: number; type?: string; exempt: readonly ObjectKey[] },
  ): Promise<DriftRow[]>;
  /** The baseline rows of the given objects (the repair's scope and the pre-import check). */
  baselineOf(keys: readonly ObjectKey[]): Promise<Map<string, { hash: string; version: string }>>;
  /**
   * A rebaseline (issue 23 §1): the live state becomes the base, every object's baseline its
   * live content hash, recorded as given by `version`, with a copy of its content (the version's
   * own snapshot is not here: a rebaseline imports nothing).
   */
  rebase(version: string, at: Date): Promise<void>;
  /** The content copies a rebaseline kept, by `type \0 id` (./implied-content.ts). */
  basePayloads(keys: readonly ObjectKey[]): Promise<Map<string, Record<string, unknown>>>;
  /** The baseline's standing; null when it is still to be folded (./baseline-fold.ts). */
  base(): Promise<DriftBaseRecord | null>;
  /** The fold is done: the baseline follows the versions from now on. */
  markFolded(at: Date): Promise<void>;
  /** The last check's counts (the status, the mails); null before any check. */
  saveSummary(summary: DriftSummary): Promise<void>;
  summary(): Promise<DriftSummary | null>;
}

/** `type \0 id`: a Map key for an object. */
export const keyOf = (type: string, id: string) => `${type}\u0000${id}`;
