/** The login page: username and password, the server's refusal shown in the page's language. */
import { Button, Card, InputField, NoticeBox } from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useState, type FormEvent } from 'react';
import { errorText, statusOf } from './api.ts';
import type { SessionUser } from './context.tsx';
import { i18n } from './i18n.ts';
import { mutation } from './runtime.tsx';

const LOGIN = mutation({
  resource: 'metasync/session',
  type: 'create',
  data: (v: Record<string, string>) => ({ username: v.username, password: v.password }),
});

export function Login({ onLogin }: { onLogin: (u: SessionUser) => void }) {
  const engine = useDataEngine();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin((await engine.mutate(LOGIN, { variables: { username, password } })) as SessionUser);
    } catch (err) {
      setError(statusOf(err) === 401 ? i18n.t('Wrong username or password.') : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <Card>
        <form className="login-form" onSubmit={(e) => void submit(e)} aria-label={i18n.t('Log in')}>
          <h1>metasync</h1>
          <p className="muted">{i18n.t('Metadata versioning and synchronisation')}</p>
          <InputField
            label={i18n.t('Username')}
            name="username"
            value={username}
            onChange={({ value }) => setUsername(value ?? '')}
            autoComplete="username"
            initialFocus
            required
          />
          <InputField
            label={i18n.t('Password')}
            name="password"
            type="password"
            value={password}
            onChange={({ value }) => setPassword(value ?? '')}
            autoComplete="current-password"
            required
          />
          {error && (
            <NoticeBox error title={i18n.t('Could not log in')}>
              {error}
            </NoticeBox>
          )}
          <Button type="submit" primary loading={busy} disabled={!username || !password}>
            {i18n.t('Log in')}
          </Button>
        </form>
      </Card>
    </main>
  );
}
