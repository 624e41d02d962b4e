/**
 * Per-user settings (DHIS2's `/api/userSettings`, issue 24 §1). metasync keeps one:
 * `keyUiLocale`, the web UI's language; a value the UI is not translated into is refused, so the
 * stored one is always a language the UI can show.
 */
import { errors } from '../errors.ts';
import type { UserSettingStore } from '../ports.ts';
import { UI_LOCALES, uiLocaleOf, type UiLocale } from './ui-locale.ts';

export const UI_LOCALE_KEY = 'keyUiLocale';

export interface UserSettingsService {
  /** The user's UI language, or null when they have not chosen one. */
  uiLocale(userId: string): Promise<UiLocale | null>;
  /** Stores `code` (`fr`, `pt_BR`, `ar-IQ`: the language is kept) and answers what was stored. */
  setUiLocale(userId: string, code: unknown): Promise<UiLocale>;
}

export function createUserSettingsService(store: UserSettingStore): UserSettingsService {
  return {
    async uiLocale(userId) {
      const value = await store.get(userId, UI_LOCALE_KEY);
      return typeof value === 'string' ? uiLocaleOf(value) : null;
    },
    async setUiLocale(userId, code) {
      const locale = typeof code === 'string' ? uiLocaleOf(code) : null;
      if (!locale)
        throw errors.settingInvalid(UI_LOCALE_KEY, `must be one of ${UI_LOCALES.join(', ')}`);
      await store.put(userId, UI_LOCALE_KEY, locale);
      return locale;
    },
  };
}
