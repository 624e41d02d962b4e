/**
 * The tracker part of the DataStore over Kysely (PostgreSQL and PGlite), issue 16 §1. Writes run
 * in the data store's numbered transaction (the data change counter locked first), so tracker
 * rows are numbered in commit order with every other data row. Parents are written before their
 * children (the tables reference each other).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { TrackerStore } from '../domain/data/tracker-store.ts';
import type {
  EnrollmentEventRow,
  EnrollmentRow,
  TrackedEntityRow,
  TrackedEntityTree,
} from '../domain/data/tracker.ts';
import { chunks } from './chunks.ts';
import { columnsOf, iso, numbered, upsertRows } from './kysely-data-rows.ts';
import { ROWS } from './kysely-data-values.ts';
import type {
  Database,
  EnrollmentEventTable,
  EnrollmentTable,
  TrackedEntityTable,
} from './schema.ts';

const date = (d: Date | string | null) => (d === null ? null : iso(d));

const toTrackedEntity = (r: Selectable<TrackedEntityTable>): TrackedEntityRow => ({
  uid: r.uid,
  trackedEntityType: r.tracked_entity_type,
  orgUnit: r.org_unit,
  payload: r.payload,
  deleted: r.deleted,
  created: iso(r.created),
  lastUpdated: iso(r.last_updated),
});
const toEnrollment = (r: Selectable<EnrollmentTable>): EnrollmentRow => ({
  uid: r.uid,
  trackedEntity: r.tracked_entity,
  program: r.program,
  orgUnit: r.org_unit,
  status: r.status,
  enrollmentDate: date(r.enrollment_date),
  incidentDate: date(r.incident_date),
  payload: r.payload,
  deleted: r.deleted,
  created: iso(r.created),
  lastUpdated: iso(r.last_updated),
});
const toEvent = (r: Selectable<EnrollmentEventTable>): EnrollmentEventRow => ({
  uid: r.uid,
  enrollment: r.enrollment,
  program: r.program,
  programStage: r.program_stage,
  orgUnit: r.org_unit,
  status: r.status,
  eventDate: date(r.event_date),
  dueDate: date(r.due_date),
  attributeOptionCombo: r.attribute_option_combo,
  payload: r.payload,
  deleted: r.deleted,
  created: iso(r.created),
  lastUpdated: iso(r.last_updated),
});

/** Rows whose `column` is one of `keys`, fetched a chunk at a time. */
async function rowsWhere<T extends 'tracked_entity' | 'enrollment' | 'enrollment_event'>(
  db: Kysely<Database>,
  table: T,
  column: string,
  keys: readonly string[],
): Promise<Selectable<Database[T]>[]> {
  const out: Selectable<Database[T]>[] = [];
  for (const part of chunks([...new Set(keys)]))
    out.push(
      ...((await db
        .selectFrom(table as 'tracked_entity')
        .selectAll()
        .where(sql<boolean>`${sql.ref(column)} = any(${part}::text[])`)
        .execute()) as Selectable<Database[T]>[]),
    );
  return out;
}

/** Every enrollment and event of these tracked entities (deleted included). */
async function treesOf(
  db: Kysely<Database>,
  teis: TrackedEntityRow[],
): Promise<TrackedEntityTree[]> {
  const enrollments = (
    await rowsWhere(
      db,
      'enrollment',
      'tracked_entity',
      teis.map((t) => t.uid),
    )
  )
    .map(toEnrollment)
    .sort((a, b) => a.uid.localeCompare(b.uid));
  const events = (
    await rowsWhere(
      db,
      'enrollment_event',
      'enrollment',
      enrollments.map((e) => e.uid),
    )
  )
    .map(toEvent)
    .sort((a, b) => a.uid.localeCompare(b.uid));
  return teis.map((t) => {
    const own = enrollments.filter((e) => e.trackedEntity === t.uid);
    const ids = new Set(own.map((e) => e.uid));
    return {
      trackedEntity: t,
      enrollments: own,
      events: events.filter((e) => ids.has(e.enrollment)),
    };
  });
}

export function createKyselyTrackerStore(db: Kysely<Database>): TrackerStore {
  return {
    async writeTracker(keys, plan, dryRun) {
      return numbered(db, async (trx, next) => {
        const teis = (await rowsWhere(trx, 'tracked_entity', 'uid', keys.trackedEntities)).map(
          toTrackedEntity,
        );
        const enrollments = [
          ...(await rowsWhere(trx, 'enrollment', 'uid', keys.enrollments)),
          ...(await rowsWhere(trx, 'enrollment', 'tracked_entity', keys.trackedEntities)),
        ].map(toEnrollment);
        const events = [
          ...(await rowsWhere(trx, 'enrollment_event', 'uid', keys.events)),
          ...(await rowsWhere(
            trx,
            'enrollment_event',
            'enrollment',
            enrollments.map((e) => e.uid),
          )),
        ].map(toEvent);
        const result = plan({
          trackedEntities: new Map(teis.map((r) => [r.uid, r])),
          enrollments: new Map(enrollments.map((r) => [r.uid, r])),
          events: new Map(events.map((r) => [r.uid, r])),
        });
        if (dryRun) return result;
        const { trackedEntities, enrollments: ens, events: evs } = result.writes;
        // One unnest upsert per table and 10k rows (issue 18 §2), parents first; `created` stays.
        const seq = <T>(rows: readonly T[]) => ({
          name: 'seq',
          type: 'bigint' as const,
          values: rows.map(() => next()),
        });
        for (const part of chunks(trackedEntities, ROWS))
          await upsertRows(
            trx,
            'tracked_entity',
            ['uid'],
            ['created'],
            [
              ...columnsOf(part, [
                ['uid', 'text', (t) => t.uid],
                ['tracked_entity_type', 'text', (t) => t.trackedEntityType],
                ['org_unit', 'text', (t) => t.orgUnit],
                ['payload', 'json', (t) => JSON.stringify(t.payload)],
                ['deleted', 'boolean', (t) => t.deleted],
                ['created', 'timestamptz', (t) => t.created],
                ['last_updated', 'timestamptz', (t) => t.lastUpdated],
              ]),
              seq(part),
            ],
          );
        for (const part of chunks(ens, ROWS))
          await upsertRows(
            trx,
            'enrollment',
            ['uid'],
            ['created'],
            [
              ...columnsOf(part, [
                ['uid', 'text', (e) => e.uid],
                ['tracked_entity', 'text', (e) => e.trackedEntity],
                ['program', 'text', (e) => e.program],
                ['org_unit', 'text', (e) => e.orgUnit],
                ['status', 'text', (e) => e.status],
                ['enrollment_date', 'timestamptz', (e) => e.enrollmentDate],
                ['incident_date', 'timestamptz', (e) => e.incidentDate],
                ['payload', 'json', (e) => JSON.stringify(e.payload)],
                ['deleted', 'boolean', (e) => e.deleted],
                ['created', 'timestamptz', (e) => e.created],
                ['last_updated', 'timestamptz', (e) => e.lastUpdated],
              ]),
              seq(part),
            ],
          );
        for (const part of chunks(evs, ROWS))
          await upsertRows(
            trx,
            'enrollment_event',
            ['uid'],
            ['created'],
            [
              ...columnsOf(part, [
                ['uid', 'text', (e) => e.uid],
                ['enrollment', 'text', (e) => e.enrollment],
                ['program', 'text', (e) => e.program],
                ['program_stage', 'text', (e) => e.programStage],
                ['org_unit', 'text', (e) => e.orgUnit],
                ['status', 'text', (e) => e.status],
                ['event_date', 'timestamptz', (e) => e.eventDate],
                ['due_date', 'timestamptz', (e) => e.dueDate],
                ['attribute_option_combo', 'text', (e) => e.attributeOptionCombo],
                ['payload', 'json', (e) => JSON.stringify(e.payload)],
                ['deleted', 'boolean', (e) => e.deleted],
                ['created', 'timestamptz', (e) => e.created],
                ['last_updated', 'timestamptz', (e) => e.lastUpdated],
              ]),
              seq(part),
            ],
          );
        return result;
      });
    },

    async queryTrackedEntities(q) {
      let base = db.selectFrom('tracked_entity as t');
      if (!q.includeDeleted) base = base.where('t.deleted', '=', false);
      if (q.trackedEntityType) base = base.where('t.tracked_entity_type', '=', q.trackedEntityType);
      if (q.uids) base = base.where(sql<boolean>`t.uid = any(${[...q.uids]}::text[])`);
      if (q.program)
        base = base.where(
          sql<boolean>`exists (select 1 from enrollment e where e.tracked_entity = t.uid
            and e.program = ${q.program} and (${q.includeDeleted} or not e.deleted))`,
        );
      if (q.orgUnits && q.ouMode !== 'ALL') {
        const roots = [...q.orgUnits];
        const under =
          q.ouMode === 'DESCENDANTS'
            ? sql`with recursive tree(id) as (select unnest(${roots}::text[]) union
                select o.id from metadata_object o join tree on o.type = 'organisationUnits'
                  and o.payload->'parent'->>'id' = tree.id) select id from tree`
            : q.ouMode === 'CHILDREN'
              ? sql`select unnest(${roots}::text[]) union select id from metadata_object
                  where type = 'organisationUnits' and payload->'parent'->>'id' = any(${roots}::text[])`
              : sql`select unnest(${roots}::text[])`;
        base = base.where(sql<boolean>`t.org_unit in (${under})`);
      }
      const { total } = await base
        .select((eb) => eb.fn.countAll<string>().as('total'))
        .executeTakeFirstOrThrow();
      let page = base.selectAll('t').orderBy('t.uid').offset(q.offset);
      if (q.limit !== null) page = page.limit(q.limit);
      const teis = (await page.execute()).map(toTrackedEntity);
      return { trees: await treesOf(db, teis), total: Number(total) };
    },
  };
}
