import type { ItemInput, RecordPenaltyPayload } from './schemas.ts';

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
