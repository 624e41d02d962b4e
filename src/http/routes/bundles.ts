/**
 * Offline bundles (issue 20 §2): `GET /api/metasync/bundles?from=&to=` streams a signed tar of a
 * range of versions, for a site without a link. Versions are read as `data.gz` serves them, so it
 * needs what reading them needs (F_METADATA_MANAGE), or F_METADATA_EXPORT, whose holders export
 * the metadata anyway; and versioning on, as every versioning endpoint.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import { webMessageSchema } from '../web-message.ts';

const versionName = z.string().min(1).max(230).optional();
/** The tar's bytes, streamed (unknown to the type provider, which would otherwise want a string). */
const tarBytes = z.unknown().meta({ type: 'string', format: 'binary' });

export const bundleRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
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
};
