/**
 * `POST /api/metadata` (import) and `GET /api/metadata` (export) in DHIS2's shapes (issue 4).
 * Import needs F_METADATA_IMPORT, export F_METADATA_EXPORT (ALL passes both).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { parseExportQuery, storeQuery } from '../../domain/metadata/export-selectors.ts';
import { applyFields } from '../../domain/metadata/fields.ts';
import { matchesAll, sortBy } from '../../domain/metadata/filter.ts';
import {
  ATOMIC_MODES,
  DEFAULT_IMPORT_PARAMS,
  IDENTIFIERS,
  IMPORT_MODES,
  IMPORT_STRATEGIES,
} from '../../domain/metadata/import-params.ts';
import { DEFAULTS, METADATA_TYPES } from '../../domain/metadata/types.ts';
import type { Services } from '../../services.ts';
import { acceptGzipBodies } from '../plugins/gzip-body.ts';
import { importActor, importConflict } from './metadata-objects.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import { metadataExport } from '../schemas/metadata.ts';
import { streamedMembers, streamLargeBodies } from '../streamed-body.ts';
import { webMessage, webMessageSchema } from '../web-message.ts';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const list = z.union([z.string(), z.array(z.string())]).transform((v) => [v].flat());

export const importQuery = z.object({
  importStrategy: z.enum(IMPORT_STRATEGIES).default(DEFAULT_IMPORT_PARAMS.importStrategy),
  atomicMode: z.enum(ATOMIC_MODES).default(DEFAULT_IMPORT_PARAMS.atomicMode),
  importMode: z.enum(IMPORT_MODES).default(DEFAULT_IMPORT_PARAMS.importMode),
  identifier: z.enum(IDENTIFIERS).default(DEFAULT_IMPORT_PARAMS.identifier),
  skipSharing: bool.default(false),
  dryRun: bool.optional(),
});

export const metadataRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  acceptGzipBodies(app);

  app.post(
    '/api/metadata',
    {
      onRequest: requireAuthority(Authority.F_METADATA_IMPORT),
      // A large body skips Fastify's JSON.parse and is imported type by type (issue 18 §1).
      preParsing: streamLargeBodies(
        services.config.streamedImportBytes,
        services.config.maxRequestBytes,
      ),
      schema: {
        tags: ['metadata'],
        summary: 'Import metadata (DHIS2 import JSON); answers an ImportReport',
        querystring: importQuery,
        body: z.record(z.string(), z.unknown()),
        response: { 200: webMessageSchema, 409: webMessageSchema },
      },
    },
    async (request, reply) => {
      const { dryRun, ...rest } = request.query;
      const params = { ...rest, importMode: dryRun ? ('VALIDATE' as const) : rest.importMode };
      // The import refuses users and roles beyond the caller's authorities (403, nothing written).
      const actor = importActor(request.principal!);
      const members = streamedMembers(request);
      const report = members
        ? await services.metadata.importStreamed(members, params, actor)
        : await services.metadata.import(request.body, params, actor);
      if (report.status === 'ERROR') return importConflict(reply, report);
      return webMessage(200, report.status, undefined, { response: report });
    },
  );

  app.get(
    '/api/metadata',
    {
      onRequest: requireAuthority(Authority.F_METADATA_EXPORT),
      schema: {
        tags: ['metadata'],
        summary:
          'Export metadata: all types, or those given as ?dataElements=true or by a per-type selector (dataElements:fields, :filter, :order)',
        // Every value may repeat (DHIS2 reads the parameter map); per-type keys are free-form.
        querystring: z
          .object({ fields: list.optional(), filter: list.optional(), order: list.optional() })
          .catchall(list),
        response: { 200: metadataExport },
      },
    },
    async (request) => {
      const selection = parseExportQuery(
        request.query as Record<string, string[]>,
        METADATA_TYPES.map((t) => t.key),
      );
      const defaultIds = new Set<string>(Object.values(DEFAULTS));
      const out: Record<string, unknown> = {
        system: {
          id: services.instance.systemId,
          rev: services.build.revision,
          version: services.config.systemVersion,
          date: services.clock.now().toISOString(),
        },
      };
      for (const t of selection.types) {
        // `lastUpdated:ge:DATE` and `id:in:[…]` are answered by the store's indexes.
        const { since, ids, rest } = storeQuery(t.filters);
        let objects =
          since || ids
            ? await services.metadata.listSince(t.type, since, ids ?? undefined)
            : await services.metadata.list(t.type);
        objects = objects.filter((o) => matchesAll(o, rest, 'AND'));
        if (selection.defaults === 'EXCLUDE')
          objects = objects.filter((o) => !defaultIds.has(o.id as string));
        sortBy(objects, t.orders);
        if (objects.length > 0) out[t.type] = objects.map((o) => applyFields(o, t.fields));
      }
      return out;
    },
  );
};
