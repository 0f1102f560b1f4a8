// Valid request bodies and actors shared by unit and integration tests.
import type { Actor, CommandType } from '../../src/domain/index.ts';

const uuid = (prefix: string, n: number) => `00000000-0000-4000-${prefix}-${String(n).padStart(12, '0')}`;

export const CLERK: Actor = { id: uuid('a000', 1), roles: ['clerk'] };
export const CLERK_2: Actor = { id: uuid('a000', 2), roles: ['clerk'] };
export const VERIFIER: Actor = { id: uuid('b000', 1), roles: ['verifier'] };
export const VERIFIER_2: Actor = { id: uuid('b000', 2), roles: ['verifier'] };
export const SUPERVISOR: Actor = { id: uuid('c000', 1), roles: ['supervisor'] };
export const SUPERVISOR_2: Actor = { id: uuid('c000', 2), roles: ['supervisor'] };
export const ADMIN: Actor = { id: uuid('d000', 1), roles: ['admin'] };
/** Holds every case role and took no part in any fixture case: only the stage rule can refuse it. */
export const ANYONE: Actor = { id: uuid('e000', 1), roles: ['clerk', 'verifier', 'supervisor'] };

export function submitBody(overrides: { url?: string; content?: string; priority?: string } = {}) {
  return {
    item: {
      platform: 'facebook',
      url: overrides.url ?? 'https://www.facebook.com/groups/123/posts/456',
      accountHandle: 'nguyen.van.a',
      accountName: 'Nguyễn Văn A',
      content: overrides.content ?? 'Uống nước chanh nóng chữa khỏi cúm trong 3 ngày',
      contentType: 'text',
      language: 'vi',
      capturedAt: '2026-11-28T16:00:00+07:00',
    },
    report: { source: 'citizen_tip', reporterRef: 'TIP-0042', receivedAt: '2026-11-28T08:45:00Z' },
    claim: 'Hot lemon water cures influenza within three days',
    category: 'health',
    ...(overrides.priority === undefined ? {} : { priority: overrides.priority }),
  };
}

export const AUTHORITY = { code: 'STTTT-HN', name: 'Sở Thông tin và Truyền thông Hà Nội' };

export const EVIDENCE = {
  kind: 'url',
  url: 'https://moh.gov.vn/tin-tuc/khuyen-cao-cum',
  description: 'Ministry of Health advisory on influenza treatment',
};

export const verifyBody = (verdict = 'false', evidence: unknown[] = [EVIDENCE]) => ({
  verdict,
  rationale: 'No clinical evidence; the ministry advisory contradicts the claim.',
  evidence,
});

/**
 * Issued now: a penalty cannot be issued before its case was referred, nor later than the
 * server's clock, so a body made when it is sent fits every case referred before.
 */
export const penaltyBody = (overrides: { decisionNo?: string; legalBasis?: unknown[] } = {}) => ({
  decisionNo: overrides.decisionNo ?? 'QD-2026-0001',
  authority: AUTHORITY,
  issuedAt: new Date().toISOString(),
  legalBasis: overrides.legalBasis ?? [{ instrument: 'Nghị định 15/2020/NĐ-CP', article: '101', clause: '1.a' }],
  subject: { accountHandle: 'nguyen.van.a', name: 'Nguyễn Văn A' },
  fine: { amount: 7_500_000, currency: 'VND' },
  remedies: ['remove_content', 'publish_correction'],
  facts: 'The account posted false health information reaching 12,000 shares.',
});

/**
 * A valid body for every command, as an HTTP client would send it (without expectedVersion).
 * The penalty and the appeal are dated when they are read (see penaltyBody).
 */
export const BODIES: Record<CommandType, unknown> = {
  submit: submitBody(),
  claim: {},
  assign: { verifierId: VERIFIER.id },
  release: {},
  verify: verifyBody(),
  refer: { authority: AUTHORITY, referenceNo: 'CV-2026-77', dueAt: '2026-12-28T00:00:00Z' },
  get 'record-penalty'() {
    return penaltyBody();
  },
  'record-no-violation': { authority: AUTHORITY, note: 'The post is satire, labelled as such.' },
  get 'file-appeal'() {
    return { filedAt: new Date().toISOString(), grounds: 'The fine exceeds the frame for a first offence.' };
  },
  'decide-appeal': { decision: 'upheld', note: 'The fine is within the frame.' },
  close: {
    compliance: { contentRemoved: true, finePaid: true, correctionPublished: true },
    note: 'Fine paid on 2026-12-20.',
  },
  withdraw: { reason: 'Reported in error by the monitoring team.' },
  'add-note': { text: 'Called the reporter for the original screenshot.' },
  'add-evidence': {
    kind: 'archive',
    url: 'https://web.archive.org/web/2026/https://example.vn/a',
    description: 'Archived copy',
  },
  'change-topics': { add: ['COVID-19'], remove: [] },
  // Built by the server from an upload (multipart), never posted as JSON.
  'attach-file': {
    fileId: '00000000-0000-4000-8000-00000000f001',
    sha256: 'a'.repeat(64),
    size: 1024,
    mediaType: 'image/png',
    kind: 'screenshot',
    name: 'screenshot.png',
    description: 'The post before it was deleted',
  },
};
