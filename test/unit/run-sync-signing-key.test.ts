/**
 * The sync run's look at the central's signing key (issue 20 §1), over the in-memory harness:
 * pinned after the first successful history of a metasync central, never asked of a DHIS2 one,
 * a changed key reported and the pin kept, and a failure to read it never failing the run.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { createKeyPinning } from '../../src/domain/bundle/key-pinning.ts';
import { readPublicKey } from '../../src/domain/bundle/public-key.ts';
import { remote } from '../support/fakes/fake-central-client.ts';
import { createMemorySyncStore } from '../support/fakes/memory-sync-store.ts';
import { steps, withVersions } from '../support/fakes/sync-run-harness.ts';

const newPem = () =>
  generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

async function harness(options: { dhis2?: boolean } = {}) {
  const h = await withVersions(1, { central: options.dhis2 ? { dhis2: true } : {} });
  let pinned = '';
  const audit = createMemorySyncStore();
  const pinning = createKeyPinning({
    store: { read: async () => pinned, write: async (pem) => void (pinned = pem) },
    audit,
    now: () => h.clock.now(),
  });
  let shown: string | null | Error = newPem();
  let asked = 0;
  h.central.signingKey = async () => {
    asked++;
    if (shown instanceof Error) throw shown;
    return shown;
  };
  h.deps.centralKey = pinning.observe;
  return {
    h,
    pinning,
    asked: () => asked,
    show(value: string | null | Error) {
      shown = value;
    },
    shown: () => shown as string,
  };
}

describe('runSync: the central signing key', () => {
  it('pins the key of a metasync central at the first successful run, and checks it later', async () => {
    const t = await harness();
    const first = await t.h.run();
    assert.equal(first.status, 'SUCCESS');
    const key = readPublicKey(t.shown());
    assert.equal(first.signingKey?.outcome, 'PINNED');
    assert.equal(first.signingKey?.fingerprint, key.fingerprint);
    assert.deepEqual(await t.pinning.pinned(), key);
    const again = await t.h.run();
    assert.equal(again.signingKey?.outcome, 'SAME');
    assert.equal(t.asked(), 2);
  });

  it('never asks a DHIS2 central, and pins nothing', async () => {
    const t = await harness({ dhis2: true });
    const report = await t.h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.equal(t.asked(), 0);
    assert.equal(report.signingKey?.outcome, 'NONE');
    assert.equal(await t.pinning.pinned(), null);
  });

  it('keeps the pin when the central shows another key: a warning in the report, the run succeeds', async () => {
    const t = await harness();
    await t.h.run();
    const pinned = await t.pinning.pinned();
    t.show(newPem());
    t.h.central.publish({ objects: {} });
    const report = await t.h.run();
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.toVersion, 'Version_2');
    assert.equal(report.signingKey?.outcome, 'CHANGED');
    assert.equal(report.signingKey?.pinnedFingerprint, pinned?.fingerprint);
    assert.match(report.signingKey!.message, /the pin was kept/);
    assert.deepEqual(await t.pinning.pinned(), pinned);
  });

  it('goes on when the key cannot be read (broken link, a key that is not Ed25519)', async () => {
    const t = await harness();
    t.show(remote.unreachable('http://central.test'));
    const broken = await t.h.run();
    assert.equal(broken.status, 'SUCCESS');
    assert.deepEqual(
      steps(broken).filter((s) => !s.endsWith('SUCCESS') && !s.endsWith('SKIPPED')),
      [],
    );
    assert.equal(broken.signingKey?.outcome, 'UNREADABLE');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    t.show(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const odd = await t.h.run();
    assert.equal(odd.status, 'SUCCESS');
    assert.match(odd.signingKey!.message, /not Ed25519/);
    assert.equal(await t.pinning.pinned(), null);
  });
});
