/**
 * The UI's languages (issue 24 §1) through `@dhis2/d2-i18n` (an i18next instance), DHIS2 apps'
 * way: the English text is the key, `locales/<lang>.json` maps it to the translation, and a
 * missing one falls back to the English key. The page's `lang` and `dir` follow the language, so
 * Arabic is laid out right to left.
 */
import i18n from '@dhis2/d2-i18n';
import {
  DEFAULT_UI_LOCALE,
  UI_LOCALES,
  type UiLocale,
} from '../../src/domain/settings/ui-locale.ts';
import ar from './locales/ar.json';
import en from './locales/en.json';
import es from './locales/es.json';
import fr from './locales/fr.json';
import pt from './locales/pt.json';

/**
 * English needs a file only for the texts asked with a `count`: their plural form
 * (`key_plural`), as i18next looks it up; the singular is the key itself.
 */
const TRANSLATIONS: Record<UiLocale, Record<string, string>> = { en, fr, es, pt, ar };
for (const [lng, resources] of Object.entries(TRANSLATIONS))
  i18n.addResourceBundle(lng, 'translation', resources, true, true);
// React escapes what it renders: i18next's own HTML escaping would show `&amp;` in a name.
(
  i18n as unknown as {
    services: { interpolator: { init(o: { interpolation: { escapeValue: boolean } }): void } };
  }
).services.interpolator.init({ interpolation: { escapeValue: false } });

/** Right-to-left languages among the UI's. */
const RTL: ReadonlySet<UiLocale> = new Set(['ar']);

let current: UiLocale = DEFAULT_UI_LOCALE;

/** The language the UI shows now (its `Intl` formats follow it too). */
export const uiLocale = (): UiLocale => current;

/** Switches the UI's language and the page's `lang`/`dir`; the caller re-renders. */
export function setUiLocale(locale: string): UiLocale {
  current = (UI_LOCALES as readonly string[]).includes(locale)
    ? (locale as UiLocale)
    : DEFAULT_UI_LOCALE;
  void i18n.changeLanguage(current);
  document.documentElement.lang = current;
  document.documentElement.dir = RTL.has(current) ? 'rtl' : 'ltr';
  return current;
}

export { i18n };
