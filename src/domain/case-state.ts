import type {
  AppealStatus,
  Category,
  ContentType,
  Outcome,
  Platform,
  Priority,
  Remedy,
  Stage,
  Verdict,
} from './stages.ts';
import type { Authority, EvidenceItem, LegalBasis, ReportInput } from './schemas.ts';

// The current state of a case, always equal to the fold of its events. Plain JSON data:
// timestamps are `toISOString()` strings. Personal data (account handle and name, content
// text, penalty subject) never appears here; only HMAC digests of it do.

/** The reported item without its personal fields. */
export type ItemState = {
  platform: Platform;
  url: string;
  contentType?: ContentType;
  language?: string;
  capturedAt: string;
};

type VerdictState = {
  verdict: Verdict;
  rationale: string;
  evidence: EvidenceItem[];
  verifiedAt: string;
};

type ReferralState = {
  authority: Authority;
  referenceNo?: string;
  note?: string;
  dueAt?: string;
  referredAt: string;
};

export type PenaltyState = {
  decisionNo: string;
  authority: Authority;
  issuedAt: string;
  legalBasis: LegalBasis[];
  /** Null when the decision named no subject. */
  subject: { digest: string } | null;
  fine: { amount: number; currency: 'VND' };
  remedies: Remedy[];
  facts: string;
  documents?: { description: string; sha256: string; fileId?: string }[];
};

type AppealState = {
  filedAt: string;
  grounds: string;
  filedBy: string;
  status: AppealStatus;
  decidedBy?: string;
  decidedAt?: string;
  note?: string;
};

export type CaseState = {
  id: string;
  reference: string;
  stage: Stage;
  outcome: Outcome | null;
  /** The seq of the last event. */
  version: number;
  priority: Priority;
  category: Category;
  platform: Platform;
  claim: string;
  url: string;
  fingerprint: string;
  contentHash: string;
  item: ItemState;
  report: ReportInput;
  submittedBy: string;
  claimedBy: string | null;
  claimedUntil: string | null;
  verifiedBy: string | null;
  verdict: VerdictState | null;
  referral: ReferralState | null;
  penalty: PenaltyState | null;
  penaltyRecordedBy: string | null;
  decisionNo: string | null;
  appeal: AppealState | null;
  duplicateOf: string | null;
  mergedReports: number;
  relatedCases: string[];
  /** Codes of the topics the case is tagged with, sorted. */
  topics: string[];
  stageEnteredAt: string;
  deadlineAt: string | null;
  /** The hash of the last event: the next event's prevHash. */
  headHash: string;
  createdAt: string;
  updatedAt: string;
};

/** A claim blocks others only while its lease runs. */
export function hasLiveClaim(state: CaseState, now: Date): boolean {
  return state.claimedBy !== null && state.claimedUntil !== null && Date.parse(state.claimedUntil) > now.getTime();
}

export function isAppealPending(state: CaseState): boolean {
  return state.appeal?.status === 'pending';
}
