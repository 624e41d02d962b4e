/**
 * Fleet (central or relay): every local in the tree below this server (issue 21 §4), each under
 * the relay it hangs under, with its version, last run, the outcome it last reported (issue 22
 * §3), when it was last seen and how far behind it is.
 */
import { when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { fleetTree } from '../fleet-tree.ts';
import { Loading, SimpleTable, StatusTag, useResource } from './common.tsx';

import type { Fleet as FleetAnswer } from '../../../src/http/schemas/api-types.ts';

export function Fleet() {
  const answer = useResource<FleetAnswer>({
    resource: 'metadata/version/fleet',
    params: { depth: 'all' },
  });
  const fleet = { ...answer, data: answer.data && fleetTree(answer.data.locals) };
  return (
    <section aria-labelledby="fleet-title">
      <h2 id="fleet-title">{i18n.t('Fleet')}</h2>
      <div className="panel">
        <p className="muted">
          {i18n.t(
            'The locals that read this server’s version history, and under each relay the locals it reported.',
          )}
        </p>
        {!fleet.data ? (
          <Loading error={fleet.error} />
        ) : (
          <SimpleTable
            label={i18n.t('Locals')}
            columns={[
              i18n.t('Local'),
              i18n.t('Via'),
              i18n.t('Last run'),
              i18n.t('Last outcome'),
              i18n.t('User'),
              i18n.t('Address'),
              i18n.t('Version'),
              i18n.t('Last seen'),
              i18n.t('Behind by'),
            ]}
            empty={i18n.t('No local has read this server’s history yet.')}
            rows={fleet.data.map(({ local: l, depth }) => [
              <span
                key="n"
                data-test="fleet-local"
                data-depth={depth}
                style={{ paddingInlineStart: depth * 20 }}
              >
                {depth > 0 ? '└ ' : ''}
                {l.name}
              </span>,
              <span key="v" data-test="fleet-via">
                {l.relay ? (l.relay.name ?? l.relay.systemId) : i18n.t('direct')}
              </span>,
              l.state ? <StatusTag key="s" status={l.state} /> : '—',
              // What it reported of the newest version it tried (issue 22 §3; metasync locals).
              l.lastOutcome ? (
                <span key="o" data-test="fleet-outcome" title={l.lastOutcome.message ?? undefined}>
                  {l.lastOutcome.version} <StatusTag status={l.lastOutcome.status} />
                  {l.lastOutcome.failureKind ? ` ${l.lastOutcome.failureKind}` : ''}
                </span>
              ) : (
                '—'
              ),
              l.user,
              l.address,
              l.version ?? i18n.t('none'),
              when(l.lastSeen),
              l.behindBy === null ? (
                <StatusTag key="b" status="UNKNOWN" />
              ) : l.behindBy === 0 ? (
                <StatusTag key="b" status="UP_TO_DATE" />
              ) : (
                <StatusTag key="b" status={`BEHIND ${l.behindBy}`} />
              ),
            ])}
          />
        )}
      </div>
    </section>
  );
}
