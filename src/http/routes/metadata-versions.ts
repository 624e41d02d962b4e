/**
 * The versioning endpoints of a central (contract §6.1–§6.6, issue 5). Every one first needs its
 * authority, then keyVersionEnabled (400 "Metadata versioning is not enabled for this instance.").
 * Unknown versions answer 404 (a documented difference: DHIS2 answers 500).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Authority } from '../../domain/authorities.ts';
import { errors } from '../../domain/errors.ts';
import type { SyncRunState } from '../../domain/ports.ts';
import {
  parseVersionType,
  versionEntity,
  versionListItem,
  versionsAfter,
  type MetadataVersion,
} from '../../domain/versioning/version.ts';
import type { Services } from '../../services.ts';
import { ifRangeHolds, requestedRange } from '../byte-ranges.ts';
import { requireAuthority } from '../plugins/basic-auth.ts';
import {
  fleetQuery,
  fleetSchema,
  metadataVersionList,
  metadataVersionSchema,
  snapshotSchema,
  versionPreviewSchema,
} from '../schemas/versions.ts';
import { noBody } from '../schemas/json.ts';
import { webMessageSchema } from '../web-message.ts';
import { callerOf } from './rollout.ts';
import { SnapshotCache } from './snapshot-cache.ts';

const entity = metadataVersionSchema;
const list = metadataVersionList;
const manage = requireAuthority(Authority.F_METADATA_MANAGE);
/** The gzipped snapshot: bytes, not JSON. */
const gzipBytes = z.string().meta({ format: 'binary' });
/**
 * A snapshot never changes, but it is only for authorized clients: `private` keeps shared caches
 * (a proxy between a local and the central) from handing it to anyone. The shipped nginx caches
 * it all the same, behind its own authorization check (deploy/nginx.conf).
 */
const IMMUTABLE = 'private, max-age=31536000, immutable';
const FLEET_WRITE_MS = 60_000;

/**
 * Header values are ASCII: metasync locals send their name URI-encoded. A name that decodes to a
 * NUL is kept as sent: PostgreSQL cannot store NUL in text (a 500 before, issue 10 §4).
 */
const safeDecode = (s: string): string => {
  try {
    const decoded = decodeURIComponent(s);
    return decoded.includes('\u0000') ? s : decoded;
  } catch {
    return s;
  }
};

/** A metasync local's X-Metasync-Sync-State (issue 21 §4); anything else is not known. */
const syncState = (h: string | string[] | undefined): SyncRunState | null =>
  h === 'SUCCESS' || h === 'FAILED' || h === 'DIVERGED' ? h : null;

/** If-None-Match holds `*` or a list of tags, each possibly weak (RFC 9110 §13.1.2). */
const etagMatches = (header: string | undefined, etag: string): boolean =>
  header !== undefined &&
  header.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);

export const metadataVersionRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  // The version reads; creating goes through services.versions.create (the domain's rules).
  const store = services.versions;
  const cache = new SnapshotCache(64 * 1024 * 1024, 8 * 1024 * 1024);
  const fleetSeen = new Map<
    string,
    { baseline: string | null; state: SyncRunState | null; at: number }
  >();

  // Runs after the route's authority hook (onRequest), as DHIS2 checks authority first.
  app.addHook('preHandler', async () => {
    if (!(await services.settings.get('keyVersionEnabled'))) throw errors.versioningDisabled();
  });

  // Staged rollout (issue 22 §2): a version the caller may not see answers as an unknown one.
  const visibleList = async (request: FastifyRequest) =>
    services.rollout.visibleTo(callerOf(request), await store.list());
  const visibleByName = async (request: FastifyRequest, name: string) => {
    const v = await store.byName(name);
    return v && (await services.rollout.visible(callerOf(request), v)) ? v : null;
  };

  const find = async (request: FastifyRequest, name: string): Promise<MetadataVersion> => {
    const v = await visibleByName(request, name);
    if (!v)
      throw errors.notFound(
        `No metadata version with name ${name} exists. Please check again later.`,
      );
    return v;
  };

  app.get(
    '/api/metadata/version',
    {
      schema: {
        tags: ['versions'],
        summary: 'The current (newest) version, or ?versionName=',
        querystring: z.object({ versionName: z.string().optional() }),
        response: { 200: entity, 404: webMessageSchema },
      },
    },
    async (request) => {
      const name = request.query.versionName;
      if (name) return versionEntity(await find(request, name));
      const latest = (await visibleList(request)).reduce<MetadataVersion | null>(
        (a, v) => (a && a.number > v.number ? a : v),
        null,
      );
      if (!latest) throw errors.notFound('No metadata versions exist. Please check again later.');
      return versionEntity(latest);
    },
  );

  app.get(
    '/api/metadata/version/history',
    {
      schema: {
        tags: ['versions'],
        summary: 'Versions created after ?baseline= (all without it), oldest first',
        querystring: z.object({ baseline: z.string().optional() }),
        response: {
          200: list,
          304: noBody('Not modified: the If-None-Match tag is this answer (issue 19 §4)'),
          404: webMessageSchema,
        },
      },
    },
    async (request, reply) => {
      const baselineName = request.query.baseline || null;
      const all = await visibleList(request);
      const baseline = baselineName ? (all.find((v) => v.name === baselineName) ?? null) : null;
      if (baselineName && !baseline)
        throw errors.notFound(
          `No metadata version with name ${baselineName} exists. Please check again later.`,
        );
      // The fleet view: who asked, from where, and with which version (issue 5 §5).
      const systemId = request.headers['x-metasync-system-id'];
      const name = request.headers['x-metasync-system-name'];
      const state = syncState(request.headers['x-metasync-sync-state']);
      const user = request.principal!.user.username;
      const key =
        typeof systemId === 'string' && systemId
          ? `system:${systemId}`
          : `user:${user}@${request.ip}`;
      const now = services.clock.now();
      // A local polling often is written at most once a minute per baseline: reads stay cheap.
      const seen = fleetSeen.get(key);
      if (
        !seen ||
        seen.baseline !== baselineName ||
        seen.state !== state ||
        now.getTime() - seen.at > FLEET_WRITE_MS
      ) {
        fleetSeen.set(key, { baseline: baselineName, state, at: now.getTime() });
        if (fleetSeen.size > 100_000) fleetSeen.clear();
        await store.recordFleet({
          key,
          systemId: typeof systemId === 'string' && systemId ? systemId : null,
          name: typeof name === 'string' && name ? safeDecode(name) : null,
          username: user,
          address: request.ip,
          baseline: baselineName,
          lastSeen: now,
          state,
          via: null,
          relay: null,
        });
      }
      // Cheap polling (issue 19 §4): the answer's own MD5 is its strong ETag, so an unchanged
      // history is a 304 without a body. DHIS2 locals send no If-None-Match; their body is as before.
      const answer = { metadataversions: versionsAfter(all, baseline).map(versionListItem) };
      // Hashed as the route's own serializer writes it: the tag names the bytes a 200 sends.
      const body = reply.serialize(answer) as string;
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      void reply.header('ETag', etag);
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return answer;
    },
  );

  app.get(
    '/api/metadata/versions',
    { schema: { tags: ['versions'], summary: 'All versions', response: { 200: list } } },
    async (request) => ({
      metadataversions: (await visibleList(request)).map(versionListItem),
    }),
  );

  app.post(
    '/api/metadata/version/create',
    {
      onRequest: manage,
      schema: {
        tags: ['versions'],
        summary:
          'Create the next version (type BEST_EFFORT or ATOMIC; force=true even if nothing changed)',
        querystring: z.object({
          type: z.string().optional(),
          force: z.enum(['true', 'false']).optional(),
        }),
        response: { 200: entity, 409: webMessageSchema },
      },
    },
    async (request) => {
      const { type, force } = request.query;
      const version = await services.versions.create({
        type: parseVersionType(type),
        force: force === 'true',
        authorities: request.principal!.authorities,
      });
      request.log.info(
        {
          version: version.name,
          type: version.type,
          objects: version.objects,
          bytes: version.bytes,
        },
        'metadata version created',
      );
      return versionEntity(version);
    },
  );

  for (const kind of ['json', 'gz'] as const) {
    const content =
      kind === 'json'
        ? { 'application/json': { schema: snapshotSchema } }
        : { 'application/gzip': { schema: gzipBytes } };
    app.get(
      `/api/metadata/version/:versionName/${kind === 'json' ? 'data' : 'data.gz'}`,
      {
        onRequest: manage,
        // Sent as stored (issue 19 §5): data.gz is gzip already, and a range addresses the
        // stored bytes, which a Content-Encoding would change.
        compress: false,
        schema: {
          tags: ['versions'],
          summary:
            kind === 'json'
              ? 'The snapshot, byte for byte as hashed'
              : 'The snapshot, gzipped once at creation',
          params: z.object({ versionName: z.string().min(1).max(230) }),
          response: {
            200: { description: 'The snapshot (sent as stored, never re-serialized)', content },
            206: {
              description:
                'The bytes a single `Range` asked for (`Content-Range` says which; issue 19 §1)',
              content,
            },
            304: noBody('Not modified: the If-None-Match tag is this snapshot'),
            416: webMessageSchema,
          },
        },
      },
      async (request, reply) => {
        const { versionName } = request.params;
        const version = await visibleByName(request, versionName);
        // A version still being tried may be withdrawn, and its name given to another: only a
        // released snapshot is immutable (issue 22 §4).
        const caching = version?.state ? 'no-store' : IMMUTABLE;
        const etag = `"${version?.hashCode}${kind === 'gz' ? '.gz' : ''}"`;
        if (version && etagMatches(request.headers['if-none-match'], etag))
          return reply.code(304).header('ETag', etag).header('Cache-Control', caching).send();
        const size = version ? (kind === 'gz' ? version.gzipBytes : version.bytes) : 0;
        const headers = () =>
          reply
            .header('ETag', etag)
            .header('Cache-Control', caching)
            .header('Accept-Ranges', 'bytes')
            .type(kind === 'gz' ? 'application/gzip' : 'application/json; charset=utf-8');
        // A HEAD (nginx's authorization check before it serves a cached snapshot, deploy/
        // nginx.conf) has passed the same hooks and needs only the headers: the snapshot row
        // holds its sizes, so the bytes are not read. Range is defined for GET only (RFC 9110
        // §14.2): a HEAD always describes the whole snapshot. The empty stream keeps the
        // Content-Length (Fastify's HEAD route writes 0 for no payload, and leaves a stream's).
        if (version && request.method === 'HEAD')
          return headers().header('Content-Length', size).send(Readable.from([]));
        const range = ifRangeHolds(request.headers['if-range'], etag)
          ? requestedRange(request.headers.range, size)
          : ({ kind: 'whole' } as const);
        // A WebMessage, not the snapshot: no ETag or immutable caching, only the size.
        if (version && range.kind === 'unsatisfiable') {
          void reply.header('Accept-Ranges', 'bytes').header('Content-Range', `bytes */${size}`);
          throw errors.rangeNotSatisfiable(size);
        }
        const key = `${version?.id}:${kind}`;
        const cached = version ? cache.get(key) : undefined;
        const chunks =
          cached || !version
            ? null
            : await store.readSnapshot(
                version.id,
                kind,
                range.kind === 'partial' ? range : undefined,
              );
        if (!version || (!cached && !chunks))
          throw errors.notFound(
            `No metadata version snapshot found for the given version ${versionName}`,
          );
        void headers();
        if (kind === 'gz')
          void reply
            .header('Content-Disposition', 'attachment; filename="metadata.json.gz"')
            .header('Content-Transfer-Encoding', 'binary');
        if (range.kind === 'partial') {
          // A resumed download (issue 19 §1): only the bytes asked for, read from their chunk on.
          void reply
            .code(206)
            .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
            .header('Content-Length', range.end - range.start + 1);
          if (cached) return reply.send(cached.subarray(range.start, range.end + 1));
          return reply.send(Readable.from(chunks!));
        }
        void reply.header('Content-Length', size);
        if (cached) return reply.send(cached);
        if (cache.accepts(size)) {
          const parts: Buffer[] = [];
          for await (const c of chunks!) parts.push(Buffer.from(c));
          const whole = Buffer.concat(parts);
          cache.set(key, whole);
          return reply.send(whole);
        }
        return reply.send(Readable.from(chunks!));
      },
    );
  }

  app.get(
    '/api/metadata/version/preview',
    {
      onRequest: manage,
      schema: {
        tags: ['versions'],
        summary: 'What the next version would contain, without creating it',
        response: { 200: versionPreviewSchema },
      },
    },
    async () => services.versions.preview(),
  );

  app.get(
    '/api/metadata/version/fleet',
    {
      onRequest: manage,
      schema: {
        tags: ['versions'],
        summary:
          'The locals that read this central’s history, and how far behind each is; ?depth=all: the whole tree below (issue 21 §4)',
        querystring: fleetQuery,
        response: { 200: fleetSchema },
      },
    },
    async (request) => ({
      locals: await services.versions.fleet(request.query.depth === 'all' ? 'all' : 1),
    }),
  );
};
