/**
 * The header bar, with the look of DHIS2's (issue 24 §2): a 48px dark blue bar, the instance's
 * title at its start, the role (and the upstream of a relay), and the profile at its end: the
 * user's initials in a circle, their name, the language choice and Log out. `@dhis2/ui`'s own
 * `HeaderBar` is not used: it needs `@dhis2/app-runtime`'s provider and DHIS2 endpoints that
 * metasync does not serve (`/api/me`, `/api/me/dashboard`, `menu/getModules.action`,
 * `staticContent/logo_banner`; docs/deviations.md). The bar is laid out in logical order, so
 * in Arabic the title is on the right and the profile on the left.
 */
import { Button, SingleSelect, SingleSelectOption, Tag } from '@dhis2/ui';
import { useState } from 'react';
import { UI_LOCALE_NAMES, UI_LOCALES } from '../../src/domain/settings/ui-locale.ts';
import { api } from './api.ts';
import type { Role, SessionUser, Settings } from './context.tsx';
import { i18n, uiLocale } from './i18n.ts';

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
  const logout = async () => {
    await api('/api/metasync/session', { method: 'DELETE' }).catch(() => undefined);
    onLogout();
  };
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
      <span className="profile" data-test="profile">
        {/* The name beside it says who: the circle is decoration for screen readers. */}
        <span className="initials" aria-hidden="true">
          {initialsOf(name)}
        </span>
        <span className="user">{name}</span>
      </span>
      <Button small secondary onClick={() => void logout()}>
        {i18n.t('Log out')}
      </Button>
    </header>
  );
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
