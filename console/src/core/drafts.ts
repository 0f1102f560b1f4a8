import { sessionValue } from './preferences.ts';

// What a user typed in a form and has not sent yet, per form and case, in the tab's session
// storage: it survives a revoked or expired token (the sign-in comes back to the same page),
// a refusal because the case moved, a reload and a visit to another page, and is forgotten
// when the command is applied or the user discards it, or when the tab closes.

export type DraftValue = string | boolean | string[];

export type Draft = {
  /** Control values by full name ("evidence.1.url"). */
  values: Record<string, DraftValue>;
  /** How many rows each repeated field had. */
  rows: Record<string, number>;
  /** The case version the user started from (null: a new report). */
  baseVersion: number | null;
};

const PREFIX = 'casetrail.draft.';

const keyOf = (formId: string, caseId: string | null) => `${PREFIX}${formId}.${caseId ?? 'new'}`;

function isDraft(value: unknown): value is Draft {
  if (typeof value !== 'object' || value === null) return false;
  const draft = value as Record<string, unknown>;
  return typeof draft.values === 'object' && typeof draft.rows === 'object' && 'baseVersion' in draft;
}

export const drafts = {
  load(formId: string, caseId: string | null): Draft | null {
    const text = sessionValue.get(keyOf(formId, caseId));
    if (text === null) return null;
    try {
      const parsed: unknown = JSON.parse(text);
      return isDraft(parsed) ? parsed : null;
    } catch {
      return null;
    }
  },
  save(formId: string, caseId: string | null, draft: Draft): void {
    sessionValue.set(keyOf(formId, caseId), JSON.stringify(draft));
  },
  clear(formId: string, caseId: string | null): void {
    sessionValue.set(keyOf(formId, caseId), null);
  },
  /** The forms with a draft for this case. */
  formsOf(caseId: string): string[] {
    const suffix = `.${caseId}`;
    return sessionValue
      .keys(PREFIX)
      .filter((key) => key.endsWith(suffix))
      .map((key) => key.slice(PREFIX.length, -suffix.length));
  },
};
