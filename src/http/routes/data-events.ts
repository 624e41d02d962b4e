/**
 * Complete data set registrations (issue 7 §2) and anonymous events (issue 7 §3, DHIS2 2.41's
 * `/api/events`, `strategy=SYNC` as locals send it). Writes take any authenticated user, as DHIS2's
 * controllers do (`requireDataWrite`, issue 16 §5); DHIS2's per-object sharing and capture-scope
 * checks are not modelled (docs/deviations.md).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EVENT_STRATEGIES } from '../../domain/data/events.ts';
import { canonicalPeriod } from '../../domain/data/periods.ts';
import type { Services } from '../../services.ts';
import { acceptGzipBodies } from '../plugins/gzip-body.ts';
import { requireDataWrite } from '../plugins/basic-auth.ts';
import { eventsSchema, importBody, registrationsSchema } from '../schemas/data.ts';
import { webMessageSchema } from '../web-message.ts';
import { summaryMessage } from './data-values.ts';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  [v]
    .flat()
    .flatMap((s) => s.split(','))
    .filter(Boolean),
);

export const dataEventRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  acceptGzipBodies(app);
  const data = services.data;

  app.post(
    '/api/completeDataSetRegistrations',
    {
      onRequest: requireDataWrite('completeDataSetRegistrations'),
      schema: {
        tags: ['data'],
        summary: 'Import complete data set registrations; answers an ImportSummary',
        querystring: z.object({ dryRun: bool.default(false) }).catchall(z.string()),
        body: importBody('completeDataSetRegistrations'),
        response: { 200: webMessageSchema, 409: webMessageSchema },
      },
      config: { importSummary: 'ImportSummary' },
    },
    async (request, reply) => {
      const summary = await data.importRegistrations(request.body, request.query.dryRun);
      const { code, body } = summaryMessage(summary);
      return reply.code(code).send(body);
    },
  );

  app.get(
    '/api/completeDataSetRegistrations',
    {
      schema: {
        tags: ['data'],
        summary: 'Export complete data set registrations by dataSet, period, orgUnit',
        querystring: z.object({
          dataSet: list.optional(),
          period: list.optional(),
          orgUnit: list.optional(),
        }),
        response: { 200: registrationsSchema },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await data.queryRegistrations({
        ...(q.dataSet ? { dataSets: q.dataSet } : {}),
        ...(q.period ? { periods: q.period.map(canonicalPeriod) } : {}),
        ...(q.orgUnit ? { orgUnits: q.orgUnit } : {}),
      });
      return {
        completeDataSetRegistrations: rows.map(({ deleted: _deleted, ...r }) => r),
      };
    },
  );

  app.post(
    '/api/events',
    {
      onRequest: requireDataWrite('events'),
      schema: {
        tags: ['data'],
        summary: 'Import anonymous events (2.41 shape); answers ImportSummaries',
        querystring: z
          .object({
            strategy: z.enum(EVENT_STRATEGIES).default('CREATE_AND_UPDATE'),
            importStrategy: z.enum(EVENT_STRATEGIES).optional(),
            dryRun: bool.default(false),
          })
          .catchall(z.string()),
        body: importBody('events'),
        response: { 200: webMessageSchema, 409: webMessageSchema },
      },
      config: { importSummary: 'ImportSummaries' },
    },
    async (request, reply) => {
      const q = request.query;
      const summaries = await data.importEvents(request.body, {
        strategy: q.importStrategy ?? q.strategy,
        dryRun: q.dryRun,
      });
      const { code, body } = summaryMessage(summaries);
      return reply.code(code).send(body);
    },
  );

  app.get(
    '/api/events',
    {
      schema: {
        tags: ['data'],
        summary: 'List anonymous events by program and orgUnit',
        querystring: z.object({
          program: z.string().optional(),
          orgUnit: z.string().optional(),
          pageSize: z.coerce.number().int().min(1).max(50_000).default(50),
          paging: z.enum(['true', 'false']).default('true'),
        }),
        response: { 200: eventsSchema },
      },
    },
    async (request) => {
      const q = request.query;
      const events = await data.queryEvents({
        ...(q.program ? { program: q.program } : {}),
        ...(q.orgUnit ? { orgUnit: q.orgUnit } : {}),
        ...(q.paging === 'true' ? { limit: q.pageSize } : {}),
      });
      return {
        events: events.map(({ deleted: _deleted, ...e }) => ({ ...e, occurredAt: e.eventDate })),
      };
    },
  );
};
