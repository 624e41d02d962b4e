/**
 * The drift repair (issue 23 §4): POST /api/metasync/drift/repair for every drifted object, one
 * type, or the objects ticked in the lists; objects created locally are deleted only when asked.
 * "Preview (dry run)" shows what a repair would do and changes nothing; "Repair" does it, in one
 * transaction on the server, audited with the reason, shows the result and reloads the screen.
 */
import { i18n } from '../i18n.ts';
import {
  Button,
  ButtonStrip,
  Checkbox,
  Modal,
  ModalActions,
  ModalContent,
  ModalTitle,
  NoticeBox,
  Radio,
  SingleSelectField,
  SingleSelectOption,
  TextAreaField,
} from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState } from 'react';
import { errorText, fieldErrorsOf } from '../api.ts';
import { useApp } from '../context.tsx';
import type { DriftRepairResult } from '../../../src/http/schemas/api-types.ts';
import { mutation } from '../runtime.tsx';

type Scope = 'all' | 'type' | 'selected';

const REPAIR = mutation({
  resource: 'metasync/drift/repair',
  type: 'create',
  data: (v: Record<string, unknown>) => v.body as Record<string, unknown>,
});

const label = (o: DriftRepairResult['restored'][number]) =>
  [o.type, o.id, o.name].filter(Boolean).join(' ');

/** What a repair did, or would do (dry run). */
export function RepairOutcome({ result }: { result: DriftRepairResult }) {
  const lists: [string, DriftRepairResult['restored']][] = result.dryRun
    ? [
        [i18n.t('Would restore'), result.restored],
        [i18n.t('Would re-create'), result.recreated],
        [i18n.t('Would delete'), result.removed],
      ]
    : [
        [i18n.t('Restored'), result.restored],
        [i18n.t('Re-created'), result.recreated],
        [i18n.t('Deleted'), result.removed],
      ];
  const { changed, created, deleted } = result.after;
  return (
    <div data-test={result.dryRun ? 'drift-preview' : 'drift-repaired'} style={{ marginTop: 12 }}>
      <NoticeBox
        warning={result.failed.length > 0}
        valid={!result.dryRun && result.failed.length === 0}
        title={
          result.dryRun
            ? i18n.t('Preview: nothing was changed')
            : result.failed.length
              ? i18n.t('Repaired, with failures')
              : i18n.t('Repaired')
        }
      >
        <ul className="drift-outcome">
          {lists.map(([title, objects]) => (
            <li key={title}>
              {i18n.t('{{what}}: {{n}}', { what: title, n: objects.length })}
              {objects.length > 0 && (
                <span className="muted"> — {objects.map(label).join(', ')}</span>
              )}
            </li>
          ))}
          <li>
            {i18n.t('Failed: {{n}}', { n: result.failed.length })}
            {result.failed.map((f) => (
              <div key={`${f.type}/${f.id}`} className="muted">
                {f.type} {f.id}: {f.message}
              </div>
            ))}
          </li>
        </ul>
        {result.dryRun
          ? i18n.t('Drift now: {{changed}} changed, {{created}} created, {{deleted}} deleted.', {
              changed,
              created,
              deleted,
            })
          : i18n.t('Drift left: {{changed}} changed, {{created}} created, {{deleted}} deleted.', {
              changed,
              created,
              deleted,
            })}
      </NoticeBox>
    </div>
  );
}

export function DriftRepair({
  types,
  selected,
  onClose,
  onRepaired,
}: {
  types: string[];
  selected: string[];
  onClose: () => void;
  onRepaired: () => void;
}) {
  const { alert } = useApp();
  const engine = useDataEngine();
  // The ticked objects as the dialog opened: a repair reloads the lists and clears the ticks.
  const [ids] = useState(selected);
  const [scope, setScope] = useState<Scope>(ids.length > 0 ? 'selected' : 'all');
  const [type, setType] = useState(types[0] ?? '');
  const [includeCreated, setIncludeCreated] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'preview' | 'repair' | null>(null);
  const [result, setResult] = useState<DriftRepairResult | null>(null);
  const send = async (dryRun: boolean) => {
    setBusy(dryRun ? 'preview' : 'repair');
    setError(null);
    try {
      const r = (await engine.mutate(REPAIR, {
        variables: {
          body: {
            ...(scope === 'type' ? { type } : {}),
            ...(scope === 'selected' ? { ids } : {}),
            includeCreated,
            dryRun,
            reason,
          },
        },
      })) as DriftRepairResult;
      setResult(r);
      if (!dryRun) {
        alert(i18n.t('Drift repaired'));
        onRepaired();
      }
    } catch (e) {
      setReasonError(fieldErrorsOf(e).reason);
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  const done = result !== null && !result.dryRun;
  const ready = reason.trim().length >= 5 && (scope !== 'type' || type !== '');
  return (
    <Modal onClose={onClose} dataTest="drift-repair" large>
      <ModalTitle>{i18n.t('Repair drift')}</ModalTitle>
      <ModalContent>
        <p>
          {i18n.t(
            'Puts the objects in scope back to the state the applied versions imply, in one transaction: changed objects are restored, deleted ones re-created. Who, when and why go to the audit log.',
          )}
        </p>
        <fieldset disabled={done}>
          <legend>{i18n.t('Scope')}</legend>
          <Radio
            name="driftScope"
            value="all"
            label={i18n.t('Every drifted object')}
            checked={scope === 'all'}
            onChange={() => setScope('all')}
          />
          <Radio
            name="driftScope"
            value="type"
            label={i18n.t('One type')}
            checked={scope === 'type'}
            onChange={() => setScope('type')}
          />
          {scope === 'type' && (
            <SingleSelectField
              label={i18n.t('Type')}
              selected={type}
              onChange={({ selected: s }: { selected: string }) => setType(s)}
            >
              {types.map((t) => (
                <SingleSelectOption key={t} value={t} label={t} />
              ))}
            </SingleSelectField>
          )}
          <Radio
            name="driftScope"
            value="selected"
            label={i18n.t('The selected objects ({{n}})', { n: ids.length })}
            checked={scope === 'selected'}
            disabled={ids.length === 0}
            onChange={() => setScope('selected')}
          />
        </fieldset>
        <Checkbox
          name="includeCreated"
          label={i18n.t('Also delete objects created locally')}
          checked={includeCreated}
          disabled={done}
          onChange={({ checked }: { checked: boolean }) => setIncludeCreated(checked)}
        />
        <TextAreaField
          name="driftReason"
          label={i18n.t('Reason')}
          rows={2}
          value={reason}
          disabled={done}
          required
          onChange={({ value }: { value?: string }) => {
            setReason(value ?? '');
            setReasonError(undefined);
          }}
          error={!!reasonError}
          validationText={reasonError ?? i18n.t('At least 5 characters.')}
        />
        {error && !reasonError && (
          <div style={{ marginTop: 8 }}>
            <NoticeBox error title={i18n.t('Refused')}>
              {error}
            </NoticeBox>
          </div>
        )}
        {result && <RepairOutcome result={result} />}
      </ModalContent>
      <ModalActions>
        <ButtonStrip end>
          <Button onClick={onClose}>{done ? i18n.t('Close') : i18n.t('Cancel')}</Button>
          {!done && (
            <>
              <Button
                loading={busy === 'preview'}
                disabled={!ready || busy !== null}
                onClick={() => void send(true)}
              >
                {i18n.t('Preview (dry run)')}
              </Button>
              <Button
                primary
                loading={busy === 'repair'}
                disabled={!ready || busy !== null}
                onClick={() => void send(false)}
              >
                {i18n.t('Repair')}
              </Button>
            </>
          )}
        </ButtonStrip>
      </ModalActions>
    </Modal>
  );
}
