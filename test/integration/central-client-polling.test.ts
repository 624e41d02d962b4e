/**
 * The local's central client on a silent or slow link (issue 19 §3) and polling an unchanged
 * history (§4), with the run's transfer meter (§6), against test/support/link-central.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpCentralClient } from '../../src/central/http-central-client.ts';
import { createHistoryCache } from '../../src/central/history-cache.ts';
import { RemoteError, type StreamedSnapshot } from '../../src/domain/sync/central-client.ts';
import { GZ, MD5, startLinkCentral, type LinkCentral } from '../support/link-central.ts';

const streamed = (s: unknown) => s as StreamedSnapshot;

let central: LinkCentral;
before(async () => {
  central = await startLinkCentral();
});
after(() => central.stop());

describe('central client: silence fails a call, slowness does not (issue 19 §3)', () => {
  const client = (inactivityMs: number) =>
    createHttpCentralClient({ url: central.url, username: 'u', password: 'p', inactivityMs });

  it('a download that goes silent fails with DHIS2 wording and the reason', async () => {
    central.state.cuts = [{ at: 200_000, hang: true }];
    await assert.rejects(client(300).snapshot('Version_2'), (e: unknown) => {
      assert.ok(e instanceof RemoteError && e.kind === 'UNREACHABLE', String(e));
      assert.match(e.message, /^Network is unreachable: http:\/\/127\.0\.0\.1:\d+ \(/);
      assert.match(e.message, /no byte received for 300 ms/);
      return true;
    });
  });

  it('a slow but steady download outlives the inactivity limit many times over', async () => {
    central.state.trickle = { bytes: 128 * 1024, ms: 100 };
    try {
      const snap = streamed(await client(300).snapshot('Version_2'));
      assert.equal(snap.md5, MD5);
    } finally {
      central.state.trickle = null;
    }
  });
});

describe('central client: the history asked with If-None-Match (issue 19 §4)', () => {
  it('an unchanged history is a 304 and the list kept; a new client of the next run asks the same', async () => {
    central.state.etags = true;
    central.state.seen = [];
    const cache = createHistoryCache();
    const make = () =>
      createHttpCentralClient({
        url: central.url,
        username: 'u',
        password: 'p',
        historyCache: cache,
      });
    const first = await make().history('Version_1');
    const second = await make().history('Version_1');
    assert.deepEqual(second, first);
    assert.equal(second[0]?.name, 'Version_2');
    assert.deepEqual(
      central.state.seen.map((s) => s.status),
      [200, 304],
    );
    assert.equal(central.state.seen[0]?.ifNoneMatch, undefined);
    assert.match(central.state.seen[1]?.ifNoneMatch ?? '', /^"[0-9a-f]{40}"$/);

    central.state.history = [
      ...central.state.history,
      { name: 'Version_3', id: 'v3', hashCode: 'b'.repeat(32), type: 'ATOMIC' },
    ];
    const third = await make().history('Version_1');
    assert.deepEqual(
      third.map((v) => v.name),
      ['Version_2', 'Version_3'],
    );
    assert.equal(central.state.seen.at(-1)?.status, 200);
    // Another baseline is another question.
    await make().history(null);
    assert.equal(central.state.seen.at(-1)?.ifNoneMatch, undefined);
    central.state.history = central.state.history.slice(0, 1);
  });

  it('a central without ETags (DHIS2) is never sent If-None-Match', async () => {
    central.state.etags = false;
    central.state.seen = [];
    const cache = createHistoryCache();
    for (let i = 0; i < 2; i++)
      await createHttpCentralClient({
        url: central.url,
        username: 'u',
        password: 'p',
        historyCache: cache,
      }).history('Version_1');
    assert.deepEqual(
      central.state.seen.map((s) => [s.ifNoneMatch, s.status]),
      [
        [undefined, 200],
        [undefined, 200],
      ],
    );
    central.state.etags = true;
  });

  it('the meter counts every body byte received and each request sent', async () => {
    let received = 0;
    let sent = 0;
    const c = createHttpCentralClient({
      url: central.url,
      username: 'u',
      password: 'p',
      meter: { received: (n) => (received += n), sent: (n) => (sent += n) },
    });
    const list = await c.history('Version_1');
    const historyBytes = Buffer.byteLength(
      JSON.stringify({ metadataversions: central.state.history }),
    );
    assert.equal(received, historyBytes);
    assert.equal(list.length, 1);
    await c.snapshot('Version_2');
    assert.equal(received, historyBytes + GZ.length);
    assert.ok(sent > 100, `request heads counted: ${sent}`);
  });
});
