import type { OpenStage } from './stages.ts';
import { isDismissingVerdict } from './stages.ts';
import { deadlineAfter } from './decision.ts';
import { draft, type EventDraft, type ImportMark } from './events.ts';
import { personalDigest } from './hashing.ts';
import { IMPORT_COLUMNS, type ImportColumn, type ImportedCase } from './import-row.ts';
import { itemState } from './intake.ts';
import { DEFAULT_PRIORITY } from './priority.ts';

/**
 * The digest of a source row: HMAC-SHA256, under the HMAC key, of the canonical JSON of its
 * values by column, each trimmed, empty cells left out (keyed, since the row holds personal
 * data: a guess at it confirms nothing without the key). It names the row in the trail, and
 * the case it becomes.
 */
export function importRowDigest(hmacKey: string | Uint8Array, cells: Partial<Record<ImportColumn, string>>): string {
  const values: Record<string, string> = {};
  for (const { name } of IMPORT_COLUMNS) {
    const value = cells[name]?.trim();
    if (value) values[name] = value;
  }
  return personalDigest(hmacKey, values);
}

/** The id of the case a row becomes: a UUID (version 8, RFC 9562) from the row's digest, so a row imported again is found. */
export function importCaseId(digest: string): string {
  const hex = digest.slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export type ImportContext = {
  caseId: string;
  reference: string;
  /** The item's keyed item key and content key (format 2, as intake writes them). */
  fingerprint: string;
  contentHash: string;
  /** HMAC digests of the item's personal fields and of the penalty's subject (null: none named). */
  personalDigest: string;
  subjectDigest: string | null;
  sla: Record<OpenStage, number>;
  row: number;
  digest: string;
};

/**
 * The events of an imported case, in order: each as its command would have appended it,
 * marked imported with the time the record gives. Deadlines run from those times, so a
 * case the record leaves open past its deadline is overdue (the SLA sweep then records
 * the breach).
 */
export function importDrafts(c: ImportedCase, ctx: ImportContext): EventDraft[] {
  const id = ctx.caseId;
  const mark = (at: string): { imported: ImportMark } => ({ imported: { at, row: ctx.row, digest: ctx.digest } });
  const due = (at: string, stage: OpenStage) => deadlineAfter(new Date(at), ctx.sla[stage]);
  const { item, report, claim, category, priority } = c.submit;
  const events: EventDraft[] = [
    draft(id, 'case.received', {
      reference: ctx.reference,
      item: itemState(item),
      report,
      claim,
      category,
      priority: priority ?? DEFAULT_PRIORITY,
      fingerprint: ctx.fingerprint,
      contentHash: ctx.contentHash,
      personal: { digest: ctx.personalDigest },
      deadlineAt: due(report.receivedAt, 'received'),
      ...mark(report.receivedAt),
    }),
  ];
  const close = c.close;
  if (c.verify !== undefined) {
    const { at, ...verdict } = c.verify;
    const dismissed = isDismissingVerdict(verdict.verdict);
    events.push(
      draft(id, 'case.verified', { ...verdict, deadlineAt: dismissed ? null : due(at, 'verified'), ...mark(at) }),
    );
  }
  if (c.refer !== undefined) {
    events.push(
      draft(id, 'case.referred', { ...c.refer.body, deadlineAt: due(c.refer.at, 'referred'), ...mark(c.refer.at) }),
    );
  }
  if (c.penalty !== undefined) {
    const { subject: _, fine, documents: _documents, ...rest } = c.penalty.body;
    events.push(
      draft(id, 'case.penalty_issued', {
        ...rest,
        subject: ctx.subjectDigest === null ? null : { digest: ctx.subjectDigest },
        fine: { amount: String(fine.amount), currency: fine.currency },
        deadlineAt: due(c.penalty.at, 'penalty_issued'),
        ...mark(c.penalty.at),
      }),
    );
  }
  if (c.appeal !== undefined) {
    events.push(
      draft(id, 'case.appeal_filed', { filedAt: c.appeal.at, grounds: c.appeal.grounds, ...mark(c.appeal.at) }),
    );
    const decided = c.appeal.decision;
    if (decided !== undefined) {
      events.push(
        draft(id, 'case.appeal_decided', { decision: decided.decision, note: decided.note, ...mark(decided.at) }),
      );
    }
  }
  if (close === undefined) return withBreaches(events, ctx);
  const closed = mark(close.at);
  switch (close.outcome) {
    case 'no_violation': {
      const decided = c.noViolation;
      if (decided === undefined) throw new Error('no_violation without its decision');
      events.push(
        draft(id, 'case.closed', {
          outcome: 'no_violation',
          authority: decided.authority,
          note: decided.note,
          ...closed,
        }),
      );
      break;
    }
    case 'penalty_enforced': {
      const remedies = c.penalty?.body.remedies ?? [];
      const compliance = {
        contentRemoved: true,
        finePaid: (c.penalty?.body.fine.amount ?? 0) > 0,
        ...(remedies.includes('publish_correction') ? { correctionPublished: true } : {}),
        ...(remedies.includes('suspend_account') ? { accountSuspended: true } : {}),
      };
      events.push(
        draft(id, 'case.closed', {
          outcome: 'penalty_enforced',
          compliance,
          ...(close.note ? { note: close.note } : {}),
          ...closed,
        }),
      );
      break;
    }
    case 'withdrawn':
      events.push(draft(id, 'case.closed', { outcome: 'withdrawn', reason: close.note ?? 'withdrawn', ...closed }));
      break;
    case 'dismissed':
    case 'penalty_overturned':
      events.push(draft(id, 'case.closed', { outcome: close.outcome, ...closed }));
      break;
    case 'duplicate':
      throw new Error('duplicates are not imported');
  }
  return withBreaches(events, ctx);
}

const timeOf = (event: EventDraft): string => (event.payload as { imported: ImportMark }).imported.at;

/** The deadline an event starts, for the stage it enters (null: none, or no stage entered). */
function deadlineOf(event: EventDraft): { stage: OpenStage; deadlineAt: string } | null {
  switch (event.type) {
    case 'case.received':
      return { stage: 'received', deadlineAt: event.payload.deadlineAt };
    case 'case.verified':
      return event.payload.deadlineAt === null ? null : { stage: 'verified', deadlineAt: event.payload.deadlineAt };
    case 'case.referred':
      return { stage: 'referred', deadlineAt: event.payload.deadlineAt };
    case 'case.penalty_issued':
      return { stage: 'penalty_issued', deadlineAt: event.payload.deadlineAt };
    default:
      return null;
  }
}

const LEAVES_STAGE = new Set(['case.verified', 'case.referred', 'case.penalty_issued', 'case.closed']);

/**
 * The record's own lateness: a stage it left after that stage's deadline gets its
 * case.sla_breached, at the deadline, as the SLA timer would have appended it then. A
 * stage the record leaves the case in is the live timers' (and the sweep's) to watch.
 */
function withBreaches(events: readonly EventDraft[], ctx: ImportContext): EventDraft[] {
  const out: EventDraft[] = [];
  let visit: { stage: OpenStage; deadlineAt: string } | null = null;
  for (const event of events) {
    if (visit !== null && LEAVES_STAGE.has(event.type) && timeOf(event) > visit.deadlineAt) {
      out.push(
        draft(event.caseId, 'case.sla_breached', {
          ...visit,
          imported: { at: visit.deadlineAt, row: ctx.row, digest: ctx.digest },
        }),
      );
    }
    if (LEAVES_STAGE.has(event.type) || event.type === 'case.received') visit = deadlineOf(event);
    out.push(event);
  }
  return out;
}
