/**
 * The web UI is translated whole (issue 24 §1): every `i18n.t` key of web/src has a non-empty
 * translation in every language file, with the same `{{placeholders}}`, no language file keeps a
 * key the UI no longer asks for, and no English reaches the page without `i18n.t`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UI_LOCALES } from '../../src/domain/settings/ui-locale.ts';
import { pathToFileURL } from 'node:url';
import {
  placeholders,
  PLURAL_SUFFIXES,
  readLocale,
  scanWebSources,
  WEB_SRC,
} from '../support/i18n-scan.ts';

/** The UI's i18next set-up, loaded at run time: the server's compiler does not read web/src. */
const { i18n } = (await import(pathToFileURL(path.join(WEB_SRC, 'i18n.ts')).href)) as {
  i18n: { t(key: string, values?: object): string; changeLanguage(l: string): Promise<unknown> };
};

const TRANSLATED = UI_LOCALES.filter((l) => l !== 'en');

describe('web UI translations (issue 24 §1)', () => {
  const scan = scanWebSources();

  it('finds the keys of the UI', () => {
    // The header and the login form at least: a scanner that finds nothing proves nothing.
    for (const key of ['Log in', 'Metadata versioning', 'Relay of {{upstream}}'])
      assert.ok(scan.keys.has(key), key);
  });

  it('shows no English without i18n.t', () => {
    assert.deepEqual(scan.problems, []);
  });

  /**
   * The placeholders a form must keep: the key's, though a plural form may leave out the
   * number (`n`, `count`): Arabic's "one" and "two" forms say it in words.
   */
  const sameFill = (key: string, value: string, plural: boolean) => {
    const number = (p: string) => plural && (p === 'n' || p === 'count');
    const want = placeholders(key).filter((p) => !number(p));
    const got = placeholders(value).filter((p) => !number(p));
    return want.join() === got.join();
  };

  /** The entries a language file must hold: key (or key + form suffix) → key. */
  const expected = (locale: string): Map<string, string> => {
    const entries = new Map<string, string>();
    for (const key of scan.keys.keys())
      if (!scan.plurals.has(key)) {
        if (locale !== 'en') entries.set(key, key);
      } else for (const suffix of PLURAL_SUFFIXES[locale]!) entries.set(key + suffix, key);
    return entries;
  };

  for (const locale of [...TRANSLATED, 'en'])
    it(`has every key in ${locale}${locale === 'en' ? ' (its plural forms)' : ''}, non-empty, with the same placeholders`, () => {
      const file = readLocale(locale);
      const missing: string[] = [];
      const wrong: string[] = [];
      const entries = expected(locale);
      for (const [entry, key] of entries) {
        const value = file[entry];
        if (typeof value !== 'string' || value.trim() === '') missing.push(entry);
        else if (!sameFill(key, value, scan.plurals.has(key))) wrong.push(`${entry} → ${value}`);
      }
      assert.deepEqual(missing, [], `untranslated in ${locale}.json`);
      assert.deepEqual(wrong, [], `placeholders changed in ${locale}.json`);
      const stale = Object.keys(file).filter((k) => !entries.has(k));
      assert.deepEqual(stale, [], `keys of ${locale}.json the UI no longer uses`);
    });

  it('asks some texts by count, and picks each language’s form', async () => {
    const key = 'Behind by {{n}} version';
    assert.ok(scan.plurals.has(key), `${key} is asked with a count`);
    const forms = async (locale: string) => {
      await i18n.changeLanguage(locale);
      return [0, 1, 2, 3, 11, 100].map((count) => i18n.t(key, { count, n: String(count) }));
    };
    try {
      const en = await forms('en');
      assert.equal(en[1], 'Behind by 1 version');
      assert.equal(en[2], 'Behind by 2 versions');
      assert.equal(en[0], 'Behind by 0 versions');
      // French counts 0 as one; Arabic has six forms, a dual among them.
      const fr = await forms('fr');
      assert.equal(fr[0], fr[1]!.replace('1', '0'));
      assert.notEqual(fr[2], fr[1]!.replace('1', '2'));
      const ar = await forms('ar');
      assert.equal(new Set(ar).size, 6, ar.join(' | '));
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('catches unwrapped text, shown props and computed keys', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'i18n-scan-'));
    try {
      writeFileSync(
        path.join(dir, 'Screen.tsx'),
        [
          "const key = 'Dynamic';",
          'export const A = () => (',
          '  <div>',
          '    <p>Some words</p>',
          '    <InputField label="Remote server URL" placeholder="https://central.example.org" />',
          "    <h1>{i18n.t('Wrapped {{n}}', { n: 1 })}</h1>",
          '    <p>{i18n.t(key)}</p>',
          '    <span>{count} / 2</span>',
          '  </div>',
          ');',
        ].join('\n'),
      );
      const fixture = scanWebSources(dir);
      assert.deepEqual([...fixture.keys.keys()], ['Wrapped {{n}}']);
      assert.deepEqual(fixture.problems, [
        'Screen.tsx:4: Some words',
        'Screen.tsx:5: label="Remote server URL"',
        'Screen.tsx:7: i18n.t needs a literal key',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fills placeholders as given (React escapes, i18next must not) in the chosen language', async () => {
    try {
      await i18n.changeLanguage('fr');
      assert.equal(
        i18n.t('Relay of {{upstream}}', { upstream: 'A/B & <C>' }),
        'Relais de A/B & <C>',
      );
      // A key no language file has (none does, by the test above) shows its English.
      assert.equal(i18n.t('An English text no file has'), 'An English text no file has');
      await i18n.changeLanguage('ar');
      assert.equal(i18n.t('Log in'), 'تسجيل الدخول');
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('compares placeholders by name, in any order', () => {
    assert.deepEqual(placeholders('{{b}} then {{ a }}'), ['a', 'b']);
    assert.notDeepEqual(placeholders('{{name}}'), placeholders('{{nom}}'));
  });
});
