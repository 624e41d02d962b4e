/** A relay's downstream at a glance (issue 21 §5), in the status panel under its own state. */
import type { SyncStatus } from '../../../src/http/schemas/api-types.ts';

export function RelayDownstream({ relay }: { relay: NonNullable<SyncStatus['relay']> }) {
  const d = relay.downstream;
  return (
    <dl className="kv" style={{ marginTop: 12 }} data-test="relay-downstream">
      <dt>Relay of</dt>
      <dd>{relay.upstream.name ?? relay.upstream.url}</dd>
      <dt>Locals below (all levels)</dt>
      <dd data-test="downstream-locals">{d.locals}</dd>
      <dt>Behind</dt>
      <dd data-test="downstream-behind">{d.behind}</dd>
      <dt>Failing</dt>
      <dd data-test="downstream-failing">{d.failing}</dd>
      <dt>Diverged</dt>
      <dd data-test="downstream-diverged">{d.diverged}</dd>
    </dl>
  );
}
