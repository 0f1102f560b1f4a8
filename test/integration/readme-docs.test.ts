// README.md's generated parts match their sources: the configuration table the zod
// schema describes, and the CLI reference the commands' --help print.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ROOT,
  SECTIONS,
  renderConfigTable,
  renderReadme,
  sectionBegin,
  sectionEnd,
} from '../../scripts/readme-docs.ts';
import { configSchema } from '../../src/infra/config/config.ts';

const readme = () => readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README.md generated sections', () => {
  it('has each generated section once, between its markers', () => {
    const text = readme();
    for (const section of SECTIONS) {
      expect(text.split(sectionBegin(section)).length - 1, section).toBe(1);
      expect(text.split(sectionEnd(section)).length - 1, section).toBe(1);
    }
  });

  it('lists every configuration variable with its default, in the schema order', () => {
    const rows = renderConfigTable().split('\n').slice(2);
    expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1])).toEqual(Object.keys(configSchema.shape));
    expect(rows).toContain('| `PORT` | `3000` | HTTP port (0 picks a free one) |');
    expect(rows).toContain('| `CASETRAIL_SLA_RECEIVED` | `24h` | deadline of the received stage |');
  });

  it('is current: `npm run docs` would change nothing', () => {
    const text = readme();
    // On failure: run `npm run docs` and commit README.md.
    expect(renderReadme(text)).toBe(text);
  });
});
