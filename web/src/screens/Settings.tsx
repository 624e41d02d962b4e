/** Settings → Synchronization and Settings → Email (DHIS2's Settings app, those sections). */
import { Button, InputField, NoticeBox, SwitchField } from '@dhis2/ui';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorText, fieldErrorsOf } from '../api.ts';
import { useApp } from '../context.tsx';
import { i18n } from '../i18n.ts';

type Values = Record<string, string | boolean>;

const str = (v: unknown) =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

function useSecrets() {
  const [secrets, setSecrets] = useState<Record<string, boolean>>({});
  const reload = () =>
    api<Record<string, boolean>>('/api/metasync/secretSettings')
      .then(setSecrets)
      .catch(() => setSecrets({}));
  useEffect(() => {
    void reload();
  }, []);
  return { secrets, reload };
}

function useSettingsForm(keys: string[]) {
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

async function save(
  body: Record<string, unknown>,
  setErrors: (e: Record<string, string>) => void,
  after: () => Promise<void>,
  alert: (m: string, k?: 'success' | 'critical') => void,
) {
  try {
    await api('/api/systemSettings', { method: 'POST', body });
    await after();
    alert(i18n.t('Settings saved'));
  } catch (e) {
    const fieldErrors = fieldErrorsOf(e);
    setErrors(fieldErrors);
    alert(i18n.t('Settings not saved: {{error}}', { error: errorText(e) }), 'critical');
  }
}

/**
 * A settings form with one write-only secret: the secret is sent only when typed, and both the
 * settings and the "is set" status are reloaded after a save.
 */
function useSecretSave(f: ReturnType<typeof useSettingsForm>, secretKey: string) {
  const { reloadSettings, alert } = useApp();
  const { secrets, reload } = useSecrets();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const submitBody = async (body: Record<string, unknown>) => {
    setBusy(true);
    await save(
      password ? { ...body, [secretKey]: password } : body,
      f.setErrors,
      async () => {
        setPassword('');
        await Promise.all([reloadSettings(), reload()]);
      },
      alert,
    );
    setBusy(false);
  };
  return { secrets, password, setPassword, busy, submitBody };
}

const isUrl = (v: string) => v === '' || /^https?:\/\/[^\s/]+/.test(v);

export function SyncSettings() {
  const f = useSettingsForm([
    'keyRemoteInstanceUrl',
    'keyRemoteInstanceUsername',
    'keyVersionEnabled',
    'keyStopMetadataSync',
    'keyVersionIncludeDeletions',
    'keyVersionIncludeBootstrapAdmin',
    'keyMetadataSyncNotifyOnlyOnChange',
  ]);
  const { secrets, password, setPassword, busy, submitBody } = useSecretSave(
    f,
    'keyRemoteInstancePassword',
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const url = str(f.values.keyRemoteInstanceUrl).trim();
    if (!isUrl(url)) {
      f.setErrors({
        keyRemoteInstanceUrl: i18n.t('Enter an http:// or https:// address, or leave empty'),
      });
      return;
    }
    await submitBody({ ...f.values, keyRemoteInstanceUrl: url });
  };
  return (
    <section aria-labelledby="sync-title">
      <h2 id="sync-title">{i18n.t('Synchronization settings')}</h2>
      <form className="panel form" onSubmit={(e) => void submit(e)} noValidate>
        <h3>{i18n.t('Remote server (central)')}</h3>
        <InputField
          label={i18n.t('Remote server URL')}
          name="keyRemoteInstanceUrl"
          placeholder="https://central.example.org"
          value={str(f.values.keyRemoteInstanceUrl)}
          onChange={({ value }) => f.set('keyRemoteInstanceUrl', value ?? '')}
          error={Boolean(f.errors.keyRemoteInstanceUrl)}
          validationText={f.errors.keyRemoteInstanceUrl}
          helpText={i18n.t(
            'Leave empty on a central. Set it to make this instance a local. Changing it clears the stored password: type the password again.',
          )}
        />
        <InputField
          label={i18n.t('Remote server username')}
          name="keyRemoteInstanceUsername"
          value={str(f.values.keyRemoteInstanceUsername)}
          onChange={({ value }) => f.set('keyRemoteInstanceUsername', value ?? '')}
          error={Boolean(f.errors.keyRemoteInstanceUsername)}
          validationText={f.errors.keyRemoteInstanceUsername}
          autoComplete="off"
        />
        <InputField
          label={i18n.t('Remote server password')}
          name="keyRemoteInstancePassword"
          type="password"
          value={password}
          onChange={({ value }) => setPassword(value ?? '')}
          autoComplete="new-password"
          placeholder={secrets.keyRemoteInstancePassword ? '••••••••' : ''}
          helpText={
            secrets.keyRemoteInstancePassword
              ? i18n.t('A password is set. Type a new one to replace it.')
              : i18n.t('No password is set.')
          }
          error={Boolean(f.errors.keyRemoteInstancePassword)}
          validationText={f.errors.keyRemoteInstancePassword}
        />
        <h3>{i18n.t('Versioning')}</h3>
        <SwitchField
          label={i18n.t('Enable versioning for metadata sync')}
          name="keyVersionEnabled"
          checked={f.values.keyVersionEnabled === true}
          onChange={({ checked }) => f.set('keyVersionEnabled', checked)}
        />
        <SwitchField
          label={i18n.t('Don’t sync metadata if DHIS2 versions differ')}
          name="keyStopMetadataSync"
          checked={f.values.keyStopMetadataSync === true}
          onChange={({ checked }) => f.set('keyStopMetadataSync', checked)}
        />
        <SwitchField
          label={i18n.t('Include deletions in new versions')}
          name="keyVersionIncludeDeletions"
          checked={f.values.keyVersionIncludeDeletions === true}
          onChange={({ checked }) => f.set('keyVersionIncludeDeletions', checked)}
        />
        <SwitchField
          label={i18n.t('Include the bootstrap admin user and Superuser role in new versions')}
          name="keyVersionIncludeBootstrapAdmin"
          helpText={i18n.t(
            'Off by default: a DHIS2 local would replace its own admin with this one.',
          )}
          checked={f.values.keyVersionIncludeBootstrapAdmin === true}
          onChange={({ checked }) => f.set('keyVersionIncludeBootstrapAdmin', checked)}
        />
        <SwitchField
          label={i18n.t('Notify by e-mail only when a sync changed something')}
          name="keyMetadataSyncNotifyOnlyOnChange"
          checked={f.values.keyMetadataSyncNotifyOnlyOnChange === true}
          onChange={({ checked }) => f.set('keyMetadataSyncNotifyOnlyOnChange', checked)}
        />
        <div className="row">
          <Button type="submit" primary loading={busy}>
            {i18n.t('Save')}
          </Button>
        </div>
      </form>
    </section>
  );
}

export function EmailSettings() {
  const { alert, user } = useApp();
  const f = useSettingsForm([
    'keyEmailHostName',
    'keyEmailPort',
    'keyEmailUsername',
    'keyEmailTls',
    'keyEmailSender',
    'keySystemNotificationsEmail',
  ]);
  const { secrets, password, setPassword, busy, submitBody } = useSecretSave(f, 'keyEmailPassword');
  const [testing, setTesting] = useState(false);
  const [testResult, setTestResult] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const port = Number(f.values.keyEmailPort);
    const errs: Record<string, string> = {};
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      errs.keyEmailPort = i18n.t('A port from 1 to 65535');
    for (const k of ['keyEmailSender', 'keySystemNotificationsEmail'])
      if (f.values[k] && !/^[^\s@]+@[^\s@]+$/.test(str(f.values[k])))
        errs[k] = i18n.t('Enter an e-mail address');
    if (Object.keys(errs).length) {
      f.setErrors(errs);
      return;
    }
    await submitBody({ ...f.values, keyEmailPort: port });
  };
  const test = async () => {
    setTesting(true);
    setTestResult(null);
    try {
      const r = await api<{ message?: string }>('/api/email/test', { method: 'POST' });
      setTestResult({ ok: true, text: r.message ?? i18n.t('Test message sent') });
      alert(r.message ?? i18n.t('Test message sent'));
    } catch (e) {
      const text =
        e instanceof ApiError && e.status === 404
          ? i18n.t('This server cannot send test e-mails yet (no /api/email/test).')
          : errorText(e);
      setTestResult({ ok: false, text });
      alert(i18n.t('Test e-mail failed: {{error}}', { error: text }), 'critical');
    } finally {
      setTesting(false);
    }
  };
  const field = (key: string, label: string, extra: Record<string, unknown> = {}) => (
    <InputField
      label={label}
      name={key}
      value={str(f.values[key])}
      onChange={({ value }) => f.set(key, value ?? '')}
      error={Boolean(f.errors[key])}
      validationText={f.errors[key]}
      {...extra}
    />
  );
  return (
    <section aria-labelledby="email-title">
      <h2 id="email-title">{i18n.t('Email settings')}</h2>
      <form className="panel form" onSubmit={(e) => void submit(e)} noValidate>
        {field('keyEmailHostName', i18n.t('SMTP host name'), {
          helpText: i18n.t('Changing the host or port clears the stored password: type it again.'),
        })}
        {field('keyEmailPort', i18n.t('SMTP port'), { type: 'number', inputWidth: '120px' })}
        {field('keyEmailUsername', i18n.t('SMTP username'), { autoComplete: 'off' })}
        <InputField
          label={i18n.t('SMTP password')}
          name="keyEmailPassword"
          type="password"
          value={password}
          onChange={({ value }) => setPassword(value ?? '')}
          autoComplete="new-password"
          helpText={
            secrets.keyEmailPassword
              ? i18n.t('A password is set. Type a new one to replace it.')
              : i18n.t('No password is set.')
          }
        />
        <SwitchField
          label={i18n.t('Use TLS')}
          name="keyEmailTls"
          checked={f.values.keyEmailTls === true}
          onChange={({ checked }) => f.set('keyEmailTls', checked)}
        />
        {field('keyEmailSender', i18n.t('Email sender address'))}
        {field('keySystemNotificationsEmail', i18n.t('System notifications email address'), {
          helpText: i18n.t('Sync failures and new versions are reported here.'),
        })}
        <div className="row">
          <Button type="submit" primary loading={busy}>
            {i18n.t('Save')}
          </Button>
          <Button onClick={() => void test()} loading={testing}>
            {i18n.t('Send me a test email')}
          </Button>
        </div>
        {testResult && (
          <NoticeBox
            error={!testResult.ok}
            title={testResult.ok ? i18n.t('Test e-mail sent') : i18n.t('Test e-mail not sent')}
          >
            {testResult.text}
            {testResult.ok
              ? ''
              : ` ${i18n.t('(It goes to {{user}}’s own e-mail address.)', { user: user.username })}`}
          </NoticeBox>
        )}
      </form>
    </section>
  );
}
