/** Fleet (central): each local, its version, when it was last seen and how far behind it is. */
import { api, when } from '../api.ts';
import { Loading, SimpleTable, StatusTag, useLoad } from './common.tsx';

import type { Fleet as FleetAnswer } from '../../../src/http/schemas/api-types.ts';

export function Fleet() {
  const fleet = useLoad(() =>
    api<FleetAnswer>('/api/metadata/version/fleet').then((r) => r.locals),
  );
  return (
    <section aria-labelledby="fleet-title">
      <h2 id="fleet-title">Fleet</h2>
      <div className="panel">
        <p className="muted">The locals that read this central’s version history.</p>
        {!fleet.data ? (
          <Loading error={fleet.error} />
        ) : (
          <SimpleTable
            label="Locals"
            columns={['Local', 'User', 'Address', 'Version', 'Last seen', 'Behind by']}
            empty="No local has read this central’s history yet."
            rows={fleet.data.map((l) => [
              l.name,
              l.user,
              l.address,
              l.version ?? 'none',
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
