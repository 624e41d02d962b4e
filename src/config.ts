/**
 * Configuration: command-line flags over environment variables over the dhis.conf-style file
 * over defaults (issue 3). This is the only module that reads the environment, and it does so
 * only through the `env` argument it is given.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_THROTTLE, type ThrottlePolicy } from './domain/auth/login-throttle.ts';
import type { LogFormat } from './logger.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | null;
  configFile: string | null;
  /** metadata.sync.retry: total attempts of one sync run (contract §7.2). */
  syncRetry: number;
  /** metadata.sync.retry.time.frequency.millisec: first back-off delay (contract §7.2). */
  syncRetryFrequencyMs: number;
  /**
   * metadata.sync.remote.timeout.millisec: when set, the overall bound of every call a sync run
   * makes to the central (ping, history, data.gz, data push page), and the inactivity limit is at
   * most this. Unset (the default, issue 19 §3): silence, not slowness, fails a call — no byte
   * for `syncInactivityMs` — with generous outer bounds (10 min for a JSON call, 6 h for a
   * snapshot download, whose broken-off bytes are kept and resumed, issue 19 §2).
   */
  syncRemoteTimeoutMs: number | null;
  /**
   * metadata.sync.remote.inactivity.millisec (default 30 s): a call to the central that receives
   * no byte for this long fails (issue 19 §3: silence, not slowness, fails a call).
   */
  syncInactivityMs: number;
  encryptionPassword: string | null;
  serverBaseUrl: string | null;
  /** The DHIS2 release whose API metasync follows: /api/system/info `version`, snapshots' `system.version`. */
  systemVersion: string;
  maxRequestBytes: number;
  /**
   * server.streamed.import.size: a POST /api/metadata body longer than this (or of unknown
   * length: chunked, gzip) is read as a stream and imported type by type (issue 18 §1).
   */
  streamedImportBytes: number;
  /**
   * server.bundle.max.size (default 4gb): the largest offline bundle an upload may carry
   * (issue 20 §3, §5). Bundle uploads are streamed to a file, so `maxRequestBytes` does not apply.
   */
  bundleMaxBytes: number;
  /**
   * metadata.rollout.check.millisec (default 30 s): how often a central looks for CANARY versions
   * the automatic release may let go (issue 22 §4); outcomes from canaries trigger a look too.
   */
  rolloutCheckMs: number;
  loginThrottle: ThrottlePolicy;
  /**
   * server.trusted.proxies: the proxies (addresses, CIDRs, or proxy-addr's `loopback`,
   * `linklocal`, `uniquelocal`) whose X-Forwarded-For/-Proto/-Host metasync believes; [] = none,
   * the TCP peer is the client. The client address keys the failed-login lock (issue 16 §6).
   */
  trustedProxies: string[];
  adminPassword: string | null;
  logLevel: string;
  /** METASYNC_LOG_FORMAT: `auto` (pretty on a terminal, else JSON), `json` or `pretty` (issue 24 §5). */
  logFormat: LogFormat;
  /** scheduler.catch.up: run once at start a job tick missed while the server was down (issue 8). */
  schedulerCatchUp: boolean;
  /** scheduler.reconcile.interval.ms: how often the scheduler re-reads the job table. */
  schedulerReconcileMs: number;
  /** scheduler.shutdown.grace.ms: how long stop waits for a running job before INTERRUPTED. */
  schedulerShutdownGraceMs: number;
}

export interface ConfigFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
}

export const DEFAULT_SYSTEM_VERSION = '2.41.0';

/** Parses a dhis.conf-style file: `key = value` lines, `#` or `!` comments, blank lines ignored. */
export function parseConfFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) return;
    const eq = trimmed.search(/[=:]/);
    if (eq <= 0) throw new Error(`Config line ${i + 1} is not "key = value": ${trimmed}`);
    out.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  });
  return out;
}

/** `256mb`, `10 kb`, `1g`, `1048576` → bytes. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb?|mb?|gb?)?$/i.exec(s.trim());
  if (!m) throw new Error(`Not a size: ${s} (use e.g. 256mb)`);
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * factor);
}

/** DHIS2's `connection.url` is JDBC (`jdbc:postgresql://host:port/db`); pg wants a postgres:// URL. */
function jdbcToPostgres(url: string, user?: string, password?: string): string {
  const raw = url.replace(/^jdbc:/, '');
  if (!/^postgres(ql)?:\/\//.test(raw))
    throw new Error(`connection.url must be a PostgreSQL URL: ${url}`);
  const u = new URL(raw);
  if (user && !u.username) u.username = encodeURIComponent(user);
  if (password && !u.password) u.password = encodeURIComponent(password);
  return u.toString();
}

const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .positive(`${name} must be positive`);

export function loadConfig(flags: ConfigFlags, env: Record<string, string | undefined>): Config {
  const configFile = flags.config ?? env.METASYNC_CONFIG ?? null;
  const conf = configFile
    ? parseConfFile(readFileSync(configFile, 'utf8'))
    : new Map<string, string>();
  const get = (k: string) => conf.get(k) || undefined;

  const dbFromConf = get('connection.url')
    ? jdbcToPostgres(get('connection.url')!, get('connection.username'), get('connection.password'))
    : null;
  const databaseUrl = flags.databaseUrl ?? env.METASYNC_DATABASE_URL ?? dbFromConf ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new Error(
      `The database URL must start with postgres:// (got ${databaseUrl.split('@').pop()})`,
    );

  const port = z.coerce
    .number({ error: 'port must be a number' })
    .int('port must be an integer')
    .min(0, 'port must be 0–65535')
    .max(65535, 'port must be 0–65535')
    .safeParse(flags.port ?? env.METASYNC_PORT ?? get('server.port') ?? 8080);
  if (!port.success) throw new Error(port.error.issues[0]!.message);
  const retry = positiveInt('metadata.sync.retry').safeParse(get('metadata.sync.retry') ?? 3);
  if (!retry.success) throw new Error(retry.error.issues[0]!.message);
  const freq = z.coerce
    .number()
    .int()
    .min(0)
    .safeParse(get('metadata.sync.retry.time.frequency.millisec') ?? 30000);
  if (!freq.success)
    throw new Error('metadata.sync.retry.time.frequency.millisec must be a non-negative integer');
  const maxFailures = positiveInt('login.lockout.max.failures').safeParse(
    get('login.lockout.max.failures') ?? DEFAULT_THROTTLE.maxFailures,
  );
  const lockMinutes = positiveInt('login.lockout.minutes').safeParse(
    get('login.lockout.minutes') ?? DEFAULT_THROTTLE.lockMs / 60_000,
  );
  if (!maxFailures.success) throw new Error(maxFailures.error.issues[0]!.message);
  if (!lockMinutes.success) throw new Error(lockMinutes.error.issues[0]!.message);

  const inactivity = positiveInt('metadata.sync.remote.inactivity.millisec').safeParse(
    get('metadata.sync.remote.inactivity.millisec') ?? 30_000,
  );
  if (!inactivity.success) throw new Error(inactivity.error.issues[0]!.message);

  const serverBaseUrl = get('server.base.url') ?? null;
  if (serverBaseUrl !== null) new URL(serverBaseUrl); // throws "Invalid URL" early, at start

  return {
    host: flags.host ?? env.METASYNC_HOST ?? '0.0.0.0',
    port: port.data,
    dataDir: path.resolve(flags.dataDir ?? env.METASYNC_DATA_DIR ?? './data'),
    databaseUrl,
    configFile,
    syncRetry: retry.data,
    syncRetryFrequencyMs: freq.data,
    syncRemoteTimeoutMs: remoteTimeout(get('metadata.sync.remote.timeout.millisec')),
    syncInactivityMs: inactivity.data,
    encryptionPassword: get('encryption.password') ?? null,
    serverBaseUrl,
    systemVersion: get('system.version') ?? DEFAULT_SYSTEM_VERSION,
    maxRequestBytes: parseSize(get('server.max.request.size') ?? '256mb'),
    streamedImportBytes: parseSize(get('server.streamed.import.size') ?? '8mb'),
    bundleMaxBytes: parseSize(get('server.bundle.max.size') ?? '4gb'),
    rolloutCheckMs: rolloutCheck(get('metadata.rollout.check.millisec')),
    loginThrottle: {
      maxFailures: maxFailures.data,
      windowMs: lockMinutes.data * 60_000,
      lockMs: lockMinutes.data * 60_000,
    },
    trustedProxies: trustedProxies(get('server.trusted.proxies')),
    adminPassword: env.METASYNC_ADMIN_PASSWORD || null,
    logLevel: env.METASYNC_LOG_LEVEL ?? 'info',
    logFormat: logFormat(env.METASYNC_LOG_FORMAT),
    ...schedulerConfig(get),
  };
}

const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

function logFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === '') return 'auto';
  const format = LOG_FORMATS.find((f) => f === value);
  if (!format) throw new Error('METASYNC_LOG_FORMAT must be auto, json or pretty');
  return format;
}

function rolloutCheck(value: string | undefined): number {
  if (value === undefined) return 30_000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100 || ms > 86_400_000)
    throw new Error('metadata.rollout.check.millisec must be a whole number from 100 to 86400000');
  return ms;
}

const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `server.trusted.proxies = 127.0.0.1, 10.0.0.0/8` → the list Fastify's `trustProxy` takes. */
function trustedProxies(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (PROXY_RANGES.has(entry)) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || rest.length > 0 || !prefixOk)
      throw new Error(
        `server.trusted.proxies: not an address, CIDR or loopback/linklocal/uniquelocal: ${entry}`,
      );
  }
  return entries;
}

function remoteTimeout(value: string | undefined): number | null {
  if (value === undefined) return null;
  const r = positiveInt('metadata.sync.remote.timeout.millisec').safeParse(value);
  if (!r.success) throw new Error(r.error.issues[0]!.message);
  return r.data;
}

function schedulerConfig(get: (k: string) => string | undefined) {
  const catchUp = (get('scheduler.catch.up') ?? 'true').toLowerCase();
  if (catchUp !== 'true' && catchUp !== 'false')
    throw new Error('scheduler.catch.up must be true or false');
  const ms = (key: string, fallback: number) => {
    const r = positiveInt(key).safeParse(get(key) ?? fallback);
    if (!r.success) throw new Error(r.error.issues[0]!.message);
    return r.data;
  };
  return {
    schedulerCatchUp: catchUp === 'true',
    schedulerReconcileMs: ms('scheduler.reconcile.interval.ms', 30_000),
    schedulerShutdownGraceMs: ms('scheduler.shutdown.grace.ms', 10_000),
  };
}
