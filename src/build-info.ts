/** Build facts for /api/system/info: package version, git revision when run from a checkout. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  metasyncVersion: string;
  revision: string;
  buildTime: Date;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function gitRevision(): string {
  try {
    const head = readFileSync(path.join(root, '.git', 'HEAD'), 'utf8').trim();
    const sha = head.startsWith('ref: ')
      ? readFileSync(path.join(root, '.git', head.slice(5)), 'utf8').trim()
      : head;
    return sha.slice(0, 7);
  } catch {
    // Packed refs or no checkout (installed package): the revision is simply unknown.
    return 'unknown';
  }
}

export function readBuildInfo(startedAt: Date): BuildInfo {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { metasyncVersion: pkg.version, revision: gitRevision(), buildTime: startedAt };
}
