/**
 * Tracked entities in DHIS2 2.41's legacy shape (issue 16 §1, contract §11.4): DHIS2 ≤ 2.41
 * locals push theirs with `POST /api/trackedEntityInstances?strategy=SYNC` before every metadata
 * pull, and read ImportSummaries back (nested: enrollments, then events). The GETs export what
 * was stored in the same shape. Writes follow DHIS2's rule for this push (`requireDataWrite`, issue
 * 16 §5: any signed-in user, as DHIS2's controller declares no authority); reads any authenticated
 * user.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TRACKER_STRATEGIES } from '../../domain/data/tracker-plan.ts';
import { trackedEntityWire } from '../../domain/data/tracker.ts';
import { errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { acceptGzipBodies } from '../plugins/gzip-body.ts';
import { requireDataWrite } from '../plugins/basic-auth.ts';
import { trackedEntitiesSchema, trackedEntity } from '../schemas/data.ts';
import { webMessageSchema } from '../web-message.ts';
import { summaryMessage } from './data-values.ts';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
/** DHIS2 separates list values with `;` (commas are accepted too). */
const list = z.string().transform((v) => v.split(/[;,]/).filter(Boolean));
const PATH = '/api/trackedEntityInstances';

export const trackedEntityRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  acceptGzipBodies(app);
  const data = services.data;
  const baseUrl = (request: { protocol: string; host: string }) =>
    services.config.serverBaseUrl ?? `${request.protocol}://${request.host}`;

  app.post(
    PATH,
    {
      onRequest: requireDataWrite('trackedEntityInstances'),
      schema: {
        tags: ['data'],
        summary:
          'Import tracked entities with their enrollments and events (2.41 shape); answers ImportSummaries',
        querystring: z
          .object({
            strategy: z.enum(TRACKER_STRATEGIES).default('CREATE_AND_UPDATE'),
            importStrategy: z.enum(TRACKER_STRATEGIES).optional(),
            dryRun: bool.default(false),
          })
          .catchall(z.string()),
        body: z
          .object({ trackedEntityInstances: z.array(z.record(z.string(), z.unknown())).optional() })
          .catchall(z.unknown()),
        response: { 200: webMessageSchema, 409: webMessageSchema },
      },
      config: { importSummary: 'ImportSummaries' },
    },
    async (request, reply) => {
      const q = request.query;
      const base = baseUrl(request);
      const summaries = await data.importTrackedEntities(request.body, {
        strategy: q.importStrategy ?? q.strategy,
        dryRun: q.dryRun,
        href: (uid) => `${base}${PATH}/${uid}`,
      });
      const { code, body } = summaryMessage(summaries);
      return reply.code(code).send(body);
    },
  );

  app.get(
    PATH,
    {
      schema: {
        tags: ['data'],
        summary: 'Export tracked entities by org unit, program, tracked entity type; paged',
        querystring: z.object({
          ou: list.optional(),
          orgUnit: list.optional(),
          ouMode: z.enum(['SELECTED', 'CHILDREN', 'DESCENDANTS', 'ALL']).optional(),
          program: z.string().optional(),
          trackedEntityType: z.string().optional(),
          trackedEntityInstance: list.optional(),
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(50_000).default(50),
          totalPages: bool.default(false),
          skipPaging: bool.default(false),
          paging: bool.default(true),
          includeDeleted: bool.default(false),
        }),
        response: { 200: trackedEntitiesSchema },
      },
    },
    async (request) => {
      const q = request.query;
      const orgUnits = q.ou ?? q.orgUnit;
      const paged = q.paging && !q.skipPaging;
      const { trees, total } = await data.queryTrackedEntities({
        ...(orgUnits ? { orgUnits } : {}),
        ouMode: q.ouMode ?? (orgUnits ? 'SELECTED' : 'ALL'),
        ...(q.program ? { program: q.program } : {}),
        ...(q.trackedEntityType ? { trackedEntityType: q.trackedEntityType } : {}),
        ...(q.trackedEntityInstance ? { uids: q.trackedEntityInstance } : {}),
        includeDeleted: q.includeDeleted,
        offset: paged ? (q.page - 1) * q.pageSize : 0,
        limit: paged ? q.pageSize : null,
      });
      return {
        ...(paged && q.totalPages
          ? {
              pager: {
                page: q.page,
                pageSize: q.pageSize,
                total,
                pageCount: Math.ceil(total / q.pageSize),
              },
            }
          : {}),
        trackedEntityInstances: trees.map((t) => trackedEntityWire(t, q.includeDeleted)),
      };
    },
  );

  app.get(
    `${PATH}/:id`,
    {
      schema: {
        tags: ['data'],
        summary: 'Export one tracked entity with its enrollments and events',
        params: z.object({ id: z.string() }),
        querystring: z.object({ program: z.string().optional() }).catchall(z.string()),
        response: { 200: trackedEntity },
      },
    },
    async (request) => {
      const id = request.params.id;
      const { trees } = await data.queryTrackedEntities({
        uids: [id],
        ouMode: 'ALL',
        includeDeleted: false,
        offset: 0,
        limit: 1,
      });
      const tree = trees[0];
      if (!tree) throw errors.notFound(`TrackedEntityInstance with id ${id} could not be found.`);
      return trackedEntityWire(tree);
    },
  );
};
