/** The shell: login, header (instance name, role, user, logout), navigation and hash routes. */
import {
  AlertBar,
  AlertStack,
  Button,
  Card,
  CircularLoader,
  CssReset,
  CssVariables,
  InputField,
  NoticeBox,
  Tab,
  TabBar,
  Tag,
} from '@dhis2/ui';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorText, setCsrfToken } from './api.ts';
import { AppContext, holds, roleOf, type SessionUser, type Settings } from './context.tsx';
import { EmailSettings, SyncSettings } from './screens/Settings.tsx';
import { Versioning } from './screens/Versioning.tsx';
import { Scheduler } from './screens/Scheduler.tsx';
import { History, HistoryDetail } from './screens/History.tsx';
import { ImportExport } from './screens/ImportExport.tsx';
import { Fleet } from './screens/Fleet.tsx';
import { isRelay } from '../../src/domain/sync/relay.ts';
import { Rollout } from './screens/Rollout.tsx';
import { Drift } from './screens/Drift.tsx';
import { Authority } from '../../src/domain/authorities.ts';
import './app.css';

interface Alert {
  id: number;
  message: string;
  kind: 'success' | 'critical' | 'info';
}

const useHash = () => {
  const [hash, setHash] = useState(() => window.location.hash.slice(1) || '/versioning');
  useEffect(() => {
    const on = () => setHash(window.location.hash.slice(1) || '/versioning');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
};

export function App() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  useEffect(() => {
    api<SessionUser>('/api/metasync/session')
      .then((u) => {
        setCsrfToken(u.csrfToken);
        setUser(u);
      })
      .catch(() => setUser(null));
    const onUnauthorized = () => setUser(null);
    window.addEventListener('metasync:unauthorized', onUnauthorized);
    return () => window.removeEventListener('metasync:unauthorized', onUnauthorized);
  }, []);
  return (
    <>
      <CssReset />
      <CssVariables colors spacers theme elevations />
      {user === undefined ? (
        <div className="center">
          <CircularLoader />
        </div>
      ) : user === null ? (
        <Login
          onLogin={(u) => {
            setCsrfToken(u.csrfToken);
            setUser(u);
          }}
        />
      ) : (
        <Shell user={user} onLogout={() => setUser(null)} />
      )}
    </>
  );
}

function Login({ onLogin }: { onLogin: (u: SessionUser) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(
        await api<SessionUser>('/api/metasync/session', {
          method: 'POST',
          body: { username, password },
        }),
      );
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'Wrong username or password.'
          : errorText(err),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <Card>
        <form className="login-form" onSubmit={(e) => void submit(e)} aria-label="Log in">
          <h1>metasync</h1>
          <p className="muted">Metadata versioning and synchronisation</p>
          <InputField
            label="Username"
            name="username"
            value={username}
            onChange={({ value }) => setUsername(value ?? '')}
            autoComplete="username"
            initialFocus
            required
          />
          <InputField
            label="Password"
            name="password"
            type="password"
            value={password}
            onChange={({ value }) => setPassword(value ?? '')}
            autoComplete="current-password"
            required
          />
          {error && (
            <NoticeBox error title="Could not log in">
              {error}
            </NoticeBox>
          )}
          <Button type="submit" primary loading={busy} disabled={!username || !password}>
            Log in
          </Button>
        </form>
      </Card>
    </main>
  );
}

/** The upstream's host, for a relay whose run has not read its name yet. */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/**
 * `centralOnly`: not on a plain local; `relayToo`: on a relay as well (issue 21 §4, its fleet);
 * `localOnly`: on a local (a relay too) only, e.g. its drift (issue 23).
 * `authority`: shown only to a user who holds it (the server refuses the screen's calls).
 */
const NAV: {
  hash: string;
  label: string;
  centralOnly?: boolean;
  relayToo?: boolean;
  localOnly?: boolean;
  authority?: string;
}[] = [
  { hash: '/versioning', label: 'Metadata versioning' },
  { hash: '/history', label: 'Sync history' },
  { hash: '/scheduler', label: 'Scheduler' },
  { hash: '/import', label: 'Import/Export' },
  { hash: '/fleet', label: 'Fleet', centralOnly: true, relayToo: true },
  {
    hash: '/rollout',
    label: 'Rollout',
    centralOnly: true,
    authority: Authority.F_METADATA_MANAGE,
  },
  { hash: '/drift', label: 'Drift', localOnly: true, authority: Authority.F_METADATA_MANAGE },
  { hash: '/settings/sync', label: 'Settings: Synchronization' },
  { hash: '/settings/email', label: 'Settings: Email' },
];

function Shell({ user, onLogout }: { user: SessionUser; onLogout: () => void }) {
  const hash = useHash();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const reloadSettings = useCallback(async () => {
    setSettings(await api<Settings>('/api/systemSettings'));
  }, []);
  useEffect(() => {
    reloadSettings().catch(() => setSettings({}));
  }, [reloadSettings]);
  const alert = useCallback((message: string, kind: Alert['kind'] = 'success') => {
    // The newest two only: a long stack would hide the page.
    setAlerts((a) => [...a.slice(-1), { id: Date.now() + Math.random(), message, kind }]);
  }, []);
  const navigate = useCallback((h: string) => {
    window.location.hash = h;
  }, []);
  const logout = async () => {
    await api('/api/metasync/session', { method: 'DELETE' }).catch(() => undefined);
    onLogout();
  };
  if (!settings)
    return (
      <div className="center">
        <CircularLoader />
      </div>
    );
  const role = roleOf(settings);
  const title = typeof settings.applicationTitle === 'string' ? settings.applicationTitle : '';
  // A relay (issue 21 §1) is a local that serves its versions on: it has a fleet of its own.
  const remote =
    typeof settings.keyRemoteInstanceUrl === 'string' ? settings.keyRemoteInstanceUrl : '';
  const relay = isRelay(remote, settings.keyVersionEnabled === true);
  const upstream =
    typeof settings.keyRemoteSystemName === 'string' && settings.keyRemoteSystemName
      ? settings.keyRemoteSystemName
      : hostOf(remote);
  const nav = NAV.filter(
    (n) =>
      (!n.centralOnly || role !== 'local' || (relay && n.relayToo)) &&
      (!n.localOnly || role === 'local') &&
      (!n.authority || holds(user, n.authority)),
  );
  const active = nav.find((n) => hash === n.hash || hash.startsWith(n.hash + '/'))?.hash;
  return (
    <AppContext.Provider value={{ user, settings, role, reloadSettings, alert, navigate }}>
      <header className="topbar">
        <span className="brand" data-test="instance-name">
          {title || 'metasync'}
        </span>
        <span data-test="role">
          <Tag positive={role === 'central'} neutral={role === 'local'}>
            {role === 'central' ? 'Central' : role === 'local' ? 'Local' : 'Not configured'}
          </Tag>
        </span>
        {relay && (
          <span data-test="relay-of">
            <Tag neutral>Relay of {upstream}</Tag>
          </span>
        )}
        <span className="spacer" />
        <span className="user">{user.displayName || user.username}</span>
        <Button small secondary onClick={() => void logout()}>
          Log out
        </Button>
      </header>
      <nav aria-label="Sections">
        <TabBar scrollable>
          {nav.map((n) => (
            <Tab key={n.hash} selected={n.hash === active} onClick={() => navigate(n.hash)}>
              {n.label}
            </Tab>
          ))}
        </TabBar>
      </nav>
      <main className="content">
        <Route hash={hash} />
      </main>
      <AlertStack>
        {alerts.map((a) => (
          <AlertBar
            key={a.id}
            success={a.kind === 'success'}
            critical={a.kind === 'critical'}
            duration={a.kind === 'critical' ? 10000 : 5000}
            onHidden={() => setAlerts((all) => all.filter((x) => x.id !== a.id))}
          >
            {a.message}
          </AlertBar>
        ))}
      </AlertStack>
    </AppContext.Provider>
  );
}

function Route({ hash }: { hash: string }) {
  const detail = /^\/history\/([^/]+)$/.exec(hash);
  if (detail) return <HistoryDetail id={decodeURIComponent(detail[1]!)} />;
  switch (hash) {
    case '/settings/sync':
      return <SyncSettings />;
    case '/settings/email':
      return <EmailSettings />;
    case '/history':
      return <History />;
    case '/scheduler':
      return <Scheduler />;
    case '/import':
      return <ImportExport />;
    case '/fleet':
      return <Fleet />;
    case '/rollout':
      return <Rollout />;
    case '/drift':
      return <Drift />;
    case '/versioning':
      return <Versioning />;
    default:
      return (
        <NoticeBox warning title="Not found">
          No page at #{hash}.
        </NoticeBox>
      );
  }
}
