/**
 * An in-memory DataStore (data values, registrations, events and the tracker part), held to the
 * same conformance suites as the database one: one change counter numbers every written row in
 * write order, writers run one at a time and a throw writes nothing, an upsert keeps the key
 * (and, for events and tracker rows, `created`) and replaces the rest. Metadata (for `resolve`
 * and the org unit tree) is read from `metadata`'s rows, as the database store reads metadata_object.
 */
import type { ChangeWindow, ChangedPage, DataStore } from '../../../src/domain/data/data-store.ts';
import { dataValueKey, wireValue, type DataValue } from '../../../src/domain/data/data-values.ts';
import type { AnonymousEvent } from '../../../src/domain/data/events.ts';
import { registrationKey, type Registration } from '../../../src/domain/data/registrations.ts';
import type { MemoryMetadataStore } from './memory-metadata-store.ts';
import { createMemoryTrackerStore, type TrackerTables } from './memory-tracker-store.ts';
import { refuseNul } from './unique-violation.ts';

const iso = (d: string) => new Date(d).toISOString();
type Numbered<T> = { row: T; seq: number };

/** Rows ordered by the listed string columns, as `order by a, b, …` does. */
const byColumns =
  <T>(...cols: ((r: T) => string)[]) =>
  (a: T, b: T) => {
    for (const c of cols) {
      const [x, y] = [c(a), c(b)];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

interface DataTables extends TrackerTables {
  values: Map<string, Numbered<DataValue>>;
  registrations: Map<string, Numbered<Registration>>;
  events: Map<string, Numbered<AnonymousEvent> & { synchronized: Date | null }>;
}

export function createMemoryDataStore(metadata: MemoryMetadataStore): DataStore {
  const tables: DataTables = {
    seq: 0,
    values: new Map(),
    registrations: new Map(),
    events: new Map(),
    trackedEntities: new Map(),
    enrollments: new Map(),
    enrollmentEvents: new Map(),
  };
  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `fn` alone on a copy of the tables; the copy replaces them only if `fn` returns. */
  const numbered = <T>(fn: (t: DataTables) => T): Promise<T> => {
    const run = queue.then(() => {
      const draft = structuredClone(tables);
      const out = fn(draft);
      Object.assign(tables, draft);
      return out;
    });
    queue = run.catch(() => undefined);
    return run;
  };

  const parentOf = (ou: Record<string, unknown>) =>
    (ou.parent as { id?: string } | undefined)?.id ?? null;
  const descendants = async (roots: readonly string[]) => {
    const units = await metadata.list('organisationUnits');
    const out = new Set(roots);
    for (let grew = true; grew;) {
      grew = false;
      for (const u of units) {
        const p = parentOf(u);
        if (p !== null && out.has(p) && !out.has(u.id as string)) {
          out.add(u.id as string);
          grew = true;
        }
      }
    }
    return out;
  };
  const window = <T>(
    rows: Iterable<Numbered<T>>,
    w: ChangeWindow,
    lastUpdated: (r: T) => string,
  ): ChangedPage<T> => {
    const page = [...rows]
      .filter(
        (r) =>
          r.seq > w.after &&
          r.seq <= w.upTo &&
          (!w.skipBefore || Date.parse(lastUpdated(r.row)) >= w.skipBefore.getTime()),
      )
      .sort((a, b) => a.seq - b.seq)
      .slice(0, w.limit);
    return {
      rows: page.map((r) => structuredClone(r.row)),
      lastSeq: page.length > 0 ? page[page.length - 1]!.seq : w.upTo,
    };
  };
  const tracker = createMemoryTrackerStore(numbered, () => tables, descendants, metadata);

  return {
    ...tracker,
    async resolve(type, keys, scheme) {
      const wanted = new Set(keys);
      const out = new Map<string, Record<string, unknown>>();
      for (const o of metadata.objects(type)) {
        const key = scheme === 'CODE' ? o.code : o.id;
        if (key !== null && wanted.has(key)) out.set(key, o.payload);
      }
      // Option combos are always accepted by UID too (DHIS2's default is sent by UID).
      if (scheme === 'CODE' && type === 'categoryOptionCombos')
        for (const [k, v] of await this.resolve(type, keys, 'UID')) if (!out.has(k)) out.set(k, v);
      return out;
    },

    async writeDataValues(incoming, plan, dryRun) {
      return numbered((t) => {
        const stored = new Map<string, DataValue>();
        for (const v of incoming) {
          const row = t.values.get(dataValueKey(v));
          if (row) stored.set(dataValueKey(v), structuredClone(row.row));
        }
        const result = plan(stored);
        if (dryRun) return result;
        for (const v of result.writes) {
          refuseNul(v);
          const row = { ...v, created: iso(v.created), lastUpdated: iso(v.lastUpdated) };
          t.values.set(dataValueKey(v), { row, seq: ++t.seq });
        }
        return result;
      });
    },

    async queryDataValues(q) {
      const ous = q.orgUnits && (q.children ? await descendants(q.orgUnits) : new Set(q.orgUnits));
      const rows = [...tables.values.values()]
        .map((r) => r.row)
        .filter(
          (v) =>
            (!q.dataElements || q.dataElements.includes(v.dataElement)) &&
            (!q.periods || q.periods.includes(v.period)) &&
            (!ous || ous.has(v.orgUnit)) &&
            (!q.lastUpdated || Date.parse(v.lastUpdated) >= q.lastUpdated.getTime()) &&
            (q.includeDeleted || !v.deleted),
        )
        .sort(
          byColumns(
            (v) => v.period,
            (v) => v.orgUnit,
            (v) => v.dataElement,
            (v) => v.categoryOptionCombo,
          ),
        );
      return structuredClone(q.limit ? rows.slice(0, q.limit) : rows);
    },

    async changedDataValues(w) {
      return window(tables.values.values(), w, (v) => v.lastUpdated);
    },

    async changedDataValuesJson(w) {
      const { rows, lastSeq } = await this.changedDataValues(w);
      return {
        json: JSON.stringify(rows.map(wireValue)).slice(1, -1),
        count: rows.length,
        lastSeq,
      };
    },

    async writeRegistrations(incoming, plan, dryRun) {
      return numbered((t) => {
        const stored = new Map<string, Registration>();
        for (const r of incoming) {
          const row = t.registrations.get(registrationKey(r));
          if (row) stored.set(registrationKey(r), structuredClone(row.row));
        }
        const result = plan(stored);
        if (dryRun) return result;
        for (const r of result.writes) {
          refuseNul(r);
          const row = { ...r, date: iso(r.date), lastUpdated: iso(r.lastUpdated) };
          t.registrations.set(registrationKey(r), { row, seq: ++t.seq });
        }
        return result;
      });
    },

    async queryRegistrations(q) {
      return structuredClone(
        [...tables.registrations.values()]
          .map((r) => r.row)
          .filter(
            (r) =>
              !r.deleted &&
              (!q.dataSets || q.dataSets.includes(r.dataSet)) &&
              (!q.periods || q.periods.includes(r.period)) &&
              (!q.orgUnits || q.orgUnits.includes(r.organisationUnit)),
          )
          .sort(
            byColumns(
              (r) => r.period,
              (r) => r.organisationUnit,
              (r) => r.dataSet,
            ),
          ),
      );
    },

    async changedRegistrations(w) {
      return window(tables.registrations.values(), w, (r) => r.lastUpdated);
    },

    async writeEvents(incoming, plan, dryRun) {
      return numbered((t) => {
        const stored = new Map<string, AnonymousEvent>();
        for (const e of incoming) {
          const row = t.events.get(e.event);
          if (row) stored.set(e.event, structuredClone(row.row));
        }
        const result = plan(stored);
        if (dryRun) return result;
        for (const e of result.writes) {
          refuseNul(e);
          const old = t.events.get(e.event);
          const row = {
            ...structuredClone(e),
            eventDate: iso(e.eventDate),
            created: old ? old.row.created : iso(e.created),
            lastUpdated: iso(e.lastUpdated),
          };
          t.events.set(e.event, { row, seq: ++t.seq, synchronized: old?.synchronized ?? null });
        }
        return result;
      });
    },

    async queryEvents(q) {
      return structuredClone(
        [...tables.events.values()]
          .map((r) => r.row)
          .filter(
            (e) =>
              !e.deleted &&
              (!q.program || e.program === q.program) &&
              (!q.orgUnit || e.orgUnit === q.orgUnit),
          )
          .sort(
            (a, b) =>
              Date.parse(a.eventDate) - Date.parse(b.eventDate) ||
              (a.event < b.event ? -1 : a.event > b.event ? 1 : 0),
          )
          .slice(0, q.limit ?? 50_000),
      );
    },

    async changedEvents(w) {
      return window(tables.events.values(), w, (e) => e.lastUpdated);
    },

    async markEventsSynchronized(uids, at) {
      for (const uid of uids) {
        const e = tables.events.get(uid);
        if (e) e.synchronized = new Date(at);
      }
    },

    async committedSeq() {
      return tables.seq;
    },
  };
}
