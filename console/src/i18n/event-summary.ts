import type { CaseEvent } from '../core/types.ts';
import type { Catalog } from './en.ts';
import type { Formatter } from './format.ts';
import { fill } from './problems.ts';

// One line saying what an event did, from its payload. Payloads are the hashed JSON, read
// defensively: a field this console does not know is simply not shown.

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const obj = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const label = (table: Record<string, string>, value: unknown) => table[text(value)] ?? text(value);
const short = (value: unknown, max = 140) => {
  const s = text(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};
const authorityOf = (value: unknown) => text(obj(value).name) || text(obj(value).code);

export function eventSummary(event: CaseEvent, t: Catalog, f: Formatter): string {
  const p = event.payload;
  const s = t.eventSummary;
  switch (event.type) {
    case 'case.received':
      return fill(s.received, {
        reference: text(p.reference),
        platform: label(t.platform, obj(p.item).platform),
        category: label(t.category, p.category),
        priority: label(t.priority, p.priority),
      });
    case 'case.claimed':
      return fill(s.claimed, { until: text(p.claimedUntil) === '' ? '' : f.dateTime(text(p.claimedUntil)) });
    case 'case.assigned':
      return fill(s.assigned, { until: text(p.claimedUntil) === '' ? '' : f.dateTime(text(p.claimedUntil)) });
    case 'case.released':
      return '';
    case 'case.verified':
      return fill(s.verified, {
        verdict: label(t.verdict, p.verdict),
        n: f.number(Array.isArray(p.evidence) ? p.evidence.length : 0),
      });
    case 'case.referred':
      return fill(s.referred, { authority: authorityOf(p.authority) });
    case 'case.penalty_issued':
      return fill(s.penaltyIssued, {
        decisionNo: text(p.decisionNo),
        fine: f.money(text(obj(p.fine).amount) || 0, text(obj(p.fine).currency) || 'VND'),
        authority: authorityOf(p.authority),
      });
    case 'case.appeal_filed':
      return fill(s.appealFiled, { grounds: short(p.grounds) });
    case 'case.appeal_decided':
      return fill(s.appealDecided, { decision: label(t.appealDecision, p.decision) });
    case 'case.closed':
      return [label(t.outcome, p.outcome), short(p.reason ?? p.note)].filter(Boolean).join(' — ');
    case 'case.note_added':
      return short(p.text);
    case 'case.evidence_added':
      return `${label(t.evidenceKind, p.kind)}: ${short(p.description)}`;
    case 'case.sla_breached':
      return fill(s.slaBreached, {
        stage: label(t.stage, p.stage),
        deadline: text(p.deadlineAt) === '' ? '' : f.dateTime(text(p.deadlineAt)),
      });
    // The API withholds a case the reader may not see (its id and reference are null).
    case 'case.duplicate_detected':
      if (text(p.duplicateOf) === '') return s.duplicateHidden;
      return fill(s.duplicate, { id: text(p.duplicateOf).slice(0, 8) });
    case 'case.report_merged':
      if (text(p.duplicateReference) === '') return s.mergedHidden;
      return fill(s.merged, { reference: text(p.duplicateReference) });
    case 'case.related_linked':
      // The API withholds a case the reader may not see (its id is null).
      if (text(p.relatedCaseId) === '') return s.relatedHidden;
      return fill(p.fingerprint === undefined ? s.related : s.relatedItem, { id: text(p.relatedCaseId).slice(0, 8) });
    case 'case.personal_data_erased':
      return fill(s.erased, { reason: short(p.reason) });
    case 'case.file_attached':
      return fill(s.fileAttached, {
        kind: label(t.fileKind, p.kind),
        type: text(p.mediaType),
        size: typeof p.size === 'number' ? f.bytes(p.size) : '',
      });
    case 'case.topics_changed': {
      const codes = (value: unknown) => (Array.isArray(value) ? value.map(text).join(', ') || '—' : '—');
      return fill(s.topicsChanged, { added: codes(p.added), removed: codes(p.removed) });
    }
  }
}
