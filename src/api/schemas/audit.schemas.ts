import { z } from 'zod';
import {
  PERSONAL_FIELDS,
  bundlePublicKeySchema,
  bundleV2Schema,
  keySetSchema,
  signedCheckpointSchema,
  signedTreeHeadSchema,
} from '../../domain/index.ts';

// Representations of the audit endpoints. The bundle and the checkpoint are the documented
// formats themselves (docs/audit-format.md), so their schemas come from the domain.

export const bundleResponseSchema = bundleV2Schema.meta({
  id: 'Bundle',
  description: 'casetrail-bundle/2 (docs/audit-format.md)',
});

export const checkpointSchema = signedCheckpointSchema.meta({
  id: 'Checkpoint',
  description: 'a signed checkpoint (docs/audit-format.md)',
});

export const publicKeySchema = bundlePublicKeySchema.meta({
  id: 'PublicKey',
  description: 'the Ed25519 key checkpoints and bundles are signed with',
});

const auditFailureSchema = z.object({
  caseId: z.string().nullable(),
  seq: z.int().nullable(),
  checkpoint: z.int().nullable(),
  reason: z.string(),
});

export const trailReportSchema = z
  .object({
    ok: z.boolean().describe('true when every chain, case row and checkpoint holds'),
    caseId: z.uuid().nullable().describe('the case verified, or null for the whole trail'),
    cases: z.int(),
    events: z.int(),
    checkpoints: z.int(),
    sealedThroughEventId: z.string().describe('every event up to this id is covered by a checkpoint'),
    unsealedEvents: z.int().describe('events newer than the last checkpoint'),
    keyId: z.string(),
    failures: z.array(auditFailureSchema).describe('the first breaks found, per-case chains first'),
  })
  .meta({ id: 'AuditReport' });

export const accessLogEntrySchema = z
  .object({
    id: z.string(),
    actorId: z.uuid(),
    action: z.string().describe('case.read, case.events.read or case.export'),
    caseId: z.uuid().nullable(),
    caseReference: z.string().nullable().describe('the reference of the case read'),
    purpose: z.string().nullable(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'AccessLogEntry' });

export const erasureResultSchema = z
  .object({
    caseId: z.uuid(),
    erased: z
      .array(z.enum(PERSONAL_FIELDS))
      .describe('the personal fields that were deleted; empty when none were left'),
    event: z
      .object({ seq: z.int(), hash: z.string() })
      .nullable()
      .describe('the case.personal_data_erased event, null when nothing was erased'),
    otherCases: z
      .int()
      .describe(
        'how many other cases of the same item (merged duplicates, later reports) lost personal data too; each records its own erasure',
      ),
    objectsDeleted: z.int().describe('stored files whose bytes were deleted (those no other case holds)'),
  })
  .meta({ id: 'Erasure' });

export const treeHeadSchema = signedTreeHeadSchema.meta({
  id: 'TreeHead',
  description: 'a signed tree head of the Merkle log (docs/audit-format.md)',
});

const hex = z.string().regex(/^[0-9a-f]{64}$/u);

export const consistencyProofSchema = z.object({
  from: z.int(),
  to: z.int(),
  proof: z.array(hex).describe('RFC 9162 §2.1.4.1 consistency proof'),
});

export const inclusionProofSchema = z.object({
  eventId: z.string(),
  leafIndex: z.int(),
  treeSize: z.int(),
  path: z.array(hex).describe('RFC 9162 §2.1.3.1 audit path, deepest sibling first'),
});

export const keySetResponseSchema = keySetSchema.meta({
  id: 'KeySet',
  description: 'every key that signed the audit trail (docs/audit-format.md, key rotation)',
});
