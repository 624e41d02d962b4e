/**
 * Staged rollout (issue 22): the ring configuration and the admin's view of every version's state
 * (F_METADATA_MANAGE), the audited release, hold and withdrawal of a version (F_METADATA_MANAGE),
 * and the outcome a metasync local reports after each version it tried (any signed-in user: a
 * local reports about itself, as it reads the history). metasync extensions: DHIS2 has no rings.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { errors } from '../../domain/errors.ts';
import type { Caller } from '../../domain/rollout/rollout.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import {
  outcomeBody,
  outcomeSchema,
  rolloutActionBody,
  rolloutActionSchema,
  rolloutBody,
  rolloutSchema,
  rolloutVersionsSchema,
  withdrawalSchema,
} from '../schemas/rollout.ts';
import { webMessageSchema } from '../web-message.ts';

const manage = requireAuthority(Authority.F_METADATA_MANAGE);

/** The caller as the ring matches it: the system id a metasync local sends, and its user. */
export function callerOf(request: {
  headers: Record<string, string | string[] | undefined>;
  principal?: { user: { username: string } } | null;
}): Caller {
  const id = request.headers['x-metasync-system-id'];
  return {
    systemId: typeof id === 'string' && id ? id : null,
    username: request.principal!.user.username,
  };
}

const ACTIONS = {
  release: 'RELEASE',
  hold: 'HOLD',
  withdraw: 'WITHDRAW',
} as const;

export const rolloutRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  const rollout = services.rollout;
  const versioningOn = async () => {
    if (!(await services.settings.get('keyVersionEnabled'))) throw errors.versioningDisabled();
  };

  app.get(
    '/api/metasync/rollout',
    {
      onRequest: manage,
      schema: {
        tags: ['rollout'],
        summary: 'The staged rollout: on or off, the ring of canary locals, the automatic release',
        response: { 200: rolloutSchema },
      },
    },
    async () => {
      const stored = await rollout.stored();
      const c = stored ?? (await rollout.config());
      return {
        enabled: c.enabled,
        ring: c.ring,
        autoReleaseAfterMinutes: c.autoReleaseAfterMinutes,
        updatedBy: stored?.updatedBy ?? null,
        updatedAt: stored?.updatedAt.toISOString() ?? null,
      };
    },
  );

  app.put(
    '/api/metasync/rollout',
    {
      onRequest: manage,
      schema: {
        tags: ['rollout'],
        summary: 'Replace the rollout configuration (audited)',
        body: rolloutBody,
        response: { 200: rolloutSchema, 400: webMessageSchema, 409: webMessageSchema },
      },
    },
    async (request) => {
      const saved = await rollout.saveConfig(request.body, request.principal!.user.username);
      return {
        enabled: saved.enabled,
        ring: saved.ring,
        autoReleaseAfterMinutes: saved.autoReleaseAfterMinutes,
        updatedBy: saved.updatedBy,
        updatedAt: saved.updatedAt.toISOString(),
      };
    },
  );

  app.get(
    '/api/metasync/rollout/versions',
    {
      onRequest: manage,
      schema: {
        tags: ['rollout'],
        summary: "Every version with its rollout state and each canary's progress; withdrawals",
        response: { 200: rolloutVersionsSchema },
      },
    },
    async () => {
      const o = await rollout.overview();
      return {
        config: o.config,
        versions: o.versions,
        withdrawals: o.withdrawals.map((w) => ({ ...w, at: w.at.toISOString() })),
      };
    },
  );

  for (const [path, action] of Object.entries(ACTIONS))
    app.post(
      `/api/metadata/version/:versionName/${path}`,
      {
        onRequest: manage,
        schema: {
          tags: ['rollout'],
          summary:
            action === 'RELEASE'
              ? 'Release a version and every earlier one to all locals (409 while a canary failed one, unless force=true); audited'
              : action === 'HOLD'
                ? 'Hold a version and every later one back, from the ring too; audited'
                : 'Withdraw a version never released, and every later one: the chain goes back to the previous version; audited',
          params: z.object({ versionName: z.string().max(100) }),
          querystring: z.object({ force: z.enum(['true', 'false']).optional() }),
          body: rolloutActionBody,
          response: {
            200: rolloutActionSchema,
            400: webMessageSchema,
            404: webMessageSchema,
            409: webMessageSchema,
          },
        },
      },
      async (request) => {
        await versioningOn();
        const name = request.params.versionName;
        const by = { by: request.principal!.user.username, reason: request.body.reason };
        const versions =
          action === 'RELEASE'
            ? await rollout.release(name, { ...by, force: request.query.force === 'true' })
            : action === 'HOLD'
              ? await rollout.hold(name, by)
              : await rollout.withdraw(name, by);
        request.log.info({ action, version: name, versions }, 'rollout action');
        return { version: name, action, versions };
      },
    );

  app.get(
    '/api/metasync/rollout/withdrawn/:hashCode',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'Why a version a local holds is gone: the note of the withdrawn version with this hashCode (404: none)',
        params: z.object({ hashCode: z.string().max(64) }),
        response: { 200: withdrawalSchema, 404: webMessageSchema },
      },
    },
    async (request) => {
      const w = await rollout.withdrawal(request.params.hashCode.toLowerCase());
      if (!w) throw errors.notFound(`No withdrawn version has hashCode ${request.params.hashCode}`);
      return { ...w, at: w.at.toISOString() };
    },
  );

  app.post(
    '/api/metasync/fleet/outcome',
    {
      schema: {
        tags: ['rollout'],
        summary:
          'A metasync local reports how a version it tried went (best effort; DHIS2 locals do not)',
        body: outcomeBody,
        response: { 200: outcomeSchema },
      },
    },
    async (request) => {
      const result = await rollout.recordOutcome(callerOf(request), {
        version: request.body.version,
        status: request.body.status,
        failureKind: request.body.failureKind ?? null,
        message: request.body.message ?? null,
      });
      // A success may complete a canary ring: let the automatic release look at once.
      if (result.recorded) await rollout.autoRelease();
      return result;
    },
  );
};
