// I-JSON (RFC 7493) for documents a verifier reads: an object with two members of one name
// is refused. JSON.parse keeps the last of them silently, so that one text could mean two
// things to two implementations; names are compared after their escapes are decoded.

export type StrictJson = { ok: true; value: unknown } | { ok: false; reason: string };

type Frame = { keys: Set<string> | null; path: string; expectKey: boolean };

export function parseStrictJson(text: string): StrictJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const duplicate = duplicateMember(text);
  return duplicate === null ? { ok: true, value } : { ok: false, reason: `duplicate member ${duplicate}` };
}

/** The path of the first repeated member name, or null. The text is valid JSON already. */
function duplicateMember(text: string): string | null {
  const stack: Frame[] = [];
  let lastKey: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack.at(-1);
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.keys !== null && top?.expectKey) {
        const name = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(name)) return `${top.path}.${name}`;
        top.keys.add(name);
        top.expectKey = false;
        lastKey = name;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      const parent = top === undefined ? '' : top.keys === null ? `${top.path}[]` : `${top.path}.${lastKey ?? ''}`;
      stack.push({ keys: c === '{' ? new Set() : null, path: top === undefined ? '$' : parent, expectKey: c === '{' });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top?.keys !== null && top !== undefined) {
      top.expectKey = true;
    }
  }
  return null;
}
