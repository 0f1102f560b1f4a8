import { z } from 'zod';
import {
  APPEAL_STATUSES,
  CATEGORIES,
  COMMAND_TYPES,
  CONTENT_TYPES,
  EVENT_TYPES,
  EVIDENCE_KINDS,
  FILE_KINDS,
  MEDIA_TYPE_NAMES,
  OUTCOMES,
  PLATFORMS,
  PRIORITIES,
  REMEDIES,
  REPORT_SOURCES,
  STAGES,
  VERDICTS,
  type MediaType,
} from '../../domain/index.ts';
import { problemSchema } from './common.schemas.ts';

// Representations (docs/design.md §5): camelCase, RFC 3339 UTC timestamps, optional members absent
// rather than null. Personal fields are optional: present only for readers allowed them.

const timestamp = z.iso.datetime();

const authority = z.object({ code: z.string(), name: z.string() });

const evidence = z.object({
  kind: z.enum(EVIDENCE_KINDS),
  url: z.string().optional(),
  sha256: z.string().optional(),
  description: z.string(),
});

const item = z.object({
  platform: z.enum(PLATFORMS),
  url: z.string(),
  contentType: z.enum(CONTENT_TYPES).optional(),
  language: z.string().optional(),
  capturedAt: timestamp,
  accountHandle: z.string().optional().describe('personal'),
  accountName: z.string().optional().describe('personal'),
  content: z.string().optional().describe('personal'),
});

const report = z.object({
  source: z.enum(REPORT_SOURCES),
  reporterRef: z.string().optional(),
  receivedAt: timestamp.optional(),
});

const verdict = z.object({
  verdict: z.enum(VERDICTS),
  rationale: z.string(),
  evidence: z.array(evidence),
  verifiedAt: timestamp,
  verifiedBy: z.string().optional(),
});

const referral = z.object({
  authority,
  referenceNo: z.string().optional(),
  note: z.string().optional(),
  dueAt: timestamp.optional(),
  referredAt: timestamp,
});

const penalty = z.object({
  decisionNo: z.string(),
  authority,
  issuedAt: timestamp,
  legalBasis: z.array(z.object({ instrument: z.string(), article: z.string(), clause: z.string().optional() })),
  subject: z
    .object({ accountHandle: z.string().optional(), name: z.string().optional() })
    .optional()
    .describe('personal: supervisors only'),
  fine: z.object({ amount: z.int().describe('minor units'), currency: z.literal('VND') }),
  remedies: z.array(z.enum(REMEDIES)),
  facts: z.string(),
  documents: z.array(z.object({ description: z.string(), sha256: z.string(), fileId: z.uuid().optional() })).optional(),
  recordedBy: z.string().optional(),
});

const appeal = z.object({
  filedAt: timestamp,
  grounds: z.string(),
  filedBy: z.string(),
  status: z.enum(APPEAL_STATUSES),
  decidedBy: z.string().optional(),
  decidedAt: timestamp.optional(),
  note: z.string().optional(),
});

export const caseSchema = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    stage: z.enum(STAGES),
    outcome: z.enum(OUTCOMES).nullable(),
    version: z.int(),
    priority: z.enum(PRIORITIES),
    category: z.enum(CATEGORIES),
    platform: z.enum(PLATFORMS),
    claim: z.string(),
    item,
    report,
    submittedBy: z.string(),
    claimedBy: z.string().optional(),
    claimedUntil: timestamp.optional(),
    verdict: verdict.optional(),
    referral: referral.optional(),
    penalty: penalty.optional(),
    appeal: appeal.optional(),
    duplicateOf: z.uuid().optional().describe('shown when the reader may see that case'),
    relatedCases: z
      .array(z.uuid())
      .optional()
      .describe('cases of the same item closed before, or with the same content: those the reader may see'),
    topics: z.array(z.string()).describe("codes of the case's topics"),
    createdAt: timestamp,
    updatedAt: timestamp,
    deadlineAt: timestamp.optional(),
  })
  .meta({ id: 'Case' });
export type CaseRepresentation = z.output<typeof caseSchema>;

export const eventSchema = z
  .object({
    id: z.string(),
    caseId: z.uuid(),
    seq: z.int(),
    type: z.enum(EVENT_TYPES),
    payload: z.record(z.string(), z.unknown()),
    actor: z.object({ id: z.string(), roles: z.array(z.string()) }),
    commandId: z.uuid().nullable(),
    occurredAt: timestamp,
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'Event' });
export type EventRepresentation = z.output<typeof eventSchema>;

const COMMAND_STATUSES = ['pending', 'applied', 'rejected'] as const;

export const commandSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(COMMAND_TYPES),
    caseId: z.uuid(),
    status: z.enum(COMMAND_STATUSES),
    problem: problemSchema.optional(),
    createdAt: timestamp,
    appliedAt: timestamp.optional(),
  })
  .meta({ id: 'Command' });
export type CommandRepresentation = z.output<typeof commandSchema>;

export const acceptedSchema = z
  .object({
    commandId: z.uuid(),
    caseId: z.uuid(),
    status: z.enum(COMMAND_STATUSES).describe('pending, unless an Idempotency-Key replay finds the command finished'),
    reference: z
      .string()
      .nullable()
      .optional()
      .describe(
        'submit only: the reference its case bears, drawn when the command is accepted (null only for a submit accepted before references were drawn at intake)',
      ),
  })
  .meta({ id: 'Accepted' });
export type AcceptedRepresentation = z.output<typeof acceptedSchema>;

export const fileSchema = z
  .object({
    id: z.uuid(),
    caseId: z.uuid(),
    seq: z.int().describe('the seq of its case.file_attached event'),
    sha256: z.string().describe('lower-case hex; also the ETag of its download'),
    size: z.int(),
    mediaType: z.enum(MEDIA_TYPE_NAMES as [MediaType, ...MediaType[]]).describe('detected from the bytes'),
    kind: z.enum(FILE_KINDS),
    attachedBy: z.uuid(),
    attachedAt: z.iso.datetime(),
    erasedAt: z.iso.datetime().nullable().describe('set when erasure removed the bytes for this case (downloads 410)'),
    name: z.string().optional().describe('the name it was uploaded with (personal data; absent once erased)'),
    description: z.string().optional().describe('personal data; absent once erased'),
    thumbnail: z.boolean().describe('whether GET .../thumbnail has a picture of it'),
  })
  .meta({ id: 'CaseFile' });
export type FileRepresentation = z.output<typeof fileSchema>;
