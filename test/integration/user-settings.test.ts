/**
 * `/api/userSettings/keyUiLocale` (issue 24 §1), on both backends: each user reads and writes
 * their own UI language (?value=, text body, JSON string), an unknown language is refused, and
 * the session tells the UI the language to show: the setting, else Accept-Language, else en.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { uiLogin, useServer } from '../support/server.ts';

const PATH = '/api/userSettings/keyUiLocale';
const PASSWORD = 'Locale-Pass-1!';

for (const backend of await backends()) {
  describe(`user setting keyUiLocale on ${backend}`, () => {
    const server = useServer(backend);
    const as = (username: string) => ({ auth: [username, PASSWORD] as [string, string] });
    const read = async (username: string, headers: Record<string, string> = {}) => {
      const res = await server.request(PATH, { ...as(username), headers });
      assert.equal(res.status, 200);
      return res;
    };
    const post = (username: string, query: string, init: RequestInit = {}) =>
      server.request(PATH + query, { ...as(username), method: 'POST', ...init });

    it('answers English, then the browser language, until the user chooses one', async () => {
      await server.instance.services.users.create({
        username: 'anabel',
        password: PASSWORD,
        authorities: ['F_METADATA_EXPORT'],
      });
      const plain = await read('anabel');
      assert.match(plain.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(await plain.json(), 'en');
      const browser = await read('anabel', { 'accept-language': 'de-DE, pt-BR;q=0.8, fr;q=0.5' });
      assert.equal(await browser.json(), 'pt');
    });

    it('stores ?value=, a text body and a JSON string, per user', async () => {
      await server.instance.services.users.create({
        username: 'benoit',
        password: PASSWORD,
        authorities: ['F_METADATA_EXPORT'],
      });
      const query = await post('benoit', '?value=fr');
      assert.equal(query.status, 200, await query.clone().text());
      assert.equal(((await query.json()) as { message: string }).message, 'User setting saved');
      assert.equal(await (await read('benoit', { 'accept-language': 'es' })).json(), 'fr');
      // Another user keeps their own.
      assert.equal(await (await read('anabel')).json(), 'en');

      const text = await post('benoit', '', {
        headers: { 'content-type': 'text/plain' },
        body: 'ar_IQ',
      });
      assert.equal(text.status, 200, await text.clone().text());
      const asText = await read('benoit', { accept: 'text/plain' });
      assert.equal(await asText.text(), 'ar');

      const json = await post('benoit', '', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify('es'),
      });
      assert.equal(json.status, 200, await json.clone().text());
      assert.equal(await (await read('benoit')).json(), 'es');
    });

    it('refuses a language the UI is not translated into, and no value at all', async () => {
      const unknown = await post('benoit', '?value=de');
      assert.equal(unknown.status, 400);
      const body = (await unknown.json()) as { message: string; errorCode: string };
      assert.match(body.message, /keyUiLocale/);
      const none = await post('benoit', '');
      assert.equal(none.status, 400);
      await none.arrayBuffer();
      assert.equal(await (await read('benoit')).json(), 'es', 'the refused ones changed nothing');
    });

    it("gives the session the user's language, else the browser's, else English", async () => {
      const locale = async (username: string, headers: Record<string, string> = {}) => {
        const res = await uiLogin(server, username, PASSWORD, headers);
        assert.equal(res.status, 200);
        return ((await res.json()) as { locale: string }).locale;
      };
      await server.instance.services.users.create({
        username: 'cailin',
        password: PASSWORD,
        authorities: ['F_METADATA_EXPORT'],
      });
      assert.equal(await locale('cailin'), 'en');
      assert.equal(await locale('cailin', { 'accept-language': 'ar-EG,en;q=0.9' }), 'ar');
      assert.equal(await locale('benoit', { 'accept-language': 'fr' }), 'es', 'the setting wins');
    });
  });
}
