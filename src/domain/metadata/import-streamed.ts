/**
 * `POST /api/metadata` for a large body (issue 18 §1: "the same path serves POST /api/metadata
 * for large payloads"): the body is read as its top-level members, twice, with the sync's
 * machinery. Pass 1 (`scanSnapshot`) checks the JSON and collects the ids, pass 2 imports type by
 * type in slices inside one write transaction (`typeByTypeImport`), so memory follows a slice,
 * not the payload. The report is the one `importMetadata` gives for the same body.
 *
 * What stays the same as the whole-body path, and how:
 * - escalation (issue 10 §4): the payload's users and userRoles are kept whole in pass 1 (only
 *   when the actor lacks ALL) and checked first in the write transaction, before any write;
 * - ATOMIC: earlier slices are written in the transaction, so an ERROR report throws it back;
 * - DELETE: deleting type by type in import order would meet the payload's own later objects as
 *   referrers, so a DELETE body is assembled whole and goes the ordinary way (docs/deviations.md).
 * The adapter supplies the members (src/http/streamed-body.ts); this file does no IO.
 */
import { Authority } from '../authorities.ts';
import { refuseEscalation } from '../auth/escalation.ts';
import { AppError, ErrorCode } from '../errors.ts';
import { importInOrder, SLICE } from '../sync/apply-version.ts';
import { BadSnapshotError, type SnapshotMember } from '../sync/central-client.ts';
import { typeByTypeImport } from '../sync/import-types.ts';
import { scanSnapshot, type SnapshotScan } from '../sync/snapshot-scan.ts';
import {
  importMetadata,
  reportSkippedTypes,
  type ImportActor,
  type ImportDeps,
} from './import-metadata.ts';
import type { ImportParams } from './import-params.ts';
import type { ImportReport } from './import-report.ts';

/** The types the escalation rule reads (auth/escalation.ts). */
const GUARDED = new Set(['users', 'userRoles']);

/** Thrown out of the write callback to roll a failed ATOMIC import back. */
class RolledBack {
  constructor(readonly report: ImportReport) {}
}

export async function importMetadataStreamed(
  deps: ImportDeps,
  members: () => AsyncIterable<SnapshotMember>,
  params: ImportParams,
  actor: ImportActor,
  sliceSize: number = SLICE,
): Promise<ImportReport> {
  if (params.importStrategy === 'DELETE')
    return importMetadata(deps, await wholeBody(members()), params, actor);
  const guarded: Record<string, unknown[]> = {};
  const scan = await scanBody(
    actor.authorities.has(Authority.ALL) ? members() : keeping(members(), guarded),
  );
  if (scan.notArray !== null)
    // parsePayload's message for the same body (import-metadata.ts).
    throw new AppError(
      ErrorCode.VALIDATION_FAILED,
      `Property ${scan.notArray} must be an array of objects`,
    );
  let report: ImportReport;
  try {
    report = await deps.store.write(async (writer) => {
      await refuseEscalation(guarded, actor.authorities, (type) => writer.list(type));
      const types = typeByTypeImport(deps, writer, scan.ids, {
        params,
        actorId: actor.id,
        now: deps.clock.now(),
        newUid: deps.newUid,
      });
      await importInOrder(members(), scan, types, sliceSize);
      const imported = types.report();
      // Earlier types and slices are already written in this transaction (issue 18 §1).
      if (imported.status === 'ERROR' && params.importMode === 'COMMIT')
        throw new RolledBack(imported);
      return imported;
    });
  } catch (e) {
    if (!(e instanceof RolledBack)) throw e;
    report = e.report;
  }
  reportSkippedTypes(report, scan.skipped);
  report.importParams = { ...params, userOverrideMode: 'NONE' };
  return report;
}

/** Pass 1, with the body's JSON errors answered as Fastify's parser and schema answer them. */
async function scanBody(members: AsyncIterable<SnapshotMember>): Promise<SnapshotScan> {
  try {
    return await scanSnapshot(members);
  } catch (e) {
    throw badBody(e);
  }
}

function badBody(e: unknown): unknown {
  if (!(e instanceof BadSnapshotError)) return e;
  if (e.problem === 'syntax')
    return new AppError(ErrorCode.MALFORMED_JSON, `Malformed JSON body: ${e.message}`);
  const message = 'Invalid input: expected record';
  return new AppError(ErrorCode.VALIDATION_FAILED, `Invalid body: ${message}`, {
    fields: [{ property: 'body', message, path: 'body' }],
  });
}

/**
 * The members as they are, keeping the objects of the guarded types on the side as pass 1 reads
 * them. A repeated key keeps its last value, as JSON.parse does.
 */
async function* keeping(
  members: AsyncIterable<SnapshotMember>,
  kept: Record<string, unknown[]>,
): AsyncGenerator<SnapshotMember> {
  for await (const m of members) {
    if (!GUARDED.has(m.key)) {
      yield m;
      continue;
    }
    const objects: unknown[] = (kept[m.key] = []);
    yield {
      key: m.key,
      value: () => m.value(),
      batches(size) {
        const batches = m.batches(size);
        if (!batches) return null;
        return (function* () {
          for (const batch of batches) {
            objects.push(...batch);
            yield batch;
          }
        })();
      },
    };
  }
}

/** The whole body, as JSON.parse gives it (a repeated key: first position, last value). */
async function wholeBody(members: AsyncIterable<SnapshotMember>): Promise<unknown> {
  const body: Record<string, unknown> = {};
  try {
    for await (const m of members)
      Object.defineProperty(body, m.key, {
        value: m.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  } catch (e) {
    throw badBody(e);
  }
  return body;
}
