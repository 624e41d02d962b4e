/** Configuration: flags over environment over the dhis.conf-style file over defaults. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SYSTEM_VERSION, loadConfig, parseConfFile, parseSize } from '../../src/config.ts';

let dir: string;
let n = 0;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Writes a conf file with these lines and returns its path. */
async function conf(...lines: string[]): Promise<string> {
  const file = path.join(dir, `dhis-${n++}.conf`);
  await writeFile(file, lines.join('\n'));
  return file;
}

describe('parseConfFile', () => {
  it('reads key = value lines, ignoring comments and blank lines', () => {
    const m = parseConfFile(
      [
        '# a comment',
        '! another comment',
        '',
        '  system.version = 2.40.3  ',
        'connection.url=jdbc:postgresql://db/dhis2',
        'encryption.password = a=b=c',
        'server.port: 9090',
        'empty.value =',
      ].join('\r\n'),
    );
    assert.deepEqual(
      [...m],
      [
        ['system.version', '2.40.3'],
        ['connection.url', 'jdbc:postgresql://db/dhis2'],
        ['encryption.password', 'a=b=c'],
        ['server.port', '9090'],
        ['empty.value', ''],
      ],
    );
  });

  it('lets a later line win', () => {
    assert.equal(parseConfFile('a = 1\na = 2').get('a'), '2');
  });

  it('reports the line number of a line without a separator', () => {
    assert.throws(() => parseConfFile('a = 1\n\njust words'), /line 3 .*just words/);
    assert.throws(() => parseConfFile('= value'), /line 1/);
  });
});

describe('parseSize', () => {
  it('understands b, k(b), m(b), g(b) in any case, with optional spaces and decimals', () => {
    assert.equal(parseSize('1048576'), 1048576);
    assert.equal(parseSize('10b'), 10);
    assert.equal(parseSize('1kb'), 1024);
    assert.equal(parseSize('10 KB'), 10240);
    assert.equal(parseSize('2k'), 2048);
    assert.equal(parseSize('256mb'), 256 * 1024 ** 2);
    assert.equal(parseSize('1M'), 1024 ** 2);
    assert.equal(parseSize('1g'), 1024 ** 3);
    assert.equal(parseSize('1.5kb'), 1536);
    assert.equal(parseSize(' 3 mb '), 3 * 1024 ** 2);
  });

  it('rejects what is not a size', () => {
    for (const s of ['', 'abc', '-1kb', '1tb', '1 k b', 'kb', '1,5mb'])
      assert.throws(() => parseSize(s), /Not a size/, s);
  });
});

describe('loadConfig', () => {
  it('has defaults with no flags, env or file', () => {
    const c = loadConfig({}, {});
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, path.resolve('./data'));
    assert.equal(c.databaseUrl, null);
    assert.equal(c.configFile, null);
    assert.equal(c.systemVersion, DEFAULT_SYSTEM_VERSION);
    assert.equal(c.maxRequestBytes, 256 * 1024 ** 2);
    assert.equal(c.encryptionPassword, null);
    assert.equal(c.adminPassword, null);
    assert.equal(c.syncRetry, 3);
    assert.equal(c.syncRetryFrequencyMs, 30000);
    assert.deepEqual(c.loginThrottle, {
      maxFailures: 4,
      windowMs: 15 * 60_000,
      lockMs: 15 * 60_000,
    });
    assert.deepEqual(c.trustedProxies, []);
    assert.equal(c.logLevel, 'info');
  });

  it('reads the file named by --config or METASYNC_CONFIG', async () => {
    const file = await conf(
      'system.version = 2.40.3',
      'server.max.request.size = 1kb',
      'encryption.password = s3cret',
      'server.base.url = https://dhis.example.org',
      'metadata.sync.retry = 5',
      'metadata.sync.retry.time.frequency.millisec = 1000',
      'metadata.sync.remote.timeout.millisec = 2500',
      'login.lockout.max.failures = 3',
      'login.lockout.minutes = 2',
      'server.trusted.proxies = 127.0.0.1, 10.0.0.0/8 ,fd00::/8,loopback',
    );
    for (const c of [loadConfig({ config: file }, {}), loadConfig({}, { METASYNC_CONFIG: file })]) {
      assert.equal(c.configFile, file);
      assert.equal(c.systemVersion, '2.40.3');
      assert.equal(c.maxRequestBytes, 1024);
      assert.equal(c.encryptionPassword, 's3cret');
      assert.equal(c.serverBaseUrl, 'https://dhis.example.org');
      assert.equal(c.syncRetry, 5);
      assert.equal(c.syncRetryFrequencyMs, 1000);
      assert.equal(c.syncRemoteTimeoutMs, 2500);
      assert.deepEqual(c.loginThrottle, { maxFailures: 3, windowMs: 120_000, lockMs: 120_000 });
      assert.deepEqual(c.trustedProxies, ['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback']);
    }
  });

  it('takes flags over env over file over defaults', async () => {
    const file = await conf('server.port = 7000');
    const envPort = { METASYNC_PORT: '7001' };
    assert.equal(loadConfig({ config: file }, {}).port, 7000);
    assert.equal(loadConfig({ config: file }, envPort).port, 7001);
    assert.equal(loadConfig({ config: file, port: '7002' }, envPort).port, 7002);

    assert.equal(loadConfig({}, { METASYNC_HOST: '10.0.0.1' }).host, '10.0.0.1');
    assert.equal(
      loadConfig({ host: '127.0.0.1' }, { METASYNC_HOST: '10.0.0.1' }).host,
      '127.0.0.1',
    );
    assert.equal(loadConfig({}, { METASYNC_DATA_DIR: '/srv/a' }).dataDir, '/srv/a');
    assert.equal(
      loadConfig({ dataDir: 'rel' }, { METASYNC_DATA_DIR: '/srv/a' }).dataDir,
      path.resolve('rel'),
    );

    const flagFile = await conf('system.version = 2.39.0');
    const envFile = await conf('system.version = 2.38.0');
    assert.equal(
      loadConfig({ config: flagFile }, { METASYNC_CONFIG: envFile }).systemVersion,
      '2.39.0',
    );
  });

  it('database URL: flag over env over connection.url from the file', async () => {
    const file = await conf('connection.url = jdbc:postgresql://filehost:5432/dhis2');
    assert.equal(loadConfig({ config: file }, {}).databaseUrl, 'postgresql://filehost:5432/dhis2');
    const env = { METASYNC_DATABASE_URL: 'postgres://envhost/db' };
    assert.equal(loadConfig({ config: file }, env).databaseUrl, 'postgres://envhost/db');
    assert.equal(
      loadConfig({ config: file, databaseUrl: 'postgres://flaghost/db' }, env).databaseUrl,
      'postgres://flaghost/db',
    );
  });

  it('turns a JDBC connection.url with username and password into a postgres URL', async () => {
    const file = await conf(
      'connection.url = jdbc:postgresql://db.example.org:5433/dhis2',
      'connection.username = dhis',
      'connection.password = p@ss:w/rd',
    );
    const url = new URL(loadConfig({ config: file }, {}).databaseUrl!);
    assert.equal(url.protocol, 'postgresql:');
    assert.equal(url.hostname, 'db.example.org');
    assert.equal(url.port, '5433');
    assert.equal(url.pathname, '/dhis2');
    assert.equal(decodeURIComponent(url.username), 'dhis');
    assert.equal(decodeURIComponent(url.password), 'p@ss:w/rd');
  });

  it('keeps credentials already in the JDBC URL', async () => {
    const file = await conf(
      'connection.url = jdbc:postgresql://inurl:secret@db/dhis2',
      'connection.username = other',
    );
    const url = new URL(loadConfig({ config: file }, {}).databaseUrl!);
    assert.equal(url.username, 'inurl');
    assert.equal(url.password, 'secret');
  });

  it('rejects a non-PostgreSQL database URL', async () => {
    const file = await conf('connection.url = jdbc:mysql://db/dhis2');
    assert.throws(() => loadConfig({ config: file }, {}), /PostgreSQL URL/);
    assert.throws(
      () => loadConfig({ databaseUrl: 'mysql://user:pw@db/x' }, {}),
      /must start with postgres:\/\/ \(got db\/x\)/,
    );
  });

  it('rejects bad ports', async () => {
    for (const port of ['abc', '-1', '65536', '80.5'])
      assert.throws(() => loadConfig({ port }, {}), /port must be/, port);
    assert.throws(() => loadConfig({}, { METASYNC_PORT: 'http' }), /port must be/);
    const file = await conf('server.port = 99999');
    assert.throws(() => loadConfig({ config: file }, {}), /port must be 0–65535/);
    assert.equal(loadConfig({ port: '0' }, {}).port, 0);
  });

  it('rejects a bad size, retry, lockout or base URL in the file', async () => {
    const cases: [string, RegExp][] = [
      ['server.max.request.size = lots', /Not a size/],
      ['metadata.sync.retry = 0', /metadata.sync.retry must be positive/],
      ['metadata.sync.retry.time.frequency.millisec = -5', /non-negative integer/],
      ['login.lockout.max.failures = x', /login.lockout.max.failures must be a number/],
      ['login.lockout.minutes = 1.5', /login.lockout.minutes must be an integer/],
      ['server.base.url = not a url', /Invalid URL/],
      ['server.trusted.proxies = nginx.local', /server.trusted.proxies: not an address/],
      ['server.trusted.proxies = 10.0.0.0/33', /server.trusted.proxies: not an address/],
      ['server.trusted.proxies = 10.0.0.1/8/2', /server.trusted.proxies: not an address/],
      ['server.trusted.proxies = ::1/129', /server.trusted.proxies: not an address/],
      ['server.trusted.proxies = 10.0.0.0/x', /server.trusted.proxies: not an address/],
    ];
    for (const [line, error] of cases) {
      const file = await conf(line);
      assert.throws(() => loadConfig({ config: file }, {}), error, line);
    }
  });

  it('fails when the config file does not exist', () => {
    assert.throws(() => loadConfig({ config: path.join(dir, 'missing.conf') }, {}), /ENOENT/);
  });

  it('treats an empty value in the file as unset', async () => {
    const c = loadConfig({ config: await conf('system.version =', 'encryption.password =') }, {});
    assert.equal(c.systemVersion, DEFAULT_SYSTEM_VERSION);
    assert.equal(c.encryptionPassword, null);
  });

  it('reads the admin password and log level only from the environment', () => {
    const c = loadConfig(
      {},
      { METASYNC_ADMIN_PASSWORD: 'Pw-123456!', METASYNC_LOG_LEVEL: 'debug' },
    );
    assert.equal(c.adminPassword, 'Pw-123456!');
    assert.equal(c.logLevel, 'debug');
    assert.equal(loadConfig({}, { METASYNC_ADMIN_PASSWORD: '' }).adminPassword, null);
  });
});
