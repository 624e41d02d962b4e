/**
 * Per-type metadata endpoints (issue 4 §3): `GET /api/{type}` (paged list), `GET/PUT/DELETE
 * /api/{type}/{id}` and `POST /api/{type}`, registered for each registry type so that unknown
 * paths keep their 404/405 answers; opaque types (issue 16 §8) have only the two reads. Writes go through the metadata import, so they follow the
 * same validation, change tracking and user projection.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../domain/auth/authenticate.ts';
import { errors } from '../../domain/errors.ts';
import { applyFields, parseFields } from '../../domain/metadata/fields.ts';
import { matchesAll, parseFilter, parseOrder, sortBy } from '../../domain/metadata/filter.ts';
import type { ImportActor } from '../../domain/metadata/import-metadata.ts';
import { DEFAULT_IMPORT_PARAMS, type ImportParams } from '../../domain/metadata/import-params.ts';
import type { ImportReport } from '../../domain/metadata/import-report.ts';
import {
  METADATA_TYPES,
  simpleClassName,
  writeAuthorities,
  type MetadataType,
} from '../../domain/metadata/types.ts';
import { newUid } from '../../security/random.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import { metadataList, metadataObject } from '../schemas/metadata.ts';
import { webMessage, webMessageSchema } from '../web-message.ts';

const listQuery = z.object({
  fields: z.string().optional(),
  filter: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => [v].flat())
    .optional(),
  order: z.string().optional(),
  rootJunction: z.enum(['AND', 'OR']).default('AND'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100_000).default(50),
  paging: z.enum(['true', 'false']).default('true'),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const objectBody = z.record(z.string(), z.unknown());

const IMPORT_ERRORS = 'One or more errors occurred, please see full details in import report.';

/** The caller as the import sees it: its id is recorded, its authorities bound what it may grant. */
export const importActor = (principal: Principal): ImportActor => ({
  id: principal.user.id,
  authorities: principal.authorities,
});

/** DHIS2's 409 answer for an import or object write with errors (contract §6.0.1). */
export const importConflict = (reply: FastifyReply, response: unknown) =>
  reply.code(409).send(webMessage(409, 'ERROR', IMPORT_ERRORS, { response }));

function objectReport(type: MetadataType, report: ImportReport, uid: string | undefined) {
  const errorReports = report.typeReports.flatMap((t) =>
    t.objectReports.flatMap((o) => o.errorReports),
  );
  return { responseType: 'ObjectReport', uid, klass: type.klass, errorReports };
}

export const metadataObjectRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  const { metadata } = services;
  // Users and roles carry authorities: the import refuses writes beyond the caller's own
  // (domain/auth/escalation.ts), with 403 and nothing written.
  const run = (
    type: MetadataType,
    object: Record<string, unknown>,
    params: Partial<ImportParams>,
    principal: Principal,
  ) =>
    metadata.import(
      { [type.key]: [object] },
      { ...DEFAULT_IMPORT_PARAMS, ...params },
      importActor(principal),
    );
  const notFound = (type: MetadataType, id: string) =>
    errors.notFound(`${simpleClassName(type)} with id ${id} could not be found.`);

  for (const type of METADATA_TYPES) {
    const tags = ['metadata objects'];
    app.get(
      `/api/${type.key}`,
      {
        schema: {
          tags,
          summary: `List ${type.key} (paged; fields, filter, order)`,
          querystring: listQuery,
          response: { 200: metadataList(type.key) },
        },
      },
      async (request) => {
        const q = request.query;
        const filters = (q.filter ?? []).map(parseFilter);
        const orders = parseOrder(q.order ?? 'name:asc');
        const tree = parseFields(q.fields ?? 'id,displayName');
        const all = sortBy(
          (await metadata.list(type.key)).filter((o) => matchesAll(o, filters, q.rootJunction)),
          orders,
        );
        if (q.paging === 'false') return { [type.key]: all.map((o) => applyFields(o, tree)) };
        const pageCount = Math.max(1, Math.ceil(all.length / q.pageSize));
        const start = (q.page - 1) * q.pageSize;
        const base = `${services.config.serverBaseUrl ?? `${request.protocol}://${request.host}`}/api/${type.key}`;
        // Page links keep the request's other parameters (pageSize, filter, fields, order).
        const link = (page: number) => {
          const params = new URLSearchParams(request.url.split('?')[1] ?? '');
          params.set('page', String(page));
          return `${base}?${params.toString()}`;
        };
        return {
          pager: {
            page: q.page,
            pageCount,
            total: all.length,
            pageSize: q.pageSize,
            ...(q.page < pageCount ? { nextPage: link(q.page + 1) } : {}),
            ...(q.page > 1 ? { prevPage: link(q.page - 1) } : {}),
          },
          [type.key]: all.slice(start, start + q.pageSize).map((o) => applyFields(o, tree)),
        };
      },
    );

    app.get(
      `/api/${type.key}/:id`,
      {
        schema: {
          tags,
          summary: `One of ${type.key}`,
          params: idParams,
          querystring: z.object({ fields: z.string().optional() }),
          response: { 200: metadataObject },
        },
      },
      async (request) => {
        const object = await metadata.get(type.key, request.params.id);
        if (!object) throw notFound(type, request.params.id);
        return applyFields(object, parseFields(request.query.fields ?? ':all')) as Record<
          string,
          unknown
        >;
      },
    );

    // Opaque types are read here and written only through POST /api/metadata (issue 16 §8).
    if (type.opaque) continue;

    app.post(
      `/api/${type.key}`,
      {
        onRequest: requireAuthority(...writeAuthorities(type, 'add')),
        schema: {
          tags,
          summary: `Create one of ${type.key}`,
          body: objectBody,
          response: { 201: webMessageSchema, 409: webMessageSchema },
        },
      },
      async (request, reply) => {
        // The id is chosen here when the body has none, so the answer can name it (as DHIS2 does).
        const body = { ...request.body, id: request.body.id ?? newUid() };
        const uid = typeof body.id === 'string' ? body.id : undefined;
        const report = await run(type, body, { importStrategy: 'CREATE' }, request.principal!);
        if (report.status === 'ERROR')
          return importConflict(reply, objectReport(type, report, uid));
        return reply.code(201).send(
          webMessage(201, 'OK', `${simpleClassName(type)} created`, {
            response: objectReport(type, report, uid),
          }),
        );
      },
    );

    app.put(
      `/api/${type.key}/:id`,
      {
        onRequest: requireAuthority(...writeAuthorities(type, 'add')),
        schema: {
          tags,
          summary: `Replace one of ${type.key}`,
          params: idParams,
          body: objectBody,
          response: { 200: webMessageSchema, 409: webMessageSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!(await metadata.get(type.key, id))) throw notFound(type, id);
        const report = await run(
          type,
          { ...request.body, id },
          { importStrategy: 'UPDATE' },
          request.principal!,
        );
        if (report.status === 'ERROR') return importConflict(reply, objectReport(type, report, id));
        return webMessage(200, 'OK', `${simpleClassName(type)} updated`, {
          response: objectReport(type, report, id),
        });
      },
    );

    app.delete(
      `/api/${type.key}/:id`,
      {
        onRequest: requireAuthority(...writeAuthorities(type, 'delete')),
        schema: {
          tags,
          summary: `Delete one of ${type.key}`,
          params: idParams,
          response: { 200: webMessageSchema, 409: webMessageSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!(await metadata.get(type.key, id))) throw notFound(type, id);
        const report = await run(type, { id }, { importStrategy: 'DELETE' }, request.principal!);
        if (report.status === 'ERROR') {
          const referencedBy = await metadata.referencing(id);
          return reply.code(409).send(
            webMessage(
              409,
              'ERROR',
              `${simpleClassName(type)} ${id} could not be deleted: it is still referenced by ${referencedBy.length} object(s)`,
              {
                response: { ...objectReport(type, report, id), referencedBy },
              },
            ),
          );
        }
        return webMessage(200, 'OK', `${simpleClassName(type)} deleted`, {
          response: objectReport(type, report, id),
        });
      },
    );
  }
};
