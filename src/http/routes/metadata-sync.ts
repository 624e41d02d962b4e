/**
 * The local's sync endpoints (issue 6 §4–§6): manual sync of a version in DHIS2's shape
 * (contract §6.7, but importing every missing version up to the named one), full runs, reports,
 * status at a glance, and the audited rebaseline. All need F_METADATA_MANAGE (or ALL).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { AppError, ErrorCode, errors } from '../../domain/errors.ts';
import type { SyncReport, VersionReport } from '../../domain/sync/sync-report.ts';
import { dhis2Date } from '../../domain/versioning/version.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import {
  auditEntrySchema,
  metadataSyncSummarySchema,
  rebaselineSchema,
  syncReportSchema,
  syncStartedSchema,
  syncStatusSchema,
} from '../schemas/sync.ts';
import { webMessage, webMessageSchema } from '../web-message.ts';

const manage = requireAuthority(Authority.F_METADATA_MANAGE);

/** DHIS2's MetadataSyncSummary for the last version a manual sync handled (contract §6.7). */
function summary(
  report: SyncReport,
  last: VersionReport | undefined,
  version: Record<string, unknown> | null,
) {
  return {
    responseType: 'MetadataSyncSummary',
    importReport: last
      ? {
          status:
            last.status === 'SUCCESS' ? 'OK' : last.status === 'WARNING' ? 'WARNING' : 'ERROR',
          stats: last.stats,
          errorReports: last.errors,
        }
      : null,
    metadataVersion: version,
    syncReport: report.id,
    versions: report.versions.map((v) => ({ name: v.name, status: v.status, stats: v.stats })),
  };
}

export const metadataSyncRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  const { sync } = services;

  app.get(
    '/api/metadata/sync',
    {
      onRequest: manage,
      schema: {
        tags: ['sync'],
        summary: 'Sync up to and including ?versionName= from the central (DHIS2 manual sync)',
        querystring: z.object({ versionName: z.string().optional() }),
        response: { 200: metadataSyncSummarySchema, 409: webMessageSchema },
      },
    },
    async (request, reply) => {
      const name = request.query.versionName?.trim();
      if (!name)
        throw errors.badRequest(
          "Error in parsing inputParams Missing required parameter: 'versionName'",
        );
      if (await sync.localVersion(name))
        throw errors.conflict('Version already exists in system and hence not starting the sync.');
      const { done } = await sync.start({
        trigger: 'MANUAL_VERSION',
        triggeredBy: request.principal!.user.username,
        actorId: request.principal!.user.id,
        upTo: name,
      });
      const report = await done;
      const reached = report.versions.find((v) => v.name === name);
      const local = await sync.localVersion(name);
      const version = local
        ? {
            name: local.name,
            type: local.type,
            hashCode: local.hashCode,
            id: local.id,
            created: dhis2Date(local.created),
            importDate: local.importDate ? dhis2Date(local.importDate) : undefined,
          }
        : null;
      if (report.status === 'SUCCESS' && !reached && !local)
        throw errors.notFound(
          `The MetadataVersion could not be fetched from the remote server for the versionName: ${name}`,
        );
      const body = summary(report, reached ?? report.versions[report.versions.length - 1], version);
      if (report.status === 'SUCCESS') {
        if (reached?.status === 'WARNING')
          return reply.code(409).send(webMessage(409, 'ERROR', undefined, { response: body }));
        return body;
      }
      const failure = report.error!;
      if (failure.kind === 'VERSION_MISMATCH')
        throw new AppError(
          ErrorCode.FORBIDDEN,
          `Exception occurred while doing metadata sync: ${failure.message}`,
        );
      if (failure.kind === 'IMPORT_FAILED')
        return reply.code(409).send(webMessage(409, 'ERROR', failure.message, { response: body }));
      if (failure.kind === 'DIVERGED' || failure.kind === 'VERSION_EXISTS')
        throw errors.conflict(failure.message, { syncReport: report.id });
      throw new AppError(
        ErrorCode.BAD_GATEWAY,
        `Exception occurred while doing metadata sync: ${failure.message}`,
        { details: { syncReport: report.id } },
      );
    },
  );

  app.post(
    '/api/metadata/sync/run',
    {
      onRequest: manage,
      schema: {
        tags: ['sync'],
        summary:
          'Start a full sync run (data push, then metadata pull); 202 with the report id, or the finished report with ?wait=true',
        querystring: z.object({ wait: z.enum(['true', 'false']).default('false') }),
        response: { 200: syncReportSchema, 202: syncStartedSchema, 409: webMessageSchema },
      },
    },
    async (request, reply) => {
      const { report, done } = await sync.start({
        trigger: 'MANUAL',
        triggeredBy: request.principal!.user.username,
        actorId: request.principal!.user.id,
      });
      if (request.query.wait === 'true') return { ...(await done) };
      void done;
      return reply.code(202).send({
        id: report.id,
        status: report.status,
        href: `/api/metadata/sync/reports/${report.id}`,
      });
    },
  );

  app.get(
    '/api/metadata/sync/reports',
    {
      onRequest: manage,
      schema: {
        tags: ['sync'],
        summary: 'Sync run reports, newest first',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
        response: { 200: z.object({ reports: z.array(syncReportSchema) }) },
      },
    },
    async (request) => ({
      reports: (await sync.reports(request.query.limit)).map((r) => ({ ...r })),
    }),
  );

  app.get(
    '/api/metadata/sync/reports/:id',
    {
      onRequest: manage,
      schema: {
        tags: ['sync'],
        summary: 'One sync run report',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: syncReportSchema },
      },
    },
    async (request) => {
      const report = await sync.report(request.params.id);
      if (!report) throw errors.notFound(`No sync report ${request.params.id}`);
      return { ...report };
    },
  );

  app.get(
    '/api/metadata/sync/status',
    {
      onRequest: manage,
      schema: {
        tags: ['sync'],
        summary:
          'The sync state at a glance; ?refresh=true asks the central for its newest version first',
        querystring: z.object({ refresh: z.enum(['true', 'false']).default('false') }),
        response: { 200: syncStatusSchema },
      },
    },
    async (request) => sync.status({ refresh: request.query.refresh === 'true' }),
  );

  app.post(
    '/api/metadata/sync/rebaseline',
    {
      onRequest: manage,
      schema: {
        tags: ['sync'],
        summary:
          "Audited recovery: take the central's version `to` as this instance's current version, without importing",
        body: z.object({ to: z.string().min(1).max(230), reason: z.string().min(1).max(2000) }),
        response: { 200: rebaselineSchema },
      },
    },
    async (request) => ({
      ...(await sync.rebaseline({
        to: request.body.to,
        reason: request.body.reason,
        username: request.principal!.user.username,
      })),
    }),
  );

  app.get(
    '/api/metadata/sync/audit',
    {
      onRequest: manage,
      schema: {
        tags: ['sync'],
        summary: 'The audit log of sync recovery actions',
        response: { 200: z.object({ audit: z.array(auditEntrySchema) }) },
      },
    },
    async () => ({
      audit: (await sync.audits()).map((a) => ({ ...a, at: a.at.toISOString() })),
    }),
  );
};
