/**
 * A version's hashCode is the MD5 of its snapshot bytes, and two versions may have the same
 * bytes: two forced creates with no change in the same millisecond (same `system.date`), or a
 * DHIS2 central that did the same. 0003 made hash_code unique, which turned that case into a 500;
 * names and numbers stay unique, the hash is only compared along the chain (issue 10).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table metadata_version drop constraint if exists metadata_version_hash_code_key`.execute(
    db,
  );
}
