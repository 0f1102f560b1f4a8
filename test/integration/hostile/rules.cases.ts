// Hostile requests against the case rules: text that only looks filled in or looks like
// someone else, impossible dates, identifiers that differ only in case or invisible
// characters, a penalty closed as enforced while it is not complied with. RULE_CASES need
// only the suite's shared context (hostile-input.test.ts); HISTORY_RULE_CASES need cases
// with a history of their own and run in hostile-rules.test.ts.
import type { ChildUser } from '../../support/child-system.ts';
import { penaltyBody } from '../../support/fixtures.ts';
import { freshSubmission, type Answer, type HostileCase, type HostileContext } from './hostile-context.ts';

const ZERO_WIDTH = '\u200b\u200c\u200d\u2060\ufeff';
const RLO = '\u202e';

const bad = (name: string, send: HostileCase['send']): HostileCase => ({
  name,
  status: 400,
  code: 'validation_failed',
  send,
});
const submitItem = (h: HostileContext, item: Record<string, unknown>) => {
  const body = freshSubmission();
  return h.request('POST', '/v1/cases?wait=true', {
    as: h.users.clerkA,
    body: { ...body, item: { ...body.item, ...item } },
  });
};
const onReceived = (h: HostileContext, who: keyof HostileContext['users'], path: string, body: unknown) =>
  h.request('POST', `/v1/cases/${h.cases.received}/${path}?wait=true`, { as: h.users[who], body });
const newUser = (h: HostileContext, name: string) =>
  h.request('POST', '/v1/users', { as: h.users.admin, body: { name, roles: ['clerk'] } });

const impossible = (name: string, send: HostileCase['send']): HostileCase => ({
  name,
  status: 422,
  code: 'guard_failed',
  send,
});
const inMinutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

export const RULE_CASES: readonly HostileCase[] = [
  bad('an item URL with user information before a platform host', (h) =>
    submitItem(h, { url: 'https://x@www.facebook.com/groups/hostile/posts/1' }),
  ),
  bad('an item URL with a user name and password', (h) =>
    submitItem(h, { url: 'https://admin:secret@example.vn/tin/1' }),
  ),
  impossible('an item captured in year 0', (h) => submitItem(h, { capturedAt: '0000-01-01T00:00:00Z' })),
  impossible('an item captured in year 9999', (h) => submitItem(h, { capturedAt: '9999-12-31T00:00:00Z' })),
  impossible('an item captured in 1999', (h) => submitItem(h, { capturedAt: '1999-12-31T23:59:59Z' })),
  impossible('a report received ten minutes from now', (h) =>
    h.request('POST', '/v1/cases?wait=true', {
      as: h.users.clerkA,
      body: { ...freshSubmission(), report: { source: 'citizen_tip', receivedAt: inMinutes(10) } },
    }),
  ),
  impossible('a penalty issued in 2030', (h) =>
    h.request('POST', `/v1/cases/${h.cases.referred}/penalty?wait=true`, {
      as: h.users.supervisor2,
      body: { ...penaltyBody({ decisionNo: 'QD-2030' }), issuedAt: '2030-01-01T00:00:00+07:00' },
    }),
  ),
  impossible('an appeal filed in 2030', (h) =>
    h.request('POST', `/v1/cases/${h.cases.appealPending}/appeal?wait=true`, {
      as: h.users.supervisor2,
      body: { filedAt: '2030-01-01T00:00:00Z', grounds: 'Filed from the future.' },
    }),
  ),
  {
    name: 'a withdrawal reason of zero-width characters only',
    status: 422,
    code: 'guard_failed',
    decidedByWorker: true,
    send: (h) => onReceived(h, 'supervisor', 'withdraw', { reason: ZERO_WIDTH }),
  },
  bad('a note of zero-width characters only', (h) => onReceived(h, 'clerkA', 'notes', { text: ZERO_WIDTH })),
  bad('a claim of a Hangul filler and a blank Braille pattern', (h) =>
    h.request('POST', '/v1/cases?wait=true', {
      as: h.users.clerkA,
      body: { ...freshSubmission(), claim: '\u3164\u2800' },
    }),
  ),
  bad('an account handle with a zero-width space', (h) => submitItem(h, { accountHandle: 'sup\u200b1' })),
  bad('an account handle with a right-to-left override', (h) => submitItem(h, { accountHandle: `${RLO}1pus` })),
  bad('an item URL with a right-to-left override', (h) =>
    submitItem(h, { url: `https://www.facebook.com/groups/x/posts/${RLO}1` }),
  ),
  bad('a decision number with a bidirectional isolate', (h) =>
    h.request('POST', `/v1/cases/${h.cases.referred}/penalty?wait=true`, {
      as: h.users.supervisor2,
      body: penaltyBody({ decisionNo: 'QD-\u20661\u2069' }),
    }),
  ),
  bad('a user name with a zero-width space', (h) => newUser(h, 'sup\u200b1')),
  bad('a user name with a left-to-right mark', (h) => newUser(h, 'clerk\u200eA')),
  {
    name: 'a user name that is an existing one in capitals',
    status: 409,
    code: 'name_taken',
    send: (h) => newUser(h, h.users.clerkA.name.toUpperCase()),
  },
  {
    name: 'a user name that is an existing one with Cyrillic look-alikes',
    status: 409,
    code: 'name_taken',
    send: (h) => newUser(h, h.users.clerkA.name.replace(/c/gu, 'с').replace(/e/gu, 'е')),
  },
];

/** The context of the rules that need a case's history. */
export interface HistoryContext {
  users: Record<'clerk' | 'verifier' | 'supervisor' | 'supervisor2', ChildUser>;
  cases: {
    /** Penalty recorded by supervisor (fine above zero, content removal ordered), no appeal. */
    penalised: string;
    /** Verified by verifier, referred by supervisor. */
    referred: string;
  };
  /** The decision number of the penalised case. */
  decisionNo: string;
  /** When the penalised case's penalty was issued. */
  issuedAt: string;
  request: HostileContext['request'];
}

export type HistoryCase = Omit<HostileCase, 'send'> & {
  send(h: HistoryContext): Promise<Answer>;
  /** The field the problem names (errors[].path), when it names one. */
  path?: string;
};

const byWorker = (
  name: string,
  status: number,
  code: HostileCase['code'],
  send: HistoryCase['send'],
  path?: string,
): HistoryCase => ({ name, status, code, decidedByWorker: true, send, ...(path === undefined ? {} : { path }) });

const onReferred = (h: HistoryContext, body: unknown) =>
  h.request('POST', `/v1/cases/${h.cases.referred}/penalty?wait=true`, { as: h.users.supervisor2, body });

const onPenalised = (h: HistoryContext, path: string, body: unknown) =>
  h.request('POST', `/v1/cases/${h.cases.penalised}/${path}?wait=true`, { as: h.users.supervisor, body });

export const HISTORY_RULE_CASES: readonly HistoryCase[] = [
  byWorker(
    'closing as enforced with the content not removed and the fine unpaid',
    422,
    'guard_failed',
    (h) => onPenalised(h, 'close', { compliance: { contentRemoved: false, finePaid: false } }),
    'compliance.contentRemoved',
  ),
  byWorker(
    'a penalty issued before its case was referred',
    422,
    'guard_failed',
    (h) => onReferred(h, { ...penaltyBody({ decisionNo: 'QD-BEFORE-REFERRAL' }), issuedAt: '2026-01-01T00:00:00Z' }),
    'issuedAt',
  ),
  byWorker(
    'an appeal filed before its penalty was issued',
    422,
    'guard_failed',
    (h) =>
      onPenalised(h, 'appeal', {
        filedAt: new Date(Date.parse(h.issuedAt) - 86_400_000).toISOString(),
        grounds: 'Filed the day before the decision.',
      }),
    'filedAt',
  ),
  byWorker('a decision number already used, in lower case', 409, 'duplicate_decision', (h) =>
    onReferred(h, penaltyBody({ decisionNo: h.decisionNo.toLowerCase() })),
  ),
  byWorker('a decision number already used, full-width and spaced out', 409, 'duplicate_decision', (h) =>
    onReferred(
      h,
      penaltyBody({
        decisionNo: ` ${h.decisionNo.replace(/[A-Z]/gu, (c) => String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0))}  `,
      }),
    ),
  ),
];
