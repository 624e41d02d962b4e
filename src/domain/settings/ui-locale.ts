/**
 * The web UI's languages and how one is chosen for a user (issue 24 §1): the user's DHIS2
 * setting `keyUiLocale`, else the best of the request's `Accept-Language`, else English. Pure:
 * the server resolves with it and the UI's language menu lists the same languages.
 */

/** The languages the UI is translated into; English is the source text (the translation keys). */
export const UI_LOCALES = ['en', 'fr', 'es', 'pt', 'ar'] as const;
export type UiLocale = (typeof UI_LOCALES)[number];
export const DEFAULT_UI_LOCALE: UiLocale = 'en';

/** Each language's own name, as its speakers read it in the language menu. */
export const UI_LOCALE_NAMES: Record<UiLocale, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  pt: 'Português',
  ar: 'العربية',
};

const isUiLocale = (s: string): s is UiLocale => (UI_LOCALES as readonly string[]).includes(s);

/**
 * The UI language of a DHIS2 locale code: DHIS2 stores `fr`, `pt_BR`, `ar_IQ`; browsers send
 * `pt-BR`. The region is dropped (one translation per language); null when not translated.
 */
export function uiLocaleOf(code: string): UiLocale | null {
  const language = code.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return isUiLocale(language) ? language : null;
}

/**
 * The best translated language of an `Accept-Language` header (RFC 9110 §12.5.4): highest
 * weight first, the header's order among equals; `*` and untranslated ones skipped.
 */
export function fromAcceptLanguage(header: string | undefined): UiLocale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';').map((s) => s.trim());
      const q = params.find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { locale: uiLocaleOf(tag), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.locale !== null && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked[0]?.locale ?? null;
}

/** The user's language: their setting, else the browser's, else English. */
export const resolveUiLocale = (
  setting: string | null | undefined,
  acceptLanguage: string | undefined,
): UiLocale =>
  (setting ? uiLocaleOf(setting) : null) ?? fromAcceptLanguage(acceptLanguage) ?? DEFAULT_UI_LOCALE;
