/** Writing a metadata_version row, shared by the central's create, the local's record and rebaseline. */
import type { Transaction } from 'kysely';
import type { MetadataVersion } from '../domain/versioning/version.ts';
import type { Database } from './schema.ts';

export async function insertVersionRow(
  trx: Transaction<Database>,
  v: MetadataVersion,
  range: { seqFrom: number | null; seqTo: number | null } = { seqFrom: null, seqTo: null },
): Promise<void> {
  await trx
    .insertInto('metadata_version')
    .values({
      id: v.id,
      name: v.name,
      number: v.number,
      type: v.type,
      hash_code: v.hashCode,
      parent_hash_code: v.parentHashCode,
      created: v.created,
      import_date: v.importDate,
      seq_from: range.seqFrom,
      seq_to: range.seqTo,
      bytes: v.bytes,
      gzip_bytes: v.gzipBytes,
      objects: v.objects,
      deletions: v.deletions,
      types: JSON.stringify(v.types),
      rollout_state: v.state ?? 'RELEASED',
    })
    .execute();
}
