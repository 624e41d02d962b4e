/**
 * Rollout (central, issue 22): the ring of canary locals and the automatic release
 * (`GET/PUT /api/metasync/rollout`), then every version's state and each canary's progress with
 * the audited release, hold and withdrawal (RolloutVersions.tsx). Field errors of a refused save
 * come back as `response.errorReports` and are shown at their fields (`ring[i]` at its row).
 */
import {
  Button,
  InputField,
  NoticeBox,
  SingleSelectField,
  SingleSelectOption,
  SwitchField,
} from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState, type FormEvent } from 'react';
import { errorText, fieldErrorsOf } from '../api.ts';
import { when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { useApp } from '../context.tsx';
import { mutation } from '../runtime.tsx';
import { Loading, SimpleTable, useResource } from './common.tsx';
import { RolloutVersions } from './RolloutVersions.tsx';
import type { RolloutConfig } from '../../../src/http/schemas/api-types.ts';

type Member = RolloutConfig['ring'][number];
type MemberKind = 'systemId' | 'username';

/** A member as the server names it in messages: `system:<id>` or `user:<name>`. */
export const memberLabel = (m: Member): string =>
  'systemId' in m ? `system:${m.systemId}` : `user:${m.username}`;

const CONFIG = { resource: 'metasync/rollout' };
const SAVE = mutation({
  resource: 'metasync/rollout',
  type: 'replace',
  data: (v: Record<string, unknown>) => v.body,
});

export function Rollout() {
  const config = useResource<RolloutConfig>(CONFIG);
  // Bumped by a save: the versions panel reads the ring again (its columns are the members).
  const [saves, setSaves] = useState(0);
  return (
    <section aria-labelledby="rollout-title">
      <h2 id="rollout-title">{i18n.t('Rollout')}</h2>
      <p className="muted">
        {i18n.t(
          'A new version goes to a ring of canary locals first, and to every other local once it is released. See docs/rollout.md.',
        )}
      </p>
      {!config.data ? (
        <div className="panel">
          <Loading error={config.error} />
        </div>
      ) : (
        <ConfigForm
          initial={config.data}
          onSaved={() => {
            setSaves((n) => n + 1);
            void config.refetch();
          }}
        />
      )}
      <RolloutVersions key={saves} />
    </section>
  );
}

function ConfigForm({ initial, onSaved }: { initial: RolloutConfig; onSaved: () => void }) {
  const { alert } = useApp();
  const engine = useDataEngine();
  const [enabled, setEnabled] = useState(initial.enabled);
  const [ring, setRing] = useState<Member[]>(initial.ring);
  const [minutes, setMinutes] = useState(
    initial.autoReleaseAfterMinutes === null ? '' : String(initial.autoReleaseAfterMinutes),
  );
  const [kind, setKind] = useState<MemberKind>('systemId');
  const [adding, setAdding] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  // A changed ring makes the errors about its members stale: cleared while rendering (React's
  // "adjusting state when a prop changes"), not in an effect after a render with stale errors.
  const [errorsFor, setErrorsFor] = useState(ring);
  if (errorsFor !== ring) {
    setErrorsFor(ring);
    setErrors({});
  }

  const add = () => {
    const value = adding.trim();
    if (!value) return;
    setRing((r) => [...r, kind === 'systemId' ? { systemId: value } : { username: value }]);
    setAdding('');
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const text = minutes.trim();
    // Empty is "off"; anything else must be a number before the server judges its range.
    if (text !== '' && !/^-?\d+(\.\d+)?$/.test(text)) {
      setErrors({
        autoReleaseAfterMinutes: i18n.t('Enter a number of minutes, or leave empty for off'),
      });
      return;
    }
    setBusy(true);
    try {
      await engine.mutate(SAVE, {
        variables: {
          body: { enabled, ring, autoReleaseAfterMinutes: text === '' ? null : Number(text) },
        },
      });
      alert(i18n.t('Rollout saved'));
      onSaved();
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      alert(i18n.t('Rollout not saved: {{error}}', { error: errorText(err) }), 'critical');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" data-test="rollout-config" onSubmit={(e) => void submit(e)}>
      <h3>{i18n.t('Configuration')}</h3>
      <SwitchField
        name="rolloutEnabled"
        label={i18n.t('New versions go to the ring first (staged rollout)')}
        checked={enabled}
        onChange={({ checked }: { checked: boolean }) => setEnabled(checked)}
      />
      <p className="muted">
        {i18n.t(
          'Switching it off releases nothing: versions already waiting keep waiting for a release, a hold or a withdrawal.',
        )}
      </p>
      <h4>{i18n.t('Ring')}</h4>
      <SimpleTable
        label={i18n.t('Ring members')}
        columns={[i18n.t('Member'), '']}
        empty={i18n.t('No canary yet: every local waits for the release.')}
        rows={ring.map((m, i) => [
          <span key="m">
            {memberLabel(m)}
            {errors[`ring[${i}]`] && (
              <span className="error-text" data-test="ring-error">
                {' '}
                — {errors[`ring[${i}]`]}
              </span>
            )}
          </span>,
          <Button
            key="r"
            small
            secondary
            onClick={() => setRing((r) => r.filter((_, j) => j !== i))}
          >
            {i18n.t('Remove')}
          </Button>,
        ])}
      />
      <div className="row">
        <SingleSelectField
          label={i18n.t('Add a local by')}
          selected={kind}
          onChange={({ selected }: { selected: string }) => setKind(selected as MemberKind)}
        >
          <SingleSelectOption value="systemId" label={i18n.t('System id (a metasync local)')} />
          <SingleSelectOption value="username" label={i18n.t('Username (e.g. a DHIS2 local)')} />
        </SingleSelectField>
        <InputField
          name="ringMember"
          label={
            kind === 'systemId'
              ? i18n.t('The local’s system id')
              : i18n.t('The user the local signs in as')
          }
          value={adding}
          onChange={({ value }: { value?: string }) => setAdding(value ?? '')}
        />
        <Button onClick={add} disabled={!adding.trim()}>
          {i18n.t('Add to ring')}
        </Button>
      </div>
      <InputField
        name="autoReleaseAfterMinutes"
        label={i18n.t('Release automatically after (minutes)')}
        helpText={i18n.t(
          'A version every ring member reached without a failure is released after this long. Empty: never automatically.',
        )}
        inputWidth="200px"
        value={minutes}
        onChange={({ value }: { value?: string }) => {
          setMinutes(value ?? '');
          setErrors((old) => {
            const rest = { ...old };
            delete rest.autoReleaseAfterMinutes;
            return rest;
          });
        }}
        error={!!errors.autoReleaseAfterMinutes}
        validationText={errors.autoReleaseAfterMinutes}
      />
      {initial.updatedBy && (
        <p className="muted">
          {i18n.t('Last saved by {{user}}, {{when}}.', {
            user: initial.updatedBy,
            when: when(initial.updatedAt),
          })}
        </p>
      )}
      {Object.keys(errors).some(
        (k) => k !== 'autoReleaseAfterMinutes' && !k.startsWith('ring['),
      ) && (
        <NoticeBox error title={i18n.t('Not saved')}>
          {Object.values(errors).join(' ')}
        </NoticeBox>
      )}
      <Button type="submit" primary loading={busy}>
        {i18n.t('Save')}
      </Button>
    </form>
  );
}
