import type { z } from 'zod';
import {
  addEvidenceRequestSchema,
  addEvidenceSchema,
  addNoteSchema,
  assignSchema,
  changeTopicsRequestSchema,
  changeTopicsSchema,
  claimSchema,
  closeSchema,
  decideAppealSchema,
  fileAppealSchema,
  recordNoViolationSchema,
  recordPenaltySchema,
  referSchema,
  releaseSchema,
  submitSchema,
  verifySchema,
  withExpectedVersion,
  withdrawSchema,
} from './schemas.ts';
import { attachFileSchema } from './files.ts';
import { OPEN_STAGES, STAGES } from './stages.ts';
import type { Role, Stage } from './stages.ts';

export const COMMAND_TYPES = [
  'submit',
  'claim',
  'assign',
  'release',
  'verify',
  'refer',
  'record-penalty',
  'record-no-violation',
  'file-appeal',
  'decide-appeal',
  'close',
  'withdraw',
  'add-note',
  'add-evidence',
  'attach-file',
  'change-topics',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/** One queue per stage, plus the event projections, the SLA timers and webhook deliveries. */
export const QUEUE_NAMES = [
  'intake',
  'verification',
  'referral',
  'penalty',
  'closure',
  'events',
  'sla',
  'webhooks',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** The `from` of a command that creates its case. */
const NO_CASE = 'none';

export type CommandSpec = {
  /** What the domain decides on. */
  payload: z.ZodType;
  /** The HTTP body: the payload plus, except for submit, an optional expectedVersion. */
  request: z.ZodType;
  roles: readonly Role[];
  queue: QueueName;
  from: typeof NO_CASE | readonly Stage[];
  /** Every stage the case can be in after the command (for readers and tests). */
  to: readonly Stage[];
};

/**
 * The transition table: the whole lifecycle of a case. The guards beyond the stage rule
 * are in guards.ts, in the order they are checked; the events each command appends are
 * decided in decide.ts.
 */
export const COMMANDS = {
  submit: {
    payload: submitSchema,
    request: submitSchema,
    roles: ['clerk'],
    queue: 'intake',
    from: NO_CASE,
    to: ['received', 'closed'], // closed: a duplicate of an open case
  },
  claim: {
    payload: claimSchema,
    request: withExpectedVersion(claimSchema),
    roles: ['verifier'],
    queue: 'verification',
    from: ['received'],
    to: ['received'],
  },
  assign: {
    payload: assignSchema,
    request: withExpectedVersion(assignSchema),
    roles: ['supervisor'],
    queue: 'verification',
    from: ['received'],
    to: ['received'],
  },
  release: {
    payload: releaseSchema,
    request: withExpectedVersion(releaseSchema),
    roles: ['verifier', 'supervisor'],
    queue: 'verification',
    from: ['received'],
    to: ['received'],
  },
  verify: {
    payload: verifySchema,
    request: withExpectedVersion(verifySchema),
    roles: ['verifier'],
    queue: 'verification',
    from: ['received'],
    to: ['verified', 'closed'], // closed: dismissed when accurate or unverifiable
  },
  refer: {
    payload: referSchema,
    request: withExpectedVersion(referSchema),
    roles: ['supervisor'],
    queue: 'referral',
    from: ['verified'],
    to: ['referred'],
  },
  'record-penalty': {
    payload: recordPenaltySchema,
    request: withExpectedVersion(recordPenaltySchema),
    roles: ['supervisor'],
    queue: 'penalty',
    from: ['referred'],
    to: ['penalty_issued'],
  },
  'record-no-violation': {
    payload: recordNoViolationSchema,
    request: withExpectedVersion(recordNoViolationSchema),
    roles: ['supervisor'],
    queue: 'referral',
    from: ['referred'],
    to: ['closed'],
  },
  'file-appeal': {
    payload: fileAppealSchema,
    request: withExpectedVersion(fileAppealSchema),
    roles: ['supervisor'],
    queue: 'penalty',
    from: ['penalty_issued'],
    to: ['penalty_issued'],
  },
  'decide-appeal': {
    payload: decideAppealSchema,
    request: withExpectedVersion(decideAppealSchema),
    roles: ['supervisor'],
    queue: 'penalty',
    from: ['penalty_issued'],
    to: ['penalty_issued', 'closed'], // closed: penalty overturned
  },
  close: {
    payload: closeSchema,
    request: withExpectedVersion(closeSchema),
    roles: ['supervisor'],
    queue: 'closure',
    from: ['penalty_issued'],
    to: ['closed'],
  },
  withdraw: {
    payload: withdrawSchema,
    request: withExpectedVersion(withdrawSchema),
    roles: ['supervisor'],
    queue: 'closure',
    from: OPEN_STAGES,
    to: ['closed'],
  },
  'add-note': {
    payload: addNoteSchema,
    request: withExpectedVersion(addNoteSchema),
    roles: ['clerk', 'verifier', 'supervisor'],
    queue: 'intake',
    from: STAGES,
    to: STAGES, // unchanged
  },
  'add-evidence': {
    payload: addEvidenceSchema,
    request: addEvidenceRequestSchema,
    roles: ['verifier', 'supervisor'],
    queue: 'verification',
    from: OPEN_STAGES,
    to: OPEN_STAGES, // unchanged
  },
  // Posted as multipart/form-data, not JSON: the server stores the bytes, then builds this
  // payload from what it found (docs/design.md §10).
  'attach-file': {
    payload: attachFileSchema,
    request: attachFileSchema,
    roles: ['clerk', 'verifier', 'supervisor'],
    queue: 'verification',
    from: OPEN_STAGES,
    to: OPEN_STAGES, // unchanged
  },
  // Topics tag closed cases too: a report counts them whatever the stage.
  'change-topics': {
    payload: changeTopicsSchema,
    request: changeTopicsRequestSchema,
    roles: ['verifier', 'supervisor'],
    queue: 'verification',
    from: STAGES,
    to: STAGES, // unchanged
  },
} as const satisfies { [T in CommandType]: CommandSpec };

export type CommandPayloads = { [T in CommandType]: z.output<(typeof COMMANDS)[T]['payload']> };

/** A command as the domain sees it: expectedVersion travels beside the payload, not in it. */
export type CommandOf<T extends CommandType> = {
  id: string;
  type: T;
  caseId: string;
  payload: CommandPayloads[T];
  expectedVersion?: number;
};

export type Command = { [T in CommandType]: CommandOf<T> }[CommandType];

export function mayRun(type: CommandType, roles: readonly Role[]): boolean {
  const allowed: readonly Role[] = COMMANDS[type].roles;
  return roles.some((role) => allowed.includes(role));
}

export function isAllowedFrom(type: CommandType, stage: Stage | null): boolean {
  const from: typeof NO_CASE | readonly Stage[] = COMMANDS[type].from;
  return from === NO_CASE ? stage === null : stage !== null && from.includes(stage);
}

export type ParsedRequest<T extends CommandType> =
  | { ok: true; payload: CommandPayloads[T]; expectedVersion?: number }
  | { ok: false; error: z.ZodError };

/** Validates an HTTP body and separates the payload from its expectedVersion. */
export function parseRequest<T extends CommandType>(type: T, body: unknown): ParsedRequest<T> {
  const parsed = COMMANDS[type].request.safeParse(body);
  if (!parsed.success) return { ok: false, error: parsed.error };
  const { expectedVersion, ...payload } = parsed.data as { expectedVersion?: number };
  // The request schema is the payload schema plus expectedVersion, so the rest is the payload.
  const result = { ok: true as const, payload: payload as CommandPayloads[T] };
  return expectedVersion === undefined ? result : { ...result, expectedVersion };
}
