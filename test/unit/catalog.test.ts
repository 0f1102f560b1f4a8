import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, OPEN_STAGES, OUTCOMES, PRIORITIES, PROBLEMS, STAGES } from '../../src/domain/index.ts';

describe('tables of truth', () => {
  it('maps every problem code to the HTTP status of docs/design.md §5', () => {
    const statuses = Object.fromEntries(Object.entries(PROBLEMS).map(([code, p]) => [code, p.status]));
    expect(statuses).toEqual({
      validation_failed: 400,
      unauthenticated: 401,
      forbidden: 403,
      not_found: 404,
      invalid_transition: 409,
      version_conflict: 409,
      claimed_by_other: 409,
      duplicate_decision: 409,
      name_taken: 409,
      guard_failed: 422,
      idempotency_mismatch: 422,
      // A client too slow to send its request (or its headers), and headers over Node's size limit.
      request_timeout: 408,
      payload_too_large: 413,
      // Evidence files (docs/design.md §10): erased bytes, a byte range outside the file.
      erased: 410,
      range_not_satisfiable: 416,
      unsupported_media_type: 415,
      rate_limited: 429,
      headers_too_large: 431,
      internal: 500,
      // The database is away for a moment (restart, failover); retry.
      unavailable: 503,
    });
  });

  it('lists the event types of docs/design.md §4 in its order, then case.file_attached (§10), case.topics_changed (§11), case.assigned and case.released (§12)', () => {
    expect(EVENT_TYPES).toEqual([
      'case.received',
      'case.claimed',
      'case.assigned',
      'case.released',
      'case.verified',
      'case.referred',
      'case.penalty_issued',
      'case.appeal_filed',
      'case.appeal_decided',
      'case.closed',
      'case.note_added',
      'case.evidence_added',
      'case.sla_breached',
      'case.duplicate_detected',
      'case.report_merged',
      'case.related_linked',
      'case.personal_data_erased',
      'case.file_attached',
      'case.topics_changed',
    ]);
  });

  it('has five stages, closed the only terminal one, and six outcomes', () => {
    expect(STAGES).toEqual(['received', 'verified', 'referred', 'penalty_issued', 'closed']);
    expect(OPEN_STAGES).toEqual(['received', 'verified', 'referred', 'penalty_issued']);
    expect(OUTCOMES).toEqual([
      'dismissed',
      'duplicate',
      'no_violation',
      'penalty_enforced',
      'penalty_overturned',
      'withdrawn',
    ]);
  });

  it('orders priorities from lowest to highest', () => {
    expect(PRIORITIES).toEqual(['low', 'normal', 'high', 'urgent']);
  });
});
