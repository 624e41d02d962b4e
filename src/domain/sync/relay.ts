/**
 * What makes a local a relay (issue 21 §1): it has a remote to sync from and versioning on, so
 * it serves the versions it received to locals of its own. One predicate, used by the version
 * routes, the run (which reports its downstream fleet upward) and the status.
 */
export function isRelay(remoteUrl: string, versioning: boolean): boolean {
  return remoteUrl.trim() !== '' && versioning;
}
