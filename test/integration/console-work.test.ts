// The console as a work tool, in a real browser against the whole system: Vietnam-first
// formats whatever the browser's language, long text that never breaks the layout, refusals
// and drafts that are never lost, live case pages, forms that say where the problem is, the
// case list as a work queue, and no serious accessibility violation on any page.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../src/infra/files/local-store.ts';
import { hasChromium, launchChromium, newUserContext, type ContextOptions } from '../support/browser.ts';
import {
  EN,
  VI,
  field,
  headingOnceIt,
  signIn,
  switchLanguage,
  textOf,
  waitForStage,
  type Words,
} from '../support/console-flow.ts';
import { AUTHORITY, submitBody, verifyBody } from '../support/fixtures.ts';
import { startSystem, type System } from '../support/system.ts';

// Screenshots go to docs/screenshots with CASETRAIL_UPDATE_SCREENSHOTS=1, else to a temporary folder.
const SHOTS =
  process.env.CASETRAIL_UPDATE_SCREENSHOTS === '1'
    ? 'docs/screenshots'
    : mkdtempSync(join(tmpdir(), 'casetrail-screenshots-'));
const screenshotTo = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage, animations: 'disabled', caret: 'hide' });

const require = createRequire(import.meta.url);

if (!hasChromium) console.warn('console-work.test.ts: skipped, /usr/bin/chromium is missing');

type Stage = 'received' | 'claimed' | 'verified' | 'referred';

describe.skipIf(!hasChromium)('the console as a work tool', () => {
  let system: System;
  let browser: Browser;
  let filesRoot: string;
  const token: Record<string, string> = {};
  const userId: Record<string, string> = {};

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-console.mjs', '--if-stale'], { stdio: 'inherit', timeout: 120_000 });
    filesRoot = await mkdtemp(join(tmpdir(), 'casetrail-console-work-'));
    system = await startSystem({
      backend: 'redis',
      files: { store: await openLocalStore(filesRoot), maxBytes: 10 * 1024 * 1024 },
    });
    browser = await launchChromium();
    const people: [string, string, string[]][] = [
      ['clerk', 'thu.vo', ['clerk']],
      ['clerk2', 'khanh.ly', ['clerk']],
      ['verifier', 'quang.do', ['verifier']],
      ['supervisor', 'an.bui', ['supervisor']],
      ['supervisor2', 'binh.ho', ['supervisor']],
      ['admin', 'root.admin', ['admin']],
    ];
    for (const [key, name, roles] of people) {
      const user = await system.createUser(`${name}-${randomUUID().slice(0, 6)}`, roles);
      token[key] = user.token;
      userId[key] = user.id;
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    if (filesRoot !== undefined) await rm(filesRoot, { recursive: true, force: true });
  });

  async function api<T = { id: string; version: number }>(
    who: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await fetch(
      `${system.baseUrl}${path}${method === 'POST' && path.includes('/cases') ? '?wait=true' : ''}`,
      {
        method,
        headers: {
          authorization: `Bearer ${token[who]}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
    );
    const text = await response.text();
    expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
    return (text === '' ? null : JSON.parse(text)) as T;
  }

  /** A new case brought to the stage through the API; overrides go into the report. */
  async function caseAt(stage: Stage, overrides: { url?: string; content?: string; claim?: string } = {}) {
    const base = submitBody({
      url: overrides.url ?? `https://www.facebook.com/groups/7/posts/${randomUUID()}`,
      content: overrides.content ?? `Nội dung ${randomUUID()}`,
    });
    const created = await api<{ id: string; reference: string }>('clerk', 'POST', '/v1/cases', {
      ...base,
      ...(overrides.claim === undefined ? {} : { claim: overrides.claim }),
    });
    if (stage !== 'received') await api('verifier', 'POST', `/v1/cases/${created.id}/claim`, {});
    if (stage === 'verified' || stage === 'referred')
      await api('verifier', 'POST', `/v1/cases/${created.id}/verify`, verifyBody());
    if (stage === 'referred')
      await api('supervisor', 'POST', `/v1/cases/${created.id}/refer`, { authority: AUTHORITY });
    return created;
  }

  async function pageFor(
    who: string,
    words: Words,
    options: ContextOptions & { language?: 'vi' | 'en'; viewport?: { width: number; height: number } } = {},
  ): Promise<Page> {
    const context = await newUserContext(browser, options);
    const page = await context.newPage();
    if (options.viewport !== undefined) await page.setViewportSize(options.viewport);
    if (options.language !== undefined) {
      await page.goto(`${system.baseUrl}/`);
      const from = (options.locale ?? 'en-GB').startsWith('vi') ? VI : EN;
      await switchLanguage(page, from, options.language);
    }
    await signIn(page, system.baseUrl, token[who] ?? '', words);
    return page;
  }

  const openCase = async (page: Page, id: string, reference: string, words: Words) => {
    await page.goto(`${system.baseUrl}/#/cases/${id}`);
    expect(await headingOnceIt(page, words.caseHeading(reference))).toBe(words.caseHeading(reference));
  };

  /** How Vietnam writes this instant: dd/mm/yyyy HH:mm in Asia/Ho_Chi_Minh. */
  const hanoi = (iso: string) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(new Date(iso))
      .replace(',', '');

  it('writes dates dd/mm/yyyy HH:mm in a browser set to en-US, reads amounts with either separator and cites the law in Vietnamese order', async () => {
    const created = await caseAt('referred');
    const kase = await api<{ createdAt: string }>('supervisor', 'GET', `/v1/cases/${created.id}`);
    const page = await pageFor('supervisor', VI, {
      locale: 'en-US',
      timezoneId: 'Asia/Ho_Chi_Minh',
      language: 'vi',
    });
    await openCase(page, created.id, created.reference, VI);
    // The browser's zone is the user's: no zone after the time, day first.
    const received = page.locator('.case-grid time').filter({ hasText: hanoi(kase.createdAt) });
    expect(await received.count()).toBeGreaterThan(0);
    for (const shown of await page.locator('.case-grid time').allInnerTexts())
      expect(shown).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/u);

    const penalty = page.getByRole('form', { name: VI.penaltyForm });
    const issuedAt = field(penalty, 'Ngày ban hành');
    expect(await issuedAt.getAttribute('type')).toBe('text');
    expect(await issuedAt.inputValue()).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/u);
    await field(penalty, VI.decisionNo).fill(`QD-${randomUUID().slice(0, 8)}`);
    await field(penalty, VI.instrument).fill('Nghị định 15/2020/NĐ-CP');
    await field(penalty, VI.article).fill('101');
    await field(penalty, 'Khoản').fill('1');
    await field(penalty, VI.fine).fill('7.5');
    await field(penalty, VI.facts).fill('Chia sẻ thông tin sai sự thật về y tế.');
    await penalty.getByRole('button', { name: VI.recordPenalty }).click();
    expect(await textOf(penalty.locator('#penalty-fine-amount-error'))).toBe(
      'Số tiền nguyên tính bằng đồng, ví dụ 7.500.000 (dấu chấm hoặc dấu phẩy giữa các hàng nghìn).',
    );
    // The other separator than the language's own is read all the same.
    await field(penalty, VI.fine).fill('7,500,000');
    await penalty.getByRole('button', { name: VI.recordPenalty }).click();
    await waitForStage(page, VI.penaltyIssued);
    expect(await textOf(page.locator('.money'))).toBe(VI.fineShown);
    expect(await textOf(page.locator('.case-grid li', { hasText: 'Nghị định' }))).toBe(
      'khoản 1 Điều 101 Nghị định 15/2020/NĐ-CP',
    );

    await page.getByRole('link', { name: VI.accessLog }).click();
    await page.locator('table.access-log tbody tr').first().waitFor();
    for (const shown of (await page.locator('table.access-log time').allInnerTexts()).slice(0, 5))
      expect(shown).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/u);
  }, 120_000);

  it('keeps one 5 000-character word and an 1 800-character address inside the page at 390 px and at 1366 px', async () => {
    const word = `#${'tinđồn'.repeat(833)}`.slice(0, 5_000);
    const url = `https://example.vn/${'a'.repeat(1_800)}?utm=${randomUUID()}`;
    const created = await caseAt('received', { url, content: word, claim: word.slice(0, 2_000) });
    await api('clerk', 'POST', `/v1/cases/${created.id}/notes`, { text: word });
    const overflow = (page: Page) =>
      page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1366, height: 768 },
    ]) {
      const page = await pageFor('supervisor', EN, { viewport });
      expect(await headingOnceIt(page, EN.cases)).toBe(EN.cases);
      const row = page.locator('table.cases tbody tr', { hasText: created.reference });
      await row.waitFor();
      expect(await overflow(page), `case list at ${viewport.width} px`).toBe(0);
      // The list shows a few lines of the claim, never all 2 000 characters.
      const cell = await row.locator('.clamp').boundingBox();
      expect(cell?.height ?? 0).toBeLessThan(100);

      await openCase(page, created.id, created.reference, EN);
      await page.locator('.event', { hasText: 'Note added' }).first().waitFor();
      expect(await overflow(page), `case page at ${viewport.width} px`).toBe(0);
      const link = page.locator('.case-grid ct-long-url a.external');
      expect((await link.innerText()).length).toBeLessThan(100);
      await page.locator('.case-grid ct-long-url').getByRole('button', { name: 'Show the whole address' }).click();
      expect(await link.innerText()).toBe(url);
      expect(await overflow(page), `whole address at ${viewport.width} px`).toBe(0);
      await page.locator('.case-grid ct-long-url').getByRole('button', { name: 'Copy' }).click();
      expect(await textOf(page.locator('.case-grid ct-long-url [role="status"]'))).toBe('Copied.');
      await page.context().close();
    }
  }, 120_000);

  it('tells a supervisor whose referral was refused who referred the case first, keeps the input and offers to retry', async () => {
    const created = await caseAt('verified');
    const b = await pageFor('supervisor2', EN);
    await openCase(b, created.id, created.reference, EN);
    const refer = b.getByRole('form', { name: EN.referForm });
    await field(refer, EN.authorityCode).fill('STTTT-DN');
    await field(refer, EN.authorityName).fill('Sở Thông tin và Truyền thông Đà Nẵng');
    await field(refer, 'Note').fill('Đà Nẵng is where the account is run from.');

    // Supervisor A refers the case elsewhere while B is typing.
    const me = await api<{ name: string }>('supervisor', 'GET', '/v1/me');
    await api('supervisor', 'POST', `/v1/cases/${created.id}/refer`, { authority: AUTHORITY });
    await refer.locator('button[type="submit"]').click();

    const conflict = refer.locator('[data-conflict]');
    await conflict.locator('.conflict-changes li').first().waitFor();
    expect(await conflict.locator('.conflict-changes li').first().innerText()).toMatch(
      new RegExp(`^Referred by ${me.name}, \\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}`, 'u'),
    );
    expect(await conflict.innerText()).toContain(AUTHORITY.name);
    expect(await field(refer, EN.authorityCode).inputValue()).toBe('STTTT-DN');
    expect(await field(refer, 'Note').inputValue()).toBe('Đà Nẵng is where the account is run from.');
    await screenshotTo(b, 'en-supervisor-conflict', true);
    // Focus goes to what changed once the refusal is in (the change may have been pushed before).
    await b.waitForFunction('document.activeElement?.hasAttribute("data-conflict")', undefined, { timeout: 5_000 });

    // Retrying on the new state is the API's to judge: a referred case cannot be referred again.
    await conflict.getByRole('button', { name: 'Retry on the new state' }).click();
    expect(await textOf(refer.locator('.problem .problem-title'))).not.toBe('');
    expect(await field(refer, EN.authorityCode).inputValue()).toBe('STTTT-DN');
    // Discarding lets the form go: the case is referred, its next step is the penalty.
    await refer.getByRole('button', { name: 'Discard what I typed' }).click();
    await b.getByRole('form', { name: EN.penaltyForm }).waitFor();
    expect(await b.getByRole('form', { name: EN.referForm }).count()).toBe(0);
  }, 120_000);

  it('keeps a report typed by a clerk whose token was revoked, and restores it after signing in again and after another page', async () => {
    const issued = async () =>
      api<{ id: string; token: string }>('admin', 'POST', `/v1/users/${userId.clerk}/tokens`, { label: 'console' });
    const first = await issued();
    const second = await issued();
    const context = await newUserContext(browser);
    const page = await context.newPage();
    await signIn(page, system.baseUrl, first.token, EN);
    await page.getByRole('link', { name: EN.newReport }).click();
    const form = page.getByRole('form', { name: EN.reportForm });
    const url = `https://www.facebook.com/groups/8/posts/${randomUUID()}`;
    await field(form, EN.platform).selectOption('facebook');
    await field(form, EN.url).fill(url);
    await field(form, EN.content).fill(`Nội dung nháp ${randomUUID()}`);
    await field(form, EN.source).selectOption('citizen_tip');
    await field(form, EN.claim).fill('A drafted claim that must survive');
    await field(form, EN.category).selectOption('health');

    await api('admin', 'DELETE', `/v1/tokens/${first.id}`);
    await form.getByRole('button', { name: EN.submitReport }).click();
    await page.locator('ct-sign-in').waitFor();
    await page.getByLabel(EN.token).fill(second.token);
    await page.getByRole('button', { name: EN.signIn }).click();

    const again = page.getByRole('form', { name: EN.reportForm });
    expect(await field(again, EN.url).inputValue()).toBe(url);
    expect(await field(again, EN.claim).inputValue()).toBe('A drafted claim that must survive');
    expect(await field(again, EN.category).inputValue()).toBe('health');
    await again.locator('[data-restored]').waitFor();
    // And after a visit to another page.
    await page.getByRole('link', { name: EN.myCases }).click();
    expect(await headingOnceIt(page, EN.myCases)).toBe(EN.myCases);
    await page.getByRole('link', { name: EN.newReport }).click();
    expect(await field(page.getByRole('form', { name: EN.reportForm }), EN.url).inputValue()).toBe(url);
    await again.getByRole('button', { name: EN.submitReport }).click();
    await page.waitForURL(/#\/cases\/[0-9a-f-]{36}$/u);
    // Sent: the draft is gone.
    await page.getByRole('link', { name: EN.newReport }).click();
    expect(await field(page.getByRole('form', { name: EN.reportForm }), EN.url).inputValue()).toBe('');
    await context.close();
  }, 120_000);

  it("updates an open case page within a second of another user's command, and an open case list", async () => {
    const created = await caseAt('verified');
    const page = await pageFor('supervisor2', EN);
    const streaming = page.waitForResponse((r) => r.url().endsWith(`/v1/cases/${created.id}/changes`));
    await openCase(page, created.id, created.reference, EN);
    expect((await streaming).headers()['content-type']).toBe('text/event-stream; charset=utf-8');
    await waitForStage(page, EN.verified);

    await api('supervisor', 'POST', `/v1/cases/${created.id}/refer`, { authority: AUTHORITY });
    const applied = Date.now();
    await page.locator('.badge[class*="badge--stage-"]', { hasText: EN.referred }).first().waitFor({ timeout: 5_000 });
    const took = Date.now() - applied;
    expect(took, `the page showed the referral after ${took} ms`).toBeLessThan(1_000);
    // The next step's form replaced the referral form, without a reload.
    await page.getByRole('form', { name: EN.penaltyForm }).waitFor({ timeout: 1_000 });

    // The token is the tab's: the list opens in the same tab.
    const list = page;
    const listening = list.waitForResponse((r) => r.url().endsWith('/v1/changes'));
    await list.getByRole('link', { name: EN.cases, exact: true }).click();
    await list.locator('table.cases tbody tr').first().waitFor();
    await listening;
    const fresh = await caseAt('received');
    await list.locator('table.cases tbody tr', { hasText: fresh.reference }).waitFor({ timeout: 2_000 });

    // Without access, no stream: a clerk may not watch another clerk's case.
    const response = await fetch(`${system.baseUrl}/v1/cases/${created.id}/changes`, {
      headers: { authorization: `Bearer ${token.admin}` },
    });
    expect(response.status).toBe(404);
    await page.context().close();
  }, 120_000);

  it('pushes a change only to those who may see its case', async () => {
    /** The case events of a stream, read until `count` arrived. */
    const open = async (who: string, path: string) => {
      const abort = new AbortController();
      const response = await fetch(`${system.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token[who]}` },
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      return {
        async next(count: number): Promise<{ caseId: string; version: number }[]> {
          const events = () =>
            [...text.matchAll(/^event: case\ndata: (.+)$/gmu)].map(
              (m) => JSON.parse(m[1] ?? '{}') as { caseId: string; version: number },
            );
          while (events().length < count) {
            const { value, done } = await reader.read();
            if (done) break;
            text += decoder.decode(value, { stream: true });
          }
          return events().slice(0, count);
        },
        close: () => abort.abort(),
      };
    };
    const supervisor = await open('supervisor', '/v1/changes');
    const other = await open('clerk2', '/v1/changes');
    const first = await caseAt('claimed');
    const own = await api<{ id: string }>('clerk2', 'POST', '/v1/cases', {
      ...submitBody({ url: `https://example.vn/${randomUUID()}`, content: `Riêng ${randomUUID()}` }),
    });
    const seen = await supervisor.next(3);
    expect(seen.map((e) => e.caseId)).toEqual([first.id, first.id, own.id]);
    // The other clerk's first event is their own case: the two before it were not theirs to see.
    expect(await other.next(1)).toEqual([{ caseId: own.id, version: 1 }]);
    supervisor.close();
    other.close();
    const refused = await fetch(`${system.baseUrl}/v1/cases/${first.id}/changes`, {
      headers: { authorization: `Bearer ${token.clerk2}` },
    });
    expect(refused.status).toBe(404);
    expect((await fetch(`${system.baseUrl}/v1/changes`)).status).toBe(401);
  }, 60_000);

  it('marks a missing field at the field, moves focus to the error box and to the heading of an opened case, and keeps toasts in their place', async () => {
    const created = await caseAt('verified');
    const page = await pageFor('supervisor', EN);
    expect(await headingOnceIt(page, EN.cases)).toBe(EN.cases);
    expect(await page.title()).toBe('Cases · casetrail');
    await field(page, EN.search).fill(created.reference);
    await page.getByRole('button', { name: EN.apply }).click();
    await page.getByRole('link', { name: created.reference }).click();
    expect(await headingOnceIt(page, EN.caseHeading(created.reference))).toBe(EN.caseHeading(created.reference));
    await page.waitForFunction('document.activeElement?.tagName === "H1"', undefined, { timeout: 5_000 });
    expect(await page.evaluate('document.activeElement.textContent')).toBe(EN.caseHeading(created.reference));
    expect(await page.title()).toBe(`${EN.caseHeading(created.reference)} · casetrail`);

    const refer = page.getByRole('form', { name: EN.referForm });
    await refer.getByRole('button', { name: EN.refer, exact: true }).click();
    expect(await textOf(refer.locator('#refer-authority-code-error'))).toBe('Required.');
    expect(await field(refer, EN.authorityName).getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement.className')).toBe('problem');
    expect(await textOf(refer.locator('.problem'))).toContain('Fill in: Authority code, Authority name.');

    await field(refer, EN.authorityCode).fill(AUTHORITY.code);
    await field(refer, EN.authorityName).fill(AUTHORITY.name);
    await refer.getByRole('button', { name: EN.refer, exact: true }).click();
    await waitForStage(page, EN.referred);
    const toast = page.locator('.live');
    expect(await textOf(toast)).toBe('Case referred.');
    // In the flow above the page, never over it.
    const [box, main] = [await toast.boundingBox(), await page.locator('main').boundingBox()];
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(main?.y ?? 0);
    await page.getByRole('link', { name: EN.cases, exact: true }).click();
    expect(await headingOnceIt(page, EN.cases)).toBe(EN.cases);
    expect(await toast.innerText()).toBe('');

    // Before the case existed, time travel says so.
    await page.goto(`${system.baseUrl}/#/cases/${created.id}?asOf=2001-01-01T00:00:00.000Z`);
    expect(await headingOnceIt(page, 'The case did not exist yet')).toBe('The case did not exist yet');
    expect(await textOf(page.locator('[data-problem="not_yet"]'))).toMatch(/^At 01\/01\/2001 07:00 GMT\+7 this case/u);
    await page.context().close();
  }, 120_000);

  it('shows the case list as a work queue (one line per case, who holds it, deadline, last change; sortable; saved views) and the access log with references and filters', async () => {
    const claimed = await caseAt('claimed', { claim: 'Claimed case for the queue' });
    const open = await caseAt('received', { claim: 'Unclaimed case for the queue' });
    const verifier = await api<{ name: string }>('verifier', 'GET', '/v1/me');
    const page = await pageFor('supervisor', EN, { viewport: { width: 1366, height: 768 } });
    expect(await headingOnceIt(page, EN.cases)).toBe(EN.cases);
    await page.locator('table.queue tbody tr', { hasText: open.reference }).waitFor();
    const headers = await page.locator('table.queue thead th').allInnerTexts();
    expect(headers.map((h) => h.trim())).toEqual([
      'Reference',
      'Claim',
      'Stage',
      'Priority',
      'Claimed by',
      'Deadline',
      'Last change',
    ]);
    const claimedRow = page.locator('table.queue tbody tr', { hasText: claimed.reference });
    // The holder's id shows until the console has resolved the name behind it (one request for the page).
    await claimedRow.locator('[data-claimed-by]', { hasText: verifier.name }).waitFor({ timeout: 10_000 });
    expect(await textOf(claimedRow.locator('[data-claimed-by]'))).toBe(verifier.name);
    expect(await textOf(claimedRow.locator('.badge[class*="badge--sla-"]'))).toMatch(/^Due in \d+ hours?$/u);
    // One line per case: a row is as tall as one line of text and its padding.
    expect((await claimedRow.boundingBox())?.height ?? 0).toBeLessThan(48);
    await screenshotTo(page, 'en-supervisor-queue');
    const rows = await page.locator('table.queue tbody tr').count();
    const visible = await page.evaluate(
      `[...document.querySelectorAll('table.queue tbody tr')].filter((r) => r.getBoundingClientRect().bottom <= innerHeight).length`,
    );
    expect(visible).toBeGreaterThanOrEqual(Math.min(rows, 8));

    const references = () => page.locator('table.queue tbody th').allInnerTexts();
    await page.getByRole('button', { name: 'Reference' }).click();
    expect(await page.locator('th[aria-sort="ascending"]').innerText()).toContain('Reference');
    const ascending = await references();
    expect(ascending).toEqual([...ascending].sort());
    await page.getByRole('button', { name: 'Reference' }).click();
    expect(await references()).toEqual([...ascending].sort().reverse());

    await page.getByRole('link', { name: 'Unassigned' }).click();
    // The view reads its pages again: the claimed case leaves the list once they are in.
    await page.locator('table.queue tbody tr', { hasText: claimed.reference }).waitFor({
      state: 'detached',
      timeout: 10_000,
    });
    await page.locator('table.queue tbody tr', { hasText: open.reference }).waitFor();
    expect(await page.locator('table.queue tbody tr', { hasText: claimed.reference }).count()).toBe(0);
    for (const holder of await page.locator('table.queue [data-claimed-by]').allInnerTexts())
      expect(holder).toBe('Nobody');

    await openCase(page, claimed.id, claimed.reference, EN);
    await page.getByRole('link', { name: EN.accessLog }).click();
    const first = page.locator('table.access-log tbody tr').first();
    expect(await textOf(first.locator('td').nth(3).locator('a').first())).toBe(claimed.reference);
    await first.getByRole('link', { name: 'only this person' }).click();
    expect(await textOf(page.locator('.notice'))).toContain('Reads by you only.');
    const today = hanoi(new Date().toISOString()).slice(0, 10);
    await field(page, 'From (day)').fill(today);
    await field(page, 'To (day, included)').fill(today);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL(/from=/u);
    await page.locator('table.access-log tbody tr').first().waitFor();
    await field(page, 'From (day)').fill('01/01/2001');
    await field(page, 'To (day, included)').fill('02/01/2001');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.locator('.empty').waitFor();
    await field(page, 'From (day)').fill('2001-31-01');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    expect(await textOf(page.locator('#log-day-error'))).toBe('A day written dd/mm/yyyy, for example 07/12/2026.');
    await page.context().close();
  }, 120_000);

  it('compresses the console and the API, serves no source map, asks the purpose of an export, and prints a case summary', async () => {
    const index = await fetch(`${system.baseUrl}/`, { headers: { 'accept-encoding': 'br' } });
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/u.exec(html)?.[1] ?? '';
    expect(script).not.toBe('');
    const asset = await fetch(`${system.baseUrl}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(asset.headers.get('content-encoding')).toBe('br');
    expect(await asset.text()).not.toContain('sourceMappingURL');
    expect((await fetch(`${system.baseUrl}${script}.map`)).status).toBe(404);
    const created = await caseAt('referred');
    await caseAt('received');
    const list = await fetch(`${system.baseUrl}/v1/cases?limit=50`, {
      headers: { authorization: `Bearer ${token.supervisor}`, 'accept-encoding': 'gzip' },
    });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-encoding')).toBe('gzip');
    expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);

    const page = await pageFor('supervisor', EN);
    await openCase(page, created.id, created.reference, EN);
    await page.getByRole('form', { name: EN.penaltyForm }).waitFor();
    // The export asks for its purpose, and the access log keeps it.
    await page.getByRole('button', { name: 'Export the case bundle' }).click();
    expect(await textOf(page.locator('#export-purpose-error'))).toBe('Required.');
    expect(await page.evaluate('document.activeElement.id')).toBe('export-purpose');
    const download = page.waitForEvent('download');
    await field(page, 'Purpose of the export').fill('Thanh tra Sở, công văn 12/TTr');
    await page.getByRole('button', { name: 'Export the case bundle' }).click();
    await download;
    const log = await api<{ items: { action: string; purpose: string | null }[] }>(
      'supervisor',
      'GET',
      `/v1/audit/access-log?caseId=${created.id}`,
    );
    expect(log.items.find((e) => e.action === 'case.export')?.purpose).toBe('Thanh tra Sở, công văn 12/TTr');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.app-header').isVisible()).toBe(false);
    expect(await page.locator('.actions').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print a summary' }).isVisible()).toBe(false);
    expect(await page.locator('main h1').isVisible()).toBe(true);
    expect(await page.locator('.case-grid').isVisible()).toBe(true);
    expect(await page.locator('.timeline .event').first().isVisible()).toBe(true);
    await page.context().close();
  }, 120_000);

  it('links a merged report in the timeline to its case, and keeps the statistics inside a phone screen', async () => {
    const url = `https://www.facebook.com/groups/9/posts/${randomUUID()}`;
    const original = await caseAt('received', { url });
    const duplicate = await caseAt('received', { url });
    const page = await pageFor('supervisor', EN, { phone: true });
    await openCase(page, original.id, original.reference, EN);
    const merged = page.locator('.event', { hasText: duplicate.reference }).locator('.event-what a');
    await merged.waitFor();
    expect(await merged.getAttribute('href')).toBe(`#/cases/${duplicate.id}`);
    await page.getByRole('link', { name: EN.stats }).click();
    await page.locator('#chart-stages-title').waitFor({ state: 'attached' });
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);
    await page.context().close();
  }, 120_000);

  it('has no accessibility violation of moderate impact or worse on any page (reports, workload and users included), in both languages, on a desktop and a phone', async () => {
    const axe = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    let width = 'desktop';
    const violations = async (page: Page, name: string) => {
      await screenshotTo(page, `${name.replaceAll(' ', '-')}-${width}`);
      await page.evaluate(axe);
      const found = (await page.evaluate(
        `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
          .filter((v) => ['moderate', 'serious', 'critical'].includes(v.impact))
          .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`,
      )) as unknown[];
      return { page: name, found };
    };
    const referred = await caseAt('referred');
    const received = await caseAt('received');
    const results: { page: string; found: unknown[] }[] = [];
    for (const [words, phone] of [
      [EN, false],
      [VI, false],
      [EN, true],
      [VI, true],
    ] as const) {
      const language = words === EN ? 'en' : 'vi';
      width = phone ? 'phone' : 'desktop';
      const context = await newUserContext(browser, { phone });
      const page = await context.newPage();
      await page.goto(`${system.baseUrl}/`);
      if (language === 'vi') await switchLanguage(page, EN, 'vi');
      await page.getByLabel(words.token).waitFor();
      results.push(await violations(page, `${language} sign-in`));
      await context.close();

      const clerk = await pageFor('clerk', words, { language, phone });
      expect(await headingOnceIt(clerk, words.myCases)).toBe(words.myCases);
      await clerk.locator('table.cases tbody tr').first().waitFor();
      results.push(await violations(clerk, `${language} my cases`));
      await clerk.getByRole('link', { name: words.newReport }).click();
      await clerk.getByRole('form', { name: words.reportForm }).waitFor();
      await clerk
        .getByRole('form', { name: words.reportForm })
        .getByRole('button', { name: words.submitReport })
        .click();
      await clerk.locator('.problem').waitFor();
      results.push(await violations(clerk, `${language} new report with errors`));
      await clerk.context().close();

      const verifier = await pageFor('verifier', words, { language, phone });
      expect(await headingOnceIt(verifier, words.worklist)).toBe(words.worklist);
      await verifier.locator('table.worklist tbody tr').first().waitFor();
      results.push(await violations(verifier, `${language} worklist`));
      await openCase(verifier, received.id, received.reference, words);
      await verifier.locator('.timeline .event').first().waitFor();
      results.push(await violations(verifier, `${language} case to claim`));
      await verifier.context().close();

      const supervisor = await pageFor('supervisor', words, { language, phone });
      expect(await headingOnceIt(supervisor, words.cases)).toBe(words.cases);
      await supervisor.locator('table.cases tbody tr').first().waitFor();
      results.push(await violations(supervisor, `${language} cases`));
      await openCase(supervisor, referred.id, referred.reference, words);
      await supervisor.getByRole('form', { name: words.penaltyForm }).waitFor();
      await supervisor.locator('[data-audit]').waitFor();
      results.push(await violations(supervisor, `${language} case`));
      await supervisor.getByRole('link', { name: words.stats }).click();
      await supervisor.locator('#chart-stages-title').waitFor({ state: 'attached' });
      results.push(await violations(supervisor, `${language} statistics`));
      await supervisor.getByRole('link', { name: words.accessLog }).click();
      await supervisor.locator('table.access-log tbody tr').first().waitFor();
      results.push(await violations(supervisor, `${language} access log`));
      await supervisor.goto(`${system.baseUrl}/#/reports`);
      await supervisor.locator('section.report-table').first().waitFor();
      results.push(await violations(supervisor, `${language} reports`));
      await supervisor.goto(`${system.baseUrl}/#/workload`);
      await supervisor.locator('table.workload').waitFor();
      results.push(await violations(supervisor, `${language} workload`));
      await supervisor.context().close();

      const admin = await pageFor('admin', words, { language, phone });
      await admin.goto(`${system.baseUrl}/#/users`);
      await admin.locator('#new-user-name').waitFor();
      results.push(await violations(admin, `${language} users`));
      await admin.context().close();
    }
    expect(results.filter((r) => r.found.length > 0)).toEqual([]);
    expect(results).toHaveLength(48);
  }, 240_000);
});
