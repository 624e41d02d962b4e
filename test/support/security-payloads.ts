/**
 * Hostile inputs for the injection and traversal tests (issue 10 §4), how to send them without
 * the client tidying them up first, and what must never come back.
 */
import { request as httpRequest } from 'node:http';

/**
 * SQL injection, path traversal, NUL bytes, length, unicode and prototype keys: sent as the
 * literal string.
 */
export const PAYLOADS: readonly string[] = [
  "' OR '1'='1",
  "1' OR 1=1--",
  '1; DROP TABLE metadata_object;--',
  "'); DELETE FROM app_user;--",
  '" OR ""="',
  "x' UNION SELECT password_hash, username FROM app_user--",
  "'; SELECT pg_sleep(10);--",
  '%27',
  '../../../../etc/passwd',
  '..%2f..%2f..%2f..%2fetc%2fpasswd',
  '..\\..\\..\\..\\windows\\win.ini',
  '/etc/passwd\u0000.json',
  '\u0000',
  'A'.repeat(5000),
  '𝕏ÿ\u202e<script>alert(1)</script>',
  '% _ * ? \\ $1',
  '{"$ne":null}',
  '__proto__',
  '[]',
];

/** A few of them, for the per-type routes beyond the representative types (same code). */
export const FEW_PAYLOADS: readonly string[] = [PAYLOADS[0]!, PAYLOADS[2]!, PAYLOADS[8]!, '%00'];

/** Raw (already URL-encoded) forms: the server decodes `%27`, `%2f`, `%00` itself. */
export const RAW_FORMS: readonly string[] = [
  '%27%20OR%20%271%27%3D%271',
  '%27',
  '%00',
  '..%2f..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%c0%ae%c0%ae%2fetc%2fpasswd', // overlong UTF-8 dots
  '%ED%A0%80', // a lone surrogate: invalid UTF-8
  '%',
];

/** Every form a payload is sent in: encoded (arrives as itself) and the raw encodings. */
export const valueForms = (payloads: readonly string[]): string[] => [
  ...payloads.map(encodeURIComponent),
  ...(payloads === PAYLOADS ? RAW_FORMS : ['%00']),
];

/** Text that must not appear in any answer: file contents, stack traces, SQL engine errors. */
export const FORBIDDEN: readonly [string, RegExp][] = [
  ['/etc/passwd', /root:x?:0:0/],
  ['win.ini', /\[extensions\]|\[fonts\]/i],
  ['package.json', /"devDependencies"|"dependencies"\s*:/],
  ['source code', /\bimport [\w{}, *]+ from '|export (async )?function /],
  ['stack trace', /\n\s+at [\w.<>]+ \(|\.ts:\d+:\d+/],
  [
    'SQL error',
    /syntax error at or near|unterminated quoted|invalid input syntax|SQLSTATE|relation "\w+"|column "\w+" does not exist/i,
  ],
  ['password hash', /scrypt\$\d+\$|\$2[aby]\$\d\d\$/],
];

export const forbiddenIn = (text: string): string[] =>
  FORBIDDEN.filter(([, re]) => re.test(text)).map(([what]) => what);

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/**
 * A request whose path goes out byte for byte: fetch() would resolve `..` segments and re-encode,
 * which is exactly what a traversal attempt must not get from its client.
 */
export function rawRequest(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const url = new URL(base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: init.method ?? 'GET',
        path,
        headers: init.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
