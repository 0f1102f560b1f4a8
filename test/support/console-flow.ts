// The console's words in each language (what a user reads, exactly) and the steps of a
// case's life as a user clicks through them. The tests assert on these words, so a missing
// translation or a label without its control fails them.
import type { Locator, Page } from 'playwright-core';

export type Words = {
  languageLabel: string;
  signIn: string;
  token: string;
  newReport: string;
  myCases: string;
  reportForm: string;
  platform: string;
  url: string;
  content: string;
  capturedAt: string;
  source: string;
  claim: string;
  category: string;
  submitReport: string;
  urlError: string;
  received: string;
  worklist: string;
  claim_: string;
  verifyForm: string;
  verdict: string;
  rationale: string;
  evidenceKind: string;
  evidenceUrl: string;
  evidenceDescription: string;
  recordVerdict: string;
  verified: string;
  cases: string;
  search: string;
  apply: string;
  referForm: string;
  authorityCode: string;
  authorityName: string;
  refer: string;
  referred: string;
  penaltyForm: string;
  decisionNo: string;
  instrument: string;
  article: string;
  fine: string;
  removeContent: string;
  facts: string;
  recordPenalty: string;
  penaltyIssued: string;
  fineShown: string;
  closeForm: string;
  contentRemoved: string;
  finePaid: string;
  closeCase: string;
  closed: string;
  penaltyEnforced: string;
  auditVerified: string;
  eventTypes: string[];
  notFoundTitle: string;
  notFound: string;
  stats: string;
  accessLog: string;
  caseHeading: (reference: string) => string;
  /** How a date and time reads: day first, the user's zone named when the device runs in another. */
  timeShape: RegExp;
};

export const EN: Words = {
  languageLabel: 'Language',
  signIn: 'Sign in',
  token: 'API token',
  newReport: 'New report',
  myCases: 'My cases',
  reportForm: 'Report',
  platform: 'Platform',
  url: 'Address (URL) of the item',
  content: 'Content of the item',
  capturedAt: 'Captured at',
  source: 'Source of the report',
  claim: 'What the item asserts that is said to be false',
  category: 'Category',
  submitReport: 'Submit report',
  urlError: 'A full web address starting with http:// or https://.',
  received: 'Received',
  worklist: 'Verification worklist',
  claim_: 'Claim',
  verifyForm: 'Record the verdict',
  verdict: 'Verdict',
  rationale: 'Rationale',
  evidenceKind: 'Kind',
  evidenceUrl: 'Address (URL)',
  evidenceDescription: 'Description',
  recordVerdict: 'Record verdict',
  verified: 'Verified',
  cases: 'Cases',
  search: 'Search',
  apply: 'Apply',
  referForm: 'Refer to the competent authority',
  authorityCode: 'Authority code',
  authorityName: 'Authority name',
  refer: 'Refer',
  referred: 'Referred',
  penaltyForm: 'Record the penalty decision',
  decisionNo: 'Decision number',
  instrument: 'Legal instrument',
  article: 'Article',
  fine: 'Fine (VND)',
  removeContent: 'Remove the content',
  facts: 'Facts',
  recordPenalty: 'Record penalty',
  penaltyIssued: 'Penalty issued',
  fineShown: '₫7,500,000',
  closeForm: 'Close the case',
  contentRemoved: 'The content was removed',
  finePaid: 'The fine was paid',
  closeCase: 'Close case',
  closed: 'Closed',
  penaltyEnforced: 'Penalty enforced',
  auditVerified: '✓ verified',
  eventTypes: ['Received', 'Claimed', 'Verified', 'Referred', 'Penalty issued', 'Closed'],
  notFoundTitle: 'Case not found',
  notFound: 'This case does not exist, or you may not see it.',
  stats: 'Statistics',
  accessLog: 'Access log',
  caseHeading: (reference) => `Case ${reference}`,
  timeShape: /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} GMT\+7$/u,
};

export const VI: Words = {
  languageLabel: 'Ngôn ngữ',
  signIn: 'Đăng nhập',
  token: 'Mã truy cập API',
  newReport: 'Tin báo mới',
  myCases: 'Hồ sơ của tôi',
  reportForm: 'Tin báo',
  platform: 'Nền tảng',
  url: 'Địa chỉ (URL) của nội dung',
  content: 'Nội dung',
  capturedAt: 'Thời điểm ghi nhận',
  source: 'Nguồn tin báo',
  claim: 'Nội dung khẳng định bị cho là sai sự thật',
  category: 'Lĩnh vực',
  submitReport: 'Gửi tin báo',
  urlError: 'Địa chỉ web đầy đủ, bắt đầu bằng http:// hoặc https://.',
  received: 'Đã tiếp nhận',
  worklist: 'Danh sách cần xác minh',
  claim_: 'Nhận',
  verifyForm: 'Ghi nhận kết luận xác minh',
  verdict: 'Kết luận',
  rationale: 'Lập luận',
  evidenceKind: 'Loại',
  evidenceUrl: 'Địa chỉ (URL)',
  evidenceDescription: 'Mô tả',
  recordVerdict: 'Ghi nhận kết luận',
  verified: 'Đã xác minh',
  cases: 'Hồ sơ',
  search: 'Tìm kiếm',
  apply: 'Lọc',
  referForm: 'Chuyển cơ quan có thẩm quyền',
  authorityCode: 'Mã cơ quan',
  authorityName: 'Tên cơ quan',
  refer: 'Chuyển hồ sơ',
  referred: 'Đã chuyển cơ quan chức năng',
  penaltyForm: 'Ghi nhận quyết định xử phạt',
  decisionNo: 'Số quyết định',
  instrument: 'Văn bản pháp luật',
  article: 'Điều',
  fine: 'Số tiền phạt (VND)',
  removeContent: 'Gỡ bỏ nội dung',
  facts: 'Hành vi vi phạm',
  recordPenalty: 'Ghi nhận xử phạt',
  penaltyIssued: 'Đã ra quyết định xử phạt',
  fineShown: '7.500.000\u00a0₫',
  closeForm: 'Đóng hồ sơ',
  contentRemoved: 'Nội dung đã được gỡ bỏ',
  finePaid: 'Tiền phạt đã được nộp',
  closeCase: 'Đóng hồ sơ',
  closed: 'Đã đóng',
  penaltyEnforced: 'Đã thi hành xử phạt',
  auditVerified: '✓ đã kiểm chứng',
  eventTypes: [
    'Tiếp nhận',
    'Nhận xác minh',
    'Xác minh',
    'Chuyển cơ quan chức năng',
    'Ra quyết định xử phạt',
    'Đóng hồ sơ',
  ],
  notFoundTitle: 'Không tìm thấy hồ sơ',
  notFound: 'Hồ sơ không tồn tại hoặc bạn không có quyền xem.',
  stats: 'Thống kê',
  accessLog: 'Nhật ký truy cập',
  caseHeading: (reference) => `Hồ sơ ${reference}`,
  timeShape: /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} GMT\+7$/u,
};

const CASE_URL = /#\/cases\/([0-9a-f-]{36})$/u;

const heading = (page: Page) => page.locator('main h1');

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');

/** The control labelled exactly so (a required field's label ends with a visual "*"). */
export function field(scope: Page | Locator, label: string): Locator {
  return scope.getByLabel(new RegExp(`^${escapeRegExp(label)}(\\s*\\*)?$`, 'u'));
}

/**
 * The page's heading once it reads `expected` (pages show a loading heading first), or
 * whatever it reads after the bound: the caller's assertion then shows the difference.
 */
export async function headingOnceIt(page: Page, expected: string): Promise<string> {
  await page
    .locator('main h1', { hasText: new RegExp(`^${escapeRegExp(expected)}$`, 'u') })
    .waitFor({ timeout: 30_000 })
    .catch(() => undefined);
  return textOf(heading(page));
}

/** Exact text of a locator once it shows, so assertions compare whole strings. */
export async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  return (await locator.first().innerText()).trim();
}

export async function signIn(page: Page, baseUrl: string, token: string, words: Words): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel(words.token).fill(token);
  await page.getByRole('button', { name: words.signIn }).click();
  await page.locator('ct-sign-in').waitFor({ state: 'detached' });
}

export async function switchLanguage(page: Page, from: Words, to: 'vi' | 'en'): Promise<void> {
  await page.getByLabel(from.languageLabel).selectOption(to);
}

/** Fills the report form; the content is the claim's, so that reports never share content (that links cases). */
export async function fillReport(page: Page, words: Words, report: { url: string; claim: string }): Promise<Locator> {
  await page.getByRole('link', { name: words.newReport }).click();
  const form = page.getByRole('form', { name: words.reportForm });
  await field(form, words.platform).selectOption('facebook');
  await field(form, words.url).fill(report.url);
  await field(form, words.content).fill(`Uống nước chanh nóng chữa khỏi cúm trong 3 ngày. ${report.claim}`);
  await field(form, words.source).selectOption('citizen_tip');
  await field(form, words.claim).fill(report.claim);
  await field(form, words.category).selectOption('health');
  return form;
}

/** Submits the filled report and waits for its case page: the case id and reference. */
export async function submitReport(
  page: Page,
  form: Locator,
  words: Words,
): Promise<{ caseId: string; reference: string }> {
  await form.getByRole('button', { name: words.submitReport }).click();
  await page.waitForURL(CASE_URL, { timeout: 60_000 });
  await page.locator('main h1', { hasText: /CT-\d{4}-\d{6}/u }).waitFor();
  const title = await textOf(heading(page));
  const reference = /CT-\d{4}-\d{6}/u.exec(title)?.[0] ?? '';
  return { caseId: CASE_URL.exec(page.url())?.[1] ?? '', reference };
}

/**
 * Waits until the case page shows this stage (commands answer once a worker applied them).
 * On timeout the error names what the page says instead: its problem and field errors.
 */
export async function waitForStage(page: Page, stage: string): Promise<void> {
  try {
    await page.locator('.badge[class*="badge--stage-"]', { hasText: stage }).first().waitFor({ timeout: 60_000 });
  } catch (error) {
    const shown = await page.locator('.problem, .field-error').allInnerTexts();
    throw new Error(`stage "${stage}" not shown; the page says: ${JSON.stringify(shown)}`, { cause: error });
  }
}
