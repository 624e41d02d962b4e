/**
 * A DHIS2 central's metadata with types metasync does not model (issue 16 §8), shaped as a DHIS2
 * 2.41 export writes them (the `:owner`/`:all` field sets, `sharing`, `translations`,
 * `attributeValues`, DHIS2's dates): data approval levels and a workflow that a data set
 * references, a data set notification template, a program section, a map view at the root, an
 * external map layer and an analytics table hook, next to the modelled objects they reference.
 * Each call makes new ids, codes and names, so tests on one server do not collide.
 */
import { DEFAULTS } from '../../src/domain/metadata/types.ts';
import { uid } from './versions.ts';

type Json = Record<string, unknown>;

const ADMIN = { id: 'M5zQapPyTZI' };
const SHARING = { public: 'rw------', external: false, users: {}, userGroups: {} };
const stamp = (at: string): Json => ({
  lastUpdated: at,
  created: at,
  createdBy: ADMIN,
  lastUpdatedBy: ADMIN,
  sharing: SHARING,
  translations: [],
  attributeValues: [],
});

export interface Unmodelled {
  /** The metadata arrays, keyed as DHIS2 keys them (no `system`). */
  metadata: Record<string, Json[]>;
  /** The plural keys of the unmodelled types in `metadata`. */
  opaqueKeys: string[];
  ids: {
    level1: string;
    level2: string;
    workflow: string;
    dataSet: string;
    template: string;
    orgUnit: string;
    program: string;
  };
}

export function dhis2Unmodelled(label = 'Opaque'): Unmodelled {
  const n = uid();
  const at = '2024-03-01T10:15:30.123';
  const ids = {
    level1: uid(),
    level2: uid(),
    workflow: uid(),
    dataSet: uid(),
    template: uid(),
    orgUnit: uid(),
    program: uid(),
  };
  const metadata: Record<string, Json[]> = {
    organisationUnits: [
      {
        id: ids.orgUnit,
        name: `${label} district ${n}`,
        shortName: `${label} district ${n}`,
        openingDate: '1990-01-01T00:00:00.000',
        path: `/${ids.orgUnit}`,
        ...stamp(at),
      },
    ],
    dataApprovalLevels: [
      {
        ...stamp(at),
        id: ids.level1,
        code: `${label}_LEVEL_1_${n}`,
        name: `${label} national approval ${n}`,
        level: 1,
        orgUnitLevel: 1,
      },
      {
        ...stamp(at),
        id: ids.level2,
        name: `${label} district approval ${n}`,
        level: 2,
        orgUnitLevel: 2,
        categoryOptionGroupSet: null,
      },
    ],
    dataApprovalWorkflows: [
      {
        ...stamp(at),
        id: ids.workflow,
        code: `${label}_WF_${n}`,
        name: `${label} monthly workflow ${n}`,
        periodType: 'Monthly',
        categoryCombo: { id: DEFAULTS.categoryCombo },
        dataApprovalLevels: [{ id: ids.level1 }, { id: ids.level2 }],
      },
    ],
    dataSets: [
      {
        ...stamp(at),
        id: ids.dataSet,
        name: `${label} reporting ${n}`,
        shortName: `${label} reporting ${n}`.slice(0, 50),
        periodType: 'Monthly',
        categoryCombo: { id: DEFAULTS.categoryCombo },
        workflow: { id: ids.workflow },
        organisationUnits: [{ id: ids.orgUnit }],
        dataSetElements: [],
      },
    ],
    dataSetNotificationTemplates: [
      {
        ...stamp(at),
        id: ids.template,
        name: `${label} completion notice ${n}`,
        dataSetNotificationTrigger: 'DATA_SET_COMPLETION',
        notificationRecipient: 'ORGANISATION_UNIT_CONTACT',
        relativeScheduledDays: 0,
        sendStrategy: 'SINGLE_NOTIFICATION',
        deliveryChannels: ['SMS', 'EMAIL'],
        messageTemplate: 'V{data_name} completed for V{org_unit_name} (V{period}) ✓',
        subjectTemplate: 'V{data_name} complete',
        dataSets: [{ id: ids.dataSet }],
        notifyUsersInHierarchyOnly: false,
        notifyParentOrganisationUnitOnly: false,
      },
    ],
    programs: [
      {
        ...stamp(at),
        id: ids.program,
        name: `${label} program ${n}`,
        shortName: `${label} program ${n}`.slice(0, 50),
        programType: 'WITHOUT_REGISTRATION',
        categoryCombo: { id: DEFAULTS.categoryCombo },
        organisationUnits: [{ id: ids.orgUnit }],
      },
    ],
    programSections: [
      {
        ...stamp(at),
        id: uid(),
        name: `${label} section ${n}`,
        sortOrder: 1,
        program: { id: ids.program },
        trackedEntityAttributes: [],
        renderType: { MOBILE: { type: 'LISTING' }, DESKTOP: { type: 'LISTING' } },
      },
    ],
    mapViews: [
      {
        ...stamp(at),
        id: uid(),
        name: `${label} boundaries ${n}`,
        layer: 'boundary',
        opacity: 1,
        renderingStrategy: 'SINGLE',
        organisationUnits: [{ id: ids.orgUnit }],
        organisationUnitLevels: [2],
        rows: [{ dimension: 'ou', items: [{ id: ids.orgUnit }] }],
      },
    ],
    externalMapLayers: [
      {
        ...stamp(at),
        id: uid(),
        name: `${label} satellite ${n}`,
        url: 'https://tiles.example.org/{z}/{x}/{y}.png',
        mapService: 'XYZ',
        imageFormat: 'PNG',
        mapLayerPosition: 'BASEMAP',
        attribution: '© example',
      },
    ],
    analyticsTableHooks: [
      {
        ...stamp(at),
        id: uid(),
        name: `${label} hook ${n}`,
        phase: 'ANALYTICS_TABLE_POPULATED',
        analyticsTableType: 'DATA_VALUE',
        sql: 'update analytics set "monthly" = \'202401\' where "monthly" is null',
      },
    ],
  };
  const opaqueKeys = [
    'dataApprovalLevels',
    'dataApprovalWorkflows',
    'dataSetNotificationTemplates',
    'programSections',
    'mapViews',
    'externalMapLayers',
    'analyticsTableHooks',
  ];
  return { metadata, opaqueKeys, ids };
}
