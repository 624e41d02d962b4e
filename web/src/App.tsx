/** The shell: the session (login or the app), the header, the tabs and the hash routes. */
import {
  AlertBar,
  AlertStack,
  CircularLoader,
  CssReset,
  CssVariables,
  Tab,
  TabBar,
} from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useCallback, useEffect, useRef, useState } from 'react';
import { isRelay } from '../../src/domain/sync/relay.ts';
import { fromAcceptLanguage } from '../../src/domain/settings/ui-locale.ts';
import { onSessionEnded, setCsrfToken } from './api.ts';
import { AppContext, roleOf, type SessionUser, type Settings } from './context.tsx';
import { Header } from './Header.tsx';
import { i18n, setUiLocale, uiLocale } from './i18n.ts';
import { Login } from './Login.tsx';
import { Route, useHash, visibleNav } from './nav.tsx';
import { useResource } from './screens/common.tsx';
import './app.css';

interface Alert {
  id: number;
  message: string;
  kind: 'success' | 'critical' | 'info';
}

export function App() {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  // The language shown (issue 24 §1): the session's (the user's keyUiLocale, else the browser's).
  const [locale, setLocale] = useState(uiLocale);
  const engine = useDataEngine();
  const signedIn = useRef(false);
  const signIn = useCallback((u: SessionUser) => {
    setCsrfToken(u.csrfToken);
    setLocale(setUiLocale(u.locale));
    signedIn.current = true;
    setUser(u);
  }, []);
  useEffect(() => {
    engine.query({ session: { resource: 'metasync/session' } }).then(
      (r) => signIn(r.session as SessionUser),
      () => {
        // Before login: the browser's language, as the server would pick it.
        setLocale(setUiLocale(fromAcceptLanguage(navigator.languages.join(',')) ?? 'en'));
        setUser(null);
      },
    );
    // A session that ends (logout, expiry, restart) starts the page afresh: the runtime's cache
    // of answers belongs to the user who got them, and the next login may be someone else's.
    return onSessionEnded(() => {
      if (signedIn.current) window.location.reload();
    });
  }, [engine, signIn]);
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
          onLogout={() => window.location.reload()}
          onLocale={(l) => setLocale(setUiLocale(l))}
        />
      )}
    </>
  );
}

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
  const answer = useResource<Settings>({ resource: 'systemSettings' });
  // Settings this user may not read: the shell still runs, as a standalone instance.
  const settings = answer.error ? {} : answer.data;
  const { refetch } = answer;
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const reloadSettings = useCallback(async () => {
    await refetch();
  }, [refetch]);
  const alert = useCallback((message: string, kind: Alert['kind'] = 'success') => {
    // The newest two only: a long stack would hide the page.
    setAlerts((a) => [...a.slice(-1), { id: Date.now() + Math.random(), message, kind }]);
  }, []);
  const navigate = useCallback((h: string) => {
    window.location.hash = h;
  }, []);
  if (!settings)
    return (
      <div className="center">
        <CircularLoader />
      </div>
    );
  const role = roleOf(settings);
  // A relay (issue 21 §1) is a local that serves its versions on: it has a fleet of its own.
  const remote =
    typeof settings.keyRemoteInstanceUrl === 'string' ? settings.keyRemoteInstanceUrl : '';
  const relay = isRelay(remote, settings.keyVersionEnabled === true);
  const nav = visibleNav(role, relay, user);
  const active = nav.find((n) => hash === n.hash || hash.startsWith(n.hash + '/'))?.hash;
  return (
    <AppContext.Provider value={{ user, settings, role, reloadSettings, alert, navigate }}>
      <Header
        user={user}
        settings={settings}
        role={role}
        relay={relay}
        onLogout={onLogout}
        onLocale={onLocale}
      />
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
