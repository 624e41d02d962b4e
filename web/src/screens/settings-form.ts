/** What the Synchronization and Email settings forms share: values, field errors, the save. */
import { useDataEngine } from '@dhis2/app-runtime';
import { useState } from 'react';
import { errorText, fieldErrorsOf } from '../api.ts';
import { useApp } from '../context.tsx';
import { i18n } from '../i18n.ts';
import { mutation } from '../runtime.tsx';
import { useResource } from './common.tsx';

type Values = Record<string, string | boolean>;

export const str = (v: unknown) =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

const SECRETS = { resource: 'metasync/secretSettings' };
const SAVE = mutation({
  resource: 'systemSettings',
  type: 'create',
  data: (v: Record<string, unknown>) => v.body as Record<string, unknown>,
});

export function useSettingsForm(keys: string[]) {
  const { settings } = useApp();
  const initial = () =>
    Object.fromEntries(
      keys.map((k) => [
        k,
        typeof settings[k] === 'boolean' ? (settings[k] as boolean) : str(settings[k]),
      ]),
    );
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (k: string, v: string | boolean) => {
    setValues((old) => ({ ...old, [k]: v }));
    setErrors((old) => {
      const rest = { ...old };
      delete rest[k];
      return rest;
    });
  };
  return { values, set, errors, setErrors };
}

/**
 * A settings form with one write-only secret: the secret is sent only when typed, and both the
 * settings and the "is set" status are reloaded after a save.
 */
export function useSecretSave(f: ReturnType<typeof useSettingsForm>, secretKey: string) {
  const { reloadSettings, alert } = useApp();
  const engine = useDataEngine();
  const answer = useResource<Record<string, boolean>>(SECRETS);
  // A failed read shows every secret as unset, as before: the form still works without it.
  const secrets = answer.data ?? {};
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const submitBody = async (body: Record<string, unknown>) => {
    setBusy(true);
    try {
      await engine.mutate(SAVE, {
        variables: { body: password ? { ...body, [secretKey]: password } : body },
      });
      setPassword('');
      await Promise.all([reloadSettings(), answer.refetch()]);
      alert(i18n.t('Settings saved'));
    } catch (e) {
      f.setErrors(fieldErrorsOf(e));
      alert(i18n.t('Settings not saved: {{error}}', { error: errorText(e) }), 'critical');
    }
    setBusy(false);
  };
  return { secrets, password, setPassword, busy, submitBody };
}
