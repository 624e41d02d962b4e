/**
 * Staged rollout (issue 22 §1–§2): a central holds a new version back for everyone but a ring of
 * canary locals, and shows the rest only the chain up to its last released version. DHIS2 has no
 * rings; to a DHIS2 local outside the ring the central simply has not made the version yet.
 *
 * - A local is in the ring when its system id (the `X-Metasync-System-Id` a metasync local sends)
 *   or the user it signs in as matches a member, so a DHIS2 local can be a canary by its user.
 * - Ring membership does not depend on `enabled`: `enabled` decides only the state a new version
 *   starts in (CANARY, or RELEASED at once as without rollout). Turning rollout off releases
 *   nothing by itself; the versions still waiting keep waiting for a release, a hold or a
 *   withdrawal, so switching the feature off never publishes an untried version to everyone.
 * - A chain has no gaps: a caller sees a prefix. Outside the ring it ends before the first
 *   version that is not RELEASED; in the ring, before the first HELD one.
 */
export type RingMember = { systemId: string } | { username: string };

export interface RolloutConfig {
  enabled: boolean;
  ring: RingMember[];
  autoReleaseAfterMinutes: number | null;
}

export const ROLLOUT_OFF: RolloutConfig = {
  enabled: false,
  ring: [],
  autoReleaseAfterMinutes: null,
};

export type VersionState = 'CANARY' | 'HELD' | 'RELEASED';

/** Who is asking: a metasync local's system id when it sent one, and the user it signed in as. */
export interface Caller {
  systemId: string | null;
  username: string;
}

export const memberMatches = (m: RingMember, c: Caller): boolean =>
  'systemId' in m ? c.systemId !== null && m.systemId === c.systemId : m.username === c.username;

export const inRing = (config: RolloutConfig, caller: Caller): boolean =>
  config.ring.some((m) => memberMatches(m, caller));

/** The state a version starts in when it is created. */
export const initialState = (config: RolloutConfig): VersionState =>
  config.enabled ? 'CANARY' : 'RELEASED';

/**
 * How many versions, from the oldest, the caller may see: `states` in chain order (by number).
 * Everything from the first hidden version on is hidden too, so no caller sees a gap.
 */
export function visiblePrefix(states: readonly VersionState[], ring: boolean): number {
  const hidden = states.findIndex((s) => (ring ? s === 'HELD' : s !== 'RELEASED'));
  return hidden < 0 ? states.length : hidden;
}

/** A ring member as text, for messages and the UI: `system:<id>` or `user:<name>`. */
export const memberLabel = (m: RingMember): string =>
  'systemId' in m ? `system:${m.systemId}` : `user:${m.username}`;

/** A configuration as sent to `PUT /api/metasync/rollout`: a problem per field, or none. */
export function rolloutProblems(config: RolloutConfig): { property: string; message: string }[] {
  const problems: { property: string; message: string }[] = [];
  const seen = new Set<string>();
  config.ring.forEach((m, i) => {
    const value = 'systemId' in m ? m.systemId : m.username;
    if (!value.trim())
      problems.push({
        property: `ring[${i}]`,
        message: 'A ring member needs a systemId or a username',
      });
    const label = memberLabel(m);
    if (seen.has(label))
      problems.push({ property: `ring[${i}]`, message: `${label} is in the ring twice` });
    seen.add(label);
  });
  const minutes = config.autoReleaseAfterMinutes;
  if (minutes !== null && !(Number.isInteger(minutes) && minutes >= 1 && minutes <= 525_600))
    problems.push({
      property: 'autoReleaseAfterMinutes',
      message:
        'autoReleaseAfterMinutes is a whole number of minutes from 1 to 525600 (a year), or null',
    });
  return problems;
}
