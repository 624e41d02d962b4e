/**
 * The registry of DHIS2 metadata types metasync stores (issue 4 §1), under DHIS2's plural JSON
 * keys, in DHIS2's import order (referenced objects first; deletes run in reverse). For each type:
 * its Java class (the `klass` of DHIS2 import reports), which properties are unique and in what
 * scope, which properties hold embedded objects (owned sub-objects whose ids are not references),
 * and what a valid object must carry.
 */
import { Authority } from '../authorities.ts';
import { OPAQUE_TYPES } from './opaque-types.ts';

export interface MetadataType {
  /** Plural JSON key, e.g. `dataElements`. */
  key: string;
  /** DHIS2 Java class, e.g. `org.hisp.dhis.dataelement.DataElement`. */
  klass: string;
  /** Position in import order (0 first). */
  order: number;
  /** `name` is unique among objects of this type (DHIS2 schema `unique`). */
  uniqueName: boolean;
  /** `code` is unique within this property's referenced object (e.g. options within an optionSet); null = per type. */
  codeScope: string | null;
  /** Further unique properties (per type), e.g. `username` for users. */
  uniqueProperties: readonly string[];
  /** Properties that must be present and non-empty on create and update. */
  required: readonly string[];
  /** Properties holding embedded (owned) objects: their own ids are not references. */
  embedded: readonly string[];
  /** Objects of this type without `categoryCombo` get the default one (DHIS2 behaviour). */
  defaultCategoryCombo: boolean;
  /** Singular name used in authorities, e.g. DATAELEMENT → F_DATAELEMENT_ADD. */
  authorityName: string;
  /**
   * Not modelled: stored and exported as received, without reference checks, written only
   * through `POST /api/metadata` (opaque-types.ts, issue 16 §8).
   */
  opaque: boolean;
}

type Spec = Partial<Omit<MetadataType, 'key' | 'klass' | 'order'>> & { klass: string };

const N = { required: ['name'], uniqueName: true } as const;
const named = { required: ['name'] } as const;

// Order follows DHIS2's metadata import order: what is referenced comes first.
const SPECS: [string, Spec][] = [
  [
    'attributes',
    { klass: 'org.hisp.dhis.attribute.Attribute', ...N, required: ['name', 'valueType'] },
  ],
  ['legendSets', { klass: 'org.hisp.dhis.legend.LegendSet', ...named, embedded: ['legends'] }],
  ['constants', { klass: 'org.hisp.dhis.constant.Constant', ...N }],
  [
    'optionSets',
    { klass: 'org.hisp.dhis.option.OptionSet', ...N, required: ['name', 'valueType'] },
  ],
  [
    'options',
    { klass: 'org.hisp.dhis.option.Option', required: ['name', 'code'], codeScope: 'optionSet' },
  ],
  ['optionGroups', { klass: 'org.hisp.dhis.option.OptionGroup', ...N }],
  ['optionGroupSets', { klass: 'org.hisp.dhis.option.OptionGroupSet', ...N }],
  ['categoryOptions', { klass: 'org.hisp.dhis.category.CategoryOption', ...N }],
  ['categories', { klass: 'org.hisp.dhis.category.Category', ...N }],
  ['categoryCombos', { klass: 'org.hisp.dhis.category.CategoryCombo', ...N }],
  ['categoryOptionCombos', { klass: 'org.hisp.dhis.category.CategoryOptionCombo' }],
  ['categoryOptionGroups', { klass: 'org.hisp.dhis.category.CategoryOptionGroup', ...N }],
  ['categoryOptionGroupSets', { klass: 'org.hisp.dhis.category.CategoryOptionGroupSet', ...N }],
  [
    'organisationUnitLevels',
    {
      klass: 'org.hisp.dhis.organisationunit.OrganisationUnitLevel',
      ...N,
      required: ['name', 'level'],
    },
  ],
  [
    'organisationUnits',
    {
      klass: 'org.hisp.dhis.organisationunit.OrganisationUnit',
      required: ['name', 'shortName', 'openingDate'],
    },
  ],
  [
    'organisationUnitGroups',
    { klass: 'org.hisp.dhis.organisationunit.OrganisationUnitGroup', ...N },
  ],
  [
    'organisationUnitGroupSets',
    { klass: 'org.hisp.dhis.organisationunit.OrganisationUnitGroupSet', ...N },
  ],
  ['userRoles', { klass: 'org.hisp.dhis.user.UserRole', ...N, authorityName: 'USERROLE' }],
  [
    'users',
    {
      klass: 'org.hisp.dhis.user.User',
      required: ['username'],
      uniqueProperties: ['username'],
      embedded: ['userCredentials'],
      authorityName: 'USER',
    },
  ],
  ['userGroups', { klass: 'org.hisp.dhis.user.UserGroup', ...N, authorityName: 'USERGROUP' }],
  [
    'dataElements',
    {
      klass: 'org.hisp.dhis.dataelement.DataElement',
      ...N,
      required: ['name', 'shortName', 'valueType', 'aggregationType', 'domainType'],
      defaultCategoryCombo: true,
    },
  ],
  // Not unique by name: DATIM (a production DHIS2) has 17 dataElementGroup names used twice.
  ['dataElementGroups', { klass: 'org.hisp.dhis.dataelement.DataElementGroup', ...named }],
  ['dataElementGroupSets', { klass: 'org.hisp.dhis.dataelement.DataElementGroupSet', ...N }],
  ['indicatorTypes', { klass: 'org.hisp.dhis.indicator.IndicatorType', ...N }],
  [
    'indicators',
    {
      klass: 'org.hisp.dhis.indicator.Indicator',
      ...N,
      required: ['name', 'shortName', 'indicatorType', 'numerator', 'denominator'],
    },
  ],
  ['indicatorGroups', { klass: 'org.hisp.dhis.indicator.IndicatorGroup', ...N }],
  ['indicatorGroupSets', { klass: 'org.hisp.dhis.indicator.IndicatorGroupSet', ...N }],
  ['dataEntryForms', { klass: 'org.hisp.dhis.dataentryform.DataEntryForm', ...named }],
  [
    'dataSets',
    {
      klass: 'org.hisp.dhis.dataset.DataSet',
      ...named,
      required: ['name', 'periodType'],
      embedded: ['dataSetElements', 'dataInputPeriods', 'compulsoryDataElementOperands'],
      defaultCategoryCombo: true,
    },
  ],
  [
    'sections',
    {
      klass: 'org.hisp.dhis.dataset.Section',
      ...named,
      required: ['name', 'dataSet'],
      embedded: ['greyedFields'],
    },
  ],
  [
    'validationRules',
    {
      klass: 'org.hisp.dhis.validation.ValidationRule',
      ...named,
      embedded: ['leftSide', 'rightSide'],
    },
  ],
  ['validationRuleGroups', { klass: 'org.hisp.dhis.validation.ValidationRuleGroup', ...N }],
  [
    'predictors',
    {
      klass: 'org.hisp.dhis.predictor.Predictor',
      ...named,
      embedded: ['generator', 'sampleSkipTest'],
    },
  ],
  ['predictorGroups', { klass: 'org.hisp.dhis.predictor.PredictorGroup', ...N }],
  [
    'trackedEntityAttributes',
    {
      klass: 'org.hisp.dhis.trackedentity.TrackedEntityAttribute',
      ...named,
      required: ['name', 'valueType'],
    },
  ],
  [
    'trackedEntityTypes',
    {
      klass: 'org.hisp.dhis.trackedentity.TrackedEntityType',
      ...named,
      embedded: ['trackedEntityTypeAttributes'],
    },
  ],
  [
    'relationshipTypes',
    {
      klass: 'org.hisp.dhis.relationship.RelationshipType',
      ...named,
      embedded: ['fromConstraint', 'toConstraint'],
    },
  ],
  [
    'programs',
    {
      klass: 'org.hisp.dhis.program.Program',
      ...named,
      embedded: ['programTrackedEntityAttributes'],
      defaultCategoryCombo: true,
    },
  ],
  [
    'programStages',
    {
      klass: 'org.hisp.dhis.program.ProgramStage',
      ...named,
      embedded: ['programStageDataElements'],
    },
  ],
  ['programStageSections', { klass: 'org.hisp.dhis.program.ProgramStageSection', ...named }],
  [
    'programIndicators',
    {
      klass: 'org.hisp.dhis.program.ProgramIndicator',
      ...named,
      embedded: ['analyticsPeriodBoundaries'],
    },
  ],
  ['programIndicatorGroups', { klass: 'org.hisp.dhis.program.ProgramIndicatorGroup', ...N }],
  ['programRuleVariables', { klass: 'org.hisp.dhis.programrule.ProgramRuleVariable', ...named }],
  ['programRules', { klass: 'org.hisp.dhis.programrule.ProgramRule', ...named }],
  ['programRuleActions', { klass: 'org.hisp.dhis.programrule.ProgramRuleAction' }],
  [
    'programNotificationTemplates',
    { klass: 'org.hisp.dhis.program.notification.ProgramNotificationTemplate', ...named },
  ],
  ['sqlViews', { klass: 'org.hisp.dhis.sqlview.SqlView', ...N }],
  ['reports', { klass: 'org.hisp.dhis.report.Report', ...named }],
  ['documents', { klass: 'org.hisp.dhis.document.Document', ...named }],
  ['visualizations', { klass: 'org.hisp.dhis.visualization.Visualization', ...named }],
  ['eventReports', { klass: 'org.hisp.dhis.eventreport.EventReport', ...named }],
  ['eventCharts', { klass: 'org.hisp.dhis.eventchart.EventChart', ...named }],
  [
    'eventVisualizations',
    { klass: 'org.hisp.dhis.eventvisualization.EventVisualization', ...named },
  ],
  ['maps', { klass: 'org.hisp.dhis.mapping.Map', ...named, embedded: ['mapViews'] }],
  [
    'dashboards',
    { klass: 'org.hisp.dhis.dashboard.Dashboard', ...named, embedded: ['dashboardItems'] },
  ],
];

// Every other DHIS2 metadata type follows the modelled one it is imported after.
const ALL_SPECS: [string, Spec][] = SPECS.flatMap(([key, s]): [string, Spec][] => [
  [key, s],
  ...OPAQUE_TYPES.filter((o) => o.after === key).map((o): [string, Spec] => [
    o.key,
    { klass: o.klass, opaque: true },
  ]),
]);

export const METADATA_TYPES: readonly MetadataType[] = ALL_SPECS.map(([key, s], order) => ({
  key,
  klass: s.klass,
  order,
  uniqueName: s.uniqueName ?? false,
  codeScope: s.codeScope ?? null,
  uniqueProperties: s.uniqueProperties ?? [],
  required: s.required ?? [],
  embedded: s.embedded ?? [],
  defaultCategoryCombo: s.defaultCategoryCombo ?? false,
  authorityName: s.authorityName ?? key.replace(/s$/, '').replace(/ie$/, 'y').toUpperCase(),
  opaque: s.opaque ?? false,
}));

const BY_KEY = new Map(METADATA_TYPES.map((t) => [t.key, t]));

export const metadataType = (key: string): MetadataType | undefined => BY_KEY.get(key);

/** Short class name for messages, e.g. DataElement. */
export const simpleClassName = (t: MetadataType): string =>
  t.klass.slice(t.klass.lastIndexOf('.') + 1);

/**
 * Authorities that allow writing objects of a type: DHIS2's per-type add (public or private) /
 * delete authorities, or F_METADATA_MANAGE (issue 4 §6). ALL always passes.
 */
export function writeAuthorities(t: MetadataType, op: 'add' | 'delete'): string[] {
  const base = `F_${t.authorityName}`;
  return op === 'add'
    ? [`${base}_ADD`, `${base}_PUBLIC_ADD`, `${base}_PRIVATE_ADD`, Authority.F_METADATA_MANAGE]
    : [`${base}_DELETE`, Authority.F_METADATA_MANAGE];
}

/** Properties whose `{id}` values point at users: a missing user is replaced, not an error (DHIS2). */
export const USER_REFERENCE_PROPERTIES = new Set(['createdBy', 'lastUpdatedBy', 'user']);

/** Properties never checked for references: sharing is applied as given (skipSharing drops it). */
export const UNCHECKED_PROPERTIES = new Set([
  'sharing',
  'userAccesses',
  'userGroupAccesses',
  'translations',
  'access',
  'href',
  'favorites',
]);

/** DHIS2's fixed "default" category model, present on every new instance (issue 4 §5). */
export const DEFAULTS = {
  categoryOption: 'xYerKDKCefk',
  category: 'GLevLNI9wkl',
  categoryCombo: 'bjDvmb4bfuf',
  categoryOptionCombo: 'HllvX50cXC0',
} as const;
