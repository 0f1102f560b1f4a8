import { z } from 'zod';
import {
  APPEAL_DECISIONS,
  CATEGORIES,
  CONTENT_TYPES,
  EVIDENCE_KINDS,
  PLATFORMS,
  PRIORITIES,
  REMEDIES,
  REPORT_SOURCES,
  VERDICTS,
} from './stages.ts';
import {
  LIMITS,
  handleField,
  fileIdSchema,
  httpUrlSchema,
  identifierField,
  sha256Schema,
  stringField,
  textField,
  timestampSchema,
} from './text.ts';

// Payload schemas: the body a command decides on. Strict everywhere: an unknown field is
// a validation error, never silently dropped. Rules that decide a case (at least one legal
// basis, evidence for a false verdict, a non-blank withdraw reason) are guards in the
// domain, so the schemas below let those values through empty.

const languageTag = z
  .string()
  .max(LIMITS.language)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/u, 'must be a BCP 47 language tag');

/** A URL with a user name or password in it hides its host behind them (https://x@www.facebook.com/...). */
function hasNoUserInfo(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username === '' && url.password === '';
  } catch {
    return true; // httpUrlSchema refuses it
  }
}

const itemSchema = z.strictObject({
  platform: z.enum(PLATFORMS),
  url: httpUrlSchema.refine(hasNoUserInfo, 'must not contain user information (a name or password before @)'),
  accountHandle: handleField(LIMITS.handle).optional(),
  accountName: textField(LIMITS.name).optional(),
  content: textField(LIMITS.content),
  contentType: z.enum(CONTENT_TYPES).optional(),
  language: languageTag.optional(),
  capturedAt: timestampSchema,
});

const reportSchema = z.strictObject({
  source: z.enum(REPORT_SOURCES),
  reporterRef: identifierField(LIMITS.code).optional(),
  receivedAt: timestampSchema.optional(),
});

export const submitSchema = z.strictObject({
  item: itemSchema,
  report: reportSchema,
  claim: textField(LIMITS.claim),
  category: z.enum(CATEGORIES),
  priority: z.enum(PRIORITIES).optional(),
});

export const claimSchema = z.strictObject({});

/** A supervisor hands a received case to a verifier: a claim held for them. */
export const assignSchema = z.strictObject({ verifierId: z.guid() });

export const releaseSchema = z.strictObject({});

const evidenceShape = {
  kind: z.enum(EVIDENCE_KINDS),
  url: httpUrlSchema.optional(),
  sha256: sha256Schema.optional(),
  description: textField(LIMITS.reason),
};

type EvidenceInput = { kind: string; url?: string | undefined };

function urlEvidenceHasUrl(value: EvidenceInput): boolean {
  return value.kind !== 'url' || value.url !== undefined;
}

const URL_EVIDENCE_MESSAGE = { message: 'evidence of kind url needs a url', path: ['url'] };

const evidenceSchema = z.strictObject(evidenceShape).refine(urlEvidenceHasUrl, URL_EVIDENCE_MESSAGE);

export const verifySchema = z.strictObject({
  verdict: z.enum(VERDICTS),
  rationale: textField(LIMITS.longText),
  evidence: z.array(evidenceSchema).max(LIMITS.evidence),
});

const authoritySchema = z.strictObject({
  code: identifierField(LIMITS.code),
  name: textField(LIMITS.name),
});

export const referSchema = z.strictObject({
  authority: authoritySchema,
  referenceNo: identifierField(LIMITS.code).optional(),
  note: textField(LIMITS.longText).optional(),
  dueAt: timestampSchema.optional(),
});

const legalBasisSchema = z.strictObject({
  instrument: textField(LIMITS.name),
  article: identifierField(LIMITS.code),
  clause: identifierField(LIMITS.code).optional(),
});

const FINE_MAX = 1_000_000_000_000;

export const recordPenaltySchema = z.strictObject({
  decisionNo: identifierField(LIMITS.code),
  authority: authoritySchema,
  issuedAt: timestampSchema,
  legalBasis: z.array(legalBasisSchema).max(LIMITS.legalBasis),
  subject: z.strictObject({
    accountHandle: handleField(LIMITS.handle).optional(),
    name: textField(LIMITS.name).optional(),
  }),
  fine: z.strictObject({
    amount: z.int().min(0).max(FINE_MAX),
    currency: z.literal('VND'),
  }),
  remedies: z
    .array(z.enum(REMEDIES))
    .max(REMEDIES.length)
    .refine((list) => new Set(list).size === list.length, 'remedies must be unique'),
  facts: textField(LIMITS.longText),
  documents: z
    .array(
      z.strictObject({
        description: textField(LIMITS.reason),
        sha256: sha256Schema,
        /** An uploaded file of this case, of kind decision, with this sha256 (a guard checks it). */
        fileId: fileIdSchema.optional(),
      }),
    )
    .max(LIMITS.documents)
    .optional(),
});

export const recordNoViolationSchema = z.strictObject({
  authority: authoritySchema,
  note: textField(LIMITS.longText),
});

export const fileAppealSchema = z.strictObject({
  filedAt: timestampSchema,
  grounds: textField(LIMITS.longText),
});

export const decideAppealSchema = z.strictObject({
  decision: z.enum(APPEAL_DECISIONS),
  note: textField(LIMITS.longText),
});

/**
 * What the supervisor confirms when closing: one flag per remedy that can be ordered (the
 * correction and suspension flags came later and are optional, so earlier bodies still
 * parse) and the fine. The close guard decides which of them must be true.
 */
export const closeSchema = z.strictObject({
  compliance: z.strictObject({
    contentRemoved: z.boolean(),
    finePaid: z.boolean(),
    correctionPublished: z.boolean().optional(),
    accountSuspended: z.boolean().optional(),
  }),
  note: textField(LIMITS.longText).optional(),
});

export const withdrawSchema = z.strictObject({ reason: stringField(LIMITS.reason) });

export const addNoteSchema = z.strictObject({ text: textField(LIMITS.longText) });

export const addEvidenceSchema = evidenceSchema;

/**
 * Not part of any payload: the caller's optimistic-concurrency check (see commands.ts).
 * Versions are stored as 32-bit integers, so a larger one can only be a bad request.
 */
const expectedVersionSchema = z.int().min(0).max(2_147_483_647);

/**
 * The HTTP body of a non-submit command: its payload fields plus an optional expectedVersion.
 * Copies the fields only, so an object-level refinement would be lost: see the evidence request.
 */
export function withExpectedVersion<S extends z.core.$ZodLooseShape>(payload: z.ZodObject<S>) {
  return z.strictObject({ ...payload.shape, expectedVersion: expectedVersionSchema.optional() });
}

// A refined object cannot be extended, so the evidence request repeats its refinement.
export const addEvidenceRequestSchema = z
  .strictObject({ ...evidenceShape, expectedVersion: expectedVersionSchema.optional() })
  .refine(urlEvidenceHasUrl, URL_EVIDENCE_MESSAGE);

export type ItemInput = z.output<typeof itemSchema>;
export type ReportInput = z.output<typeof reportSchema>;
export type EvidenceItem = z.output<typeof evidenceSchema>;
export type Authority = z.output<typeof authoritySchema>;
export type LegalBasis = z.output<typeof legalBasisSchema>;
export type SubmitPayload = z.output<typeof submitSchema>;
export type ReferPayload = z.output<typeof referSchema>;
export type RecordPenaltyPayload = z.output<typeof recordPenaltySchema>;
export type FileAppealPayload = z.output<typeof fileAppealSchema>;
export type ClosePayload = z.output<typeof closeSchema>;
export type AddEvidencePayload = z.output<typeof addEvidenceSchema>;

/** A topic's code (campaign, incident: SEA-GAMES-31, COVID-19). */
const topicCodeSchema = identifierField(LIMITS.code);

const topicCodes = z.array(topicCodeSchema).max(20);

const topicChangeShape = { add: topicCodes.default([]), remove: topicCodes.default([]) };

/** At least one code, and none both added and removed. */
function checkTopicChange(body: { add: string[]; remove: string[] }, ctx: z.RefinementCtx): void {
  if (body.add.length + body.remove.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['add'], message: 'name at least one topic to add or remove' });
  }
  for (const [i, code] of body.remove.entries()) {
    if (body.add.includes(code)) ctx.addIssue({ code: 'custom', path: ['remove', i], message: 'also in add' });
  }
}

/** Topics to tag the case with and to take off it. */
export const changeTopicsSchema = z.strictObject(topicChangeShape).superRefine(checkTopicChange);
// A refined object cannot be extended, so the request repeats the refinement.
export const changeTopicsRequestSchema = z
  .strictObject({ ...topicChangeShape, expectedVersion: expectedVersionSchema.optional() })
  .superRefine(checkTopicChange);

/** A topic as supervisors create it. */
export const topicSchema = z.strictObject({ code: topicCodeSchema, name: textField(LIMITS.name) });
