/**
 * How fresh the local's knowledge of its central is (issue 24 §3): the status panel's headline
 * is never "Up to date" on stale knowledge; it says when the central last answered, or that it
 * was never asked or could not be, and a button asks it now (`?refresh=true`).
 */
import { i18n } from '../i18n.ts';
import { Button } from '@dhis2/ui';
import { useState } from 'react';
import { when } from '../format.ts';
import type { SyncStatus } from '../../../src/http/schemas/api-types.ts';

/** The central's newest version, when it was read, why it could not be, and "Ask now". */
export function StatusFreshness({
  status,
  onAsk,
}: {
  status: Pick<SyncStatus, 'remoteVersion' | 'remoteCheckedAt' | 'remoteCheckError'>;
  onAsk: () => Promise<void>;
}) {
  const [asking, setAsking] = useState(false);
  const ask = async () => {
    setAsking(true);
    try {
      await onAsk();
    } finally {
      setAsking(false);
    }
  };
  return (
    <div
      data-test="status-freshness"
      className="row"
      style={{ alignItems: 'center', marginTop: 8 }}
    >
      <span role="status" aria-live="polite">
        {status.remoteCheckedAt
          ? i18n.t('The central last answered {{time}}.', { time: when(status.remoteCheckedAt) })
          : i18n.t('The central has not answered yet.')}
        {status.remoteCheckError && (
          <> {i18n.t('Asking it failed: {{error}}', { error: status.remoteCheckError })}</>
        )}
      </span>
      <Button small onClick={() => void ask()} disabled={asking}>
        {asking ? i18n.t('Asking the central…') : i18n.t('Ask the central now')}
      </Button>
    </div>
  );
}
