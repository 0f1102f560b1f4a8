import { z } from 'zod';

export const LIMITS = {
  content: 20_000,
  claim: 2_000,
  url: 2_048,
  name: 200,
  code: 100,
  handle: 200,
  language: 35,
  longText: 10_000,
  reason: 2_000,
  evidence: 50,
  legalBasis: 20,
  documents: 20,
  /** References one redaction may name. */
  redactions: 100,
} as const;

// The tsconfig lib is ES2023; isWellFormed is ES2024 and present in Node 20.
type WellFormedString = string & { isWellFormed(): boolean };

/** True when the string has no NUL character and no lone surrogate. */
export function isSafeText(value: string): boolean {
  return !value.includes('\u0000') && (value as WellFormedString).isWellFormed();
}

const SAFE_TEXT_MESSAGE = 'must not contain NUL characters or lone surrogates';

/** Any string field: bounded, no NUL, no lone surrogate. May be empty or blank. */
export function stringField(max: number) {
  return z.string().max(max).refine(isSafeText, SAFE_TEXT_MESSAGE);
}

// What shows nothing on its own: whitespace and separators, controls, format characters
// (zero-width characters, bidirectional controls, the soft hyphen), private-use and
// unassigned code points, combining marks without a base, and the fillers fonts draw empty
// (Hangul fillers, the blank Braille pattern).
const NOTHING_VISIBLE = /^[\s\p{Z}\p{C}\p{M}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

/** True when the text has at least one character a reader can see. */
export function hasVisibleCharacter(value: string): boolean {
  return !NOTHING_VISIBLE.test(value);
}

const BLANK_MESSAGE = 'must contain a visible character';

/** A required text field: at least one visible character (zero-width characters alone are blank). */
export function textField(max: number) {
  return stringField(max).refine(hasVisibleCharacter, BLANK_MESSAGE);
}

// Nothing an identifier may hold: format characters (bidirectional controls U+202A-U+202E,
// U+2066-U+2069, U+200E, U+200F, U+061C; zero-width characters) and controls, with which one
// identifier can be made to look like another, or two to look the same; the empty fillers too.
const HIDDEN_IN_IDENTIFIER = /[\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0]/u;

function hasHiddenCharacter(value: string): boolean {
  return HIDDEN_IN_IDENTIFIER.test(value);
}

const HIDDEN_MESSAGE = 'must not contain invisible characters (bidirectional controls, zero-width characters)';

/** A short identifier (decision number, authority code, user name): surrounding spaces trimmed. */
export function identifierField(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(isSafeText, SAFE_TEXT_MESSAGE)
    .refine((s) => !hasHiddenCharacter(s), HIDDEN_MESSAGE)
    .refine(hasVisibleCharacter, BLANK_MESSAGE);
}

/** An account handle as the platform shows it: visible, with nothing hidden in it. */
export function handleField(max: number) {
  return textField(max).refine((s) => !hasHiddenCharacter(s), HIDDEN_MESSAGE);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const httpUrlSchema = stringField(LIMITS.url)
  .min(1)
  .refine((s) => !hasHiddenCharacter(s), HIDDEN_MESSAGE)
  .refine(isHttpUrl, 'must be an absolute http(s) URL');

/** 64 hex characters, either case accepted, normalized to lower case. */
export const sha256Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/u, 'must be 64 hexadecimal characters')
  .transform((s) => s.toLowerCase());

/** A file id: a UUID, normalized to lower case. */
export const fileIdSchema = z.uuid().transform((s) => s.toLowerCase());

/** RFC 3339 with an offset (Z or ±hh:mm), normalized to UTC `toISOString()` form. */
export const timestampSchema = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .refine((s) => /^\d{4}-/u.test(s), 'must be a year between 0000 and 9999 in UTC');
