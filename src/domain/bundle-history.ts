import { auditFailure, type AuditFailure } from './audit-report.ts';
import type { BundleEvent } from './bundle-schema.ts';
import type { CaseState } from './case-state.ts';
import type { StoredEvent } from './events.ts';
import { evolve } from './evolve.ts';
import { canonicalJson, createChainVerifier } from './hashing.ts';

// What every bundle format shares: the report, and steps 3 and 4 of docs/audit-format.md §10
// (the events form the case's chain; the case is their fold).

export type BundleReport =
  | {
      ok: true;
      caseId: string;
      reference: string;
      events: number;
      sealedEvents: number;
      unsealedEvents: number;
      checkpoints: number;
      keyId: string;
      format: string;
      /** The size of the signed tree head the proofs lead to (format 2; 0 for format 1). */
      treeSize: number;
      /** False when no key was pinned: then the bundle proves only that its own key signed it. */
      pinned: boolean;
    }
  | { ok: false; failure: AuditFailure & { step?: string } };

/** Steps 3 and 4: the events form the case's chain, and the case is their fold. */
export function checkCaseHistory(
  stated: Record<string, unknown>,
  events: readonly BundleEvent[],
): { ok: true; caseId: string } | { ok: false; failure: AuditFailure & { step: string } } {
  const fail = (at: Parameters<typeof auditFailure>[0], reason: string, step: string) => ({
    ok: false as const,
    failure: { ...auditFailure(at, reason), step },
  });
  const caseId = typeof stated.id === 'string' ? stated.id : null;
  if (caseId === null) return fail({}, 'the case has no id', 'chain');
  const verifyLink = createChainVerifier();
  let state: CaseState | null = null;
  for (const event of events) {
    if (event.caseId !== caseId)
      return fail({ caseId, seq: event.seq }, `event of another case (${event.caseId})`, 'chain');
    const verdict = verifyLink(event);
    if (!verdict.ok) return fail({ caseId, seq: verdict.seq }, verdict.reason, 'chain');
    try {
      state = evolve(state, event as unknown as StoredEvent);
    } catch (error) {
      return fail(
        { caseId, seq: event.seq },
        `the event cannot follow the case's history: ${(error as Error).message}`,
        'fold',
      );
    }
  }
  const differing = differingFields(state, stated);
  if (differing.length > 0) {
    return fail(
      { caseId, seq: events.at(-1)?.seq ?? null },
      `the case differs from the fold of its events in ${differing.join(', ')}`,
      'fold',
    );
  }
  return { ok: true, caseId };
}

/** Top-level fields where the stated case and the fold disagree (compared as canonical JSON). */
export function differingFields(folded: CaseState | null, stated: Record<string, unknown>): string[] {
  if (folded === null) return ['(no events)'];
  const fold = folded as unknown as Record<string, unknown>;
  // Bundles exported before topics existed state none: the fold of their events has none.
  if (!('topics' in stated)) stated = { ...stated, topics: [] };
  const keys = new Set([...Object.keys(fold), ...Object.keys(stated)]);
  return [...keys].filter((k) => canonicalJson(fold[k] ?? null) !== canonicalJson(stated[k] ?? null)).sort();
}
