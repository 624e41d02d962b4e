/**
 * The data import use cases (issue 7 §1–§3): resolve references, validate each item into a value
 * or a conflict, then plan and write the page in one transaction. Bad items are conflicts in the
 * summary, never exceptions (house rule 6); a page is committed whole or (dryRun) not at all.
 */
import { errors } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { hasUnstorableText } from '../text.ts';
import type { DataStore, IdScheme } from './data-store.ts';
import {
  planDataValues,
  referenceKeys,
  dataValueValidator,
  type DataImportStrategy,
  type DataValue,
  type DataValueInput,
  type SetDefaults,
} from './data-values.ts';
import { planEvent, validateEvent, type AnonymousEvent, type EventStrategy } from './events.ts';
import {
  emptyCount,
  rollUp,
  summarize,
  type ImportConflict,
  type ImportSummaries,
  type ImportSummary,
} from './import-summary.ts';
import { planRegistrations, validateRegistration, type Registration } from './registrations.ts';
import { importTrackedEntities, type TrackerImportParams } from './import-tracker.ts';

export interface DataDeps {
  store: DataStore;
  clock: Clock;
  newUid: () => string;
}

export interface DataValueSetParams {
  importStrategy: DataImportStrategy;
  dryRun: boolean;
  idScheme: IdScheme;
}

const asList = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v)
    ? v.map((x) => (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>)
    : [];
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Text the database cannot store refuses the whole import (400, nothing written): otherwise it
 * failed the lookups or the write with a database error, a 500 (issue 10 §5, found by fuzzing).
 */
function refuseUnstorable(body: Record<string, unknown>): void {
  if (hasUnstorableText(body))
    throw errors.badRequest(
      'The import holds text with U+0000 or an unpaired surrogate, which cannot be stored',
    );
}

/** Maps each key to the UID it names. */
async function ids(deps: DataDeps, type: string, keys: string[], scheme: IdScheme) {
  const found = await deps.store.resolve(type, keys, scheme);
  return new Map([...found].map(([k, p]) => [k, String(p.id)]));
}

export async function importDataValueSet(
  deps: DataDeps,
  body: Record<string, unknown>,
  params: DataValueSetParams,
): Promise<ImportSummary> {
  refuseUnstorable(body);
  const values = asList(body.dataValues) as DataValueInput[];
  const defaults: SetDefaults = {
    period: str(body.period),
    orgUnit: str(body.orgUnit),
    attributeOptionCombo: str(body.attributeOptionCombo),
  };
  const conflicts: ImportConflict[] = [];
  const dataSet = str(body.dataSet);
  if (dataSet && (await deps.store.resolve('dataSets', [dataSet], params.idScheme)).size === 0) {
    const summary = summarize(
      emptyCount(),
      [
        {
          object: dataSet,
          value: `Data set not found or not accessible: \`${dataSet}\``,
          errorCode: 'E7600',
        },
      ],
      0,
      'Import process was aborted',
    );
    return { ...summary, status: 'ERROR' };
  }
  const keys = referenceKeys(values, defaults);
  const des = await deps.store.resolve('dataElements', keys.dataElements, params.idScheme);
  const refs = {
    dataElements: new Map(
      [...des].map(([k, p]) => [k, { id: String(p.id), valueType: String(p.valueType ?? 'TEXT') }]),
    ),
    orgUnits: await ids(deps, 'organisationUnits', keys.orgUnits, params.idScheme),
    optionCombos: await ids(deps, 'categoryOptionCombos', keys.optionCombos, params.idScheme),
  };
  const validate = dataValueValidator(defaults, refs, deps.clock.now().toISOString());
  const valid: DataValue[] = [];
  for (let i = 0; i < values.length; i++) {
    const r = validate(values[i]!, i);
    if (r.ok) valid.push(r.value);
    else conflicts.push(r.conflict);
  }
  const plan = await deps.store.writeDataValues(
    valid,
    (stored) => planDataValues(valid, stored, params.importStrategy),
    params.dryRun,
  );
  const count = { ...plan.count, ignored: plan.count.ignored + conflicts.length };
  return summarize(
    count,
    [...conflicts, ...plan.conflicts],
    conflicts.length + plan.conflicts.length,
  );
}

export async function importRegistrations(
  deps: DataDeps,
  body: Record<string, unknown>,
  dryRun: boolean,
): Promise<ImportSummary> {
  refuseUnstorable(body);
  const items = asList(body.completeDataSetRegistrations);
  const pick = (k: string, alt?: string) => [
    ...new Set(
      items
        .map((i) => str(i[k]) ?? (alt ? str(i[alt]) : undefined))
        .filter((x): x is string => !!x),
    ),
  ];
  const idSet = async (type: string, keys: string[]) =>
    new Set((await deps.store.resolve(type, keys, 'UID')).keys());
  const refs = {
    dataSets: await idSet('dataSets', pick('dataSet')),
    orgUnits: await idSet('organisationUnits', pick('organisationUnit', 'orgUnit')),
    optionCombos: await idSet('categoryOptionCombos', [
      ...pick('attributeOptionCombo'),
      'HllvX50cXC0',
    ]),
  };
  const now = deps.clock.now().toISOString();
  const conflicts: ImportConflict[] = [];
  const valid: Registration[] = [];
  items.forEach((item, i) => {
    const r = validateRegistration(item, i, refs, now);
    if (r.ok) valid.push(r.value);
    else conflicts.push(r.conflict);
  });
  const plan = await deps.store.writeRegistrations(
    valid,
    (stored) => planRegistrations(valid, stored),
    dryRun,
  );
  const count = { ...plan.count, ignored: plan.count.ignored + conflicts.length };
  return summarize(count, conflicts, conflicts.length);
}

export async function importEvents(
  deps: DataDeps,
  body: Record<string, unknown>,
  params: { strategy: EventStrategy; dryRun: boolean },
): Promise<ImportSummaries> {
  refuseUnstorable(body);
  const items = asList(body.events);
  const collect = (f: (i: Record<string, unknown>) => unknown[]) => [
    ...new Set(
      items
        .flatMap(f)
        .map(str)
        .filter((x): x is string => !!x),
    ),
  ];
  const programs = await deps.store.resolve(
    'programs',
    collect((i) => [i.program]),
    'UID',
  );
  const stageIds = new Set<string>();
  for (const p of programs.values())
    for (const s of asList(p.programStages)) if (typeof s.id === 'string') stageIds.add(s.id);
  const stages = await deps.store.resolve(
    'programStages',
    [...stageIds, ...collect((i) => [i.programStage])],
    'UID',
  );
  const refs = {
    programs: new Map(
      [...programs].map(([id, p]) => [
        id,
        {
          programType: String(p.programType ?? ''),
          stages: new Set(
            [...stages.values()]
              .filter(
                (s) =>
                  (s.program as { id?: string } | undefined)?.id === id ||
                  asList(p.programStages).some((x) => x.id === s.id),
              )
              .map((s) => String(s.id)),
          ),
        },
      ]),
    ),
    orgUnits: new Set(
      (
        await deps.store.resolve(
          'organisationUnits',
          collect((i) => [i.orgUnit]),
          'UID',
        )
      ).keys(),
    ),
    dataElements: await ids(
      deps,
      'dataElements',
      collect((i) => asList(i.dataValues).map((d) => d.dataElement)),
      'UID',
    ),
    optionCombos: new Set(
      (
        await deps.store.resolve(
          'categoryOptionCombos',
          [...collect((i) => [i.attributeOptionCombo]), 'HllvX50cXC0'],
          'UID',
        )
      ).keys(),
    ),
  };
  const now = deps.clock.now().toISOString();
  const summaries: ImportSummary[] = [];
  const valid: AnonymousEvent[] = [];
  const slots: number[] = [];
  for (const item of items) {
    const r = validateEvent(item, refs, now, deps.newUid);
    if (r.value) {
      slots.push(summaries.length);
      valid.push(r.value);
      summaries.push(summarize(emptyCount(), [], 0));
    } else {
      const summary = summarize({ ...emptyCount(), ignored: 1 }, r.conflicts, 1);
      const reference = str(item.event);
      summaries.push(reference ? { ...summary, reference } : summary);
    }
  }
  const strategy = params.strategy;
  await deps.store.writeEvents(
    valid,
    (stored) => {
      const writes: AnonymousEvent[] = [];
      valid.forEach((e, n) => {
        const plan = planEvent(e, stored.get(e.event), strategy);
        const count = emptyCount();
        count[plan.action]++;
        const conflicts = plan.conflict ? [{ object: e.event, value: plan.conflict }] : [];
        summaries[slots[n]!] = {
          ...summarize(count, conflicts, conflicts.length),
          reference: e.event,
        };
        if (plan.write) writes.push(plan.write);
      });
      return { writes };
    },
    params.dryRun,
  );
  return rollUp(summaries);
}

/** The reads the data routes answer from. */
type DataReads = Pick<
  DataStore,
  'resolve' | 'queryDataValues' | 'queryRegistrations' | 'queryEvents' | 'queryTrackedEntities'
>;

/** What the composition root offers the HTTP layer for data (issue 7): imports and reads. */
export interface DataService extends DataReads {
  importValues(body: Record<string, unknown>, params: DataValueSetParams): Promise<ImportSummary>;
  importRegistrations(body: Record<string, unknown>, dryRun: boolean): Promise<ImportSummary>;
  importEvents(
    body: Record<string, unknown>,
    params: { strategy: EventStrategy; dryRun: boolean },
  ): Promise<ImportSummaries>;
  /** Tracked entities with their enrollments and events (issue 16 §1). */
  importTrackedEntities(
    body: Record<string, unknown>,
    params: TrackerImportParams,
  ): Promise<ImportSummaries>;
}

export const createDataService = (deps: DataDeps): DataService => ({
  resolve: (type, keys, scheme) => deps.store.resolve(type, keys, scheme),
  queryDataValues: (q) => deps.store.queryDataValues(q),
  queryRegistrations: (q) => deps.store.queryRegistrations(q),
  queryEvents: (q) => deps.store.queryEvents(q),
  queryTrackedEntities: (q) => deps.store.queryTrackedEntities(q),
  importValues: (body, params) => importDataValueSet(deps, body, params),
  importRegistrations: (body, dryRun) => importRegistrations(deps, body, dryRun),
  importEvents: (body, params) => importEvents(deps, body, params),
  importTrackedEntities: (body, params) => importTrackedEntities(deps, body, params),
});
