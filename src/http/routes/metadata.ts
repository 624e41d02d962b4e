/**
 * `POST /api/metadata` (import) and `GET /api/metadata` (export) in DHIS2's shapes (issue 4).
 * Import needs F_METADATA_IMPORT, export F_METADATA_EXPORT (ALL passes both).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { applyFields, parseFields } from '../../domain/metadata/fields.ts';
import { matchesAll, parseFilter } from '../../domain/metadata/filter.ts';
import {
  ATOMIC_MODES,
  DEFAULT_IMPORT_PARAMS,
  IDENTIFIERS,
  IMPORT_MODES,
  IMPORT_STRATEGIES,
} from '../../domain/metadata/import-params.ts';
import { DEFAULTS, METADATA_TYPES } from '../../domain/metadata/types.ts';
import type { Services } from '../../services.ts';
import { refuseEscalation } from '../escalation-guard.ts';
import { acceptGzipBodies } from '../plugins/gzip-body.ts';
import { importConflict } from './metadata-objects.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
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
      await refuseEscalation(services, request.principal!, request.body);
      const report = await services.metadata.import(
        request.body,
        params,
        request.principal!.user.id,
      );
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
        summary: 'Export metadata: all types, or those given as ?dataElements=true',
        querystring: z
          .object({
            fields: z.string().optional(),
            filter: list.optional(),
            rootJunction: z.enum(['AND', 'OR']).default('AND'),
            defaults: z.enum(['INCLUDE', 'EXCLUDE']).default('INCLUDE'),
          })
          .catchall(z.string()),
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request) => {
      const q = request.query as Record<string, unknown> & {
        fields?: string;
        filter?: string[];
        rootJunction: 'AND' | 'OR';
        defaults: 'INCLUDE' | 'EXCLUDE';
      };
      const chosen = METADATA_TYPES.filter((t) => q[t.key] === 'true');
      const types = chosen.length > 0 ? chosen : METADATA_TYPES;
      const tree = parseFields(q.fields ?? ':owner');
      const filters = (q.filter ?? []).map(parseFilter);
      // The common incremental export (`filter=lastUpdated:ge:DATE`) is answered by the index.
      const only = filters.length === 1 ? filters[0]! : null;
      const sinceDate =
        only?.path.join('.') === 'lastUpdated' && only.op === 'ge' ? new Date(only.value) : null;
      const since = sinceDate && !Number.isNaN(sinceDate.getTime()) ? sinceDate : null;
      const defaultIds = new Set<string>(Object.values(DEFAULTS));
      const out: Record<string, unknown> = {
        system: {
          id: services.instance.systemId,
          rev: services.build.revision,
          version: services.config.systemVersion,
          date: services.clock.now().toISOString(),
        },
      };
      for (const t of types) {
        let objects = since
          ? await services.metadata.store.listSince(t.key, since)
          : await services.metadata.store.list(t.key);
        if (!since) objects = objects.filter((o) => matchesAll(o, filters, q.rootJunction));
        if (q.defaults === 'EXCLUDE')
          objects = objects.filter((o) => !defaultIds.has(o.id as string));
        if (objects.length > 0) out[t.key] = objects.map((o) => applyFields(o, tree));
      }
      return out;
    },
  );
};
