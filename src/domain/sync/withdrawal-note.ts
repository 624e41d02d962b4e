/** Why a local's current version is gone from its central (issue 22 §4), for the DIVERGED message. */
import { versionNumber } from '../versioning/version.ts';
import type { CentralClient } from './central-client.ts';

/**
 * The message of a DIVERGED run whose current version the central withdrew (issue 22 §4), or
 * null: not withdrawn, or the central cannot say (best effort, the divergence stands either way).
 */
export async function withdrawalNote(
  client: CentralClient,
  current: { name: string; hashCode: string },
): Promise<string | null> {
  const note = await client.withdrawal?.(current.hashCode).catch(() => null);
  if (!note) return null;
  const previous = versionNumber(current.name);
  const back = previous && previous > 1 ? `Version_${previous - 1}` : 'the version before it';
  return `${current.name} (hashCode ${current.hashCode}) was withdrawn on the central by ${note.by} at ${note.at}: ${note.reason}. Use "metasync sync rebaseline" to go back to ${back} (or the newest version this instance shares with the central) and follow the central again.`;
}
