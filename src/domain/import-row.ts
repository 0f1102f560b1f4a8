import type { z } from 'zod';
import { parseBusinessDate } from './import-dates.ts';
import {
  decideAppealSchema,
  fileAppealSchema,
  recordNoViolationSchema,
  recordPenaltySchema,
  referSchema,
  submitSchema,
  verifySchema,
  withdrawSchema,
  type RecordPenaltyPayload,
  type ReferPayload,
  type SubmitPayload,
} from './schemas.ts';
import type { AppealDecision, Outcome, Verdict } from './stages.ts';
import { OUTCOMES, isDismissingVerdict } from './stages.ts';

// One row of an import file: a past case as a unit's spreadsheet records it, with the
// business dates of each step. The columns below are the template (docs/design.md §15).

export const IMPORT_COLUMNS = [
  { name: 'received_at', required: true, help: 'when the report was received: dd/mm/yyyy [hh:mm] or ISO 8601' },
  { name: 'platform', required: true, help: 'facebook, tiktok, zalo, youtube, x, website or other' },
  { name: 'url', required: true, help: 'address of the item (http or https)' },
  { name: 'content', required: true, help: 'text of the item' },
  { name: 'claim', required: true, help: 'what the item asserts that is said to be false' },
  {
    name: 'category',
    required: true,
    help: 'health, safety, disaster, economy, scam, defamation, public_order or other',
  },
  { name: 'account_handle', required: false, help: 'account that posted it' },
  { name: 'account_name', required: false, help: 'display name of that account' },
  { name: 'language', required: false, help: 'language of the content, e.g. vi' },
  { name: 'source', required: false, help: 'citizen_tip, monitoring, agency or platform (default monitoring)' },
  { name: 'priority', required: false, help: 'low, normal, high or urgent (default normal)' },
  { name: 'verified_at', required: false, help: 'when the verdict was reached' },
  { name: 'verdict', required: false, help: 'false, misleading, accurate or unverifiable' },
  { name: 'rationale', required: false, help: 'why' },
  { name: 'evidence_url', required: false, help: 'sources, separated by spaces' },
  { name: 'referred_at', required: false, help: 'when the case was referred' },
  { name: 'authority_code', required: false, help: 'code of the authority referred to, e.g. STTTT-LD' },
  { name: 'authority_name', required: false, help: 'name of that authority' },
  { name: 'decided_at', required: false, help: 'when the authority decided (penalty or no violation)' },
  { name: 'decision_no', required: false, help: 'number of the penalty decision (empty: no violation)' },
  { name: 'legal_basis', required: false, help: 'instrument|article|clause, several separated by ;' },
  { name: 'fine_vnd', required: false, help: 'fine in VND (digits; dots and commas are ignored)' },
  {
    name: 'remedies',
    required: false,
    help: 'remove_content, publish_correction, suspend_account, other; comma separated',
  },
  { name: 'subject', required: false, help: 'the account or person penalised' },
  { name: 'facts', required: false, help: 'facts stated by the decision (default: the claim)' },
  { name: 'appeal_filed_at', required: false, help: 'when an appeal was filed' },
  { name: 'appeal_grounds', required: false, help: 'grounds of the appeal' },
  { name: 'appeal_decision', required: false, help: 'upheld or overturned' },
  { name: 'appeal_decided_at', required: false, help: 'when the appeal was decided' },
  { name: 'closed_at', required: false, help: 'when the case was closed' },
  {
    name: 'outcome',
    required: false,
    help: 'dismissed, no_violation, penalty_enforced, penalty_overturned or withdrawn',
  },
  { name: 'note', required: false, help: 'closing note, or the reason of a withdrawal' },
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number]['name'];

/** A problem of one cell (or of the row, column null), as the rejects file lists it. */
export type RowProblem = { column: ImportColumn | null; reason: string };

/** What an imported row records: each step's body as its command would carry it, and when. */
export type ImportedCase = {
  submit: SubmitPayload & { report: { receivedAt: string } };
  verify?: {
    at: string;
    verdict: Verdict;
    rationale: string;
    evidence: { kind: 'url'; url: string; description: string }[];
  };
  refer?: { at: string; body: ReferPayload };
  penalty?: { at: string; body: RecordPenaltyPayload };
  noViolation?: { at: string; authority: { code: string; name: string }; note: string };
  appeal?: { at: string; grounds: string; decision?: { at: string; decision: AppealDecision; note: string } };
  close?: { at: string; outcome: Outcome; note?: string };
};

type Cells = Partial<Record<ImportColumn, string>>;

const list = (value: string | undefined, separator: RegExp) =>
  (value ?? '')
    .split(separator)
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** Maps a problem of a command body (its zod path) back to the column it came from. */
function fromIssues(error: z.ZodError, columns: Record<string, ImportColumn>, fallback: ImportColumn): RowProblem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const column = columns[path] ?? columns[String(issue.path[0])] ?? fallback;
    return { column, reason: issue.message };
  });
}

const SUBMIT_COLUMNS: Record<string, ImportColumn> = {
  'item.platform': 'platform',
  'item.url': 'url',
  'item.accountHandle': 'account_handle',
  'item.accountName': 'account_name',
  'item.content': 'content',
  'item.language': 'language',
  'item.capturedAt': 'received_at',
  'report.source': 'source',
  'report.receivedAt': 'received_at',
  claim: 'claim',
  category: 'category',
  priority: 'priority',
};

/**
 * Reads one row: every cell checked as the API checks the command it stands for, the
 * dates parsed (dd/mm/yyyy in `timeZone`) and in order, the steps consistent with the
 * outcome. Problems name their column.
 */
export function parseImportRow(
  cells: Cells,
  options: { timeZone: string; now: Date },
): { ok: true; value: ImportedCase } | { ok: false; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const date = (column: ImportColumn): string | undefined => {
    const raw = cells[column]?.trim();
    if (!raw) return undefined;
    const parsed = parseBusinessDate(raw, options.timeZone);
    if (parsed === null) {
      problems.push({ column, reason: `not a date: ${JSON.stringify(raw)} (dd/mm/yyyy [hh:mm] or ISO 8601)` });
      return undefined;
    }
    if (Date.parse(parsed) > options.now.getTime()) problems.push({ column, reason: 'must not be in the future' });
    if (parsed < '2000-01-01') problems.push({ column, reason: 'must not be before 2000-01-01' });
    return parsed;
  };
  const text = (column: ImportColumn) => {
    const value = cells[column]?.trim();
    return value === '' ? undefined : value;
  };
  for (const { name, required } of IMPORT_COLUMNS) {
    if (required && !text(name)) problems.push({ column: name, reason: 'required' });
  }
  const receivedAt = date('received_at');
  const submit = submitSchema.safeParse({
    item: {
      platform: text('platform'),
      url: text('url'),
      content: cells.content ?? '',
      capturedAt: receivedAt ?? options.now.toISOString(),
      ...(text('account_handle') === undefined ? {} : { accountHandle: text('account_handle') }),
      ...(text('account_name') === undefined ? {} : { accountName: text('account_name') }),
      ...(text('language') === undefined ? {} : { language: text('language') }),
    },
    report: { source: text('source') ?? 'monitoring', receivedAt: receivedAt ?? options.now.toISOString() },
    claim: cells.claim ?? '',
    category: text('category'),
    ...(text('priority') === undefined ? {} : { priority: text('priority') }),
  });
  if (!submit.success) {
    const required = new Set(problems.map((p) => p.column));
    problems.push(...fromIssues(submit.error, SUBMIT_COLUMNS, 'content').filter((p) => !required.has(p.column)));
  }
  const steps = readSteps(cells, date, text, problems);
  if (!submit.success || receivedAt === undefined || problems.length > 0) return { ok: false, problems };
  const value = { submit: submit.data as ImportedCase['submit'], ...steps };
  problems.push(...orderProblems(value));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}

type Reader = (column: ImportColumn) => string | undefined;

function readSteps(cells: Cells, date: Reader, text: Reader, problems: RowProblem[]): Omit<ImportedCase, 'submit'> {
  const steps: Omit<ImportedCase, 'submit'> = {};
  const need = (column: ImportColumn, because: string) => {
    if (text(column) === undefined) problems.push({ column, reason: `required when ${because}` });
  };
  const verifiedAt = date('verified_at');
  if (verifiedAt !== undefined || text('verdict') !== undefined) {
    need('verified_at', 'a verdict is given');
    need('verdict', 'verified_at is given');
    const urls = list(cells.evidence_url, /\s+/u);
    const parsed = verifySchema.safeParse({
      verdict: text('verdict'),
      rationale: text('rationale') ?? text('claim') ?? '-',
      evidence: urls.map((url) => ({ kind: 'url', url, description: url })),
    });
    if (!parsed.success) {
      problems.push(
        ...fromIssues(
          parsed.error,
          { verdict: 'verdict', rationale: 'rationale', evidence: 'evidence_url' },
          'verdict',
        ),
      );
    } else if (verifiedAt !== undefined) {
      steps.verify = { at: verifiedAt, ...(parsed.data as Omit<NonNullable<ImportedCase['verify']>, 'at'>) };
    }
  }
  const authority = { code: text('authority_code'), name: text('authority_name') };
  const authorityColumns = {
    'authority.code': 'authority_code',
    'authority.name': 'authority_name',
    authority: 'authority_code',
  } as const;
  const referredAt = date('referred_at');
  if (referredAt !== undefined) {
    const parsed = referSchema.safeParse({ authority });
    if (!parsed.success) problems.push(...fromIssues(parsed.error, authorityColumns, 'authority_code'));
    else steps.refer = { at: referredAt, body: parsed.data };
  }
  const decidedAt = date('decided_at');
  if (decidedAt !== undefined && text('decision_no') !== undefined) {
    const legalBasis = list(cells.legal_basis, /;/u).map((entry) => {
      const [instrument, article, clause] = entry.split('|').map((part) => part.trim());
      return { instrument, article, ...(clause ? { clause } : {}) };
    });
    if (legalBasis.length === 0)
      problems.push({ column: 'legal_basis', reason: 'at least one legal basis is required for a penalty' });
    const fineText = (text('fine_vnd') ?? '0').replace(/[.,\s]/gu, '');
    if (!/^\d{1,13}$/u.test(fineText)) problems.push({ column: 'fine_vnd', reason: 'must be a whole number of VND' });
    const parsed = recordPenaltySchema.safeParse({
      decisionNo: text('decision_no'),
      authority,
      issuedAt: decidedAt,
      legalBasis,
      subject: text('subject') === undefined ? {} : { name: text('subject') },
      fine: { amount: Number(fineText), currency: 'VND' },
      remedies: list(cells.remedies, /[,;\s]+/u),
      facts: text('facts') ?? cells.claim ?? '-',
    });
    if (!parsed.success) {
      problems.push(
        ...fromIssues(
          parsed.error,
          {
            ...authorityColumns,
            decisionNo: 'decision_no',
            legalBasis: 'legal_basis',
            fine: 'fine_vnd',
            remedies: 'remedies',
            facts: 'facts',
            subject: 'subject',
          },
          'decision_no',
        ),
      );
    } else steps.penalty = { at: decidedAt, body: parsed.data };
  } else if (decidedAt !== undefined) {
    const parsed = recordNoViolationSchema.safeParse({ authority, note: text('note') ?? 'no violation found' });
    if (!parsed.success)
      problems.push(...fromIssues(parsed.error, { ...authorityColumns, note: 'note' }, 'authority_code'));
    else steps.noViolation = { at: decidedAt, ...parsed.data };
  }
  readAppeal(cells, date, text, problems, steps);
  const closedAt = date('closed_at');
  const outcome = text('outcome');
  if (closedAt !== undefined || outcome !== undefined) {
    need('closed_at', 'an outcome is given');
    need('outcome', 'closed_at is given');
    const note = text('note');
    if (outcome === 'withdrawn' && !withdrawSchema.safeParse({ reason: note ?? '' }).success) {
      problems.push({ column: 'note', reason: 'the reason of a withdrawal is required' });
    }
    if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome)) {
      problems.push({
        column: 'outcome',
        reason: `must be one of ${OUTCOMES.filter((o) => o !== 'duplicate').join(', ')}`,
      });
    } else if (closedAt !== undefined && outcome !== undefined) {
      steps.close = { at: closedAt, outcome: outcome as Outcome, ...(note === undefined ? {} : { note }) };
    }
  }
  return steps;
}

function readAppeal(
  cells: Cells,
  date: Reader,
  text: Reader,
  problems: RowProblem[],
  steps: Omit<ImportedCase, 'submit'>,
) {
  const filedAt = date('appeal_filed_at');
  if (filedAt === undefined) {
    if (text('appeal_decision') !== undefined)
      problems.push({ column: 'appeal_filed_at', reason: 'required when an appeal is decided' });
    return;
  }
  const filed = fileAppealSchema.safeParse({ filedAt, grounds: text('appeal_grounds') ?? 'appeal' });
  if (!filed.success) {
    problems.push(
      ...fromIssues(filed.error, { grounds: 'appeal_grounds', filedAt: 'appeal_filed_at' }, 'appeal_grounds'),
    );
    return;
  }
  const decidedAt = date('appeal_decided_at');
  const decision = text('appeal_decision');
  if ((decidedAt === undefined) !== (decision === undefined)) {
    problems.push({
      column: decidedAt === undefined ? 'appeal_decided_at' : 'appeal_decision',
      reason: 'appeal_decision and appeal_decided_at go together',
    });
    return;
  }
  const decided =
    decision === undefined
      ? undefined
      : decideAppealSchema.safeParse({ decision, note: cells.note?.trim() || 'decided' });
  if (decided !== undefined && !decided.success) {
    problems.push(...fromIssues(decided.error, { decision: 'appeal_decision', note: 'note' }, 'appeal_decision'));
    return;
  }
  steps.appeal = {
    at: filedAt,
    grounds: filed.data.grounds,
    ...(decided?.success && decidedAt !== undefined ? { decision: { at: decidedAt, ...decided.data } } : {}),
  };
}

const OUTCOME_AFTER: Record<Outcome, string> = {
  dismissed: 'a verdict of accurate or unverifiable',
  no_violation: 'a decision without decision_no',
  penalty_enforced: 'a penalty (decision_no) with no appeal pending or overturned',
  penalty_overturned: 'an appeal decided overturned',
  withdrawn: 'an open case',
  duplicate: 'nothing: duplicates are not imported',
};

/** The steps happen in their order, each after the one before, and the outcome follows from them. */
function orderProblems(c: ImportedCase): RowProblem[] {
  const problems: RowProblem[] = [];
  const dismissed = c.verify !== undefined && isDismissingVerdict(c.verify.verdict);
  const chain: [ImportColumn, string | undefined, boolean, string][] = [
    ['verified_at', c.verify?.at, true, ''],
    ['referred_at', c.refer?.at, c.verify !== undefined && !dismissed, 'a verdict of false or misleading'],
    ['decided_at', c.penalty?.at ?? c.noViolation?.at, c.refer !== undefined, 'referred_at'],
    ['appeal_filed_at', c.appeal?.at, c.penalty !== undefined, 'a penalty (decision_no)'],
    ['appeal_decided_at', c.appeal?.decision?.at, true, ''],
  ];
  let previous: [ImportColumn, string] = ['received_at', c.submit.report.receivedAt];
  for (const [column, at, allowed, needs] of chain) {
    if (at === undefined) continue;
    if (!allowed) problems.push({ column, reason: `needs ${needs}` });
    if (at < previous[1]) problems.push({ column, reason: `must not be before ${previous[0]}` });
    previous = [column, at];
  }
  const close = c.close;
  const overturned = c.appeal?.decision?.decision === 'overturned';
  const implied: Outcome | null = dismissed
    ? 'dismissed'
    : c.noViolation
      ? 'no_violation'
      : overturned
        ? 'penalty_overturned'
        : null;
  if (close === undefined) {
    if (implied !== null)
      problems.push({
        column: 'outcome',
        reason: `the steps given close the case as ${implied}: give outcome and closed_at`,
      });
    return problems;
  }
  if (close.at < previous[1]) problems.push({ column: 'closed_at', reason: `must not be before ${previous[0]}` });
  const fits =
    implied !== null
      ? close.outcome === implied
      : close.outcome === 'withdrawn' ||
        (close.outcome === 'penalty_enforced' &&
          c.penalty !== undefined &&
          (c.appeal === undefined || c.appeal.decision !== undefined));
  if (!fits)
    problems.push({
      column: 'outcome',
      reason: `${close.outcome} needs ${OUTCOME_AFTER[close.outcome]}${implied ? ` (these steps give ${implied})` : ''}`,
    });
  return problems;
}
