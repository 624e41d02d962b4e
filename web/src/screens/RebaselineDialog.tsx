/**
 * Divergence recovery (issue 24 §3, issue 6 §6): when the local and the central disagree about
 * the version history, an administrator takes one of the central's versions as this instance's
 * current one, with a reason for the audit log (`POST /api/metadata/sync/rebaseline` {to, reason},
 * F_METADATA_MANAGE). Nothing is imported; the local versions at or above it are removed.
 */
import { num } from '../format.ts';
import { i18n } from '../i18n.ts';
import {
  Button,
  ButtonStrip,
  InputField,
  Modal,
  ModalActions,
  ModalContent,
  ModalTitle,
  NoticeBox,
  SingleSelectField,
  SingleSelectOption,
  TextAreaField,
} from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState, type FormEvent } from 'react';
import { errorText, fieldErrorsOf } from '../api.ts';
import { useApp } from '../context.tsx';
import { mutation } from '../runtime.tsx';
import { BusyNote } from './Progress.tsx';
import type { Rebaseline } from '../../../src/http/schemas/api-types.ts';
import { centralVersionNames } from '../sync-display.ts';

/** The domain's floor (domain/sync/rebaseline.ts): the audit log needs a real reason. */
const MIN_REASON = 5;

const REBASELINE = mutation({
  resource: 'metadata/sync/rebaseline',
  type: 'create',
  data: (v: Record<string, unknown>) => v.body,
});

/** The "Rebaseline…" button of a DIVERGED status, and its dialog. */
export function RebaselineAction({
  remoteVersion,
  currentVersion,
  onDone,
}: {
  remoteVersion: string | null;
  currentVersion: string | null;
  onDone: () => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button destructive onClick={() => setOpen(true)}>
        {i18n.t('Rebaseline…')}
      </Button>
      {open && (
        <RebaselineDialog
          remoteVersion={remoteVersion}
          currentVersion={currentVersion}
          onClose={() => setOpen(false)}
          onDone={() => {
            setOpen(false);
            onDone();
          }}
        />
      )}
    </>
  );
}

export function RebaselineDialog({
  remoteVersion,
  currentVersion,
  onClose,
  onDone,
}: {
  remoteVersion: string | null;
  currentVersion: string | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { alert } = useApp();
  const engine = useDataEngine();
  const names = centralVersionNames(remoteVersion);
  const [to, setTo] = useState(names[0] ?? '');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!to.trim()) errs.to = i18n.t('Choose the central version to continue from');
    if (reason.trim().length < MIN_REASON)
      errs.reason = i18n.t('Give a reason of at least {{n}} character', {
        count: MIN_REASON,
        n: num(MIN_REASON),
      });
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setBusy(true);
    try {
      const body = { to: to.trim(), reason: reason.trim() };
      const r = (await engine.mutate(REBASELINE, { variables: { body } })) as Rebaseline;
      alert(i18n.t('Rebaselined to {{version}}', { version: r.to }));
      onDone();
    } catch (err) {
      const fields = fieldErrorsOf(err);
      setErrors({
        to: fields.to ?? errorText(err),
        ...(fields.reason ? { reason: fields.reason } : {}),
      });
      alert(i18n.t('Not rebaselined: {{error}}', { error: errorText(err) }), 'critical');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal onClose={onClose} position="middle">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ModalTitle>{i18n.t('Rebaseline on a central version')}</ModalTitle>
        <ModalContent>
          <NoticeBox warning title={i18n.t('Nothing is imported')}>
            {i18n.t(
              'This instance takes the chosen central version as its current one ({{current}} now) and removes its own versions from that number on. The next sync continues from there. Who did it and why goes to the audit log.',
              { current: currentVersion ?? '—' },
            )}
          </NoticeBox>
          <div className="form" style={{ marginTop: 12 }}>
            {names.length > 0 ? (
              <SingleSelectField
                label={i18n.t('Central version to continue from')}
                selected={to}
                onChange={({ selected }: { selected: string }) => setTo(selected)}
                error={Boolean(errors.to)}
                validationText={errors.to}
              >
                {names.map((n) => (
                  <SingleSelectOption key={n} value={n} label={n} />
                ))}
              </SingleSelectField>
            ) : (
              <InputField
                label={i18n.t('Central version to continue from')}
                name="to"
                value={to}
                onChange={({ value }) => setTo(value ?? '')}
                error={Boolean(errors.to)}
                validationText={errors.to}
              />
            )}
            <TextAreaField
              label={i18n.t('Reason (for the audit log)')}
              name="reason"
              value={reason}
              onChange={({ value }) => {
                setReason(value ?? '');
                setErrors((e) => ({ ...e, reason: '' }));
              }}
              error={Boolean(errors.reason)}
              validationText={errors.reason}
              required
            />
          </div>
          {busy && <BusyNote text={i18n.t('Rebaselining…')} />}
        </ModalContent>
        <ModalActions>
          <ButtonStrip end>
            <Button onClick={onClose}>{i18n.t('Cancel')}</Button>
            <Button type="submit" destructive disabled={busy}>
              {i18n.t('Rebaseline')}
            </Button>
          </ButtonStrip>
        </ModalActions>
      </form>
    </Modal>
  );
}
