/**
 * Starts a real metasync instance on a random loopback port over a test database, the way
 * `metasync serve` does (same composition root), and stops it after the test.
 */
import { Writable } from 'node:stream';
import { after, before, type TestContext } from 'node:test';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Clock } from '../../src/domain/ports.ts';
import { createLogger } from '../../src/logger.ts';
import { createInstance, type Instance } from '../../src/main.ts';
import { createTestDatabase, type Backend, type TestDatabase } from './databases.ts';

export const ADMIN_PASSWORD = 'Test-Admin-1!';

/** Captures every JSON log line the server writes, for assertions on logging. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

export interface TestServer {
  url: string;
  instance: Instance;
  logs: LogCapture;
  /** fetch relative to the server, with admin Basic auth unless `auth` is given (null = none). */
  request(path: string, init?: RequestInit & { auth?: [string, string] | null }): Promise<Response>;
  stop(): Promise<void>;
}

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export async function startServer(
  database: TestDatabase,
  overrides: Partial<Config> = {},
  options: { clock?: Clock } = {},
): Promise<TestServer> {
  const config = {
    ...loadConfig({ host: '127.0.0.1', port: '0' }, { METASYNC_ADMIN_PASSWORD: ADMIN_PASSWORD }),
    ...overrides,
  };
  const logs = new LogCapture();
  const instance = await createInstance(config, {
    logger: createLogger(process.env.METASYNC_TEST_LOG ?? 'info', logs),
    database: await database.open(),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const url = await instance.listen();
  return {
    url,
    instance,
    logs,
    request(path, init = {}) {
      const { auth, ...rest } = init;
      const headers = new Headers(rest.headers);
      const creds = auth === undefined ? (['admin', ADMIN_PASSWORD] as const) : auth;
      if (creds) headers.set('authorization', basic(creds[0], creds[1]));
      return fetch(url + path, { ...rest, headers });
    },
    stop: () => instance.stop(),
  };
}

/** One database and server per backend for a test file; cleaned up when the context ends. */
export async function serverFor(t: TestContext, backend: Backend, overrides: Partial<Config> = {}) {
  const database = await createTestDatabase(backend);
  const server = await startServer(database, overrides);
  t.after(async () => {
    await server.stop();
    await database.dispose();
  });
  return { database, server };
}

/**
 * One server per `describe` block: started in its `before`, stopped with its database in its
 * `after`. The returned object stands for that server (usable inside tests, once `before` ran).
 */
export function useServer(
  backend: Backend | Promise<Backend>,
  overrides: Partial<Config> = {},
): TestServer & { readonly database: TestDatabase } {
  let current: { server: TestServer; database: TestDatabase } | null = null;
  const get = () => {
    if (!current) throw new Error('useServer: the server starts in the before hook');
    return current;
  };
  before(async () => {
    const database = await createTestDatabase(await backend);
    current = { database, server: await startServer(database, overrides) };
  });
  after(async () => {
    await current?.server.stop();
    await current?.database.dispose();
  });
  return {
    get url() {
      return get().server.url;
    },
    get instance() {
      return get().server.instance;
    },
    get logs() {
      return get().server.logs;
    },
    get database() {
      return get().database;
    },
    request: (path, init) => get().server.request(path, init),
    stop: () => get().server.stop(),
  };
}

/** The web UI's login (`POST /api/metasync/session`) as the UI's fetch sends it. */
export const uiLogin = (
  server: TestServer,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) =>
  server.request('/api/metasync/session', {
    auth: null,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-requested-with': 'XMLHttpRequest',
      ...headers,
    },
    body: JSON.stringify({ username, password }),
  });
