/**
 * The release, hold or withdrawal of a rollout version (issue 22 §2, §4), asked with a reason for
 * the audit log. A release refused with 409 because a canary failed names the failures and
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
  TextAreaField,
} from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState } from 'react';
import { errorText, fieldErrorsOf, statusOf } from '../api.ts';
import { i18n } from '../i18n.ts';
import { useApp } from '../context.tsx';
import { mutation } from '../runtime.tsx';
import type { RolloutActionResult } from '../../../src/http/schemas/api-types.ts';

export type Action = 'release' | 'hold' | 'withdraw';
/** A failing canary as a refused release names it (release-plan.ts, CanaryFailure). */
interface Failure {
  version: string;
  member: string;
  failureKind: string | null;
  message: string | null;
}

export const ACTION_LABEL: Record<Action, () => string> = {
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

/** The failing canaries a refused release names (`response.failures` of the 409). */
function failuresOf(e: unknown): Failure[] {
  if (statusOf(e) !== 409) return [];
  // The runtime's FetchError carries the answer's WebMessage as its details.
  const body = (e as { details?: { response?: { failures?: unknown } } }).details;
  const failures = body?.response?.failures;
  return Array.isArray(failures) ? (failures as Failure[]) : [];
}

// A `create` takes no id in the runtime, so the version's name is in the path.
const act = (name: string, action: Action, force: boolean, reason: string) =>
  mutation({
    resource: `metadata/version/${encodeURIComponent(name)}/${action}`,
    type: 'create',
    params: force ? { force: true } : {},
    data: { reason },
  });

export function ActionModal({
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
  const engine = useDataEngine();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [failures, setFailures] = useState<Failure[]>([]);
  const [busy, setBusy] = useState(false);
  const send = async (force: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const r = (await engine.mutate(
        act(name, action, force, reason),
      )) as unknown as RolloutActionResult;
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
