/**
 * The header bar, with the look of DHIS2's (issue 24 §2): a 48px dark blue bar, the instance's
 * title at its start, the role (and the upstream of a relay), the language choice, and the
 * profile at its end: the user's initials in a circle and their name, which open the profile
 * menu (who is logged in, Log out) as DHIS2's do. `@dhis2/ui`'s own `HeaderBar` is not used:
 * it asks DHIS2 endpoints that metasync does not serve (`/api/me`, `/api/me/dashboard`, `menu/getModules.action`,
 * `staticContent/logo_banner`; docs/deviations.md). The bar is laid out in logical order, so
 * in Arabic the title is on the right and the profile on the left.
 */
import { useDataEngine } from '@dhis2/app-runtime';
import { Button, SingleSelect, SingleSelectOption, Tag } from '@dhis2/ui';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { UI_LOCALE_NAMES, UI_LOCALES } from '../../src/domain/settings/ui-locale.ts';
import type { Role, SessionUser, Settings } from './context.tsx';
import { i18n, uiLocale } from './i18n.ts';
import { mutation } from './runtime.tsx';

/** The upstream's host, for a relay whose run has not read its name yet. */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** Up to two letters of the user's name, as DHIS2's profile circle shows them. */
export const initialsOf = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0]!.toUpperCase())
    .join('');

export function Header({
  user,
  settings,
  role,
  relay,
  onLogout,
  onLocale,
}: {
  user: SessionUser;
  settings: Settings;
  role: Role;
  relay: boolean;
  onLogout: () => void;
  onLocale: (locale: string) => void;
}) {
  const title = typeof settings.applicationTitle === 'string' ? settings.applicationTitle : '';
  const remote =
    typeof settings.keyRemoteInstanceUrl === 'string' ? settings.keyRemoteInstanceUrl : '';
  const upstream =
    typeof settings.keyRemoteSystemName === 'string' && settings.keyRemoteSystemName
      ? settings.keyRemoteSystemName
      : hostOf(remote);
  const name = user.displayName || user.username;
  return (
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
      <ProfileMenu name={name} username={user.username} onLogout={onLogout} />
    </header>
  );
}

const LOGOUT = mutation({ resource: 'metasync/session', type: 'delete' });

/**
 * The profile button (initials and name) and the menu it opens: who is logged in, and Log out.
 * A disclosure in the bar itself, not a layer over the page, so Tab walks from the button into
 * the menu; Escape or a click elsewhere closes it.
 */
function ProfileMenu({
  name,
  username,
  onLogout,
}: {
  name: string;
  username: string;
  onLogout: () => void;
}) {
  const engine = useDataEngine();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLSpanElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !open) return;
    setOpen(false);
    button.current?.focus();
  };
  const logout = async () => {
    // Gone already (expired, server restarted) is logged out too.
    await engine.mutate(LOGOUT).catch(() => undefined);
    onLogout();
  };
  return (
    <span className="profile" data-test="profile" ref={box} onKeyDown={onKeyDown}>
      <button
        type="button"
        ref={button}
        className="profile-button"
        data-test="profile-button"
        aria-expanded={open}
        aria-controls="profile-menu"
        onClick={() => setOpen((o) => !o)}
      >
        {/* The name beside it says who: the circle is decoration for screen readers. */}
        <span className="initials" aria-hidden="true">
          {initialsOf(name)}
        </span>
        <span className="user">{name}</span>
      </button>
      {open && (
        <span id="profile-menu" className="profile-menu" data-test="profile-menu">
          <span className="profile-name">{name}</span>
          <span className="profile-username">{username}</span>
          <Button small secondary onClick={() => void logout()}>
            {i18n.t('Log out')}
          </Button>
        </span>
      )}
    </span>
  );
}

/**
 * The header's language menu (issue 24 §1): stores the choice as the user's DHIS2 setting
 * `keyUiLocale`, then shows the UI in it at once. Each language is named in itself.
 */
const SET_LOCALE = mutation({
  resource: 'userSettings/keyUiLocale',
  type: 'create',
  params: ({ locale }) => ({ value: locale as string }),
});

function LanguageMenu({ onLocale }: { onLocale: (locale: string) => void }) {
  const engine = useDataEngine();
  const [busy, setBusy] = useState(false);
  const choose = async (locale: string) => {
    setBusy(true);
    try {
      await engine.mutate(SET_LOCALE, { variables: { locale } });
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
