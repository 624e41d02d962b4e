/**
 * Offline bundles (issue 20 §2, §3): `GET /api/metasync/bundles?from=&to=` streams a signed tar of
 * a range of versions, for a site without a link. Versions are read as `data.gz` serves them, so
 * it needs what reading them needs (F_METADATA_MANAGE), or F_METADATA_EXPORT, whose holders export
 * the metadata anyway; and versioning on, as every versioning endpoint.
 *
 * `POST /api/metasync/bundles` is a local's import of one: the body is stored in a temporary file
 * (bounded by `server.bundle.max.size`, not the request limit), checked whole, and imported by a
 * sync run (trigger BUNDLE) with F_METADATA_MANAGE, the authority a manual sync needs.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import { syncReportSchema, syncStartedSchema } from '../schemas/sync.ts';
import { storeUpload } from '../upload-file.ts';
import { webMessageSchema } from '../web-message.ts';

const versionName = z.string().min(1).max(230).optional();
/** The tar's bytes, streamed (unknown to the type provider, which would otherwise want a string). */
const tarBytes = z.unknown().meta({ type: 'string', format: 'binary' });

export const bundleRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  // A bundle's bytes reach the handler as the request stream: neither parsed nor held whole, and
  // not under the request limit (this plugin's parsers apply to its routes only).
  app.addContentTypeParser(
    ['application/x-tar', 'application/octet-stream'],
    (_request, payload, done) => done(null, payload),
  );

  app.get(
    '/api/metasync/bundles',
    {
      onRequest: requireAuthority(Authority.F_METADATA_EXPORT, Authority.F_METADATA_MANAGE),
      preHandler: async () => {
        if (!(await services.settings.get('keyVersionEnabled'))) throw errors.versioningDisabled();
      },
      // A tar of gzip files: compressing it again gains nothing and would hide its length.
      compress: false,
      schema: {
        tags: ['bundles'],
        summary:
          'A signed offline bundle of the versions from ?from= to ?to= (default: the first to the newest)',
        querystring: z.object({ from: versionName, to: versionName }),
        response: {
          200: {
            description:
              'An uncompressed tar: manifest.json, then versions/Version_<n>.json.gz per version (docs/protocol.md, "Bundles")',
            content: {
              'application/x-tar': { schema: tarBytes },
            },
          },
          400: webMessageSchema,
          404: webMessageSchema,
          409: webMessageSchema,
        },
      },
    },
    async (request, reply) => {
      const baseUrl = services.config.serverBaseUrl ?? `${request.protocol}://${request.host}`;
      const bundle = await services.bundles.export(request.query, baseUrl);
      const { versions } = bundle.manifest;
      request.log.info(
        { from: versions[0]!.name, to: versions.at(-1)!.name, bytes: bundle.size },
        'bundle export',
      );
      return reply
        .type('application/x-tar')
        .header('Content-Disposition', `attachment; filename="${bundle.fileName}"`)
        .header('Content-Length', bundle.size)
        .header('Cache-Control', 'no-store')
        .send(bundle.stream());
    },
  );

  app.post(
    '/api/metasync/bundles',
    {
      onRequest: requireAuthority(Authority.F_METADATA_MANAGE),
      schema: {
        tags: ['bundles'],
        summary:
          'Import an offline bundle (the raw tar): checked whole, then imported by a sync run (trigger BUNDLE); 202 with the report id, or the finished report with ?wait=true',
        querystring: z.object({ wait: z.enum(['true', 'false']).default('false') }),
        body: tarBytes,
        response: {
          200: syncReportSchema,
          202: syncStartedSchema,
          400: webMessageSchema,
          409: webMessageSchema,
          413: webMessageSchema,
          415: webMessageSchema,
        },
      },
    },
    async (request, reply) => {
      const length = request.headers['content-length'];
      const upload = await storeUpload(
        request.body as NodeJS.ReadableStream,
        length === undefined ? null : Number(length),
        services.config.bundleMaxBytes,
        'bundle.tar',
      );
      const user = request.principal!.user;
      let started;
      try {
        started = await services.bundles.import({
          path: upload.path,
          triggeredBy: user.username,
          actorId: user.id,
        });
      } catch (e) {
        await upload.remove();
        throw e;
      }
      const { manifest, report, done } = started;
      const finished = done.finally(() => upload.remove());
      request.log.info(
        {
          reportId: report.id,
          bytes: upload.bytes,
          from: manifest.versions[0]!.name,
          to: manifest.versions.at(-1)!.name,
          source: manifest.source.systemId,
        },
        'bundle import started',
      );
      if (request.query.wait === 'true') return { ...(await finished) };
      void finished.catch(() => undefined);
      return reply.code(202).send({
        id: report.id,
        status: report.status,
        href: `/api/metadata/sync/reports/${report.id}`,
      });
    },
  );
};
