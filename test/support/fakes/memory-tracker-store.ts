/**
 * The tracker part of the in-memory DataStore (./memory-data-store.ts): tracked entities,
 * enrollments and their events, numbered by the data store's one counter. As in the database, an
 * enrollment needs its tracked entity and an event its enrollment (foreign keys), and an upsert
 * keeps the row's `created`.
 */
import type { TrackerStore } from '../../../src/domain/data/tracker-store.ts';
import type {
  EnrollmentEventRow,
  EnrollmentRow,
  TrackedEntityRow,
  TrackedEntityTree,
} from '../../../src/domain/data/tracker.ts';
import type { MemoryMetadataStore } from './memory-metadata-store.ts';
import { foreignKeyViolation, refuseNul } from './unique-violation.ts';

export interface TrackerTables {
  seq: number;
  trackedEntities: Map<string, TrackedEntityRow>;
  enrollments: Map<string, EnrollmentRow>;
  enrollmentEvents: Map<string, EnrollmentEventRow>;
}

const iso = (d: string) => new Date(d).toISOString();
const isoOrNull = (d: string | null) => (d === null ? null : iso(d));
const byUid = (a: { uid: string }, b: { uid: string }) =>
  a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0;

export function createMemoryTrackerStore(
  numbered: <T>(fn: (t: TrackerTables) => T) => Promise<T>,
  tables: () => TrackerTables,
  descendants: (roots: readonly string[]) => Promise<Set<string>>,
  metadata: MemoryMetadataStore,
): TrackerStore {
  const treeOf = (t: TrackerTables, tei: TrackedEntityRow): TrackedEntityTree => {
    const enrollments = [...t.enrollments.values()]
      .filter((e) => e.trackedEntity === tei.uid)
      .sort(byUid);
    const ids = new Set(enrollments.map((e) => e.uid));
    const events = [...t.enrollmentEvents.values()]
      .filter((e) => ids.has(e.enrollment))
      .sort(byUid);
    return structuredClone({ trackedEntity: tei, enrollments, events });
  };

  return {
    async writeTracker(keys, plan, dryRun) {
      return numbered((t) => {
        const teis = keys.trackedEntities.flatMap((uid) => t.trackedEntities.get(uid) ?? []);
        const owners = new Set(keys.trackedEntities);
        const enrollments = [...t.enrollments.values()].filter(
          (e) => keys.enrollments.includes(e.uid) || owners.has(e.trackedEntity),
        );
        const enrollmentIds = new Set(enrollments.map((e) => e.uid));
        const events = [...t.enrollmentEvents.values()].filter(
          (e) => keys.events.includes(e.uid) || enrollmentIds.has(e.enrollment),
        );
        const result = plan(
          structuredClone({
            trackedEntities: new Map(teis.map((r) => [r.uid, r])),
            enrollments: new Map(enrollments.map((r) => [r.uid, r])),
            events: new Map(events.map((r) => [r.uid, r])),
          }),
        );
        if (dryRun) return result;
        const { trackedEntities, enrollments: ens, events: evs } = structuredClone(result.writes);
        for (const r of trackedEntities) {
          refuseNul(r);
          const created = t.trackedEntities.get(r.uid)?.created ?? iso(r.created);
          t.trackedEntities.set(r.uid, { ...r, created, lastUpdated: iso(r.lastUpdated) });
          t.seq++;
        }
        for (const r of ens) {
          refuseNul(r);
          if (!t.trackedEntities.has(r.trackedEntity))
            throw foreignKeyViolation(`enrollment.tracked_entity ${r.trackedEntity}`);
          const created = t.enrollments.get(r.uid)?.created ?? iso(r.created);
          t.enrollments.set(r.uid, {
            ...r,
            enrollmentDate: isoOrNull(r.enrollmentDate),
            incidentDate: isoOrNull(r.incidentDate),
            created,
            lastUpdated: iso(r.lastUpdated),
          });
          t.seq++;
        }
        for (const r of evs) {
          refuseNul(r);
          if (!t.enrollments.has(r.enrollment))
            throw foreignKeyViolation(`enrollment_event.enrollment ${r.enrollment}`);
          const created = t.enrollmentEvents.get(r.uid)?.created ?? iso(r.created);
          t.enrollmentEvents.set(r.uid, {
            ...r,
            eventDate: isoOrNull(r.eventDate),
            dueDate: isoOrNull(r.dueDate),
            created,
            lastUpdated: iso(r.lastUpdated),
          });
          t.seq++;
        }
        return result;
      });
    },

    async queryTrackedEntities(q) {
      let under: Set<string> | null = null;
      if (q.orgUnits && q.ouMode !== 'ALL') {
        const roots = [...q.orgUnits];
        if (q.ouMode === 'DESCENDANTS') under = await descendants(roots);
        else if (q.ouMode === 'CHILDREN') {
          under = new Set(roots);
          for (const u of metadata.objects('organisationUnits'))
            if (roots.includes((u.payload.parent as { id?: string } | undefined)?.id ?? ''))
              under.add(u.id);
        } else under = new Set(roots);
      }
      const t = tables();
      const matching = [...t.trackedEntities.values()]
        .filter(
          (r) =>
            (q.includeDeleted || !r.deleted) &&
            (!q.trackedEntityType || r.trackedEntityType === q.trackedEntityType) &&
            (!q.uids || q.uids.includes(r.uid)) &&
            (!q.program ||
              [...t.enrollments.values()].some(
                (e) =>
                  e.trackedEntity === r.uid &&
                  e.program === q.program &&
                  (q.includeDeleted || !e.deleted),
              )) &&
            (!under || under.has(r.orgUnit)),
        )
        .sort(byUid);
      const page = matching.slice(q.offset, q.limit === null ? undefined : q.offset + q.limit);
      return { trees: page.map((r) => treeOf(t, r)), total: matching.length };
    },
  };
}
