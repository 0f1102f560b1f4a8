import { z } from 'zod';

// Cursors are opaque to clients: base64url of the JSON keyset tuple of the last item.

const INT4_MAX = 2_147_483_647;
const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * The values a keyset tuple may hold, bounded to what their columns can hold: a crafted
 * cursor (year 0, a number past 32 bits) is refused as not one this API issued instead of
 * failing in SQL.
 */
export const cursorKey = {
  /** A timestamptz as toISOString() writes it; PostgreSQL has no year 0. */
  timestamp: z.iso.datetime().refine((s) => !s.startsWith('0000'), 'year 0 does not exist'),
  uuid: z.uuid(),
  /** An integer column (a seq, a rank). */
  int4: z.int().min(0).max(INT4_MAX),
  /** A bigint id, as a decimal string. */
  int8: z
    .string()
    .regex(/^\d{1,19}$/u)
    .refine((s) => BigInt(s) <= INT8_MAX, 'out of range'),
};

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The keyset tuple, or undefined when the text is not a cursor of this shape. */
export function decodeCursor<S extends z.ZodType>(text: string, schema: S): z.output<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
