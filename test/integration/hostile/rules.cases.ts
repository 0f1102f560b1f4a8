// Hostile requests against the case rules: text that only looks filled in or looks like
// someone else, impossible dates, identifiers that differ only in case or invisible
// characters, a penalty closed as enforced while it is not complied with. RULE_CASES need
// only the suite's shared context (hostile-input.test.ts); HISTORY_RULE_CASES need cases
// with a history of their own and run in hostile-rules.test.ts.
import type { ChildUser } from '../../support/child-system.ts';
import { penaltyBody } from '../../support/fixtures.ts';
import type { Answer, HostileCase, HostileContext } from './hostile-context.ts';

export const RULE_CASES: readonly HostileCase[] = [];

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

export type HistoryCase = Omit<HostileCase, 'send'> & { send(h: HistoryContext): Promise<Answer> };

const byWorker = (name: string, status: number, code: HostileCase['code'], send: HistoryCase['send']): HistoryCase => ({
  name,
  status,
  code,
  decidedByWorker: true,
  send,
});

const onReferred = (h: HistoryContext, body: unknown) =>
  h.request('POST', `/v1/cases/${h.cases.referred}/penalty?wait=true`, { as: h.users.supervisor2, body });

const onPenalised = (h: HistoryContext, path: string, body: unknown) =>
  h.request('POST', `/v1/cases/${h.cases.penalised}/${path}?wait=true`, { as: h.users.supervisor, body });

export const HISTORY_RULE_CASES: readonly HistoryCase[] = [
  byWorker('closing as enforced with the content not removed and the fine unpaid', 422, 'guard_failed', (h) =>
    onPenalised(h, 'close', { compliance: { contentRemoved: false, finePaid: false } }),
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
