/**
 * `metasync bundle key | trust` (issue 20 §1): the instance's public signing key, to carry to a
 * site that has never been online, and pinning the central's key there. Pinning is audited with
 * the operating-system user as the actor, as the rebaseline is.
 */
import { readFile } from 'node:fs/promises';
import { createLogger } from '../logger.ts';
import { DB_FLAGS, withServices } from './options.ts';

export const BUNDLE_KEY_HELP: Record<string, string> = {
  'bundle key': `Usage: metasync bundle key [options]

Prints this instance's public signing key (PEM) on standard output and its fingerprint on
standard error: "metasync bundle key > central.pem" on the central, then carry the file.

Options:${DB_FLAGS}
  -h, --help             show this help`,
  'bundle trust': `Usage: metasync bundle trust --key <file> [--reason "<why>"] [options]

Pins the central's public signing key (a PEM file, e.g. from "metasync bundle key") on this
local: bundles are accepted only when signed with it. Replaces any pinned key; who, when and the
old and new fingerprints go to the audit log. Prints the fingerprint: compare it with the one
the central shows before trusting the file.

Options:
  --key <file>           the central's public key, PEM
  --reason <why>         optional, recorded in the audit log${DB_FLAGS}
  -h, --help             show this help`,
};

// Warn level only: the command's own lines are its output.
const quiet = () => createLogger('warn');

export async function bundleKey(values: Record<string, unknown>): Promise<void> {
  if (values.help) return void console.log(BUNDLE_KEY_HELP['bundle key']);
  await withServices(
    values,
    async (services) => {
      const key = await services.signing.publicKey();
      process.stdout.write(key.publicKeyPem);
      process.stderr.write(`fingerprint ${key.fingerprint}\n`);
    },
    quiet(),
  );
}

export async function bundleTrust(values: Record<string, unknown>): Promise<void> {
  if (values.help) return void console.log(BUNDLE_KEY_HELP['bundle trust']);
  if (typeof values.key !== 'string') throw new Error('--key <file> is required (see --help)');
  const pem = await readFile(values.key, 'utf8');
  const reason = typeof values.reason === 'string' ? values.reason : undefined;
  await withServices(
    values,
    async (services) => {
      const before = await services.signing.pinned();
      const key = await services.signing.pin(pem, {
        username: process.env.USER || 'cli',
        ...(reason ? { reason } : {}),
      });
      console.log(`Pinned the central signing key ${key.fingerprint}`);
      if (before && before.fingerprint !== key.fingerprint)
        console.log(`It replaces ${before.fingerprint}. Recorded in the audit log.`);
      else console.log('Recorded in the audit log.');
    },
    quiet(),
  );
}
