/** A relay's downstream at a glance (issue 21 §5), in the status panel under its own state. */
import type { SyncStatus } from '../../../src/http/schemas/api-types.ts';
import { num } from '../format.ts';
import { i18n } from '../i18n.ts';

export function RelayDownstream({ relay }: { relay: NonNullable<SyncStatus['relay']> }) {
  const d = relay.downstream;
  return (
    <dl className="kv" style={{ marginTop: 12 }} data-test="relay-downstream">
      <dt>{i18n.t('Relay of')}</dt>
      <dd>{relay.upstream.name ?? relay.upstream.url}</dd>
      <dt>{i18n.t('Locals below (all levels)')}</dt>
      <dd data-test="downstream-locals">{num(d.locals)}</dd>
      <dt>{i18n.t('Behind')}</dt>
      <dd data-test="downstream-behind">{num(d.behind)}</dd>
      <dt>{i18n.t('Failing')}</dt>
      <dd data-test="downstream-failing">{num(d.failing)}</dd>
      <dt>{i18n.t('Diverged')}</dt>
      <dd data-test="downstream-diverged">{num(d.diverged)}</dd>
    </dl>
  );
}
