/**
 * A relay (issue 21 §1): a local (it syncs from a remote) that also has versioning on, so it
 * serves the versions it received, verbatim, to locals of its own. It never makes versions of its
 * own: DHIS2's local that does "can't receive new metadata versions" from its central.
 */
export function isRelay(remoteUrl: string, versioning: boolean): boolean {
  return remoteUrl.trim() !== '' && versioning;
}
