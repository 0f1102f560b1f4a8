import { createHash } from 'node:crypto';
import type { Outcome, Stage, SubmitPayload } from '../../domain/index.ts';
import {
  AUTHORITIES,
  EVIDENCE_SOURCES,
  LEGAL_BASES,
  NOTES,
  SAMPLE_ITEMS,
  WITHDRAW_REASONS,
  type SampleItem,
} from './demo-content.ts';

// What `casetrail demo` does, decided before anything is sent: every case, the commands
// that take it to its fate, who sends each and what the case looks like after it. Pure
// and deterministic for a run tag, so a plan can be checked without a running system.

export type DemoRole = 'clerk' | 'verifier' | 'supervisor';
export const DEMO_TEAM: Readonly<Record<DemoRole, number>> = { clerk: 3, verifier: 3, supervisor: 3 };

/** Where a demo case ends up; together they cover every stage and every outcome. */
export const DEMO_FATES = {
  received: 8,
  claimed: 5,
  related: 3,
  verified: 8,
  referred: 8,
  penalty_issued: 5,
  appeal_pending: 3,
  dismissed: 15,
  duplicate: 7,
  no_violation: 8,
  penalty_enforced: 14,
  upheld_enforced: 3,
  penalty_overturned: 5,
  withdrawn: 8,
} as const satisfies Record<string, number>;
export type DemoFate = keyof typeof DEMO_FATES;
const FATES = Object.keys(DEMO_FATES) as DemoFate[];
export const MIN_DEMO_CASES = FATES.length;
/** Reports of an item already open: submitted once their originals exist. */
const SECOND_WAVE: ReadonlySet<DemoFate> = new Set(['duplicate', 'related']);
const OPEN_FATES: ReadonlySet<DemoFate> = new Set([
  'received',
  'claimed',
  'verified',
  'referred',
  'penalty_issued',
  'appeal_pending',
]);

type Expectation = { stage: Stage; outcome: Outcome | null };
/** One command: `action` is the path after /v1/cases/{id}/ (empty for the submit). */
export type DemoStep = { action: string; role: DemoRole; member: number; body: unknown; expect: Expectation };
export type DemoCase = { n: number; fate: DemoFate; wave: 1 | 2; steps: DemoStep[] };

export interface DemoPlanInput {
  cases: number;
  /** Makes URLs, decision numbers and references unique to this run. */
  runTag: string;
  now: Date;
}

export function planDemo(input: DemoPlanInput): DemoCase[] {
  if (!Number.isInteger(input.cases) || input.cases < MIN_DEMO_CASES) {
    throw new RangeError(`a demo needs at least ${MIN_DEMO_CASES} cases to cover every stage and outcome`);
  }
  const random = seededRandom(input.runTag);
  const fates = shuffle(allocate(input.cases), random);
  const first: DemoCase[] = [];
  const second: { n: number; fate: DemoFate }[] = [];
  fates.forEach((fate, n) => {
    if (SECOND_WAVE.has(fate)) second.push({ n, fate });
    else first.push(planCase(input, n, fate, random));
  });
  const originals = first.filter((c) => OPEN_FATES.has(c.fate));
  const later = second.map(({ n, fate }, i) => {
    const original = originals[i % originals.length] as DemoCase;
    return fate === 'duplicate' ? duplicateOf(original, n) : relatedTo(input, original, n, random);
  });
  return [...first, ...later];
}

/** Case counts per fate, proportional to DEMO_FATES, at least one each, summing to `cases`. */
function allocate(cases: number): DemoFate[] {
  const total = Object.values(DEMO_FATES).reduce((a, b) => a + b, 0);
  const counts = new Map(FATES.map((f) => [f, Math.max(1, Math.floor((DEMO_FATES[f] * cases) / total))]));
  const byWeight = [...FATES].sort((a, b) => DEMO_FATES[b] - DEMO_FATES[a]);
  for (let i = 0, sum = cases - [...counts.values()].reduce((a, b) => a + b, 0); sum !== 0; i += 1) {
    const fate = byWeight[i % byWeight.length] as DemoFate;
    const count = counts.get(fate) as number;
    if (sum < 0 && count <= 1) continue;
    counts.set(fate, count + Math.sign(sum));
    sum -= Math.sign(sum);
  }
  return FATES.flatMap((f) => Array.from({ length: counts.get(f) as number }, () => f));
}

const open = (stage: Stage): Expectation => ({ stage, outcome: null });
const closed = (outcome: Outcome): Expectation => ({ stage: 'closed', outcome });

function planCase(input: DemoPlanInput, n: number, fate: DemoFate, random: () => number): DemoCase {
  const dismissible = fate === 'dismissed';
  const pool = SAMPLE_ITEMS.filter(
    (item) => (item.finding === 'accurate' || item.finding === 'unverifiable') === dismissible,
  );
  const item = pick(pool, random);
  const member = (role: DemoRole, shift = 0) => (n + shift) % DEMO_TEAM[role];
  const step = (action: string, role: DemoRole, body: unknown, expect: Expectation, shift = 0): DemoStep => ({
    action,
    role,
    member: member(role, shift),
    body,
    expect,
  });
  const daysAgo = (days: number) => new Date(input.now.getTime() - days * 86_400_000).toISOString();
  const steps: DemoStep[] = [step('', 'clerk', submission(input, n, item, random), open('received'))];
  if (fate === 'received') {
    if (random() < 0.5) steps.push(step('notes', 'clerk', { text: pick(NOTES, random) }, open('received')));
    return { n, fate, wave: 1, steps };
  }
  if (fate === 'withdrawn') {
    steps.push(step('withdraw', 'supervisor', { reason: pick(WITHDRAW_REASONS, random) }, closed('withdrawn')));
    return { n, fate, wave: 1, steps };
  }
  steps.push(step('claim', 'verifier', {}, open('received')));
  if (fate === 'claimed') return { n, fate, wave: 1, steps };
  if (fate === 'dismissed') {
    const verdict = item.finding === 'accurate' ? 'accurate' : 'unverifiable';
    const rationale =
      verdict === 'accurate'
        ? 'Confirmed by the official source; the item is accurate.'
        : 'No source could confirm or refute the item.';
    steps.push(step('verify', 'verifier', { verdict, rationale, evidence: [] }, closed('dismissed')));
    return { n, fate, wave: 1, steps };
  }
  const source = pick(EVIDENCE_SOURCES, random);
  const verdict = item.finding === 'misleading' ? 'misleading' : 'false';
  steps.push(
    step(
      'verify',
      'verifier',
      { verdict, rationale: `${source.description}.`, evidence: [{ kind: 'url', ...source }] },
      open('verified'),
    ),
  );
  if (random() < 0.3) {
    steps.push(
      step(
        'evidence',
        'verifier',
        {
          kind: 'archive',
          url: `https://web.archive.org/web/2026/${itemUrl(input, n, item)}`,
          description: 'Archived copy of the item',
        },
        open('verified'),
      ),
    );
  }
  if (fate === 'verified') return { n, fate, wave: 1, steps };
  const authority = pick(AUTHORITIES, random);
  steps.push(
    step(
      'refer',
      'supervisor',
      { authority, referenceNo: `CV-${input.runTag}-${n}`, dueAt: daysAgo(-30) },
      open('referred'),
    ),
  );
  if (fate === 'referred') return { n, fate, wave: 1, steps };
  if (fate === 'no_violation') {
    steps.push(
      step(
        'no-violation',
        'supervisor',
        { authority, note: 'Nội dung mang tính châm biếm, không đủ yếu tố vi phạm.' },
        closed('no_violation'),
      ),
    );
    return { n, fate, wave: 1, steps };
  }
  const issuedDaysAgo = 2 + Math.floor(random() * 8);
  steps.push(
    step(
      'penalty',
      'supervisor',
      {
        decisionNo: `${n + 1}/QĐ-XPHC-${input.runTag}`,
        authority,
        issuedAt: daysAgo(issuedDaysAgo),
        legalBasis: [pick(LEGAL_BASES, random)],
        subject: { accountHandle: item.handle, name: item.accountName },
        fine: { amount: (5 + Math.floor(random() * 26)) * 500_000, currency: 'VND' },
        remedies: random() < 0.5 ? ['remove_content'] : ['remove_content', 'publish_correction'],
        facts: `The account ${item.handle} published: "${item.claim}", found ${verdict} on verification.`,
      },
      open('penalty_issued'),
    ),
  );
  const appeal = {
    filedAt: daysAgo(issuedDaysAgo - 1),
    grounds: 'Người bị xử phạt cho rằng mức phạt vượt khung đối với vi phạm lần đầu.',
  };
  switch (fate) {
    case 'penalty_issued':
      break;
    case 'appeal_pending':
      steps.push(step('appeal', 'supervisor', appeal, open('penalty_issued')));
      break;
    case 'penalty_overturned':
      steps.push(step('appeal', 'supervisor', appeal, open('penalty_issued')));
      steps.push(
        step(
          'appeal-decision',
          'supervisor',
          { decision: 'overturned', note: 'The account was misidentified.' },
          closed('penalty_overturned'),
          1,
        ),
      );
      break;
    case 'upheld_enforced':
      steps.push(step('appeal', 'supervisor', appeal, open('penalty_issued')));
      steps.push(
        step(
          'appeal-decision',
          'supervisor',
          { decision: 'upheld', note: 'The fine is within the legal frame.' },
          open('penalty_issued'),
          1,
        ),
      );
      steps.push(
        step(
          'close',
          'supervisor',
          { compliance: { contentRemoved: true, finePaid: true } },
          closed('penalty_enforced'),
        ),
      );
      break;
    default:
      steps.push(
        step(
          'close',
          'supervisor',
          { compliance: { contentRemoved: true, finePaid: random() < 0.8 }, note: 'Nội dung đã được gỡ bỏ.' },
          closed('penalty_enforced'),
        ),
      );
  }
  return { n, fate, wave: 1, steps };
}

function submission(input: DemoPlanInput, n: number, item: SampleItem, random: () => number): SubmitPayload {
  const capturedDaysAgo = 1 + random() * 29;
  const captured = new Date(input.now.getTime() - capturedDaysAgo * 86_400_000);
  const received = new Date(captured.getTime() + (10 + Math.floor(random() * 600)) * 60_000);
  const priority = random() < 0.1 ? 'urgent' : random() < 0.25 ? 'high' : undefined;
  return {
    item: {
      platform: item.platform,
      url: itemUrl(input, n, item),
      accountHandle: item.handle,
      accountName: item.accountName,
      // A line per case keeps contents apart: equal contents would link the cases as related.
      content: `${item.content}\n(demo ${input.runTag}/${n + 1})`,
      contentType: item.contentType,
      language: item.language,
      capturedAt: captured.toISOString(),
    },
    report: {
      source: pick(['citizen_tip', 'monitoring', 'agency', 'platform'] as const, random),
      reporterRef: `DEMO-${input.runTag}-${n + 1}`,
      receivedAt: received.toISOString(),
    },
    claim: item.claim,
    category: item.category,
    ...(priority === undefined ? {} : { priority }),
  };
}

/** A second report of the same item: the URL as shared, with tracking parameters and a fragment. */
function duplicateOf(original: DemoCase, n: number): DemoCase {
  const first = original.steps[0] as DemoStep;
  const body = first.body as SubmitPayload;
  const url = new URL(body.item.url);
  url.searchParams.append('utm_source', 'zalo');
  url.searchParams.append('fbclid', `IwAR${n}`);
  url.hash = 'comments';
  const submit = {
    ...body,
    item: { ...body.item, url: url.toString() },
    report: { ...body.report, source: 'citizen_tip', reporterRef: `${body.report.reporterRef}-DUP` },
  };
  return {
    n,
    fate: 'duplicate',
    wave: 2,
    steps: [
      {
        action: '',
        role: 'clerk',
        member: (original.n + 1) % DEMO_TEAM.clerk,
        body: submit,
        expect: closed('duplicate'),
      },
    ],
  };
}

/** The same content posted at another URL: another item, linked to the first as related. */
function relatedTo(input: DemoPlanInput, original: DemoCase, n: number, random: () => number): DemoCase {
  const body = (original.steps[0] as DemoStep).body as SubmitPayload;
  const item = SAMPLE_ITEMS.find((s) => s.claim === body.claim) as SampleItem;
  const submit = {
    ...submission(input, n, item, random),
    item: { ...body.item, url: itemUrl(input, n, item), accountHandle: `${item.handle}.reup` },
  };
  return {
    n,
    fate: 'related',
    wave: 2,
    steps: [{ action: '', role: 'clerk', member: n % DEMO_TEAM.clerk, body: submit, expect: open('received') }],
  };
}

function itemUrl(input: DemoPlanInput, n: number, item: SampleItem): string {
  const id = BigInt(`0x${createHash('sha256').update(`${input.runTag}:${n}`).digest('hex').slice(0, 15)}`).toString();
  switch (item.platform) {
    case 'facebook':
      return `https://www.facebook.com/${item.handle}/posts/${id}`;
    case 'tiktok':
      return `https://www.tiktok.com/@${item.handle}/video/${id}`;
    case 'zalo':
      return `https://zalo.me/g/${item.handle.replace(/\./g, '')}/${id}`;
    case 'youtube':
      return `https://www.youtube.com/watch?v=${Buffer.from(id).toString('base64url').slice(0, 11)}`;
    case 'x':
      return `https://x.com/${item.handle}/status/${id}`;
    default:
      return `https://${item.handle}/tin-tuc/${id}.html`;
  }
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)] as T;
}

function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

/** mulberry32, seeded from the run tag. */
function seededRandom(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
