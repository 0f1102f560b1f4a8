// Debian's chromium driven by playwright-core, for the console's browser tests. launch()
// gives every browser a fresh temporary profile (Playwright passes --user-data-dir itself and
// refuses it in args); the flags keep Chromium off the network it would otherwise call home to.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
}

export type ContextOptions = { locale?: string; timezoneId?: string; phone?: boolean };

/** One user's browser: its own session and local storage, like a separate person's machine. */
export async function newUserContext(browser: Browser, options: ContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-GB',
    timezoneId: options.timezoneId ?? 'UTC',
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    ...(options.phone ? { isMobile: true, hasTouch: true } : {}),
    acceptDownloads: true,
  });
  // The machine is shared and slow at times: generous bounds, never fixed sleeps.
  context.setDefaultTimeout(30_000);
  return context;
}

export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
}
