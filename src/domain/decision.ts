import type { CaseState } from './case-state.ts';
import type { Actor, EventDraft } from './events.ts';
import type { AttachedFile } from './files.ts';
import type { Rejection } from './problems.ts';
import type { OpenStage, Role } from './stages.ts';

/** Everything decide needs beyond the case and the command, gathered by the worker. */
export type DecisionContext = {
  actor: Actor;
  /** The database clock: deadlines and leases never use the worker's clock. */
  now: Date;
  /** How long a case may stay in each open stage, in milliseconds. */
  sla: Record<OpenStage, number>;
  claimLeaseMs: number;
  /** How far a person's clock may run ahead of the server's; DEFAULT_CLOCK_SKEW_MS when absent. */
  clockSkewMs?: number;
  /** Required for submit. */
  intake?: {
    reference: string;
    /** HMAC-SHA256 of the item's personal fields (see personal-data.ts). */
    personalDigest: string;
    /**
     * The keys to write and match by (intakeDigests: the keyed ones first); when absent,
     * the plain keys of format 1 (intakeKeys, contentHash).
     */
    digests?: { itemKeys: readonly string[]; contentHashes: readonly string[] };
    /** The open case of the same item (its fingerprint one of intakeKeys), if any. */
    duplicateOf: CaseState | null;
    /** Open or closed cases with the same content hash and a different fingerprint. */
    related: CaseState[];
    /** When no case of the item is open: its closed cases, but those closed as duplicates. */
    earlier: CaseState[];
  };
  /** Required for assign: the user the case is assigned to, null when there is none. */
  assignee?: { id: string; roles: readonly Role[]; disabled: boolean } | null;
  /** Required for record-penalty. */
  penalty?: {
    /** Null when the decision names no subject. */
    subjectDigest: string | null;
    /** Whether any case already holds this decision number, compared by decisionNoKey. */
    decisionNoTaken: boolean;
    /** The files attached to the case, which a decision document may name (none when absent). */
    files?: readonly AttachedFile[];
  };
};

export type Decision = { ok: true; events: EventDraft[] } | { ok: false; rejection: Rejection };

export function deadlineAfter(now: Date, ms: number): string {
  return new Date(now.getTime() + ms).toISOString();
}
