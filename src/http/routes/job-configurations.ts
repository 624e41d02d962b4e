/**
 * `/api/jobConfigurations` (issue 8, contract §13): CRUD in DHIS2's shape, "execute now", and
 * (metasync) the executions of a job. All need F_SCHEDULING_ADMIN or ALL.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import {
  JobConfigurationBody,
  JobConfigurationDto,
  JobExecutionDto,
  toExecutionDto,
  toJobDto,
} from '../schemas/job-configuration.ts';
import { webMessage, webMessageSchema } from '../web-message.ts';

const admin = requireAuthority(Authority.F_SCHEDULING_ADMIN);
const KLASS = 'org.hisp.dhis.scheduling.JobConfiguration';
const params = z.object({ id: z.string().max(64) });

/** DHIS2's answer to a create/update/delete: a WebMessage holding an ObjectReport. */
const objectReport = (code: number, uid: string) =>
  webMessage(code, 'OK', undefined, {
    response: { responseType: 'ObjectReport', uid, klass: KLASS, errorReports: [] },
  });

export const jobConfigurationRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  const { jobs } = services;
  const isRunning = async (id: string) =>
    (await jobs.executions(id, 1).catch(() => []))[0]?.status === 'RUNNING';
  const dto = async (j: Awaited<ReturnType<typeof jobs.getOrThrow>>) =>
    toJobDto(j, await isRunning(j.id));

  app.get(
    '/api/jobConfigurations',
    {
      onRequest: admin,
      schema: {
        tags: ['scheduling'],
        summary: 'The job configurations',
        querystring: z.object({ paging: z.enum(['true', 'false']).default('true') }),
        response: {
          200: z.object({
            pager: z
              .object({
                page: z.number(),
                pageCount: z.number(),
                total: z.number(),
                pageSize: z.number(),
              })
              .optional(),
            jobConfigurations: z.array(JobConfigurationDto),
          }),
        },
      },
    },
    async (request) => {
      const list = await Promise.all((await jobs.list()).map(dto));
      return request.query.paging === 'false'
        ? { jobConfigurations: list }
        : {
            pager: {
              page: 1,
              pageCount: 1,
              total: list.length,
              pageSize: Math.max(50, list.length),
            },
            jobConfigurations: list,
          };
    },
  );

  app.get(
    '/api/jobConfigurations/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['scheduling'],
        summary: 'One job configuration',
        params,
        response: { 200: JobConfigurationDto },
      },
    },
    async (request) => dto(await jobs.getOrThrow(request.params.id)),
  );

  app.post(
    '/api/jobConfigurations',
    {
      onRequest: admin,
      schema: {
        tags: ['scheduling'],
        summary: 'Create a job configuration (jobType META_DATA_SYNC, 6-field cron)',
        body: JobConfigurationBody,
        response: { 201: webMessageSchema },
      },
    },
    async (request, reply) => {
      const job = await jobs.create(request.body, request.principal!.user.id);
      return reply.code(201).send(objectReport(201, job.id));
    },
  );

  app.put(
    '/api/jobConfigurations/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['scheduling'],
        summary: 'Replace a job configuration; the scheduler applies it at once',
        params,
        body: JobConfigurationBody,
        response: { 200: webMessageSchema },
      },
    },
    async (request) => {
      const job = await jobs.update(request.params.id, request.body);
      return objectReport(200, job.id);
    },
  );

  app.delete(
    '/api/jobConfigurations/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['scheduling'],
        summary: 'Delete a job configuration (and its executions)',
        params,
        response: { 200: webMessageSchema },
      },
    },
    async (request) => {
      await jobs.remove(request.params.id);
      return objectReport(200, request.params.id);
    },
  );

  app.post(
    '/api/jobConfigurations/:id/execute',
    {
      onRequest: admin,
      schema: {
        tags: ['scheduling'],
        summary: 'Run a job now; answers when it has started',
        params,
        response: { 200: webMessageSchema, 409: webMessageSchema },
      },
    },
    async (request) => {
      const { execution } = await jobs.execute(request.params.id);
      if (!execution) throw errors.conflict('The job could not be started');
      if (execution.status === 'SKIPPED' || execution.status === 'FAILED')
        throw errors.conflict(execution.message ?? 'The job could not be started', {
          execution: toExecutionDto(execution),
        });
      return webMessage(200, 'OK', `Initiated ${request.params.id}`, {
        response: toExecutionDto(execution),
      });
    },
  );

  app.get(
    '/api/jobConfigurations/:id/executions',
    {
      onRequest: admin,
      schema: {
        tags: ['scheduling'],
        summary: 'The executions of a job, newest first (metasync)',
        params,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }),
        response: { 200: z.object({ executions: z.array(JobExecutionDto) }) },
      },
    },
    async (request) => ({
      executions: (await jobs.executions(request.params.id, request.query.limit)).map(
        toExecutionDto,
      ),
    }),
  );
};
