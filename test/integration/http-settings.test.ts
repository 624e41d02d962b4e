/** The system settings API over real HTTP, on both backends (issue 3 §5). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SETTINGS } from '../../src/domain/settings/registry.ts';
import { backends } from '../support/databases.ts';
import { useServer } from '../support/server.ts';

type Init = RequestInit & { auth?: [string, string] | null };
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

const ok = (message: string) => ({ httpStatus: 'OK', httpStatusCode: 200, status: 'OK', message });
/** A 400; with `field`, the field error the UI shows next to that setting (issue 17 §5). */
const badRequest = (message: string, field?: { property: string; message: string }) => ({
  httpStatus: 'Bad Request',
  httpStatusCode: 400,
  status: 'ERROR',
  message,
  errorCode: 'E1003',
  ...(field && {
    response: {
      errorReports: [{ ...field, errorProperty: field.property, errorCode: 'E1003' }],
    },
  }),
});
const plain = { 'content-type': 'text/plain' };
const json = { 'content-type': 'application/json' };
const SECRET = 'S3cret-value-XYZ';
const MAIL_SECRET = 'S3cret-mail-XYZ';
const QUERY_SECRET = 'S3cret-query-XYZ';

/** Every public setting at its default, as GET /api/systemSettings lists them. */
const defaults = (): Record<string, unknown> =>
  Object.fromEntries(
    [...SETTINGS.values()].filter((d) => !d.secret).map((d) => [d.key, d.default]),
  );

for (const backend of await backends()) {
  describe(`system settings API on ${backend}`, () => {
    // One server per backend for the file: a PGlite instance costs ~2 s (stack.md §2).
    const server = useServer(backend);

    /** Every response body this suite received, to prove no secret was ever echoed. */
    const seen: string[] = [];
    async function call(path: string, init: Init = {}): Promise<Answer> {
      const res = await server.request(path, init);
      const text = await res.text();
      seen.push(text);
      let body: unknown = text;
      if (res.headers.get('content-type')?.startsWith('application/json')) body = JSON.parse(text);
      return { status: res.status, headers: res.headers, text, body };
    }
    const post = (path: string, body: string, headers: Record<string, string> = plain) =>
      call(path, { method: 'POST', headers, body });
    const listing = async () => (await call('/api/systemSettings')).body;

    it('sets, reads and resets one setting in every form DHIS2 clients use', async () => {
      assert.deepEqual(await listing(), defaults());

      const set = await post('/api/systemSettings/keyVersionEnabled', 'true');
      assert.equal(set.status, 200);
      assert.deepEqual(set.body, ok("System setting 'keyVersionEnabled' set to value 'true'."));
      const one = await call('/api/systemSettings/keyVersionEnabled');
      assert.equal(one.status, 200);
      assert.deepEqual(one.body, { keyVersionEnabled: true });
      const text = await call('/api/systemSettings/keyVersionEnabled', {
        headers: { accept: 'text/plain' },
      });
      assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(text.text, 'true');

      const query = await call('/api/systemSettings/keyEmailPort?value=2525', { method: 'POST' });
      assert.deepEqual(query.body, ok("System setting 'keyEmailPort' set to value '2525'."));
      assert.deepEqual((await call('/api/systemSettings/keyEmailPort')).body, {
        keyEmailPort: 2525,
      });

      const url = 'http://central.example.org';
      const viaJson = await post('/api/systemSettings/keyRemoteInstanceUrl', `"${url}"`, json);
      assert.deepEqual(
        viaJson.body,
        ok(`System setting 'keyRemoteInstanceUrl' set to value '${url}'.`),
      );
      const expected = { ...defaults(), keyVersionEnabled: true, keyEmailPort: 2525 };
      assert.deepEqual(await listing(), { ...expected, keyRemoteInstanceUrl: url });
      const some = await call('/api/systemSettings?key=keyEmailPort&key=keyEmailTls');
      assert.deepEqual(some.body, { keyEmailPort: 2525, keyEmailTls: true });

      const del = await call('/api/systemSettings/keyRemoteInstanceUrl', { method: 'DELETE' });
      assert.deepEqual(del.body, ok("System setting 'keyRemoteInstanceUrl' removed."));
      const reset = await call('/api/systemSettings/keyRemoteInstanceUrl');
      assert.deepEqual(reset.body, { keyRemoteInstanceUrl: '' });
      assert.deepEqual(await listing(), expected);
      for (const key of ['keyVersionEnabled', 'keyEmailPort'])
        assert.equal((await call(`/api/systemSettings/${key}`, { method: 'DELETE' })).status, 200);
      assert.deepEqual(await listing(), defaults());
    });

    it('applies a bulk object all or nothing', async () => {
      const all = {
        applicationTitle: 'Bulk title',
        keyEmailHostName: 'smtp.example.org',
        keyEmailPort: '2526',
        keyEmailTls: false,
        keyLastMetaDataSyncSuccess: '2024-05-01T10:00:00Z',
      };
      const res = await post('/api/systemSettings', JSON.stringify(all), json);
      assert.deepEqual(res.body, ok('System settings imported'));
      const applied = {
        ...defaults(),
        ...all,
        keyEmailPort: 2526,
        keyLastMetaDataSyncSuccess: '2024-05-01T10:00:00.000Z',
      };
      assert.deepEqual(await listing(), applied);

      for (const [bad, message, field] of [
        [
          { keyEmailPort: 'abc' },
          'Invalid value for setting keyEmailPort: must be an integer',
          { property: 'keyEmailPort', message: 'must be an integer' },
        ],
        [
          { keyNoSuchSetting: 1 },
          'Setting does not exist: keyNoSuchSetting',
          { property: 'keyNoSuchSetting', message: 'Setting does not exist' },
        ],
      ] as const) {
        const body = JSON.stringify({ applicationTitle: 'Changed', keyEmailTls: true, ...bad });
        const refused = await post('/api/systemSettings', body, json);
        assert.equal(refused.status, 400);
        assert.deepEqual(refused.body, badRequest(message, field));
        assert.deepEqual(await listing(), applied);
      }
      await post('/api/systemSettings', JSON.stringify(defaults()), json);
      assert.deepEqual(await listing(), defaults());
    });

    it('refuses bad values and unknown keys with 400 naming the key, changing nothing', async () => {
      for (const [key, value, reason] of [
        ['keyVersionEnabled', 'maybe', 'must be true or false'],
        ['keyEmailPort', '70000', 'must be at most 65535'],
        ['syncMaxAttempts', '0', 'must be at least 1'],
        ['keyEmailPort', '25.5', 'must be an integer'],
        ['keyRemoteInstanceUrl', 'not a url', 'must be an http(s) URL'],
        ['keyRemoteInstanceUrl', 'ftp://central.example.org', 'must be an http(s) URL'],
        [
          'keyLastMetaDataSyncSuccess',
          'yesterday',
          'must be an ISO-8601 date or epoch milliseconds',
        ],
      ] as const) {
        const res = await post(`/api/systemSettings/${key}`, value);
        assert.equal(res.status, 400, `${key}=${value}`);
        assert.deepEqual(
          res.body,
          badRequest(`Invalid value for setting ${key}: ${reason}`, {
            property: key,
            message: reason,
          }),
        );
      }
      const viaQuery = await call('/api/systemSettings/keyEmailPort?value=abc', { method: 'POST' });
      assert.deepEqual(
        viaQuery.body,
        badRequest('Invalid value for setting keyEmailPort: must be an integer', {
          property: 'keyEmailPort',
          message: 'must be an integer',
        }),
      );

      for (const init of [
        {},
        { method: 'POST', headers: plain, body: 'x' },
        { method: 'DELETE' },
      ]) {
        const res = await call('/api/systemSettings/keyNope', init);
        assert.equal(res.status, 400);
        assert.deepEqual(
          res.body,
          badRequest('Setting does not exist: keyNope', {
            property: 'keyNope',
            message: 'Setting does not exist',
          }),
        );
      }
      const empty = await call('/api/systemSettings/keyVersionEnabled', { method: 'POST' });
      assert.deepEqual(
        empty.body,
        badRequest('Value must be specified as query param or as payload'),
      );
      assert.deepEqual(await listing(), defaults());
    });

    it('stores secrets encrypted and never echoes them', async () => {
      const status = async () => (await call('/api/metasync/secretSettings')).body;
      const refused = await post(
        '/api/systemSettings',
        JSON.stringify({ keyRemoteInstancePassword: SECRET, keyEmailPort: 0 }),
        json,
      );
      assert.equal(refused.status, 400);
      assert.deepEqual(await status(), {
        keyRemoteInstancePassword: false,
        keyEmailPassword: false,
      });

      const viaQuery = await call(
        `/api/systemSettings/keyRemoteInstancePassword?value=${QUERY_SECRET}`,
        { method: 'POST' },
      );
      assert.deepEqual(viaQuery.body, ok("System setting 'keyRemoteInstancePassword' set."));
      const single = await post('/api/systemSettings/keyRemoteInstancePassword', SECRET);
      assert.deepEqual(single.body, ok("System setting 'keyRemoteInstancePassword' set."));
      const bulk = await post(
        '/api/systemSettings',
        JSON.stringify({ keyEmailPassword: MAIL_SECRET, keyEmailUsername: 'mailer' }),
        json,
      );
      assert.deepEqual(bulk.body, ok('System settings imported'));

      assert.deepEqual(await status(), { keyRemoteInstancePassword: true, keyEmailPassword: true });
      for (const key of ['keyRemoteInstancePassword', 'keyEmailPassword']) {
        assert.deepEqual((await call(`/api/systemSettings/${key}`)).body, { [key]: '' });
        const asText = await call(`/api/systemSettings/${key}`, {
          headers: { accept: 'text/plain' },
        });
        assert.equal(asText.text, '');
      }
      assert.deepEqual(await listing(), { ...defaults(), keyEmailUsername: 'mailer' });
      const filtered = await call('/api/systemSettings?key=keyRemoteInstancePassword');
      assert.deepEqual(filtered.body, {});

      // At rest: sealed, not the plain text; the server itself can open it.
      const rows = await server.instance.database.db
        .selectFrom('system_setting')
        .selectAll()
        .execute();
      for (const key of ['keyRemoteInstancePassword', 'keyEmailPassword']) {
        const row = rows.find((r) => r.key === key);
        assert.ok(row, `${key} is stored`);
        assert.match(String(row.value), /^v1:[^:]+:[^:]+:[^:]+$/);
      }
      assert.doesNotMatch(JSON.stringify(rows), /S3cret/);
      const { settings } = server.instance.services;
      assert.equal(await settings.value('keyRemoteInstancePassword'), SECRET);
      assert.equal(await settings.value('keyEmailPassword'), MAIL_SECRET);

      // Clearing: an empty value or DELETE removes the secret.
      assert.equal((await post('/api/systemSettings/keyEmailPassword', '')).status, 200);
      const del = await call('/api/systemSettings/keyRemoteInstancePassword', { method: 'DELETE' });
      assert.equal(del.status, 200);
      assert.deepEqual(await status(), {
        keyRemoteInstancePassword: false,
        keyEmailPassword: false,
      });
      assert.equal(await settings.value('keyRemoteInstancePassword'), '');
      await call('/api/systemSettings/keyEmailUsername', { method: 'DELETE' });
      assert.deepEqual(await listing(), defaults());
    });

    it('lets any user read but only F_SYSTEM_SETTING write', async () => {
      await server.instance.services.users.create({
        username: 'reader',
        password: 'Xx-12345!',
        authorities: ['F_METADATA_EXPORT'],
      });
      const auth: [string, string] = ['reader', 'Xx-12345!'];
      assert.deepEqual((await call('/api/systemSettings', { auth })).body, defaults());
      const one = await call('/api/systemSettings/applicationTitle', { auth });
      assert.deepEqual(one.body, { applicationTitle: 'metasync' });
      const forbidden = {
        httpStatus: 'Forbidden',
        httpStatusCode: 403,
        status: 'ERROR',
        message: 'Access is denied, requires one Authority from [F_SYSTEM_SETTING]',
        errorCode: 'E1006',
      };
      for (const [path, init] of [
        [
          '/api/systemSettings/applicationTitle',
          { method: 'POST', headers: plain, body: 'Hacked' },
        ],
        ['/api/systemSettings/applicationTitle?value=Hacked', { method: 'POST' }],
        [
          '/api/systemSettings',
          { method: 'POST', headers: json, body: '{"applicationTitle":"H"}' },
        ],
        ['/api/systemSettings/applicationTitle', { method: 'DELETE' }],
        ['/api/metasync/secretSettings', {}],
      ] as const) {
        const res = await call(path, { ...init, auth });
        assert.equal(res.status, 403, `${init.method ?? 'GET'} ${path}`);
        assert.deepEqual(res.body, forbidden);
      }
      assert.deepEqual(await listing(), defaults());
    });

    it('never echoed a secret in any response body or log line', () => {
      assert.ok(seen.length > 50);
      for (const text of seen) assert.doesNotMatch(text, /S3cret/);
      assert.ok(server.logs.raw.length > 50);
      for (const line of server.logs.raw) assert.doesNotMatch(line, /S3cret/);
    });
  });
}
