/**
 * An in-memory MetadataStore, held to the same conformance suite as the database one: writers
 * run one at a time and a throw rolls everything back; each write and each deletion takes the
 * next change number; codes are unique per (type, scope) and unique names per type; references,
 * tombstones and the users/userRoles projection (into `tables`) follow every write.
 */
import { idKey } from '../../../src/domain/metadata/prepare-entries.ts';
import type { MetadataStore, MetadataWriter } from '../../../src/domain/ports.ts';
import type { MetadataVersion } from '../../../src/domain/versioning/version.ts';
import {
  cloneTables,
  createAuthTables,
  restoreTables,
  type AuthTables,
} from './memory-auth-tables.ts';
import {
  byNameThenId,
  copy,
  memoryWriter,
  type Row,
  type State,
  type Tombstone,
} from './memory-metadata-writer.ts';

export type { Tombstone } from './memory-metadata-writer.ts';

export interface MemoryMetadataStore extends MetadataStore {
  /** The stored objects of a type with their id and code columns (what the data store reads). */
  objects(type: string): { id: string; code: string | null; payload: Record<string, unknown> }[];
  tombstones(): Tombstone[];
  recordedVersions(): { version: MetadataVersion; gzip: Buffer }[];
  /** The committed state, for the drift fake that reads it (./memory-drift-store.ts). */
  committed(): State;
}

export function createMemoryMetadataStore(
  tables: AuthTables = createAuthTables(),
): MemoryMetadataStore {
  let state: State = {
    objects: new Map(),
    refs: new Map(),
    tombstones: [],
    versions: [],
    seq: 0,
    baseline: new Map(),
  };
  let queue: Promise<unknown> = Promise.resolve();

  const payloads = (rows: Row[]) =>
    rows.sort(byNameThenId).map((r) => JSON.parse(r.payload) as Record<string, unknown>);

  return {
    write<T>(fn: (w: MetadataWriter) => Promise<T>): Promise<T> {
      const run = queue.then(async () => {
        const draft = copy(state);
        const auth = cloneTables(tables);
        try {
          const out = await fn(memoryWriter(draft, tables));
          state = draft;
          return out;
        } catch (e) {
          restoreTables(tables, auth);
          throw e;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    committed: () => state,
    async get(type, id) {
      const r = state.objects.get(idKey(type, id));
      return r ? (JSON.parse(r.payload) as Record<string, unknown>) : null;
    },
    async list(type) {
      return payloads([...state.objects.values()].filter((r) => r.type === type));
    },
    async listSince(type, since, ids) {
      const wanted = ids && new Set(ids);
      return payloads(
        [...state.objects.values()].filter(
          (r) =>
            r.type === type &&
            (since === null || r.lastUpdated.getTime() >= since.getTime()) &&
            (!wanted || wanted.has(r.id)),
        ),
      );
    },
    async countByType() {
      const out = new Map<string, number>();
      for (const r of state.objects.values()) out.set(r.type, (out.get(r.type) ?? 0) + 1);
      return out;
    },
    async referencing(id) {
      const out: { type: string; id: string }[] = [];
      for (const [source, set] of state.refs) {
        if (!set.has(id) || !state.objects.has(source)) continue;
        const [type, sid] = source.split('\u0000') as [string, string];
        out.push({ type, id: sid });
      }
      return out.sort((a, b) =>
        a.type === b.type ? (a.id < b.id ? -1 : 1) : a.type < b.type ? -1 : 1,
      );
    },
    async changeSeq() {
      return state.seq;
    },
    objects: (type) =>
      [...state.objects.values()]
        .filter((r) => r.type === type)
        .map((r) => ({
          id: r.id,
          code: r.code,
          payload: JSON.parse(r.payload) as Record<string, unknown>,
        })),
    tombstones: () => [...state.tombstones],
    recordedVersions: () => [...state.versions],
  };
}
