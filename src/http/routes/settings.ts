/**
 * System settings API in DHIS2's shape (issue 3 §5): read by any authenticated user, written with
 * F_SYSTEM_SETTING. Secret keys are write-only: listings omit them, a single read answers '' (as
 * DHIS2 does for confidential settings), and confirmations never echo their value.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import { okMessage, webMessageSchema } from '../web-message.ts';
import { settingsObject } from '../schemas/identity.ts';

const keyParams = z.object({ key: z.string().min(1).max(200) });
const canWrite = requireAuthority(Authority.F_SYSTEM_SETTING);

export const settingsRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  const { settings } = services;

  app.get(
    '/api/systemSettings',
    {
      schema: {
        tags: ['settings'],
        summary: 'All non-secret system settings',
        querystring: z.object({ key: z.union([z.string(), z.array(z.string())]).optional() }),
        response: { 200: settingsObject },
      },
    },
    async (request) => {
      const all = await settings.listPublic();
      const wanted = request.query.key === undefined ? null : [request.query.key].flat();
      if (!wanted) return all;
      return Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k)));
    },
  );

  app.post(
    '/api/systemSettings',
    {
      onRequest: canWrite,
      schema: {
        tags: ['settings'],
        summary: 'Set several settings at once (all or nothing)',
        body: z.record(z.string(), z.unknown()),
        response: { 200: webMessageSchema },
      },
    },
    async (request) => {
      await settings.update(request.body);
      return okMessage('System settings imported');
    },
  );

  app.get(
    '/api/systemSettings/:key',
    {
      schema: {
        tags: ['settings'],
        summary: 'One setting, as JSON {key: value} or text/plain',
        params: keyParams,
        response: { 200: z.union([settingsObject, z.string()]) },
      },
    },
    async (request, reply) => {
      const value = await settings.getPublic(request.params.key);
      if (request.headers.accept?.startsWith('text/plain'))
        return reply.type('text/plain; charset=utf-8').send(value === null ? '' : String(value));
      return { [request.params.key]: value };
    },
  );

  app.post(
    '/api/systemSettings/:key',
    {
      onRequest: canWrite,
      schema: {
        tags: ['settings'],
        summary: 'Set one setting from ?value=, a text/plain body or a JSON value',
        params: keyParams,
        querystring: z.object({ value: z.string().optional() }),
        body: z.unknown().optional(),
        response: { 200: webMessageSchema },
      },
    },
    async (request) => {
      const { key } = request.params;
      const raw = request.query.value ?? request.body;
      // No body at all reaches here as null: that is "no value", not "reset" (DELETE resets).
      if (raw === undefined || raw === null)
        throw errors.badRequest(`Value must be specified as query param or as payload`);
      await settings.update({ [key]: raw });
      return okMessage(
        settings.isSecret(key)
          ? `System setting '${key}' set.`
          : `System setting '${key}' set to value '${String(await settings.getPublic(key))}'.`,
      );
    },
  );

  app.delete(
    '/api/systemSettings/:key',
    {
      onRequest: canWrite,
      schema: {
        tags: ['settings'],
        summary: 'Reset one setting to its default',
        params: keyParams,
        response: { 200: webMessageSchema },
      },
    },
    async (request) => {
      await settings.remove(request.params.key);
      return okMessage(`System setting '${request.params.key}' removed.`);
    },
  );

  // metasync addition: lets the UI show "a password is set" without ever reading it.
  app.get(
    '/api/metasync/secretSettings',
    {
      onRequest: canWrite,
      schema: {
        tags: ['settings'],
        summary: 'Which secret settings hold a value (true/false); never the values',
        response: { 200: z.record(z.string(), z.boolean()) },
      },
    },
    async () => settings.secretStatus(),
  );
};
