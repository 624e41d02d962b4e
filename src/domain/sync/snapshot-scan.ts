/**
 * The first pass over a snapshot's members (issue 18 §1): everything applyVersion must know before
 * it writes anything, gathered one member at a time. It parses every member (so bad JSON fails the
 * version before any write, as one `JSON.parse` did), reads `system` whatever the key order (the
 * keyStopMetadataSync check), and keeps of the metadata only each object's id and type: later
 * types' objects are referenced by earlier ones and must resolve as in a whole-payload import.
 */
import { parsePayload, type SkippedType } from '../metadata/parse-payload.ts';
import { metadataType, type MetadataType } from '../metadata/types.ts';
import { DELETIONS_KEY } from '../versioning/snapshot-format.ts';
import { BadSnapshotError, type Snapshot, type SnapshotMember } from './central-client.ts';

export interface SnapshotScan {
  /** The snapshot's `system` (undefined when it has none: DHIS2's oldest snapshots). */
  system: unknown;
  /** The metadata types present, in import order, with their object counts. */
  types: { type: MetadataType; count: number }[];
  /** Every object id of the version and its type key. */
  ids: Map<string, string>;
  /** Keys holding objects that are not imported (issue 16 §8), in key order. */
  skipped: SkippedType[];
  deletions: unknown;
  /** For each key its last position: JSON.parse keeps a repeated key's last value. */
  last: Map<string, number>;
  /** The first metadata type key (in key order) whose value is not an array. */
  notArray: string | null;
  /**
   * Types in which an id occurs twice: imported in one piece, so that the planner reports the
   * twin (E5004) as a whole-payload import does (./import-types.ts slices the others).
   */
  repeatedIds: Set<string>;
}

/** Objects parsed at a time in the first pass: only their ids are kept. */
const SCAN_BATCH = 5000;

export async function scanSnapshot(members: AsyncIterable<SnapshotMember>): Promise<SnapshotScan> {
  // Per position, what is kept of the member: a type's array is reduced to its ids at once.
  const kept: Kept[] = [];
  const last = new Map<string, number>();
  for await (const m of members) {
    last.set(m.key, kept.length);
    const type = metadataType(m.key);
    const batches = type ? m.batches(SCAN_BATCH) : null;
    if (type && batches) {
      const ids: string[] = [];
      let count = 0;
      for (const batch of batches) {
        count += batch.length;
        for (const o of batch)
          if (typeof o === 'object' && o !== null && typeof (o as { id?: unknown }).id === 'string')
            ids.push((o as { id: string }).id);
      }
      kept.push({ key: m.key, type, count, ids });
      continue;
    }
    const value = m.value();
    if (type) kept.push({ key: m.key, notArray: true });
    else
      kept.push({
        key: m.key,
        // Counted as parsePayload counts an unknown key (a non-type key cannot make it throw).
        skipped: parsePayload({ [m.key]: value }).unknownTypes,
        ...(m.key === 'system' || m.key === DELETIONS_KEY ? { value } : {}),
      });
  }
  const scan: SnapshotScan = {
    system: undefined,
    types: [],
    ids: new Map(),
    skipped: [],
    deletions: undefined,
    last,
    notArray: null,
    repeatedIds: new Set(),
  };
  // In Object.entries order: a repeated key keeps its first position and its last value.
  const byType: { type: MetadataType; count: number; ids: string[] }[] = [];
  for (const key of new Set(kept.map((k) => k.key))) {
    const k = kept[last.get(key)!]!;
    if ('type' in k) byType.push(k);
    else if ('notArray' in k) scan.notArray ??= key;
    else {
      scan.skipped.push(...k.skipped);
      if (key === 'system') scan.system = k.value;
      if (key === DELETIONS_KEY) scan.deletions = k.value;
    }
  }
  for (const t of byType.sort((a, b) => a.type.order - b.type.order)) {
    scan.types.push({ type: t.type, count: t.count });
    for (const id of t.ids) {
      if (scan.ids.get(id) === t.type.key) scan.repeatedIds.add(t.type.key);
      scan.ids.set(id, t.type.key);
    }
  }
  return scan;
}

type Kept =
  | { key: string; type: MetadataType; count: number; ids: string[] }
  | { key: string; notArray: true }
  | { key: string; skipped: SkippedType[]; value?: unknown };

/**
 * The members of a snapshot held in memory (a fake central, a small answer): parsed once, as
 * before issue 18, and handed out in key order. Bad JSON throws BadSnapshotError like the reader.
 */
export function parsedMembers(snapshot: Snapshot): () => AsyncIterable<SnapshotMember> {
  let body: unknown;
  try {
    body = JSON.parse(snapshot.bytes.toString('utf8'));
  } catch (e) {
    throw new BadSnapshotError('syntax', (e as Error).message);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadSnapshotError('not-object', 'not a JSON object');
  const members = Object.entries(body as Record<string, unknown>);
  return async function* () {
    for (const [key, value] of members)
      yield {
        key,
        value: () => value,
        batches: (size: number) =>
          !Array.isArray(value)
            ? null
            : Number.isFinite(size)
              ? Array.from({ length: Math.ceil(value.length / size) }, (_, i) =>
                  value.slice(i * size, (i + 1) * size),
                )
              : [value],
      };
  };
}
