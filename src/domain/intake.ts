import type { CaseState, ItemState } from './case-state.ts';
import type { CommandOf } from './commands.ts';
import { deadlineAfter } from './decision.ts';
import type { DecisionContext } from './decision.ts';
import { draft } from './events.ts';
import type { EventDraft } from './events.ts';
import { contentHash, intakeKeys } from './fingerprint.ts';
import { DEFAULT_PRIORITY } from './priority.ts';
import type { ItemInput } from './schemas.ts';

/** The item as the trail keeps it: account handle, account name and content are personal. */
export function itemState(item: ItemInput): ItemState {
  return {
    platform: item.platform,
    url: item.url,
    ...(item.contentType === undefined ? {} : { contentType: item.contentType }),
    ...(item.language === undefined ? {} : { language: item.language }),
    capturedAt: item.capturedAt,
  };
}

/**
 * Cases worth linking to a new one: same content, another item. A case closed as a
 * duplicate is left out, since its original carries the link already.
 */
function relatedCases(
  candidates: readonly CaseState[],
  caseId: string,
  keys: readonly string[],
  hashes: readonly string[],
): CaseState[] {
  const seen = new Set<string>([caseId]);
  return candidates.filter((c) => {
    if (
      seen.has(c.id) ||
      keys.includes(c.fingerprint) ||
      !hashes.includes(c.contentHash) ||
      c.outcome === 'duplicate'
    ) {
      return false;
    }
    seen.add(c.id);
    return true;
  });
}

/**
 * submit: the new case is received. A report of an item that an open case already tracks
 * closes at once as a duplicate and is merged into that case; otherwise the new case is
 * linked both ways to the earlier, closed cases of the same item and to every case with
 * the same content at another URL.
 */
export function decideSubmit(command: CommandOf<'submit'>, ctx: DecisionContext): EventDraft[] {
  const intake = ctx.intake;
  if (intake === undefined) throw new Error('submit needs ctx.intake');
  const { payload, caseId } = command;
  // The item key, and the key cases received before it may be stored under.
  const keys = intake.digests?.itemKeys ?? intakeKeys(payload.item.platform, payload.item.url);
  const hashes = intake.digests?.contentHashes ?? [contentHash(payload.item.content)];
  const [fp] = keys;
  const [hash] = hashes;
  if (fp === undefined || hash === undefined) throw new Error('submit needs an item key and a content hash');
  const received = draft(caseId, 'case.received', {
    reference: intake.reference,
    item: itemState(payload.item),
    report: payload.report,
    claim: payload.claim,
    category: payload.category,
    priority: payload.priority ?? DEFAULT_PRIORITY,
    fingerprint: fp,
    contentHash: hash,
    personal: { digest: intake.personalDigest },
    deadlineAt: deadlineAfter(ctx.now, ctx.sla.received),
  });

  const original = intake.duplicateOf;
  if (original !== null) {
    if (!keys.includes(original.fingerprint) || original.stage === 'closed') {
      throw new Error(`case ${original.id} is not an open case with fingerprint ${fp}`);
    }
    return [
      received,
      draft(caseId, 'case.duplicate_detected', { duplicateOf: original.id, fingerprint: fp }),
      draft(caseId, 'case.closed', { outcome: 'duplicate', duplicateOf: original.id }),
      draft(original.id, 'case.report_merged', { duplicateCaseId: caseId, duplicateReference: intake.reference }),
    ];
  }

  // Earlier cases of the same item, all closed (an open one would have taken the report):
  // linked as the same item. A case closed as a duplicate is left out, its original is linked.
  const earlier = intake.earlier.filter((c) => c.id !== caseId && c.stage === 'closed' && c.outcome !== 'duplicate');
  if (earlier.some((c) => !keys.includes(c.fingerprint))) throw new Error(`an earlier case is not of item ${fp}`);
  const sameItem = new Set(earlier.map((c) => c.id));
  const related = relatedCases(intake.related, caseId, keys, hashes).filter((c) => !sameItem.has(c.id));
  const links: { id: string; by: { fingerprint: string } | { contentHash: string } }[] = [
    ...earlier.map((c) => ({ id: c.id, by: { fingerprint: fp } })),
    ...related.map((c) => ({ id: c.id, by: { contentHash: hash } })),
  ];
  return [
    received,
    ...links.map((l) => draft(caseId, 'case.related_linked', { relatedCaseId: l.id, ...l.by })),
    ...links.map((l) => draft(l.id, 'case.related_linked', { relatedCaseId: caseId, ...l.by })),
  ];
}
