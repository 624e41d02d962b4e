/**
 * gzip for JSON answers (issue 19 §5): a history or an export over a 256 kbit/s link is several
 * times faster compressed. Node's fetch (metasync locals) asks for gzip and inflates by itself;
 * a DHIS2 local's Apache HttpClient inflates `Content-Encoding: gzip` transparently
 * (dhis2-local-client.md), and a client that does not ask gets the answer as before.
 *
 * Compressed: JSON (`application/json`, `application/*+json`) and what mime-db marks compressible
 * (the plugin adds those: /metrics' text, which Prometheus asks gzip for, and the web UI's files).
 * Not compressed: answers under 1 KB (gzip's header and the CPU cost more than they save),
 * `application/gzip` (the snapshot is gzip already; mime-db marks it incompressible), partial
 * answers (a range addresses unencoded bytes; the plugin skips 206 itself), and the snapshot
 * routes altogether (`compress: false` there: /data's ranges and length address the stored
 * bytes). Nothing metasync sends is an event stream (which the plugin would leave alone anyway).
 * Request bodies are decompressed by ./gzip-body.ts, with its 413 on a gzip bomb: the plugin's
 * own request decompression stays off.
 */
import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/** `application/json` and `application/*+json`, with or without parameters. */
const JSON_TYPES = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/** Call on the root instance before any route is registered: it hooks each route as it is added. */
export async function compressAnswers(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    globalCompression: true,
    globalDecompression: false,
    encodings: ['gzip'],
    threshold: 1024,
    customTypes: JSON_TYPES,
  });
}
