/**
 * A real browser for the editor tests: Debian's chromium (/usr/bin/chromium, or CHROMIUM_PATH)
 * driven by playwright-core (a dev dependency; it brings no browser of its own), headless, with
 * no sandbox, no GPU and no background network.
 *
 * Without chromium the browser suites skip with a clear message, except in CI (CI=true), where
 * the browser is required (.ci/run installs the Debian package chromium) and its absence fails
 * the run: the same rule as for redis-server (test/support/redis-server.ts).
 *
 * Screenshots go to test-output/screenshots/ (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from './node-red-process';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

type PlaywrightCore = typeof import('playwright-core');

function playwright(): PlaywrightCore | undefined {
  try {
    return require('playwright-core') as PlaywrightCore;
  } catch {
    return undefined;
  }
}

/** Why no browser can be driven here, or undefined when one can. */
export function browserMissing(): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (!playwright()) return 'playwright-core is not installed (npm ci installs it: it is a dev dependency)';
  return undefined;
}

/**
 * For a suite (or a test) that needs the browser: returns true when it can run. Without one it
 * throws in CI and otherwise logs why and skips `ctx` (pass the Mocha context) when given.
 */
export function requireBrowser(ctx?: Mocha.Context): boolean {
  const missing = browserMissing();
  if (!missing) return true;
  if (process.env.CI) throw new Error(`a browser is required in CI (.ci/run installs the Debian package chromium): ${missing}`);
  console.log(`      SKIPPED: ${missing}; the browser checks did not run`);
  ctx?.skip();
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  const pw = playwright();
  if (!pw) throw new Error('playwright-core is not installed');
  return pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * Node-RED 5.0's own race, not this package's: the info sidebar's rotating tips start one second
 * after the user settings load and write into a tips box the info sidebar makes only once the
 * keymap has loaded; on a busy machine that is later, and the editor throws "Cannot read
 * properties of undefined (reading 'html')" from its tips code (red.js / red.min.js).
 */
function nodeRedTipsRace(e: Error): boolean {
  const top = (e.stack ?? '').split('\n')[1] ?? '';
  return /reading 'html'/.test(e.message) && /\/red\/red(\.min)?\.js/.test(top);
}

/**
 * Resolves once the editor has loaded and registered every node type in `types` (the palette
 * fills while node sets still load: on a busy machine the last ones come seconds later).
 */
export async function waitForEditor(page: Page, types: string[], timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    (ts) => {
      const RED = (globalThis as any).RED;
      return !!RED?.nodes?.getType && document.querySelectorAll('.red-ui-palette-node').length > 10 && ts.every((t) => RED.nodes.getType(t));
    },
    types,
    { timeout: timeoutMs },
  );
}

/** Page errors, console errors and requests to anything but `allowedOrigin`, collected as they happen. */
export function watchPage(page: Page, allowedOrigin: string): { errors: string[]; outside: string[] } {
  const errors: string[] = [];
  const outside: string[] = [];
  page.on('pageerror', (e) => {
    if (!nodeRedTipsRace(e)) errors.push(String(e));
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(allowedOrigin) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  return { errors, outside };
}

/** Writes test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
