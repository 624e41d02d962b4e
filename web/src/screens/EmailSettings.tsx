/** Settings → Email (DHIS2's Settings app, that section), with a test e-mail to the user. */
import { Button, InputField, NoticeBox, SwitchField } from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState, type FormEvent } from 'react';
import { errorText, statusOf } from '../api.ts';
import { useApp } from '../context.tsx';
import { i18n } from '../i18n.ts';
import { mutation } from '../runtime.tsx';
import { str, useSecretSave, useSettingsForm } from './settings-form.ts';

const SEND_TEST = mutation({ resource: 'email/test', type: 'create' });

export function EmailSettings() {
  const { alert, user } = useApp();
  const engine = useDataEngine();
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
      const r = (await engine.mutate(SEND_TEST)) as { message?: string };
      setTestResult({ ok: true, text: r.message ?? i18n.t('Test message sent') });
      alert(r.message ?? i18n.t('Test message sent'));
    } catch (e) {
      const text =
        statusOf(e) === 404
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
