/**
 * The snapshot's bytes (contract §5, issue 5 §3): a pure generator over a ChangeReader. It writes
 * the JSON text piece by piece, so a version of hundreds of MB never sits in memory, and the
 * pieces are exactly what is hashed, stored and served: any change here changes every hashCode
 * (test/unit/snapshot-golden.test.ts pins them).
 *
 * Layout: `{"system":{…,"date":…}`, then each type in METADATA_TYPES order that has changed
 * objects, as `,"<type>":[<stored JSON text>,…]` ordered by id, then, with
 * keyVersionIncludeDeletions, `,"deletedObjects":[…]` in change order, then `}`.
 */
import { createHash } from 'node:crypto';
import { METADATA_TYPES } from '../metadata/types.ts';
import type { ChangeReader, SnapshotSystem } from '../ports.ts';
import type { SnapshotScope } from './snapshot-scope.ts';

/** The top-level key carrying deletions when keyVersionIncludeDeletions is on (docs/protocol.md). */
export const DELETIONS_KEY = 'deletedObjects';

const KLASS = new Map(METADATA_TYPES.map((t) => [t.key, t.klass]));

/**
 * The snapshot's JSON text in pieces. `counts` receives the number of objects per type key as
 * they are written (the version's `types`).
 */
export async function* snapshotText(
  changes: ChangeReader,
  system: SnapshotSystem & { date: string },
  scope: SnapshotScope,
  counts: Record<string, number>,
): AsyncGenerator<string> {
  yield `{"system":${JSON.stringify(system)}`;
  for (const type of METADATA_TYPES) {
    let first = true;
    for await (const page of changes.objectPages(type.key, scope.excluded)) {
      if (page.length === 0) continue;
      const body = page.join(',');
      yield first ? `,${JSON.stringify(type.key)}:[${body}` : `,${body}`;
      first = false;
      counts[type.key] = (counts[type.key] ?? 0) + page.length;
    }
    if (!first) yield ']';
  }
  if (scope.includeDeletions) {
    const deletions = await changes.deletions(scope.excluded);
    // DHIS2's DeletedObject shape ({klass, uid, code, deletedAt}) plus the plural type key.
    if (deletions.length > 0)
      yield `,"${DELETIONS_KEY}":${JSON.stringify(
        deletions.map((d) => ({
          type: d.type,
          klass: KLASS.get(d.type) ?? d.type,
          uid: d.id,
          code: d.code,
          deletedAt: d.deletedAt.toISOString(),
          deletedBy: d.deletedBy,
        })),
      )}`;
  }
  yield '}';
}

export interface SnapshotDigest {
  /** DHIS2's hashCode: lowercase hex MD5 of exactly the bytes yielded. */
  hashCode: string;
  bytes: number;
}

/**
 * The UTF-8 bytes of `text`, hashed as they pass: `digest()` is valid once the bytes have been
 * read to the end, and is what the version records.
 */
export function hashedBytes(text: AsyncIterable<string>): {
  bytes: AsyncIterable<Buffer>;
  digest: () => SnapshotDigest;
} {
  const md5 = createHash('md5');
  let size = 0;
  let hashCode: string | null = null;
  return {
    bytes: (async function* () {
      for await (const part of text) {
        const buf = Buffer.from(part, 'utf8');
        md5.update(buf);
        size += buf.length;
        yield buf;
      }
      hashCode = md5.digest('hex');
    })(),
    digest: () => {
      if (hashCode === null) throw new Error('The snapshot was not read to the end');
      return { hashCode, bytes: size };
    },
  };
}
