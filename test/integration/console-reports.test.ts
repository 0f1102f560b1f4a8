// The console's search, topics and reports in a real browser (Debian's chromium through
// playwright-core) against the whole system: a supervisor searches without accents, tags a
// case with a topic on its page, opens the Reports page for a month and downloads it as CSV.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newUserContext } from '../support/browser.ts';
import { EN, signIn } from '../support/console-flow.ts';
import { submitBody } from '../support/fixtures.ts';
import { startSystem, type System } from '../support/system.ts';

describe.skipIf(!hasChromium)('search, topics and reports in the console', () => {
  let system: System;
  let browser: Browser;
  let page: Page;
  let caseId: string;
  const token: Record<string, string> = {};

  async function post(path: string, who: string, body: unknown): Promise<{ id?: string }> {
    const response = await fetch(`${system.baseUrl}${path}?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${who}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { id?: string };
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-console.mjs', '--if-stale'], { stdio: 'inherit', timeout: 120_000 });
    system = await startSystem({ backend: 'redis' });
    browser = await launchChromium();
    for (const [key, roles] of [
      ['clerk', ['clerk']],
      ['supervisor', ['supervisor']],
    ] as const)
      token[key] = (await system.createUser(`${key}-${randomUUID().slice(0, 6)}`, [...roles])).token;
    await post('/v1/topics', token.supervisor ?? '', { code: 'COVID-19', name: 'Covid-19' });
    for (const [claim, content, receivedAt] of [
      ['Hoarding call', 'Kêu gọi tích trữ gạo trước Tết', '2026-11-05T02:00:00Z'],
      ['Fuel price', 'Giá xăng tăng gấp đôi từ thứ Hai', '2026-11-20T02:00:00Z'],
    ]) {
      const base = submitBody({ url: `https://example.vn/${randomUUID()}`, content });
      const created = await post('/v1/cases', token.clerk ?? '', {
        ...base,
        report: { ...base.report, receivedAt },
        claim,
      });
      caseId ??= created.id ?? '';
    }
    const context = await newUserContext(browser);
    page = await context.newPage();
    await signIn(page, system.baseUrl, token.supervisor ?? '', EN);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('finds tích trữ by typing tich tru in the case list search', async () => {
    await page.goto(`${system.baseUrl}/#/cases`);
    await page.getByLabel('Search').fill('tich tru');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('table.cases tbody tr').count()).toBe(1);
    expect(await page.locator('table.cases tbody').textContent()).toContain('Hoarding call');
  });

  it('tags a case with a topic on its page, and the list filters by it', async () => {
    await page.goto(`${system.baseUrl}/#/cases/${caseId}`);
    await page.getByLabel('Add a topic').selectOption('COVID-19');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('[data-topic="COVID-19"]').waitFor();
    await page.goto(`${system.baseUrl}/#/cases?topic=COVID-19`);
    await expect.poll(() => page.locator('table.cases tbody tr').count()).toBe(1);
    expect(await page.locator('table.cases tbody').textContent()).toContain('Hoarding call');
  });

  it('shows the report of a month and downloads it as CSV', async () => {
    await page.goto(`${system.baseUrl}/#/reports?from=2026-11-01&to=2026-11-30`);
    await expect.poll(() => page.locator('[data-figure="received"]').textContent()).toBe('2');
    expect(await page.locator('ct-reports-page').textContent()).toContain('Covid-19');
    // Days day first, in fields of the console's own, whatever the browser's language; a day
    // that is not one is refused at the form, and a range typed so opens that range.
    expect(await page.locator('#report-from').inputValue()).toBe('01/11/2026');
    expect(await page.locator('#report-month').inputValue()).toBe('2026-11');
    await page.locator('#report-from').fill('31/11/2026');
    await page.locator('#report-from').press('Enter');
    await page.locator('#report-day-error').waitFor();
    expect(page.url()).toContain('from=2026-11-01');
    await page.locator('#report-from').fill('15/11/2026');
    await page.locator('#report-from').press('Enter');
    await page.waitForURL(/from=2026-11-15&to=2026-11-30/u);
    await page.goto(`${system.baseUrl}/#/reports?from=2026-11-01&to=2026-11-30`);
    await expect.poll(() => page.locator('[data-figure="received"]').textContent()).toBe('2');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-download="csv"]').click(),
    ]);
    const csv = await readFile((await download.path()) ?? '', 'utf8');
    expect(csv).toContain('Cases received,2');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.report-controls').isVisible()).toBe(false);
  });
});
