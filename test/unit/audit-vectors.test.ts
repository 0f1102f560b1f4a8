import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStrictJson, verifyBundle } from '../../src/domain/index.ts';
import { auditVectors } from './audit-vectors.ts';

// The test vectors of docs/audit-vectors/: each file, read as an auditor's verifier would read
// it, gives the result its index states (docs/audit-format.md §11). CASETRAIL_UPDATE_VECTORS=1
// writes them afresh.

const dir = new URL('../../docs/audit-vectors/', import.meta.url);
const vectors = auditVectors();
const index = vectors.map(({ text: _text, ...entry }) => entry);

if (process.env.CASETRAIL_UPDATE_VECTORS === '1') {
  for (const v of vectors) writeFileSync(new URL(v.file, dir), v.text);
  writeFileSync(new URL('index.json', dir), `${JSON.stringify(index, null, 2)}\n`);
}

/** What casetrail's verifier makes of a file: strict JSON, then the steps of §10. */
function verdict(text: string, pinned: readonly string[]): { ok: true } | { ok: false; step: string } {
  const parsed = parseStrictJson(text);
  if (!parsed.ok) return { ok: false, step: 'shape' };
  const report = verifyBundle(parsed.value, { trustedKeyIds: new Set(pinned) });
  return report.ok ? { ok: true } : { ok: false, step: report.failure.step ?? '(none)' };
}

describe('the test vectors of docs/audit-vectors/', () => {
  it('ships exactly the vectors the code makes, with their index', () => {
    expect(JSON.parse(readFileSync(new URL('index.json', dir), 'utf8'))).toEqual(index);
    for (const v of vectors) expect(readFileSync(new URL(v.file, dir), 'utf8'), v.file).toBe(v.text);
  });

  it.each(index)(
    '$file gives $expect.step in casetrail’s verifier ($description)',
    ({ file, pinned, expect: expected }) => {
      expect(verdict(readFileSync(new URL(file, dir), 'utf8'), pinned)).toEqual(expected);
    },
  );

  it('the genuine ones are never answered ok without a pinned key', () => {
    for (const v of index.filter((x) => x.expect.ok)) {
      const report = verifyBundle(JSON.parse(readFileSync(new URL(v.file, dir), 'utf8')));
      expect(report).toMatchObject({ ok: true, pinned: false });
    }
  });
});
