/**
 * What the browser tests share: Debian's Chromium (never a downloaded browser), where their
 * screenshots go, and the skip reason when Chromium is missing.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = '.artifacts/screenshots';
export const skipWithoutBrowser = existsSync(CHROMIUM)
  ? false
  : `browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does it)`;
