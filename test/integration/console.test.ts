// The console in a real browser (Debian's chromium through playwright-core) against the whole
// system: API, relay and workers. Each user has their own browser context. Screenshots of the
// main pages are taken on every run; with CASETRAIL_UPDATE_SCREENSHOTS=1 they replace those
// of docs/screenshots (docs/console.md), otherwise they go to a temporary folder, so a test
// run leaves the working tree as it was.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openLocalStore } from '../../src/infra/files/local-store.ts';
import { hasChromium, launchChromium, newUserContext, screenshot } from '../support/browser.ts';
import {
  EN,
  VI,
  field,
  fillReport,
  headingOnceIt,
  signIn,
  submitReport,
  switchLanguage,
  textOf,
  waitForStage,
  type Words,
} from '../support/console-flow.ts';
import { seedCases } from '../support/console-seed.ts';
import { png } from '../support/file-samples.ts';
import { submitBody } from '../support/fixtures.ts';
import { startSystem, type System } from '../support/system.ts';

const SHOTS =
  process.env.CASETRAIL_UPDATE_SCREENSHOTS === '1'
    ? 'docs/screenshots'
    : mkdtempSync(path.join(tmpdir(), 'casetrail-screenshots-'));

if (!hasChromium)
  console.warn(
    'console.test.ts: skipped, /usr/bin/chromium is missing (apt-get install chromium; .ci/run installs it)',
  );

describe.skipIf(!hasChromium)('the console, in a browser, on the running system', () => {
  let system: System;
  let browser: Browser;
  let filesRoot: string;
  const token: Record<string, string> = {};

  beforeAll(async () => {
    // npm test builds the console first; a run of this file alone builds it when stale.
    execFileSync(process.execPath, ['scripts/build-console.mjs', '--if-stale'], { stdio: 'inherit', timeout: 120_000 });
    filesRoot = await mkdtemp(join(tmpdir(), 'casetrail-console-files-'));
    system = await startSystem({
      backend: 'redis',
      files: { store: await openLocalStore(filesRoot), maxBytes: 50 * 1024 * 1024 },
    });
    browser = await launchChromium();
    const people: [string, string, string[]][] = [
      ['clerk', 'lan.nguyen', ['clerk']],
      ['clerk2', 'minh.tran', ['clerk']],
      ['verifier', 'hung.le', ['verifier']],
      ['supervisor', 'mai.pham', ['supervisor']],
    ];
    for (const [key, name, roles] of people)
      token[key] = (await system.createUser(`${name}-${randomUUID().slice(0, 6)}`, roles)).token;
    await seedCases(system.baseUrl, {
      clerk: token.clerk2 ?? '',
      verifier: token.verifier ?? '',
      supervisor: token.supervisor ?? '',
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    if (filesRoot !== undefined) await rm(filesRoot, { recursive: true, force: true });
  });

  async function pageFor(who: string, words: Words, options: { locale?: string; language?: 'vi' } = {}): Promise<Page> {
    const context = await newUserContext(browser, { locale: options.locale ?? 'en-GB' });
    const page = await context.newPage();
    if (options.language === 'vi') {
      await page.goto(`${system.baseUrl}/`);
      await switchLanguage(page, EN, 'vi');
    }
    await signIn(page, system.baseUrl, token[who] ?? '', words);
    return page;
  }

  /** Clerk submits, verifier claims and verifies, supervisor refers, records a penalty and closes. */
  async function caseLife(words: Words, options: { language?: 'vi' } = {}) {
    const prefix = options.language ?? 'en';
    const url = `https://www.facebook.com/groups/123/posts/${randomUUID()}`;
    const claim = `Hot lemon water cures influenza within three days (${prefix})`;

    const clerk = await pageFor('clerk', words, options);
    const form = await fillReport(clerk, words, { url: 'ftp://example.com/post/1', claim });
    await form.getByRole('button', { name: words.submitReport }).click();
    const urlField = field(form, words.url);
    expect(await textOf(form.locator('#submit-item-url-error'))).toBe(words.urlError);
    expect(await urlField.getAttribute('aria-invalid')).toBe('true');
    expect(await urlField.getAttribute('aria-describedby')).toContain('submit-item-url-error');
    await screenshot(clerk, `${SHOTS}/${prefix}-clerk-validation-error.png`);
    await urlField.fill(url);
    const { caseId, reference } = await submitReport(clerk, form, words);
    expect(reference).toMatch(/^CT-\d{4}-\d{6}$/u);
    expect(await headingOnceIt(clerk, words.caseHeading(reference))).toBe(words.caseHeading(reference));
    await waitForStage(clerk, words.received);
    await clerk.getByRole('link', { name: words.myCases }).click();
    const row = clerk.locator('tr', { hasText: reference });
    expect(await textOf(row.locator('td').nth(1))).toBe(words.received);
    await screenshot(clerk, `${SHOTS}/${prefix}-clerk-my-cases.png`);

    const verifier = await pageFor('verifier', words, options);
    expect(await headingOnceIt(verifier, words.worklist)).toBe(words.worklist);
    await screenshot(verifier, `${SHOTS}/${prefix}-verifier-worklist.png`);
    await verifier.getByRole('button', { name: `${words.claim_} ${reference}` }).click();
    await verifier.waitForURL(new RegExp(`#/cases/${caseId}$`, 'u'));
    const verify = verifier.getByRole('form', { name: words.verifyForm });
    await field(verify, words.verdict).selectOption('false');
    await field(verify, words.rationale).fill('The Ministry of Health advisory contradicts the claim.');
    await field(verify, words.evidenceUrl).fill('https://moh.gov.vn/tin-tuc/khuyen-cao-cum');
    await field(verify, words.evidenceDescription).fill('Ministry of Health advisory on influenza');
    await screenshot(verifier, `${SHOTS}/${prefix}-verifier-case.png`);
    await verify.getByRole('button', { name: words.recordVerdict }).click();
    await waitForStage(verifier, words.verified);

    const supervisor = await pageFor('supervisor', words, options);
    expect(await headingOnceIt(supervisor, words.cases)).toBe(words.cases);
    await field(supervisor, words.search).fill(reference);
    await supervisor.getByRole('button', { name: words.apply }).click();
    await supervisor.getByRole('link', { name: reference }).click();
    await waitForStage(supervisor, words.verified);
    const refer = supervisor.getByRole('form', { name: words.referForm });
    await field(refer, words.authorityCode).fill('STTTT-HN');
    await field(refer, words.authorityName).fill('Sở Thông tin và Truyền thông Hà Nội');
    await refer.getByRole('button', { name: words.refer, exact: true }).click();
    await waitForStage(supervisor, words.referred);

    const penalty = supervisor.getByRole('form', { name: words.penaltyForm });
    await field(penalty, words.decisionNo).fill(`QD-${randomUUID().slice(0, 8)}`);
    await field(penalty, words.instrument).fill('Nghị định 15/2020/NĐ-CP');
    await field(penalty, words.article).fill('101');
    await field(penalty, words.fine).fill(prefix === 'vi' ? '7.500.000' : '7,500,000');
    await field(penalty, words.removeContent).check();
    await field(penalty, words.facts).fill('False health claim shared 12,000 times.');
    await penalty.getByRole('button', { name: words.recordPenalty }).click();
    await waitForStage(supervisor, words.penaltyIssued);
    expect(await textOf(supervisor.locator('.money'))).toBe(words.fineShown);

    const close = supervisor.getByRole('form', { name: words.closeForm });
    await field(close, words.contentRemoved).check();
    await field(close, words.finePaid).check();
    await close.getByRole('button', { name: words.closeCase }).click();
    await waitForStage(supervisor, words.closed);
    expect(await textOf(supervisor.locator('.badge--outcome'))).toBe(words.penaltyEnforced);

    await supervisor.locator('.event').nth(5).waitFor();
    expect(await supervisor.locator('.event .event-type').allInnerTexts()).toEqual(words.eventTypes);
    expect(await textOf(supervisor.locator('[data-audit]'))).toBe(words.auditVerified);
    // The browser runs in UTC: times read in Asia/Ho_Chi_Minh unless the user picks another zone.
    expect(await supervisor.locator('.event time').allInnerTexts()).toEqual(
      Array(6).fill(expect.stringMatching(words.timeShape)),
    );
    await screenshot(supervisor, `${SHOTS}/${prefix}-supervisor-case.png`);
    return { caseId, reference, clerk, supervisor };
  }

  it('takes a case from report to closed penalty, with every event and a verified hash chain', async () => {
    const { caseId, reference, supervisor } = await caseLife(EN);

    const download = supervisor.waitForEvent('download');
    await field(supervisor, 'Purpose of the export').fill('Court request 17');
    await supervisor.getByRole('button', { name: 'Export the case bundle' }).click();
    const bundle = await download;
    expect(bundle.suggestedFilename()).toBe(`${reference}.casetrail-bundle.json`);
    const exported = JSON.parse(await readFile(await bundle.path(), 'utf8')) as {
      format: string;
      case: { id: string };
    };
    expect([exported.format, exported.case.id]).toEqual(['casetrail-bundle/2', caseId]);

    await supervisor.locator('.event').nth(2).getByRole('link', { name: 'See the case as of this event' }).click();
    await supervisor.locator('.as-of-banner').waitFor();
    await waitForStage(supervisor, EN.verified);
    expect(await supervisor.locator('.event--after').count()).toBe(3);
    await screenshot(supervisor, `${SHOTS}/en-supervisor-time-travel.png`);

    await supervisor.getByRole('link', { name: EN.stats }).click();
    await supervisor.locator('#chart-stages-title').waitFor({ state: 'attached' });
    await screenshot(supervisor, `${SHOTS}/en-supervisor-stats.png`);
    await supervisor.getByRole('link', { name: EN.accessLog }).click();
    await supervisor.locator('table.access-log tbody tr').first().waitFor();
    await screenshot(supervisor, `${SHOTS}/en-supervisor-access-log.png`);
  }, 240_000);

  it('reads in Vietnamese once the language is switched, amounts and times included', async () => {
    await caseLife(VI, { language: 'vi' });
  }, 240_000);

  it('opens in Vietnamese for a browser that prefers it, and works at phone width', async () => {
    const context = await newUserContext(browser, { locale: 'vi-VN', phone: true });
    const page = await context.newPage();
    await page.goto(`${system.baseUrl}/`);
    expect(await headingOnceIt(page, VI.signIn)).toBe(VI.signIn);
    await signIn(page, system.baseUrl, token.supervisor ?? '', VI);
    expect(await headingOnceIt(page, VI.cases)).toBe(VI.cases);
    await page.locator('table.cases tbody tr').first().waitFor();
    await screenshot(page, `${SHOTS}/vi-phone-cases.png`);
  }, 120_000);

  it('labels every form control and lets the keyboard skip straight to the content', async () => {
    const unlabelled = (page: Page) =>
      page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
        .filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
        .map((e) => e.name || e.id)`);
    const clerk = await pageFor('clerk', EN);
    await clerk.getByRole('link', { name: EN.newReport }).click();
    await clerk.getByRole('form', { name: EN.reportForm }).waitFor();
    expect(await unlabelled(clerk)).toEqual([]);
    await clerk.reload();
    await clerk.getByRole('form', { name: EN.reportForm }).waitFor();
    await clerk.keyboard.press('Tab');
    expect(await clerk.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await clerk.keyboard.press('Enter');
    expect(await clerk.evaluate('document.activeElement.id')).toBe('main');

    const supervisor = await pageFor('supervisor', EN);
    await field(supervisor, EN.search).fill('measles');
    await field(supervisor, EN.search).press('Enter');
    await supervisor.getByRole('link', { name: /^CT-/u }).first().click();
    await supervisor.getByRole('form', { name: EN.penaltyForm }).waitFor();
    expect(await unlabelled(supervisor)).toEqual([]);
  }, 120_000);

  it('lets a verifier drop a screenshot on the case page and shows its thumbnail in the gallery and on the timeline', async () => {
    const api = async (who: string, path: string, body: unknown) => {
      const response = await fetch(`${system.baseUrl}${path}?wait=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token[who]}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, path).toBeLessThan(300);
      return (await response.json()) as { id: string };
    };
    const { id: caseId } = await api(
      'clerk',
      '/v1/cases',
      submitBody({
        url: `https://www.facebook.com/groups/9/posts/${randomUUID()}`,
        content: `Screenshot case ${randomUUID()}`,
      }),
    );
    await api('verifier', `/v1/cases/${caseId}/claim`, {});

    const verifier = await pageFor('verifier', EN);
    await verifier.goto(`${system.baseUrl}/#/cases/${caseId}`);
    const upload = verifier.getByRole('form', { name: 'Upload' });
    await upload.waitFor();
    const picture = (await png(77, 400)).toString('base64');
    // Drag and drop, as a user does it: a drop event carrying the file.
    await verifier.evaluate(`(() => {
      const bytes = Uint8Array.from(atob('${picture}'), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'bài đăng.png', { type: 'image/png' }));
      document.querySelector('.dropzone')
        .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    })()`);
    expect(await textOf(upload.locator('[data-chosen]'))).toBe('bài đăng.png');
    await field(upload, 'Kind').selectOption('screenshot');
    await upload.getByRole('button', { name: 'Upload' }).click();

    const attached = verifier.locator('.event', { hasText: 'File attached' });
    await attached.locator('img.thumbnail').waitFor({ timeout: 30_000 });
    expect(await attached.locator('.event-what').innerText()).toMatch(/^Screenshot · image\/png · \d+(\.\d)? KiB$/u);
    const gallery = verifier.locator('.gallery .file');
    await gallery.locator('img.thumbnail').waitFor();
    expect(await textOf(gallery.locator('.file-name'))).toBe('bài đăng.png');
    // The thumbnails are real pictures, decoded by the browser: 320 pixels wide, from 400.
    const widths = `[...document.querySelectorAll('img.thumbnail')].map((image) => image.complete ? image.naturalWidth : 0)`;
    await vi.waitFor(async () => expect(await verifier.evaluate(widths)).toEqual([320, 320]), {
      timeout: 15_000,
      interval: 100,
    });
    await screenshot(verifier, `${SHOTS}/en-verifier-files.png`);
  }, 120_000);

  it("never shows a clerk another clerk's case: the page says not found, as for an unknown id", async () => {
    const clerk = await pageFor('clerk', EN);
    const form = await fillReport(clerk, EN, {
      url: `https://www.tiktok.com/@someone/video/${Date.now()}`,
      claim: 'Private claim of clerk one',
    });
    const { caseId } = await submitReport(clerk, form, EN);

    const other = await pageFor('clerk2', EN);
    expect(await headingOnceIt(other, EN.myCases)).toBe(EN.myCases);
    await other.goto(`${system.baseUrl}/#/cases/${caseId}`);
    expect(await headingOnceIt(other, EN.notFoundTitle)).toBe(EN.notFoundTitle);
    expect(await textOf(other.locator('[data-problem="not_found"]'))).toBe(EN.notFound);
    expect(await other.getByText('Private claim of clerk one').count()).toBe(0);
    await other.goto(`${system.baseUrl}/#/cases/${randomUUID()}`);
    expect(await headingOnceIt(other, EN.notFoundTitle)).toBe(EN.notFoundTitle);
  }, 120_000);
});
