/**
 * Response schemas of the versioning endpoints (contract §6.1–§6.6): keys in the order the
 * handlers write them (domain/versioning/version.ts), which is DHIS2's.
 */
import { z } from 'zod';
import { documented } from './json.ts';

/** `GET /api/metadata/version`, `POST .../create`: DHIS2's MetadataVersion entity. */
export const metadataVersionSchema = z
  .object({
    name: z.string(),
    created: z.string(),
    lastUpdated: z.string(),
    displayName: z.string(),
    type: z.enum(['BEST_EFFORT', 'ATOMIC']),
    hashCode: z.string(),
    id: z.string(),
    importDate: z.string().optional(),
    parentHashCode: z.string().optional(),
  })
  .meta({ id: 'MetadataVersion' });

/** A `metadataversions` item: DHIS2's order, lowercase `importdate` (contract §6.2). */
export const metadataVersionItem = z
  .object({
    name: z.string(),
    type: z.enum(['BEST_EFFORT', 'ATOMIC']),
    created: z.string(),
    id: z.string(),
    importdate: z.string().optional(),
    hashCode: z.string(),
    parentHashCode: z.string().optional(),
  })
  .meta({ id: 'MetadataVersionListItem' });

export const metadataVersionList = z
  .object({ metadataversions: z.array(metadataVersionItem) })
  .meta({ id: 'MetadataVersionList' });

export const versionPreviewSchema = z
  .object({
    name: z.string(),
    objects: z.number(),
    types: z.record(z.string(), z.number()),
    deletions: z.number(),
    bytes: z.number(),
  })
  .meta({ id: 'VersionPreview' });

const runState = z.enum(['SUCCESS', 'FAILED', 'DIVERGED']);

/** One local in the central's fleet view (issue 5 §5). */
export const fleetLocal = z
  .object({
    id: z.string(),
    systemId: z.string().nullable(),
    name: z.string(),
    user: z.string(),
    address: z.string(),
    version: z.string().nullable(),
    lastSeen: z.string(),
    behindBy: z.number().nullable(),
    latest: z.string().nullable(),
    state: runState.nullable().optional().meta({
      description: "The local's last finished run, as a metasync local tells it (issue 21 §4)",
    }),
    relay: z
      .object({ systemId: z.string(), name: z.string().nullable() })
      .nullable()
      .optional()
      .meta({ description: 'The server it hangs under (?depth=all); null: it polls this server' }),
    lastOutcome: z
      .object({
        version: z.string(),
        status: z.enum(['SUCCESS', 'FAILED']),
        failureKind: z.string().nullable(),
        message: z.string().nullable(),
        at: z.string(),
      })
      .nullable()
      .optional()
      .meta({ description: 'The newest version outcome the local reported (issue 22 §3)' }),
  })
  .meta({ id: 'FleetLocal' });

export const fleetSchema = z.object({ locals: z.array(fleetLocal) }).meta({ id: 'Fleet' });

/**
 * A snapshot (`.../data`): DHIS2's metadata export, byte for byte as hashed; its shape is the
 * export's (contract §6.4), each type's objects under the type's key.
 */
export const snapshotSchema = documented(
  'Snapshot',
  z.object({ date: z.string().optional() }),
  "A version's metadata: each type's objects under its key (DHIS2's metadata export)",
);

/** `GET /api/metadata/version/fleet?depth=`: 1 (default) the direct locals, `all` the tree. */
export const fleetQuery = z.object({ depth: z.enum(['1', 'all']).optional() });

/** One local below a relay, as the relay reports it upward (issue 21 §4). */
const reportedLocal = z
  .object({
    systemId: z.string().min(1).max(200).nullable(),
    name: z.string().max(500),
    user: z.string().max(500),
    address: z.string().max(500),
    version: z.string().max(200).nullable(),
    lastSeen: z.iso.datetime({ offset: true }),
    state: runState.nullable(),
    relay: z.string().min(1).max(200),
  })
  .meta({ id: 'ReportedLocal' });

export const downstreamFleetBody = z
  .object({ locals: z.array(reportedLocal).max(10_000) })
  .meta({ id: 'DownstreamFleet' });

export const downstreamFleetAnswer = z
  .object({ relay: z.string(), locals: z.number() })
  .meta({ id: 'DownstreamFleetStored' });
