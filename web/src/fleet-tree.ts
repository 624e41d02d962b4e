/**
 * The fleet as a tree for the Fleet screen (issue 21 §4): the locals that poll this server
 * first, each followed by the locals it relays for (recursively, one level deeper each). A
 * local under a relay this server does not list is shown at the top with its "via".
 */
import type { FleetLocal } from '../../src/http/schemas/api-types.ts';

export interface TreeRow {
  local: FleetLocal;
  depth: number;
}

export function fleetTree(locals: readonly FleetLocal[]): TreeRow[] {
  const ids = new Set(locals.map((l) => l.systemId).filter((id): id is string => id !== null));
  const under = new Map<string, FleetLocal[]>();
  const roots: FleetLocal[] = [];
  for (const l of locals) {
    const parent = l.relay?.systemId;
    if (parent && ids.has(parent) && parent !== l.systemId)
      under.set(parent, [...(under.get(parent) ?? []), l]);
    else roots.push(l);
  }
  const rows: TreeRow[] = [];
  const seen = new Set<FleetLocal>();
  const walk = (l: FleetLocal, depth: number) => {
    // A local named under two relays, or a circle, is shown once.
    if (seen.has(l)) return;
    seen.add(l);
    rows.push({ local: l, depth });
    if (l.systemId) for (const child of under.get(l.systemId) ?? []) walk(child, depth + 1);
  };
  for (const l of roots) walk(l, 0);
  // What only hangs in a circle has no root: shown at the top all the same.
  for (const l of locals) walk(l, 0);
  return rows;
}
