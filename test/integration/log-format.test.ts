/**
 * issue 24 §5: the logger in a child process, as the server makes it, writing to a pipe. Pretty
 * lines are readable and still redacted (pino's `redact` runs before the pretty printer); auto on
 * a pipe writes JSON.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'Hunter2-secret!';

/** Logs one line with a password and the e-mail password setting in `format`; returns stdout. */
function logOnce(format: string): Promise<string> {
  const script = [
    "const { createLogger } = await import('./src/logger.ts');",
    `const log = createLogger('info', undefined, ${JSON.stringify(format)});`,
    `log.info({ user: { name: 'alice', password: ${JSON.stringify(SECRET)} }, settings: { keyEmailPassword: ${JSON.stringify(SECRET)} } }, 'user saved');`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`)),
    ),
  );
}

describe('log format', () => {
  it('pretty: one readable line, no JSON, the passwords redacted', async () => {
    const out = await logOnce('pretty');
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 1, out);
    // eslint-disable-next-line no-control-regex -- colours are on; strip them to read the words
    const line = lines[0]!.replace(/\u001b\[[0-9;]*m/g, '');
    assert.match(line, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: user saved /);
    assert.throws(() => JSON.parse(line) as unknown);
    assert.match(line, /"name":"alice"/);
    assert.match(line, /"password":"\[redacted\]"/);
    assert.match(line, /"keyEmailPassword":"\[redacted\]"/);
    assert.ok(!out.includes(SECRET), out);
  });

  it('auto on a pipe: a JSON line, redacted', async () => {
    const out = await logOnce('auto');
    const entry = JSON.parse(out) as {
      msg: string;
      user: { password: string };
      settings: { keyEmailPassword: string };
    };
    assert.equal(entry.msg, 'user saved');
    assert.equal(entry.user.password, '[redacted]');
    assert.equal(entry.settings.keyEmailPassword, '[redacted]');
    assert.ok(!out.includes(SECRET), out);
  });
});
