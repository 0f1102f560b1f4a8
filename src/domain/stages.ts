export const STAGES = ['received', 'verified', 'referred', 'penalty_issued', 'closed'] as const;
export type Stage = (typeof STAGES)[number];

export const OPEN_STAGES = ['received', 'verified', 'referred', 'penalty_issued'] as const;
export type OpenStage = (typeof OPEN_STAGES)[number];

export const OUTCOMES = [
  'dismissed',
  'duplicate',
  'no_violation',
  'penalty_enforced',
  'penalty_overturned',
  'withdrawn',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const ROLES = ['clerk', 'verifier', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Lowest first: the index is the rank used to order the worklist and to raise priority. */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CATEGORIES = [
  'health',
  'safety',
  'disaster',
  'economy',
  'scam',
  'defamation',
  'public_order',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const PLATFORMS = ['facebook', 'tiktok', 'zalo', 'youtube', 'x', 'website', 'other'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const CONTENT_TYPES = ['text', 'image', 'video', 'audio', 'link'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export const REPORT_SOURCES = ['citizen_tip', 'monitoring', 'agency', 'platform'] as const;
export type ReportSource = (typeof REPORT_SOURCES)[number];

export const EVIDENCE_KINDS = ['url', 'document', 'screenshot', 'archive', 'note'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export const VERDICTS = ['false', 'misleading', 'accurate', 'unverifiable'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Verdicts that end the case at verification: there is nothing to refer. */
const DISMISSING_VERDICTS = ['accurate', 'unverifiable'] as const satisfies readonly Verdict[];

export const REMEDIES = ['remove_content', 'publish_correction', 'suspend_account', 'other'] as const;
export type Remedy = (typeof REMEDIES)[number];

export const APPEAL_DECISIONS = ['upheld', 'overturned'] as const;
export type AppealDecision = (typeof APPEAL_DECISIONS)[number];

export const APPEAL_STATUSES = ['pending', ...APPEAL_DECISIONS] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];

export function isDismissingVerdict(verdict: Verdict): boolean {
  return (DISMISSING_VERDICTS as readonly Verdict[]).includes(verdict);
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
