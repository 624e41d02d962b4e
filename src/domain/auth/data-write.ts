/**
 * Who may push data to a central (issue 16 §5), as DHIS2 2.39–2.43 decide it.
 *
 * DHIS2 puts an authority on one of the sync's push endpoints only: `POST /api/dataValueSets`
 * needs F_DATAVALUE_ADD or ALL (DataValueSetController: `@PreAuthorize` up to 2.41,
 * `@RequiresAuthority` from 2.42). `POST /api/completeDataSetRegistrations`, `/api/events` and
 * `/api/trackedEntityInstances` (2.41 and older) and `/api/tracker` (2.42+) carry none: any
 * signed-in user reaches the import, which then checks each object (data write sharing on the
 * data set, program, stage and category options; the org unit within the user's capture scope;
 * F_EDIT_EXPIRED for closed periods; superusers skip the sharing checks) and answers refusals
 * as conflicts in the ImportSummary.
 *
 * metasync models neither data sharing nor capture scopes, so on the endpoints without an
 * authority any authenticated user may write anything: looser than DHIS2 for a user DHIS2 would
 * refuse object by object (docs/deviations.md, docs/security.md).
 */
import { Authority, hasAnyAuthority } from '../authorities.ts';

/** The data push endpoints, named by their path under `/api`. */
export type DataPushEndpoint =
  | 'dataValueSets'
  | 'completeDataSetRegistrations'
  | 'events'
  | 'trackedEntityInstances'
  | 'tracker';

/** The authorities DHIS2's controller requires for a push (one of them, or ALL); none: any user. */
export const DATA_PUSH_AUTHORITIES: Readonly<Record<DataPushEndpoint, readonly string[]>> = {
  dataValueSets: [Authority.F_DATAVALUE_ADD],
  completeDataSetRegistrations: [],
  events: [],
  trackedEntityInstances: [],
  tracker: [],
};

/** The authorities the holder lacks for a push to `endpoint` (one of them would do); [] = may push. */
export function missingPushAuthority(
  held: ReadonlySet<string>,
  endpoint: DataPushEndpoint,
): readonly string[] {
  const anyOf = DATA_PUSH_AUTHORITIES[endpoint];
  return anyOf.length === 0 || hasAnyAuthority(held, anyOf) ? [] : anyOf;
}
