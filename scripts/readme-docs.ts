// The generated parts of README.md: the configuration table (from the zod schema that
// validates the environment) and the command-line reference (from the commands' --help).
// `npm run docs` writes them between their marker comments; a test checks they are current.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import type { CommandHelp } from '../src/cli/commands/reference.command.ts';
import { configSchema } from '../src/infra/config/config.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const SECTIONS = ['config', 'cli'] as const;
export type Section = (typeof SECTIONS)[number];

const begin = (section: Section) =>
  `<!-- generated:${section} (npm run docs rewrites this part; edit its source instead) -->`;
const end = (section: Section) => `<!-- /generated:${section} -->`;

type JsonProperty = { description?: string; default?: unknown; enum?: unknown[] };

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderConfigTable(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonProperty>;
  };
  const rows = Object.entries(schema.properties).map(([name, property]) => {
    const fallback = property.default === undefined ? 'unset' : `\`${String(property.default)}\``;
    const values = property.enum === undefined ? '' : ` (${property.enum.map((v) => `\`${String(v)}\``).join(', ')})`;
    return `| \`${name}\` | ${fallback} | ${cell(property.description ?? '')}${values} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

export function renderCliReference(helps: readonly CommandHelp[]): string {
  const summary = helps.slice(1).map((h) => `| \`${h.command}\` | ${cell(h.description)} |`);
  const details = helps.map((h) =>
    [
      '<details>',
      `<summary><code>${h.command} --help</code></summary>`,
      '',
      '```text',
      h.help,
      '```',
      '',
      '</details>',
    ].join('\n'),
  );
  return ['| command | does |', '|---|---|', ...summary, '', details.join('\n\n')].join('\n');
}

/** The help of every command, from the CLI itself (one process). */
export function collectCliHelp(): CommandHelp[] {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'bin/casetrail.mjs'), 'reference'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`casetrail reference failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as CommandHelp[];
}

export function replaceSection(readme: string, section: Section, body: string): string {
  const start = readme.indexOf(begin(section));
  const stop = readme.indexOf(end(section));
  if (start === -1 || stop === -1 || stop < start)
    throw new Error(`README.md lacks the markers of the generated ${section} section`);
  return `${readme.slice(0, start)}${begin(section)}\n${body}\n${readme.slice(stop)}`;
}

/**
 * Pads every table's cells to their column's width, as the formatter (biome) lays tables
 * out, so that a regenerated section is already formatted.
 */
export function alignTables(markdown: string): string {
  const lines = markdown.split('\n');
  const splitRow = (line: string) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/u)
      .map((c) => c.trim());
  const width = (text: string) => [...text].length;
  for (let start = 0; start < lines.length; start++) {
    if (!lines[start]?.startsWith('|')) continue;
    let stop = start;
    while (lines[stop + 1]?.startsWith('|')) stop++;
    const rows = lines.slice(start, stop + 1).map(splitRow);
    const widths = rows[0]?.map((_, i) =>
      Math.max(3, ...rows.filter((_, r) => r !== 1).map((row) => width(row[i] ?? ''))),
    );
    rows.forEach((row, r) => {
      const cells = (widths ?? []).map((w, i) =>
        r === 1 ? '-'.repeat(w) : (row[i] ?? '') + ' '.repeat(w - width(row[i] ?? '')),
      );
      lines[start + r] = `| ${cells.join(' | ')} |`;
    });
    start = stop;
  }
  return lines.join('\n');
}

/** README.md as it should be: the given text with every generated section rendered afresh. */
export function renderReadme(readme: string, helps: readonly CommandHelp[] = collectCliHelp()): string {
  const config = alignTables(renderConfigTable());
  return replaceSection(replaceSection(readme, 'config', config), 'cli', alignTables(renderCliReference(helps)));
}

export { begin as sectionBegin, end as sectionEnd };
