/**
 * Data bundles (issue 20 §5). On a local, `GET /api/metasync/data-bundles[?all=true]` streams a
 * signed tar of the data it would push. It needs F_METADATA_MANAGE, what running the sync (and
 * with it the data push) needs here: the download moves the push's watermarks once it is sent
 * whole, which is the push's business, not a data entry clerk's. On a central,
 * `POST /api/metasync/data-bundles` imports one: the tar as the raw body, spooled to a file
 * under `server.bundle.max.size`, never Fastify's body limit. It needs what the local's push
 * needs on the central (F_DATAVALUE_ADD, the data value POST's authority): the bundle is that
 * push carried by hand, and the pinned key, not the user, vouches for where it comes from.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { AppError, ErrorCode } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { requireAuthority, requireDataWrite } from '../plugins/basic-auth.ts';
import { dataBundleImportSchema } from '../schemas/data-bundles.ts';
import { storeUpload } from '../upload-file.ts';
import { webMessageSchema } from '../web-message.ts';

/** The tar's bytes, streamed (unknown to the type provider, which would otherwise want a string). */
const tarBytes = z.unknown().meta({ type: 'string', format: 'binary' });
const TAR_TYPES = ['application/x-tar', 'application/octet-stream'];

export const dataBundleRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  // The tar reaches the handler as the request stream: neither parsed nor held whole, and not
  // under the request limit (this plugin's parsers apply to its routes only).
  app.addContentTypeParser(TAR_TYPES, (_request, payload, done) => done(null, payload));

  app.get(
    '/api/metasync/data-bundles',
    {
      onRequest: requireAuthority(Authority.F_METADATA_MANAGE),
      // Parts are gzip already: compressing the tar again gains nothing and hides its length.
      compress: false,
      schema: {
        tags: ['bundles'],
        summary:
          "A signed data bundle of what this local would push (?all=true: every row); sent whole, it moves the push's watermarks",
        querystring: z.object({
          all: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        }),
        response: {
          200: {
            description:
              'An uncompressed tar: manifest.json, then parts/<n>-<kind>.json.gz (docs/protocol.md, "Data bundles")',
            content: { 'application/x-tar': { schema: tarBytes } },
          },
          409: webMessageSchema,
        },
      },
    },
    async (request, reply) => {
      const bundle = await services.dataBundles.export({ all: request.query.all });
      const head = () =>
        reply
          .type('application/x-tar')
          .header('Content-Disposition', `attachment; filename="${bundle.fileName}"`)
          .header('Content-Length', bundle.size)
          .header('Cache-Control', 'no-store');
      // A HEAD sends no rows: it moves nothing, and its parts go at once.
      if (request.method === 'HEAD') {
        await bundle.dispose();
        // An empty stream, not no payload: Fastify's HEAD keeps a stream's Content-Length.
        return head().send(Readable.from([]));
      }
      // Whole on the socket: the rows are out, as a push's are once the central answered. A
      // download cut off moves nothing: the next bundle carries them again.
      let finished = false;
      reply.raw.once('finish', () => {
        finished = true;
        bundle
          .commit()
          .catch((e: unknown) => request.log.error({ err: e }, 'data bundle watermarks'))
          .finally(() => void bundle.dispose());
      });
      // Not `writableFinished`: it is false while the socket still buffers the last bytes, and
      // disposing then would let the next export start before this one's commit is done.
      reply.raw.once('close', () => {
        if (!finished) void bundle.dispose();
      });
      const counts = bundle.manifest.parts.map((p) => `${p.kind}:${p.count}`).join(',');
      request.log.info(
        { all: request.query.all, counts, bytes: bundle.size },
        'data bundle export',
      );
      return head().send(bundle.stream());
    },
  );

  app.post(
    '/api/metasync/data-bundles',
    {
      onRequest: requireDataWrite('dataValueSets'),
      schema: {
        tags: ['bundles'],
        summary:
          "Import a local's signed data bundle (raw tar body), as the local's data push would be imported",
        consumes: TAR_TYPES,
        response: {
          200: dataBundleImportSchema,
          400: webMessageSchema,
          409: webMessageSchema,
          413: webMessageSchema,
          415: webMessageSchema,
        },
      },
    },
    async (request) => {
      const body = request.body as NodeJS.ReadableStream | undefined;
      // Another content type was parsed by Fastify's own parsers: not a tar.
      if (typeof body?.pipe !== 'function')
        throw new AppError(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          `Send the data bundle as the body, with Content-Type ${TAR_TYPES.join(' or ')}`,
        );
      const length = request.headers['content-length'];
      const upload = await storeUpload(
        body,
        length === undefined ? null : Number(length),
        services.config.bundleMaxBytes,
        'data-bundle.tar',
      );
      try {
        const result = await services.dataBundles.import(
          upload.path,
          request.principal!.user.username,
        );
        request.log.info(
          { systemId: result.source.systemId, parts: result.parts.length, bytes: upload.bytes },
          'data bundle import',
        );
        // Each summary as an open object: the schema documents its known fields only.
        return {
          source: result.source,
          parts: result.parts.map((p) => ({ ...p, importSummary: { ...p.importSummary } })),
        };
      } finally {
        await upload.remove();
      }
    },
  );
};
