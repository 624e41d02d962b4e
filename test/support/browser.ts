/**
 * What the browser tests share: Debian's Chromium (never a downloaded browser), where their
 * screenshots go, and the skip reason when Chromium is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ADMIN_PASSWORD, type TestServer } from './server.ts';

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

/** Debian's Chromium, headless, as every browser test launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Logs in through the login form at `url` (the server, or one of its screens: `…/#/drift`) and
 * waits for `ready`, by default the shell's header profile button: the real path a user takes,
 * never a cookie set behind the page's back.
 */
export async function logIn(
  page: Page,
  url: string,
  username = 'admin',
  password = ADMIN_PASSWORD,
  ready: (page: Page) => Locator = (p) => p.locator('[data-test="profile-button"]'),
): Promise<void> {
  await page.goto(url.includes('#') ? url : url + '/');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await ready(page).waitFor();
}

/** Logs out through the header's profile menu, and waits for the login form. */
export async function logOut(page: Page): Promise<void> {
  await page.locator('[data-test="profile-button"]').click();
  await page.locator('[data-test="profile-menu"] button').click();
  await page.locator('input[name="username"]').waitFor();
}

/**
 * Runs `check` on a page of its own, logged in at `url` (the server's, or one of its screens) as
 * a new user of `server` who holds only `authorities`: what someone without the admin's rights
 * is shown. The page's browser context is closed afterwards.
 */
export async function asUserWith(
  browser: Browser,
  server: TestServer,
  user: { username: string; password: string; authorities: string[] },
  at: { url?: string; ready: (page: Page) => Locator },
  check: (page: Page) => Promise<void>,
): Promise<void> {
  await server.instance.services.users.create(user);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await ctx.newPage();
    await logIn(page, at.url ?? server.url, user.username, user.password, at.ready);
    await check(page);
  } finally {
    await ctx.close();
  }
}
