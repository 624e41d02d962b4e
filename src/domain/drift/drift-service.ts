/**
 * The drift use cases (issue 23) and the hooks the sync calls: the counts after every run, the
 * drifted objects a version's import is told about beforehand, and the new base a rebaseline
 * lays.
 */
import { checkDrift, driftBase, driftCounts, KINDS, type DriftDeps } from './drift-check.ts';
import type { DriftService, DriftSummary } from './drift.ts';
import { DRIFT_EXEMPT } from './ignored-properties.ts';
import { repairDrift, type RepairDeps } from './drift-repair.ts';
import type { DriftedObject } from '../sync/sync-report.ts';

/** Drifted objects fetched before a version's import, per kind (issue 23 §3). */
const CANDIDATES = 10_000;

export interface DriftHooks {
  /** After a run: the counts now, recorded; null when no version was applied. */
  afterRun(): Promise<DriftSummary | null>;
  /** Before a version's import: what has drifted (up to 10,000 objects of each kind). */
  candidates(): Promise<DriftedObject[]>;
  /** A rebaseline to `version`: the live state becomes the base. */
  rebase(version: string, at: Date): Promise<void>;
  summary(): Promise<DriftSummary | null>;
}

export function createDriftService(deps: RepairDeps): DriftService & DriftHooks {
  const counted = async (d: DriftDeps) => {
    if (!(await driftBase(d))) return null;
    const { counts } = await driftCounts(d);
    const summary: DriftSummary = { ...counts, checkedAt: d.now().toISOString() };
    await d.store.saveSummary(summary);
    return summary;
  };
  return {
    check: (options) => checkDrift(deps, options),
    summary: () => deps.store.summary(),
    repair: (input) => repairDrift(deps, input),
    afterRun: () => counted(deps),
    async candidates() {
      if (!(await driftBase(deps))) return [];
      const out: DriftedObject[] = [];
      for (const kind of KINDS)
        for (const r of await deps.store.list(kind, { limit: CANDIDATES, exempt: DRIFT_EXEMPT }))
          out.push({ type: r.type, id: r.id, name: r.name, kind });
      return out;
    },
    rebase: (version, at) => deps.store.rebase(version, at),
  };
}
