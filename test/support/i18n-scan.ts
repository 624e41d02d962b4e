/**
 * What the web UI asks to translate, read from its sources with the TypeScript parser (issue 24
 * §1): every `i18n.t('…')` key with the `{{placeholders}}` it fills, and every piece of English
 * that reaches the page without passing through `i18n.t` (JSX text, and literal strings in the
 * props that are shown or read aloud).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const WEB_SRC = path.join(import.meta.dirname, '..', '..', 'web', 'src');
export const LOCALES_DIR = path.join(WEB_SRC, 'locales');

/** Props whose literal text a user sees or a screen reader reads. */
const SHOWN_PROPS = new Set([
  'label',
  'title',
  'aria-label',
  'helpText',
  'validationText',
  'buttonLabel',
  'empty',
  'fileLabel',
  'pemLabel',
  'prefix',
]);
/** Names that stay as they are in every language. */
const UNTRANSLATED = new Set(['metasync']);

export interface Scan {
  /** Each key and where it is used (`file:line`). */
  keys: Map<string, string[]>;
  /** The keys asked with a `count` (i18next's plural forms): each language has all its forms. */
  plurals: Set<string>;
  /** `file:line: text` of English shown without `i18n.t`, or of a key that is not a literal. */
  problems: string[];
}

export const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!).sort();

const hasWords = (text: string) => /\p{L}{2,}/u.test(text) && !UNTRANSLATED.has(text.trim());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

export function scanWebSources(dir = WEB_SRC): Scan {
  const keys = new Map<string, string[]>();
  const plurals = new Set<string>();
  const problems: string[] = [];
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node) =>
      `${path.relative(dir, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.expression.getText() === 'i18n' &&
        node.expression.name.text === 't'
      ) {
        const [first, options] = node.arguments;
        if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) {
          keys.set(first.text, [...(keys.get(first.text) ?? []), where(node)]);
          if (options && ts.isObjectLiteralExpression(options) && options.properties.some(isCount))
            plurals.add(first.text);
        } else problems.push(`${where(node)}: i18n.t needs a literal key`);
      } else if (ts.isJsxText(node) && hasWords(node.text)) {
        problems.push(`${where(node)}: ${node.text.trim()}`);
      } else if (
        ts.isJsxAttribute(node) &&
        SHOWN_PROPS.has(node.name.getText()) &&
        node.initializer &&
        ts.isStringLiteral(node.initializer) &&
        hasWords(node.initializer.text)
      ) {
        problems.push(`${where(node)}: ${node.name.getText()}="${node.initializer.text}"`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { keys, plurals, problems };
}

/** `count` or `count: …` in an `i18n.t` call's options. */
const isCount = (p: ts.ObjectLiteralElementLike): boolean =>
  (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) &&
  p.name.getText() === 'count';

/**
 * The suffixes of a plural key's forms in a language, as i18next 10 (under d2-i18n) looks them
 * up: English and the two-form languages `key` (one) and `key_plural`; Arabic its six forms
 * `key_0` … `key_5` (zero, one, two, few, many, other). English's `key` is the key itself.
 */
export const PLURAL_SUFFIXES: Record<string, string[]> = {
  en: ['_plural'],
  fr: ['', '_plural'],
  es: ['', '_plural'],
  pt: ['', '_plural'],
  ar: ['_0', '_1', '_2', '_3', '_4', '_5'],
};

/** A language file: English key → translation. */
export const readLocale = (locale: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(LOCALES_DIR, `${locale}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
