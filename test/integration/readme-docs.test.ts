// The generated reference pages match their sources: docs/configuration.md's table is what
// the zod schema describes, docs/cli.md's reference what the commands' --help print.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  collectCliHelp,
  PAGES,
  type Page,
  ROOT,
  renderConfigTable,
  renderPage,
  SECTIONS,
  sectionBegin,
  sectionEnd,
} from '../../scripts/readme-docs.ts';
import { configSchema } from '../../src/infra/config/config.ts';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const pages = Object.keys(PAGES) as Page[];

describe('generated reference pages', () => {
  it('has each generated section once, between its markers, on its page', () => {
    for (const page of pages) {
      const text = read(page);
      for (const section of PAGES[page]) {
        expect(text.split(sectionBegin(section)).length - 1, `${page} ${section}`).toBe(1);
        expect(text.split(sectionEnd(section)).length - 1, `${page} ${section}`).toBe(1);
      }
    }
    expect(pages.flatMap((page) => PAGES[page]).sort()).toEqual([...SECTIONS].sort());
  });

  it('lists every configuration variable with its default, in the schema order', () => {
    const rows = renderConfigTable().split('\n').slice(2);
    expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1])).toEqual(Object.keys(configSchema.shape));
    expect(rows).toContain('| `PORT` | `3000` | HTTP port (0 picks a free one) |');
    expect(rows).toContain('| `CASETRAIL_SLA_RECEIVED` | `24h` | deadline of the received stage |');
  });

  it('is current: `npm run docs` would change nothing', () => {
    const helps = collectCliHelp();
    for (const page of pages) {
      const text = read(page);
      // On failure: run `npm run docs` and commit the page.
      expect(renderPage(page, text, helps), page).toBe(text);
    }
  });
});
