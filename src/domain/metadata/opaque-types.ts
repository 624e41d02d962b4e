/**
 * The DHIS2 metadata types metasync stores without modelling them (issue 16 §8): kept as opaque
 * objects (id, code and name as columns, the JSON as received), exported again as received, so a
 * metasync local, relay or central passes on everything a DHIS2 central versions.
 *
 * The list: every schema DHIS2 2.39.0–2.43.1 registers (`DefaultSchemaService`) whose class is a
 * `MetadataObject` and an `IdentifiableObject`, i.e. every plural key DHIS2's importer accepts
 * (`DefaultRenderService.fromMetadata`), minus the types the registry models (types.ts) and the
 * installation-specific ones below. `klass` is the newest release's class. Each type is imported
 * right after `after` (a modelled type): after what its objects may reference, as in DHIS2's
 * schema order (`setOrder`). Opaque objects get no reference checks; what they reference is
 * recorded, so a referenced object cannot be deleted under them (docs/protocol.md).
 */

export interface OpaqueSpec {
  key: string;
  klass: string;
  /** The modelled type this one is imported after. */
  after: string;
}

const spec = (key: string, klass: string, after: string): OpaqueSpec => ({
  key,
  klass: `org.hisp.dhis.${klass}`,
  after,
});

export const OPAQUE_TYPES: readonly OpaqueSpec[] = [
  // 2.40+.
  spec('expressionDimensionItems', 'expressiondimensionitem.ExpressionDimensionItem', 'constants'),
  // 2.40+; its credentials are write-only in DHIS2 (see WRITE_ONLY_SECRETS).
  spec('routes', 'route.Route', 'constants'),
  spec('analyticsTableHooks', 'analytics.AnalyticsTableHook', 'dataElementGroupSets'),
  spec(
    'dataSetNotificationTemplates',
    'dataset.notifications.DataSetNotificationTemplate',
    'dataSets',
  ),
  spec('dataApprovalLevels', 'dataapproval.DataApprovalLevel', 'sections'),
  spec('dataApprovalWorkflows', 'dataapproval.DataApprovalWorkflow', 'sections'),
  spec(
    'validationNotificationTemplates',
    'validation.notification.ValidationNotificationTemplate',
    'validationRuleGroups',
  ),
  // 2.39 only.
  spec(
    'programTrackedEntityAttributeGroups',
    'program.ProgramTrackedEntityAttributeGroup',
    'programs',
  ),
  spec('smsCommands', 'sms.command.SMSCommand', 'programStages'),
  spec('programSections', 'program.ProgramSection', 'programStages'),
  // 2.40+.
  spec(
    'programStageWorkingLists',
    'programstageworkinglist.ProgramStageWorkingList',
    'programStages',
  ),
  // TrackedEntityInstanceFilter before 2.41.
  spec('trackedEntityInstanceFilters', 'trackedentityfilter.TrackedEntityFilter', 'programStages'),
  // ProgramStageInstanceFilter before 2.41.
  spec('eventFilters', 'programstagefilter.EventFilter', 'programStages'),
  spec('aggregateDataExchanges', 'dataexchange.aggregate.AggregateDataExchange', 'predictorGroups'),
  // 2.40+.
  spec('eventHooks', 'eventhook.EventHook', 'predictorGroups'),
  spec('externalMapLayers', 'mapping.ExternalMapLayer', 'eventVisualizations'),
  // A root type in 2.39, 2.40, 2.42 and 2.43 (not registered in 2.41); maps embed theirs.
  spec('mapViews', 'mapping.MapView', 'eventVisualizations'),
  // Up to 2.42.
  spec('pushAnalysis', 'pushanalysis.PushAnalysis', 'dashboards'),
];

/**
 * DHIS2 metadata types that are not stored: installation-specific ones (DHIS2's secondary
 * metadata; its metadata sync drops job configurations) and credentials (OAuth2 clients, API
 * tokens). A payload holding them is imported without them and reported (E4065).
 */
export const UNSTORED_TYPES: ReadonlyMap<string, string> = new Map([
  ['jobConfigurations', 'org.hisp.dhis.scheduling.JobConfiguration'],
  ['oAuth2Clients', 'org.hisp.dhis.security.oauth2.client.Dhis2OAuth2Client'],
  ['oAuth2Authorizations', 'org.hisp.dhis.security.oauth2.authorization.Dhis2OAuth2Authorization'],
  [
    'oAuth2AuthorizationConsents',
    'org.hisp.dhis.security.oauth2.consent.Dhis2OAuth2AuthorizationConsent',
  ],
  ['apiToken', 'org.hisp.dhis.security.apikey.ApiToken'],
]);

/**
 * Properties DHIS2 reads but never writes out (`JsonProperty.Access.WRITE_ONLY` on route and
 * data exchange credentials, event hook targets, auth schemes). DHIS2 exports never hold them;
 * metasync does not store them either, so an opaque object posted with one cannot hand the
 * secret to every reader and every local.
 */
const WRITE_ONLY_SECRETS = new Set(['password', 'token', 'accessToken', 'clientSecret']);
/** Auth schemes whose whole map is the secret (ApiHeadersAuthScheme, ApiQueryParamsAuthScheme). */
const SECRET_MAPS: Record<string, string> = {
  'api-headers': 'headers',
  'api-query-params': 'queryParams',
};

/** A copy of `value` without DHIS2's write-only secrets, at any depth. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  const secretMap =
    typeof obj.type === 'string' && Object.hasOwn(SECRET_MAPS, obj.type)
      ? SECRET_MAPS[obj.type]
      : undefined;
  // fromEntries defines own properties: a `__proto__` key stays a key, as it arrived.
  return Object.fromEntries(
    Object.entries(obj)
      .filter(([k]) => !WRITE_ONLY_SECRETS.has(k) && k !== secretMap)
      .map(([k, v]) => [k, withoutSecrets(v)]),
  );
}

const SHARING = ['sharing', 'userAccesses', 'userGroupAccesses', 'publicAccess'];

/**
 * What is stored of an opaque object: the object as received, without write-only secrets (and
 * without sharing under skipSharing), its id set where it had none.
 */
export function opaquePayload(
  object: Record<string, unknown>,
  id: string,
  skipSharing: boolean,
): Record<string, unknown> {
  const out = withoutSecrets(object) as Record<string, unknown>;
  if (skipSharing) for (const k of SHARING) delete out[k];
  out.id = id;
  return out;
}
