/** Settings → Synchronization and Settings → Email (DHIS2's Settings app, those sections). */
import { Button, InputField, SwitchField } from '@dhis2/ui';
import { type FormEvent } from 'react';
import { i18n } from '../i18n.ts';
import { str, useSecretSave, useSettingsForm } from './settings-form.ts';

export { EmailSettings } from './EmailSettings.tsx';

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
