/**
 * What the browser tests share: Debian's Chromium (never a downloaded browser), where their
 * screenshots go, and the skip reason when Chromium is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = '.artifacts/screenshots';
export const skipWithoutBrowser = existsSync(CHROMIUM)
  ? false
  : `browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does it)`;

/**
 * What every browser test does first: the screenshot folder exists, and the UI is built
 * (`npm ci` builds it through `prepare`; a checkout that never did is built here).
 */
export function prepareBrowserTest(): void {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync('dist-web/index.html'))
    execFileSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
}
