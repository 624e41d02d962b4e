/**
 * The web UI talks to the server the DHIS2 app's way (issue 24 §2): reads and changes through
 * `@dhis2/app-runtime`, polling through its refetch. No screen calls `fetch` or opens an
 * XMLHttpRequest itself, except the file upload, which needs the upload's progress the runtime
 * cannot report; no screen runs its own `setInterval` to ask again. Read from the sources with
 * the TypeScript parser, so a comment or a string that names them does not count.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { WEB_SRC } from '../support/i18n-scan.ts';

/** The files allowed each call, and why. */
const ALLOWED: Record<string, string[]> = {
  // upload.ts: a file's upload progress (XMLHttpRequest.upload); nothing else offers it.
  XMLHttpRequest: ['upload.ts'],
  // runtime.tsx: usePolling, the one interval that asks again.
  setInterval: ['runtime.tsx'],
  fetch: [],
};

function calls(dir: string): { file: string; name: string }[] {
  const found: { file: string; name: string }[] = [];
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(path.join(d, e.name))
        : /\.tsx?$/.test(e.name)
          ? [path.join(d, e.name)]
          : [],
    );
  for (const file of walk(dir)) {
    const source = ts.createSourceFile(
      file,
      readFileSync(file, 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node: ts.Node) => {
      const callee = ts.isCallExpression(node)
        ? node.expression
        : ts.isNewExpression(node)
          ? node.expression
          : null;
      if (callee) {
        const name = ts.isIdentifier(callee)
          ? callee.text
          : ts.isPropertyAccessExpression(callee) && callee.expression.getText() === 'window'
            ? callee.name.text
            : null;
        if (name && name in ALLOWED) found.push({ file: path.relative(dir, file), name });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('the web UI asks the server through the app runtime (issue 24 §2)', () => {
  it('has no fetch, XMLHttpRequest or polling interval of its own outside their one place', () => {
    const stray = calls(WEB_SRC).filter((c) => !ALLOWED[c.name]!.includes(c.file));
    assert.deepEqual(stray, []);
  });

  it('finds the calls it looks for', () => {
    // The upload and the polling hook are there: a scanner that finds nothing proves nothing.
    const found = calls(WEB_SRC).map((c) => `${c.file} ${c.name}`);
    assert.ok(found.includes('upload.ts XMLHttpRequest'), found.join(', '));
    assert.ok(found.includes('runtime.tsx setInterval'), found.join(', '));
  });
});
