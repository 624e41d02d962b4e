/**
 * Aggregate data values (issue 7 §1): `POST/GET /api/dataValueSets` and the single-value
 * `POST/GET/DELETE /api/dataValues`, in DHIS2's shapes. Imports answer DHIS2's ImportSummary in a
 * WebMessage (2.38+): 200 for SUCCESS/WARNING, 409 for ERROR. Writes need F_DATAVALUE_ADD
 * (deletes F_DATAVALUE_DELETE) or ALL, the push through `requireDataWrite` (issue 16 §5); reads
 * any authenticated user.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { DATA_IMPORT_STRATEGIES, DEFAULT_COC, wireValue } from '../../domain/data/data-values.ts';
import type { ImportSummary } from '../../domain/data/import-summary.ts';
import { canonicalPeriod, parsePeriod } from '../../domain/data/periods.ts';
import { errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { acceptGzipBodies } from '../plugins/gzip-body.ts';
import { requireAuthority, requireDataWrite } from '../plugins/basic-auth.ts';
import { dataValueSetSchema, importBody } from '../schemas/data.ts';
import { noBody } from '../schemas/json.ts';
import { webMessage, webMessageSchema } from '../web-message.ts';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  [v]
    .flat()
    .flatMap((s) => s.split(','))
    .filter(Boolean),
);
const date = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date');

/** The WebMessage around an ImportSummary: 409 when the summary is ERROR (DHIS2 2.38+). */
export function summaryMessage(summary: { status: string }) {
  const code: 200 | 409 = summary.status === 'ERROR' ? 409 : 200;
  const status =
    summary.status === 'SUCCESS' ? 'OK' : summary.status === 'WARNING' ? 'WARNING' : 'ERROR';
  const message =
    code === 409
      ? 'One more conflicts encountered, please check import summary.'
      : 'Import was successful.';
  return { code, body: webMessage(code, status, message, { response: summary }) };
}

const singleQuery = z.object({
  de: z.string().min(1),
  pe: z.string().min(1),
  ou: z.string().min(1),
  co: z.string().optional(),
  cc: z.string().optional(),
  cp: z.string().optional(),
});

export const dataValueRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  acceptGzipBodies(app);
  const data = services.data;

  app.post(
    '/api/dataValueSets',
    {
      onRequest: requireDataWrite('dataValueSets'),
      schema: {
        tags: ['data'],
        summary: 'Import a data value set (DHIS2 JSON); answers an ImportSummary',
        querystring: z.object({
          importStrategy: z.enum(DATA_IMPORT_STRATEGIES).default('CREATE_AND_UPDATE'),
          dryRun: bool.default(false),
          idScheme: z.enum(['UID', 'CODE', 'uid', 'code']).default('UID'),
          dataElementIdScheme: z.enum(['UID', 'CODE', 'uid', 'code']).optional(),
          orgUnitIdScheme: z.enum(['UID', 'CODE', 'uid', 'code']).optional(),
          async: z.string().optional(),
        }),
        body: importBody('dataValues'),
        response: { 200: webMessageSchema, 409: webMessageSchema },
      },
      config: { importSummary: 'ImportSummary' },
    },
    async (request, reply) => {
      const q = request.query;
      const summary = await data.importValues(request.body, {
        importStrategy: q.importStrategy,
        dryRun: q.dryRun,
        idScheme: q.idScheme.toUpperCase() as 'UID' | 'CODE',
      });
      const { code, body } = summaryMessage(summary);
      return reply.code(code).send(body);
    },
  );

  app.get(
    '/api/dataValueSets',
    {
      schema: {
        tags: ['data'],
        summary: 'Export data values by data set / data element, period or date range, org unit',
        querystring: z.object({
          dataSet: list.optional(),
          dataElement: list.optional(),
          period: list.optional(),
          orgUnit: list.optional(),
          startDate: date.optional(),
          endDate: date.optional(),
          lastUpdated: date.optional(),
          children: bool.default(false),
          includeDeleted: bool.default(false),
          limit: z.coerce.number().int().min(1).optional(),
        }),
        response: { 200: dataValueSetSchema },
      },
    },
    async (request) => {
      const q = request.query;
      let dataElements = q.dataElement;
      if (q.dataSet) {
        const sets = await data.resolve('dataSets', q.dataSet, 'UID');
        const ids = [...sets.values()].flatMap((s) =>
          ((s.dataSetElements as { dataElement?: { id?: string } }[] | undefined) ?? []).map(
            (e) => e.dataElement?.id ?? '',
          ),
        );
        dataElements = [...(dataElements ?? []), ...ids];
      }
      let values = await data.queryDataValues({
        ...(dataElements ? { dataElements } : {}),
        ...(q.period ? { periods: q.period.map(canonicalPeriod) } : {}),
        ...(q.orgUnit ? { orgUnits: q.orgUnit, children: q.children } : {}),
        ...(q.lastUpdated ? { lastUpdated: new Date(q.lastUpdated) } : {}),
        includeDeleted: q.includeDeleted,
        ...(q.limit ? { limit: q.limit } : {}),
      });
      // startDate/endDate: the periods that lie within the range (DHIS2 DataExportParams).
      if (q.startDate || q.endDate) {
        const from = q.startDate ? new Date(q.startDate).getTime() : -Infinity;
        const to = q.endDate ? new Date(q.endDate).getTime() : Infinity;
        values = values.filter((v) => {
          const p = parsePeriod(v.period);
          return p !== null && p.start.getTime() >= from && p.end.getTime() <= to;
        });
      }
      return {
        ...(q.dataSet?.length === 1 ? { dataSet: q.dataSet[0] } : {}),
        dataValues: values.map(wireValue),
      };
    },
  );

  /** The attribute option combo of `cc` + `cp` (options joined by `;`), or the default. */
  async function attributeCombo(cc?: string, cp?: string): Promise<string> {
    if (!cc || !cp) return DEFAULT_COC;
    const wanted = new Set(cp.split(';'));
    const combos = await services.metadata.list('categoryOptionCombos');
    const hit = combos.find((c) => {
      const opts = ((c.categoryOptions as { id: string }[] | undefined) ?? []).map((o) => o.id);
      return (
        (c.categoryCombo as { id?: string } | undefined)?.id === cc &&
        opts.length === wanted.size &&
        opts.every((o) => wanted.has(o))
      );
    });
    if (!hit)
      throw errors.conflict(`Attribute option combo not found for cc \`${cc}\` and cp \`${cp}\``);
    return String(hit.id);
  }

  const single = async (
    q: z.infer<typeof singleQuery>,
    extra: Record<string, unknown>,
    strategy: 'CREATE_AND_UPDATE' | 'DELETE',
  ): Promise<ImportSummary> =>
    data.importValues(
      {
        dataValues: [
          {
            dataElement: q.de,
            period: q.pe,
            orgUnit: q.ou,
            categoryOptionCombo: q.co ?? DEFAULT_COC,
            attributeOptionCombo: await attributeCombo(q.cc, q.cp),
            ...extra,
          },
        ],
      },
      { importStrategy: strategy, dryRun: false, idScheme: 'UID' },
    );
  const failIfConflict = (summary: ImportSummary) => {
    const c = summary.conflicts[0];
    if (c) throw errors.conflict(c.value, { conflicts: summary.conflicts });
  };

  app.post(
    '/api/dataValues',
    {
      onRequest: requireAuthority(Authority.F_DATAVALUE_ADD),
      schema: {
        tags: ['data'],
        summary: 'Store one data value (de, pe, ou, co, cc/cp, value)',
        querystring: singleQuery.extend({
          value: z.string().optional(),
          comment: z.string().optional(),
          followUp: bool.optional(),
        }),
        response: { 201: noBody('Stored; no body') },
      },
    },
    async (request, reply) => {
      const { value, comment, followUp, ...q } = request.query;
      failIfConflict(
        await single(
          q,
          {
            value: value ?? null,
            comment: comment ?? null,
            ...(followUp !== undefined ? { followup: followUp } : {}),
            storedBy: request.principal!.user.username,
          },
          'CREATE_AND_UPDATE',
        ),
      );
      return reply.code(201).send();
    },
  );

  app.get(
    '/api/dataValues',
    {
      schema: {
        tags: ['data'],
        summary: 'Read one data value',
        querystring: singleQuery,
        // DHIS2 answers a one-element list: the value as text.
        response: { 200: z.array(z.string()).length(1) },
      },
    },
    async (request) => {
      const q = request.query;
      const aoc = await attributeCombo(q.cc, q.cp);
      const [hit] = (
        await data.queryDataValues({
          dataElements: [q.de],
          periods: [canonicalPeriod(q.pe)],
          orgUnits: [q.ou],
        })
      ).filter(
        (v) => v.categoryOptionCombo === (q.co ?? DEFAULT_COC) && v.attributeOptionCombo === aoc,
      );
      if (!hit) throw errors.notFound('Data value does not exist');
      return [hit.value ?? ''];
    },
  );

  app.delete(
    '/api/dataValues',
    {
      onRequest: requireAuthority(Authority.F_DATAVALUE_DELETE),
      schema: {
        tags: ['data'],
        summary: 'Delete one data value (soft: pushed on)',
        querystring: singleQuery,
        response: { 204: noBody('Deleted; no body') },
      },
    },
    async (request, reply) => {
      const summary = await single(request.query, {}, 'DELETE');
      failIfConflict(summary);
      if (summary.importCount.deleted === 0) throw errors.notFound('Data value does not exist');
      return reply.code(204).send();
    },
  );
};
