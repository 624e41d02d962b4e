/**
 * The rollout's versions (issue 22 §2, §4): each version's state and, per ring member, whether
 * it reached the version, failed it (kind and message) or not yet; the release, hold and
 * withdrawal of a version not yet released, each with a reason for the audit log; and the
 * withdrawn versions. A release refused with 409 because a canary failed names the failures and
 * offers "Release anyway" (force=true).
 */
import {
  Button,
  ButtonStrip,
  Modal,
  ModalActions,
  ModalContent,
  ModalTitle,
  NoticeBox,
  Tag,
  TextAreaField,
} from '@dhis2/ui';
import { useState } from 'react';
import { api, ApiError, errorText, fieldErrorsOf } from '../api.ts';
import { when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { useApp } from '../context.tsx';
import { Loading, SimpleTable, statusText, useLoad } from './common.tsx';
import type {
  RolloutActionResult,
  RolloutVersionRow,
  RolloutVersions as RolloutVersionsAnswer,
} from '../../../src/http/schemas/api-types.ts';

type Action = 'release' | 'hold' | 'withdraw';
type Canary = RolloutVersionRow['canaries'][number];
/** A failing canary as a refused release names it (release-plan.ts, CanaryFailure). */
interface Failure {
  version: string;
  member: string;
  failureKind: string | null;
  message: string | null;
}

const ACTION_LABEL: Record<Action, () => string> = {
  release: () => i18n.t('Release'),
  hold: () => i18n.t('Hold'),
  withdraw: () => i18n.t('Withdraw'),
};

const ACTION_TITLE: Record<Action, (name: string) => string> = {
  release: (name) => i18n.t('Release {{name}}', { name }),
  hold: (name) => i18n.t('Hold {{name}}', { name }),
  withdraw: (name) => i18n.t('Withdraw {{name}}', { name }),
};

const ACTION_TEXT: Record<Action, (name: string) => string> = {
  release: (name) =>
    i18n.t(
      'Releasing {{name}} gives it, and every earlier version not yet released, to every local.',
      { name },
    ),
  hold: (name) =>
    i18n.t(
      'Holding {{name}} stops it, and every later version, for the ring too, until it is released.',
      { name },
    ),
  withdraw: (name) =>
    i18n.t(
      'Withdrawing {{name}} removes it, and every later version, from the chain; their changes go into the next version created. A canary that imported it must rebaseline (docs/rollout.md).',
      { name },
    ),
};

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

/** The failing canaries a refused release names (`response.failures` of the 409). */
function failuresOf(e: unknown): Failure[] {
  if (!(e instanceof ApiError) || e.status !== 409) return [];
  const failures = (e.body as { response?: { failures?: unknown } } | null)?.response?.failures;
  return Array.isArray(failures) ? (failures as Failure[]) : [];
}

export function RolloutVersions() {
  const overview = useLoad(() => api<RolloutVersionsAnswer>('/api/metasync/rollout/versions'));
  const [acting, setActing] = useState<{ action: Action; name: string } | null>(null);
  const list = [...(overview.data?.versions ?? [])].reverse();
  return (
    <>
      <div className="panel" data-test="rollout-versions">
        <div className="row">
          <h3>{i18n.t('Versions')}</h3>
          <Button small secondary onClick={() => void overview.reload()}>
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
            void overview.reload();
          }}
        />
      )}
    </>
  );
}

function ActionModal({
  action,
  name,
  onClose,
  onDone,
}: {
  action: Action;
  name: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const { alert } = useApp();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [failures, setFailures] = useState<Failure[]>([]);
  const [busy, setBusy] = useState(false);
  const send = async (force: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<RolloutActionResult>(
        `/api/metadata/version/${encodeURIComponent(name)}/${action}${force ? '?force=true' : ''}`,
        { method: 'POST', body: { reason } },
      );
      const versions = r.versions.join(', ');
      alert(
        !r.versions.length
          ? i18n.t('{{name}}: nothing to change', { name })
          : action === 'release'
            ? i18n.t('Released {{versions}}', { versions })
            : action === 'hold'
              ? i18n.t('Held {{versions}}', { versions })
              : i18n.t('Withdrew {{versions}}', { versions }),
      );
      onDone();
    } catch (e) {
      setReasonError(fieldErrorsOf(e).reason);
      setFailures(failuresOf(e));
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal onClose={onClose} dataTest="rollout-action">
      <ModalTitle>{ACTION_TITLE[action](name)}</ModalTitle>
      <ModalContent>
        <p>
          {ACTION_TEXT[action](name)} {i18n.t('Who, when and why go to the audit log.')}
        </p>
        <TextAreaField
          name="rolloutReason"
          label={i18n.t('Reason')}
          rows={3}
          value={reason}
          onChange={({ value }: { value?: string }) => {
            setReason(value ?? '');
            setReasonError(undefined);
          }}
          error={!!reasonError}
          validationText={reasonError ?? i18n.t('At least 5 characters.')}
        />
        {error && !reasonError && (
          <div style={{ marginTop: 8 }} data-test="rollout-refused">
            <NoticeBox
              error
              title={failures.length ? i18n.t('A canary failed') : i18n.t('Refused')}
            >
              {failures.length > 0 ? (
                <ul style={{ margin: 0, paddingInlineStart: 16 }}>
                  {failures.map((f) => (
                    <li key={`${f.member}/${f.version}`}>
                      {i18n.t('{{member}} failed {{version}}', {
                        member: f.member,
                        version: f.version,
                      })}
                      {f.failureKind ? ` (${f.failureKind})` : ''}
                      {f.message ? `: ${f.message}` : ''}
                    </li>
                  ))}
                </ul>
              ) : (
                error
              )}
            </NoticeBox>
          </div>
        )}
      </ModalContent>
      <ModalActions>
        <ButtonStrip end>
          <Button onClick={onClose}>{i18n.t('Cancel')}</Button>
          {action === 'release' && failures.length > 0 && (
            <Button destructive loading={busy} onClick={() => void send(true)}>
              {i18n.t('Release anyway')}
            </Button>
          )}
          <Button
            primary={action !== 'withdraw'}
            destructive={action === 'withdraw'}
            loading={busy}
            disabled={reason.trim().length < 5}
            onClick={() => void send(false)}
          >
            {ACTION_LABEL[action]()}
          </Button>
        </ButtonStrip>
      </ModalActions>
    </Modal>
  );
}
