import { randomUUID } from 'node:crypto';
import { COMMANDS, type Actor, type CommandType } from '../domain/index.ts';

export const BENCH_ACTORS = {
  clerk: { id: randomUUID(), roles: ['clerk'] },
  verifier: { id: randomUUID(), roles: ['verifier'] },
  supervisor: { id: randomUUID(), roles: ['supervisor'] },
} satisfies Record<string, Actor>;

const AUTHORITY = { code: 'STTTT-HN', name: 'Sở Thông tin và Truyền thông Hà Nội' };

export function submitRequest(n: number) {
  return {
    item: {
      platform: 'facebook',
      url: `https://www.facebook.com/groups/bench/posts/${n}-${randomUUID()}`,
      accountHandle: 'nguyen.van.a',
      accountName: 'Nguyễn Văn A',
      content: `Tin đồn số ${n} ${randomUUID()}`,
      contentType: 'text',
      language: 'vi',
      capturedAt: '2026-11-28T09:30:00Z',
    },
    report: { source: 'monitoring' },
    claim: 'Hot lemon water cures influenza within three days',
    category: 'health',
  };
}

/** The six commands of the pipeline scenario: submit → claim → verify → refer → penalty → close. */
export const PIPELINE_STEPS: { type: CommandType; actor: Actor; body: (n: number) => unknown }[] = [
  { type: 'submit', actor: BENCH_ACTORS.clerk, body: submitRequest },
  { type: 'claim', actor: BENCH_ACTORS.verifier, body: () => ({}) },
  {
    type: 'verify',
    actor: BENCH_ACTORS.verifier,
    body: () => ({
      verdict: 'false',
      rationale: 'Contradicted by the ministry advisory.',
      evidence: [{ kind: 'url', url: 'https://moh.gov.vn/', description: 'Ministry advisory' }],
    }),
  },
  { type: 'refer', actor: BENCH_ACTORS.supervisor, body: () => ({ authority: AUTHORITY }) },
  {
    type: 'record-penalty',
    actor: BENCH_ACTORS.supervisor,
    body: (n) => ({
      decisionNo: `QD-BENCH-${n}-${randomUUID()}`,
      authority: AUTHORITY,
      // Issued as it is recorded: never before the referral, never ahead of the clock.
      issuedAt: new Date().toISOString(),
      legalBasis: [{ instrument: 'Nghị định 15/2020/NĐ-CP', article: '101' }],
      subject: { accountHandle: 'nguyen.van.a' },
      fine: { amount: 7_500_000, currency: 'VND' },
      remedies: ['remove_content'],
      facts: 'False health claim.',
    }),
  },
  {
    type: 'close',
    actor: BENCH_ACTORS.supervisor,
    body: () => ({ compliance: { contentRemoved: true, finePaid: true } }),
  },
];

export function parsedPayload(type: CommandType, body: unknown): unknown {
  return COMMANDS[type].payload.parse(body);
}
