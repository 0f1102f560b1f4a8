import { z } from 'zod';
import type { CommandType } from './commands.ts';
import type { PersonalField } from './events.ts';
import type { ItemInput, RecordPenaltyPayload } from './schemas.ts';
import { LIMITS, textField } from './text.ts';

// The personal fields of a submission or a penalty, keyed as the personal-data table keys
// them. They are stored apart from the trail; the events carry only their HMAC digest
// (see personalDigest in hashing.ts), computed over exactly these objects.

export type ItemPersonalData = { accountHandle?: string; accountName?: string; content: string };
export type SubjectPersonalData = { subjectHandle?: string; subjectName?: string };

export function itemPersonalData(item: ItemInput): ItemPersonalData {
  return {
    ...(item.accountHandle === undefined ? {} : { accountHandle: item.accountHandle }),
    ...(item.accountName === undefined ? {} : { accountName: item.accountName }),
    content: item.content,
  };
}

/** Null when the decision names no subject: the penalty then carries no subject digest. */
export function subjectPersonalData(subject: RecordPenaltyPayload['subject']): SubjectPersonalData | null {
  if (subject.accountHandle === undefined && subject.name === undefined) return null;
  return {
    ...(subject.accountHandle === undefined ? {} : { subjectHandle: subject.accountHandle }),
    ...(subject.name === undefined ? {} : { subjectName: subject.name }),
  };
}

/**
 * Where commands carry personal data in their stored payloads, and which personal field
 * each path holds: what an erasure removes from the command inbox besides the personal-data
 * row. Only these commands take personal fields (see the schemas).
 */
export const PERSONAL_PAYLOAD_PATHS = {
  submit: [
    { path: ['item', 'accountHandle'], field: 'accountHandle' },
    { path: ['item', 'accountName'], field: 'accountName' },
    { path: ['item', 'content'], field: 'content' },
    { path: ['item', 'url'], field: 'url' },
    { path: ['claim'], field: 'claim' },
    { path: ['report', 'reporterRef'], field: 'reporterRef' },
  ],
  verify: [
    { path: ['rationale'], field: 'text' },
    // Descriptions and URLs of evidence items: the list goes whole.
    { path: ['evidence'], field: 'text' },
  ],
  refer: [{ path: ['note'], field: 'text' }],
  'record-penalty': [
    { path: ['subject', 'accountHandle'], field: 'subjectHandle' },
    { path: ['subject', 'name'], field: 'subjectName' },
    { path: ['facts'], field: 'text' },
    { path: ['documents'], field: 'text' },
  ],
  'record-no-violation': [{ path: ['note'], field: 'text' }],
  'file-appeal': [{ path: ['grounds'], field: 'text' }],
  'decide-appeal': [{ path: ['note'], field: 'text' }],
  close: [{ path: ['note'], field: 'text' }],
  withdraw: [{ path: ['reason'], field: 'text' }],
  'add-note': [{ path: ['text'], field: 'text' }],
  'add-evidence': [
    { path: ['url'], field: 'evidenceUrl' },
    { path: ['description'], field: 'text' },
  ],
  'attach-file': [
    { path: ['name'], field: 'fileName' },
    { path: ['description'], field: 'fileDescription' },
  ],
} as const satisfies Partial<Record<CommandType, readonly { path: readonly string[]; field: PersonalField }[]>>;

/**
 * Why personal data is erased (retention, a court order...): recorded in the trail, so never
 * personal itself. With references, only those values are erased (a redaction).
 */
export const erasureSchema = z.strictObject({
  reason: textField(LIMITS.reason),
  references: z
    .array(z.string().regex(/^pd:[0-9a-f]{64}$/u, 'must be a personal reference: pd: and 64 lower-case hex characters'))
    .min(1)
    .max(LIMITS.redactions)
    .optional(),
});
