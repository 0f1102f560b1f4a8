// The demo as a person first sees it: `casetrail demo` run against the whole system, then
// the console opened in Vietnamese by one of the demo's supervisors. The cases list shows
// the province's cases with their claims in Vietnamese, imported history among them.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newUserContext } from '../support/browser.ts';
import { runCli } from '../support/cli.ts';
import { VI, headingOnceIt, signIn } from '../support/console-flow.ts';
import { startSystem, type System } from '../support/system.ts';

const VIETNAMESE = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu;

describe.skipIf(!hasChromium)('the demo in the Vietnamese console', () => {
  let system: System;
  let browser: Browser;
  let supervisor: string;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-console.mjs', '--if-stale'], { stdio: 'inherit', timeout: 120_000 });
    system = await startSystem({ backend: 'redis' });
    const admin = (await system.createUser(`admin-${randomUUID().slice(0, 6)}`, ['admin'])).token;
    const demo = await runCli(
      ['demo', '--cases', '14', '--history', '30', '--api-url', system.baseUrl, '--json'],
      { CASETRAIL_TOKEN: admin, LOG_LEVEL: 'warn' },
      180_000,
    );
    expect(demo.code, demo.stderr).toBe(0);
    const summary = JSON.parse(demo.stdout) as { users: { roles: string[]; token: string }[] };
    supervisor = summary.users.find((u) => u.roles.includes('supervisor'))?.token ?? '';
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it('lists the cases with Vietnamese claims, the imported past among them', async () => {
    const context = await newUserContext(browser, { locale: 'vi-VN' });
    const page = await context.newPage();
    await signIn(page, system.baseUrl, supervisor, VI);
    expect(await headingOnceIt(page, VI.cases)).toBe(VI.cases);
    const rows = page.locator('table.cases tbody tr');
    await rows.first().waitFor();
    const texts = await rows.allInnerTexts();
    expect(texts.length).toBeGreaterThan(20);
    // Nearly every claim is Vietnamese (the few English items of the live weeks aside).
    expect(texts.filter((t) => VIETNAMESE.test(t)).length).toBeGreaterThan(texts.length * 0.7);
    const { rows: imported } = await system.harness.pool.query<{ reference: string }>(
      "SELECT c.reference FROM cases c JOIN events e ON e.case_id = c.id AND e.seq = 1 WHERE e.payload ? 'imported' LIMIT 1",
    );
    expect(imported).toHaveLength(1);
    expect(texts.some((t) => t.includes(imported[0]?.reference ?? '-'))).toBe(true);
  }, 120_000);
});
