import type { z } from 'zod';

// Cursors are opaque to clients: base64url of the JSON keyset tuple of the last item.

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
