/**
 * How a rollout moves on (issue 22 §3–§4): what each canary made of a version, and which versions
 * a release, a hold, a withdrawal or the automatic release touches. Pure: the routes, the store
 * and the mailer act on the plans made here.
 *
 * - A canary **reached** a version when it reported SUCCESS for it or for a later one, or (a DHIS2
 *   local, which reports nothing) when its history calls show it at that version or later: a
 *   DHIS2 local asks the history from its current version, so its baseline is what it reached.
 * - It **failed** it when its newest report for that version is FAILED and it has not reached it
 *   since (a run that failed and then succeeded on a retry counts as reached).
 * - Outcomes are keyed by the version's id, not its name: a withdrawn Version_3 and the next
 *   Version_3 are two versions, and what the canaries made of the first says nothing of the second.
 */
import { memberLabel, memberMatches, type RingMember, type VersionState } from './rollout.ts';

export interface RolloutVersion {
  id: string;
  name: string;
  number: number;
  state: VersionState;
  created: Date;
}

export interface CanaryOutcome {
  versionId: string;
  systemId: string | null;
  username: string;
  status: 'SUCCESS' | 'FAILED';
  failureKind: string | null;
  message: string | null;
  at: Date;
}

/** Where a local was seen, from its history calls (the fleet). */
export interface Sighting {
  systemId: string | null;
  username: string;
  baseline: string | null;
}

export type MemberProgress = 'REACHED' | 'FAILED' | 'NOT_YET';

export interface MemberStatus {
  member: string;
  progress: MemberProgress;
  failureKind: string | null;
  message: string | null;
}

/** What every ring member made of each version, by version id. */
export function canaryProgress(
  versions: readonly RolloutVersion[],
  ring: readonly RingMember[],
  outcomes: readonly CanaryOutcome[],
  sightings: readonly Sighting[],
): Map<string, MemberStatus[]> {
  const numberOf = new Map(versions.map((v) => [v.id, v.number]));
  const numberByName = new Map(versions.map((v) => [v.name, v.number]));
  const out = new Map<string, MemberStatus[]>();
  for (const v of versions)
    out.set(
      v.id,
      ring.map((m) => {
        const mine = outcomes.filter((o) => memberMatches(m, o));
        const reached =
          mine.some(
            (o) => o.status === 'SUCCESS' && (numberOf.get(o.versionId) ?? -1) >= v.number,
          ) ||
          sightings.some(
            (s) =>
              memberMatches(m, s) &&
              s.baseline !== null &&
              (numberByName.get(s.baseline) ?? -1) >= v.number,
          );
        const last = mine
          .filter((o) => o.versionId === v.id)
          .reduce<CanaryOutcome | null>((a, o) => (!a || o.at >= a.at ? o : a), null);
        const failed = !reached && last?.status === 'FAILED';
        return {
          member: memberLabel(m),
          progress: reached ? 'REACHED' : failed ? 'FAILED' : 'NOT_YET',
          failureKind: failed ? last.failureKind : null,
          message: failed ? last.message : null,
        };
      }),
    );
  return out;
}

export interface CanaryFailure {
  version: string;
  member: string;
  failureKind: string | null;
  message: string | null;
}

export type Plan =
  | { ok: true; names: string[] }
  | { ok: false; reason: 'NOT_FOUND' | 'RELEASED'; message: string }
  | { ok: false; reason: 'CANARY_FAILED'; message: string; failures: CanaryFailure[] };

const notFound = (name: string): Exclude<Plan, { ok: true }> => ({
  ok: false,
  reason: 'NOT_FOUND',
  message: `No metadata version with name ${name} exists. Please check again later.`,
});

const ordered = (versions: readonly RolloutVersion[]) =>
  [...versions].sort((a, b) => a.number - b.number);

/**
 * A release of `name` releases it and every earlier version not yet released; refused while a
 * canary has failed one of them, unless `force`. Releasing what is released already is no change.
 */
export function planRelease(
  versions: readonly RolloutVersion[],
  progress: ReadonlyMap<string, MemberStatus[]>,
  name: string,
  force: boolean,
): Plan {
  const target = versions.find((v) => v.name === name);
  if (!target) return notFound(name);
  const due = ordered(versions).filter((v) => v.number <= target.number && v.state !== 'RELEASED');
  const failures = due.flatMap((v) =>
    (progress.get(v.id) ?? [])
      .filter((m) => m.progress === 'FAILED')
      .map((m) => ({
        version: v.name,
        member: m.member,
        failureKind: m.failureKind,
        message: m.message,
      })),
  );
  if (failures.length > 0 && !force)
    return {
      ok: false,
      reason: 'CANARY_FAILED',
      failures,
      message: `${name} is not released: ${failures
        .map((f) => `${f.member} failed ${f.version}${f.failureKind ? ` (${f.failureKind})` : ''}`)
        .join('; ')}. Withdraw it, or release it anyway with force=true.`,
    };
  return { ok: true, names: due.map((v) => v.name) };
}

/** The version `name` while it is not released (a hold or a withdrawal may act on it), or why not. */
function unreleased(
  versions: readonly RolloutVersion[],
  name: string,
  whyNot: string,
): RolloutVersion | Exclude<Plan, { ok: true }> {
  const target = versions.find((v) => v.name === name);
  if (!target) return notFound(name);
  if (target.state === 'RELEASED') return { ok: false, reason: 'RELEASED', message: whyNot };
  return target;
}

/** A hold stops `name` and every later version, for the ring too; a released one cannot be held. */
export function planHold(versions: readonly RolloutVersion[], name: string): Plan {
  const target = unreleased(
    versions,
    name,
    `${name} is released already: every local may have it, so it cannot be held.`,
  );
  if ('ok' in target) return target;
  return {
    ok: true,
    names: ordered(versions)
      .filter((v) => v.number >= target.number && v.state !== 'HELD')
      .map((v) => v.name),
  };
}

/**
 * A withdrawal removes `name` and every later version (none of them can be released: a release
 * releases every earlier version too), newest first. A released version cannot be withdrawn:
 * locals outside the ring may hold it, and the chain they follow must not lose it.
 */
export function planWithdraw(versions: readonly RolloutVersion[], name: string): Plan {
  const target = unreleased(
    versions,
    name,
    `${name} is released: locals may hold it, so it cannot be withdrawn. Make a new version that undoes it instead.`,
  );
  if ('ok' in target) return target;
  return {
    ok: true,
    names: ordered(versions)
      .filter((v) => v.number >= target.number)
      .reverse()
      .map((v) => v.name),
  };
}

/**
 * The versions the automatic release lets go now: in chain order from the first one not released,
 * each CANARY version at least `minutes` old that every ring member reached without a failure. The
 * first one that does not qualify stops it (a HELD version, one still being tried), so the
 * released chain never has a gap. An empty ring never releases anything by itself.
 */
export function dueForAutoRelease(
  versions: readonly RolloutVersion[],
  progress: ReadonlyMap<string, MemberStatus[]>,
  minutes: number | null,
  now: Date,
): string[] {
  if (minutes === null) return [];
  const due: string[] = [];
  for (const v of ordered(versions)) {
    if (v.state === 'RELEASED') continue;
    const members = progress.get(v.id) ?? [];
    const ready =
      v.state === 'CANARY' &&
      now.getTime() - v.created.getTime() >= minutes * 60_000 &&
      members.length > 0 &&
      members.every((m) => m.progress === 'REACHED');
    if (!ready) break;
    due.push(v.name);
  }
  return due;
}
