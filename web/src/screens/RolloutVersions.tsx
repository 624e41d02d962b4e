/**
 * The rollout's versions (issue 22 §2, §4): each version's state and, per ring member, whether
 * it reached the version, failed it (kind and message) or not yet; the release, hold and
 * withdrawal of a version not yet released, each with a reason for the audit log; and the
 * withdrawn versions. The release, hold and withdrawal themselves: RolloutActionModal.tsx.
 */
import { Button, Tag } from '@dhis2/ui';
import { useState } from 'react';
import { when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { Loading, SimpleTable, statusText, useResource } from './common.tsx';
import { ACTION_LABEL, ActionModal, type Action } from './RolloutActionModal.tsx';
import type {
  RolloutVersionRow,
  RolloutVersions as RolloutVersionsAnswer,
} from '../../../src/http/schemas/api-types.ts';

type Canary = RolloutVersionRow['canaries'][number];

export function StateTag({ state }: { state: string }) {
  return (
    <Tag positive={state === 'RELEASED'} neutral={state === 'CANARY'} negative={state === 'HELD'}>
      {statusText(state)}
    </Tag>
  );
}

function CanaryTag({ canary }: { canary: Canary }) {
  const detail = [canary.failureKind, canary.message].filter(Boolean).join(': ');
  const text =
    canary.progress === 'REACHED'
      ? i18n.t('{{member}} reached', { member: canary.member })
      : canary.progress === 'FAILED'
        ? i18n.t('{{member}} failed', { member: canary.member })
        : i18n.t('{{member}} not yet', { member: canary.member });
  // The whole text on hover: a system id is long and the tag cuts it short.
  return (
    <span title={`${text}${detail ? ` (${detail})` : ''}`} data-test="canary">
      <Tag
        maxWidth="360px"
        positive={canary.progress === 'REACHED'}
        negative={canary.progress === 'FAILED'}
      >
        {text}
      </Tag>
      {canary.progress === 'FAILED' && detail && <span className="canary-failure">{detail}</span>}
    </span>
  );
}

const VERSIONS = { resource: 'metasync/rollout/versions' };

export function RolloutVersions() {
  const overview = useResource<RolloutVersionsAnswer>(VERSIONS);
  const [acting, setActing] = useState<{ action: Action; name: string } | null>(null);
  const list = [...(overview.data?.versions ?? [])].reverse();
  return (
    <>
      <div className="panel" data-test="rollout-versions">
        <div className="row">
          <h3>{i18n.t('Versions')}</h3>
          <Button small secondary onClick={() => void overview.refetch()}>
            {i18n.t('Refresh')}
          </Button>
        </div>
        {!overview.data ? (
          <Loading error={overview.error} />
        ) : (
          <SimpleTable
            label={i18n.t('Rollout versions')}
            columns={[
              i18n.t('Version'),
              i18n.t('Type'),
              i18n.t('Created'),
              i18n.t('State'),
              i18n.t('Canaries'),
              '',
            ]}
            empty={i18n.t('No versions yet.')}
            rows={list.map((v) => [
              v.name,
              v.type === 'ATOMIC' ? i18n.t('Atomic') : i18n.t('Best effort'),
              when(v.created),
              <StateTag key="s" state={v.state} />,
              <span key="c" className="tags">
                {v.canaries.length === 0
                  ? '—'
                  : v.canaries.map((c) => <CanaryTag key={c.member} canary={c} />)}
              </span>,
              v.state === 'RELEASED' ? (
                ''
              ) : (
                <span key="a" className="row">
                  {(['release', 'hold', 'withdraw'] as const)
                    .filter((a) => a !== 'hold' || v.state === 'CANARY')
                    .map((a) => (
                      <Button
                        key={a}
                        small
                        destructive={a === 'withdraw'}
                        onClick={() => setActing({ action: a, name: v.name })}
                      >
                        {`${ACTION_LABEL[a]()}…`}
                      </Button>
                    ))}
                </span>
              ),
            ])}
          />
        )}
      </div>
      <div className="panel" data-test="rollout-withdrawals">
        <h3>{i18n.t('Withdrawn versions')}</h3>
        {!overview.data ? (
          <Loading error={overview.error} />
        ) : (
          <SimpleTable
            label={i18n.t('Withdrawn versions')}
            columns={[
              i18n.t('Version'),
              i18n.t('Hash'),
              i18n.t('By'),
              i18n.t('When'),
              i18n.t('Reason'),
            ]}
            empty={i18n.t('No version has been withdrawn.')}
            rows={[...overview.data.withdrawals]
              .reverse()
              .map((w) => [w.name, <code key="h">{w.hashCode}</code>, w.by, when(w.at), w.reason])}
          />
        )}
      </div>
      {acting && (
        <ActionModal
          {...acting}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null);
            void overview.refetch();
          }}
        />
      )}
    </>
  );
}
