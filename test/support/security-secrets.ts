/**
 * The secrets the no-leak test (security-secrets.test.ts) sets, the forms each is searched for,
 * and the remote ends it fails against: a central that refuses every call, and a dead port.
 */
import { createPrivateKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basic } from './server.ts';
import { uid } from './versions.ts';

// Each has characters URL and base64 encodings change (space, +, /, &, @, %).
export const SECRETS = {
  admin: 'Adm1n Pa+ss/word&x@1',
  user: 'Us3r Pa+ss/word&y@2',
  legacyUser: 'L3gacy Pa+ss/word&z@3',
  smtp: 'Smtp Pa+ss/word%w@4',
  remote: 'R3mote Pa+ss/word&v@5',
  encryption: 'Encrypt10n Pa+ss/word&u@6',
} as const;

export const USER = { id: uid(), username: 'secret-user', email: 'secret-user@example.org' };
export const LEGACY = { id: uid(), username: 'legacy-user' };

/** The forms a secret could take on the wire or in a log. */
function forms(secret: string, username?: string): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const out = [secret, encodeURIComponent(secret), secret.replaceAll(' ', '+'), b64(secret)];
  out.push(encodeURIComponent(secret).replaceAll('%20', '+'));
  if (username) out.push(b64(`${username}:${secret}`), basic(username, secret).slice(6));
  return out;
}

export const NEEDLES: [string, string][] = [
  ...forms(SECRETS.admin, 'admin').map((f): [string, string] => ['admin password', f]),
  ...forms(SECRETS.user, USER.username).map((f): [string, string] => ['user password', f]),
  ...forms(SECRETS.legacyUser, LEGACY.username).map((f): [string, string] => ['legacy', f]),
  ...forms(SECRETS.smtp, 'mailer').map((f): [string, string] => ['SMTP password', f]),
  ...forms(SECRETS.remote, 'remote-admin').map((f): [string, string] => ['remote password', f]),
  ...forms(SECRETS.encryption).map((f): [string, string] => ['encryption.password', f]),
];

/**
 * Secrets known only once the server runs: its private signing key (issue 20 §1), pushed by the
 * test after the start. Not its sealed text, which the instance row holds by design.
 */
export const RUNTIME_NEEDLES: [string, string][] = [];

/** The forms an Ed25519 private key could take: PEM body, DER and the 32-byte seed. */
export function privateKeyForms(privatePem: string): string[] {
  const der = createPrivateKey(privatePem).export({ type: 'pkcs8', format: 'der' });
  const seed = der.subarray(der.length - 32);
  const body = privatePem.split('\n').filter((l) => l && !l.startsWith('-----'));
  return [body.join(''), body.join('\n'), der.toString('base64'), der.toString('hex')].concat(
    ['base64', 'base64url', 'hex'].map((e) => seed.toString(e as BufferEncoding)),
  );
}

export const leaks = (text: string): string[] =>
  [...NEEDLES, ...RUNTIME_NEEDLES]
    .filter(([, needle]) => text.includes(needle))
    .map(([what, needle]) => `${what} (${needle})`);

/** An HTTP "central" that refuses every call with 401, noting what it was sent. */
export async function refusingCentral(): Promise<{
  url: string;
  authorizations: string[];
  server: Server;
}> {
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic' });
    res.end('{"httpStatusCode":401,"status":"ERROR","message":"Unauthorized"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
    server,
  };
}

/** A loopback port nothing listens on. */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}
