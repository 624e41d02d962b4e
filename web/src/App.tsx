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
  SingleSelect,
  SingleSelectOption,
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
import {
  fromAcceptLanguage,
  UI_LOCALE_NAMES,
  UI_LOCALES,
} from '../../src/domain/settings/ui-locale.ts';
import { i18n, setUiLocale, uiLocale } from './i18n.ts';
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
  // The language shown (issue 24 §1): the session's (the user's keyUiLocale, else the browser's).
  const [locale, setLocale] = useState(uiLocale);
  const signIn = useCallback((u: SessionUser) => {
    setCsrfToken(u.csrfToken);
    setLocale(setUiLocale(u.locale));
    setUser(u);
  }, []);
  useEffect(() => {
    api<SessionUser>('/api/metasync/session')
      .then(signIn)
      .catch(() => {
        // Before login: the browser's language, as the server would pick it.
        setLocale(setUiLocale(fromAcceptLanguage(navigator.languages.join(',')) ?? 'en'));
        setUser(null);
      });
    const onUnauthorized = () => setUser(null);
    window.addEventListener('metasync:unauthorized', onUnauthorized);
    return () => window.removeEventListener('metasync:unauthorized', onUnauthorized);
  }, [signIn]);
  return (
    <>
      <CssReset />
      <CssVariables colors spacers theme elevations />
      {user === undefined ? (
        <div className="center">
          <CircularLoader />
        </div>
      ) : user === null ? (
        <Login key={locale} onLogin={signIn} />
      ) : (
        // A new language remounts the screens: each renders its texts again, nothing is stale.
        <Shell
          key={locale}
          user={user}
          onLogout={() => setUser(null)}
          onLocale={(l) => setLocale(setUiLocale(l))}
        />
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
          ? i18n.t('Wrong username or password.')
          : errorText(err),
      );
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
  label: () => string;
  centralOnly?: boolean;
  relayToo?: boolean;
  localOnly?: boolean;
  authority?: string;
}[] = [
  { hash: '/versioning', label: () => i18n.t('Metadata versioning') },
  { hash: '/history', label: () => i18n.t('Sync history') },
  { hash: '/scheduler', label: () => i18n.t('Scheduler') },
  { hash: '/import', label: () => i18n.t('Import/Export') },
  { hash: '/fleet', label: () => i18n.t('Fleet'), centralOnly: true, relayToo: true },
  {
    hash: '/rollout',
    label: () => i18n.t('Rollout'),
    centralOnly: true,
    authority: Authority.F_METADATA_MANAGE,
  },
  {
    hash: '/drift',
    label: () => i18n.t('Drift'),
    localOnly: true,
    authority: Authority.F_METADATA_MANAGE,
  },
  { hash: '/settings/sync', label: () => i18n.t('Settings: Synchronization') },
  { hash: '/settings/email', label: () => i18n.t('Settings: Email') },
];

function Shell({
  user,
  onLogout,
  onLocale,
}: {
  user: SessionUser;
  onLogout: () => void;
  onLocale: (locale: string) => void;
}) {
  const hash = useHash();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const reloadSettings = useCallback(async () => {
    setSettings(await api<Settings>('/api/systemSettings'));
  }, []);
  useEffect(() => {
    void api<Settings>('/api/systemSettings').then(setSettings, () => setSettings({}));
  }, []);
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
        {/* The page's one h1: every screen's title below is an h2 (axe page-has-heading-one). */}
        <h1 className="brand" data-test="instance-name">
          {title || 'metasync'}
        </h1>
        <span data-test="role">
          <Tag positive={role === 'central'} neutral={role === 'local'}>
            {role === 'central'
              ? i18n.t('Central')
              : role === 'local'
                ? i18n.t('Local')
                : i18n.t('Not configured')}
          </Tag>
        </span>
        {relay && (
          <span data-test="relay-of">
            <Tag neutral>{i18n.t('Relay of {{upstream}}', { upstream })}</Tag>
          </span>
        )}
        <span className="spacer" />
        <LanguageMenu onLocale={onLocale} />
        <span className="user">{user.displayName || user.username}</span>
        <Button small secondary onClick={() => void logout()}>
          {i18n.t('Log out')}
        </Button>
      </header>
      <nav aria-label={i18n.t('Sections')}>
        <TabBar scrollable>
          {nav.map((n) => (
            <Tab key={n.hash} selected={n.hash === active} onClick={() => navigate(n.hash)}>
              {n.label()}
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
        <NoticeBox warning title={i18n.t('Not found')}>
          {i18n.t('No page at #{{hash}}.', { hash })}
        </NoticeBox>
      );
  }
}

/**
 * The header's language menu (issue 24 §1): stores the choice as the user's DHIS2 setting
 * `keyUiLocale`, then shows the UI in it at once. Each language is named in itself.
 */
function LanguageMenu({ onLocale }: { onLocale: (locale: string) => void }) {
  const [busy, setBusy] = useState(false);
  const choose = async (locale: string) => {
    setBusy(true);
    try {
      await api(`/api/userSettings/keyUiLocale?value=${encodeURIComponent(locale)}`, {
        method: 'POST',
      });
    } catch {
      // Not stored (the server refused or is gone): the UI still switches, for this session.
    } finally {
      onLocale(locale);
      setBusy(false);
    }
  };
  return (
    <span className="language" data-test="language-menu">
      <SingleSelect
        dense
        selected={uiLocale()}
        loading={busy}
        onChange={({ selected }: { selected: string }) => void choose(selected)}
        prefix={i18n.t('Language')}
        dataTest="language-select"
      >
        {UI_LOCALES.map((l) => (
          <SingleSelectOption key={l} value={l} label={UI_LOCALE_NAMES[l]} />
        ))}
      </SingleSelect>
    </span>
  );
}
