/**
 * The tracked entity import use case (issue 16 §1): resolve the metadata a push names, then plan
 * and write the page in one transaction (or, dryRun, plan only). DHIS2 ≤ 2.41 locals send
 * `{"trackedEntityInstances": [...]}`; a single tracked entity object is accepted too, as DHIS2's
 * JacksonTrackedEntityInstanceService does.
 */
import { errors } from '../errors.ts';
import { hasUnstorableText } from '../text.ts';
import { DEFAULT_COC } from './data-values.ts';
import type { DataDeps } from './import-data.ts';
import type { ImportSummaries } from './import-summary.ts';
import { planTrackedEntities, type TrackerStrategy } from './tracker-plan.ts';
import type { ProgramRef, TrackerRefs } from './tracker-validate.ts';
import { asList, str, type Json } from './tracker.ts';

export interface TrackerImportParams {
  strategy: TrackerStrategy;
  dryRun: boolean;
  /** The `href` of a written tracked entity (the HTTP layer knows the base URL). */
  href: (uid: string) => string;
}

/** The tracked entities of a request body. */
export function trackedEntitiesOf(body: Json): Json[] {
  if (Array.isArray(body.trackedEntityInstances)) return asList(body.trackedEntityInstances);
  return 'trackedEntityInstance' in body || 'trackedEntityType' in body ? [body] : [];
}

const ids = (values: unknown[]) => [
  ...new Set(values.map(str).filter((x): x is string => x !== undefined)),
];
const refId = (v: unknown) => str((v as Json | undefined)?.id);
const ref = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Json) : {});

/** Everything the push names, level by level. */
function collect(teis: Json[]) {
  const enrollments = teis.flatMap((t) => asList(t.enrollments));
  const events = enrollments.flatMap((e) => asList(e.events));
  return { teis, enrollments, events };
}

async function resolveRefs(deps: DataDeps, c: ReturnType<typeof collect>): Promise<TrackerRefs> {
  const resolve = (type: string, keys: string[]) => deps.store.resolve(type, keys, 'UID');
  const types = await resolve('trackedEntityTypes', ids(c.teis.map((t) => t.trackedEntityType)));
  const attributes = await resolve(
    'trackedEntityAttributes',
    ids([...c.teis, ...c.enrollments].flatMap((o) => asList(o.attributes).map((a) => a.attribute))),
  );
  const programs = await resolve('programs', ids(c.enrollments.map((e) => e.program)));
  const stageIds = [...programs.values()].flatMap((p) => asList(p.programStages).map((s) => s.id));
  const stages = await resolve(
    'programStages',
    ids([...stageIds, ...c.events.map((e) => e.programStage)]),
  );
  const orgUnits = await resolve(
    'organisationUnits',
    ids([...c.teis, ...c.enrollments, ...c.events].map((o) => o.orgUnit)),
  );
  const dataElements = await resolve(
    'dataElements',
    ids(c.events.flatMap((e) => asList(e.dataValues).map((d) => d.dataElement))),
  );
  const combos = await resolve(
    'categoryOptionCombos',
    ids([...c.events.map((e) => e.attributeOptionCombo), DEFAULT_COC]),
  );
  const programRef = (id: string, p: Json): ProgramRef => {
    const listed = new Set(ids(asList(p.programStages).map((s) => s.id)));
    return {
      programType: String(p.programType ?? ''),
      orgUnits: new Set(ids(asList(p.organisationUnits).map((o) => o.id))),
      stages: new Map(
        [...stages.values()]
          .filter((s) => listed.has(String(s.id)) || refId(s.program) === id)
          .map((s) => [String(s.id), { repeatable: s.repeatable === true }]),
      ),
      onlyEnrollOnce: p.onlyEnrollOnce === true,
      displayIncidentDate: p.displayIncidentDate === true,
    };
  };
  return {
    trackedEntityTypes: new Map(
      [...types].map(([id, t]) => [id, { featureType: String(t.featureType ?? 'NONE') }]),
    ),
    attributes: new Map(
      [...attributes].map(([id, a]) => [id, { valueType: String(a.valueType ?? 'TEXT') }]),
    ),
    orgUnits: new Set(orgUnits.keys()),
    programs: new Map([...programs].map(([id, p]) => [id, programRef(id, ref(p))])),
    dataElements: new Map(
      [...dataElements].map(([id, d]) => [id, { valueType: String(d.valueType ?? 'TEXT') }]),
    ),
    optionCombos: new Set(combos.keys()),
  };
}

export async function importTrackedEntities(
  deps: DataDeps,
  body: Json,
  params: TrackerImportParams,
): Promise<ImportSummaries> {
  // Text the database cannot store refuses the whole push (as every data import: 400).
  if (hasUnstorableText(body))
    throw errors.badRequest(
      'The import holds text with U+0000 or an unpaired surrogate, which cannot be stored',
    );
  const c = collect(trackedEntitiesOf(body));
  const refs = await resolveRefs(deps, c);
  const now = deps.clock.now().toISOString();
  const keys = {
    trackedEntities: ids(c.teis.map((t) => t.trackedEntityInstance)),
    enrollments: ids(c.enrollments.map((e) => e.enrollment)),
    events: ids(c.events.map((e) => e.event)),
  };
  const plan = await deps.store.writeTracker(
    keys,
    (state) =>
      planTrackedEntities(c.teis, state, {
        refs,
        strategy: params.strategy,
        now,
        newUid: deps.newUid,
        href: params.href,
      }),
    params.dryRun,
  );
  return plan.summaries;
}
