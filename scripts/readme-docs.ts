// The generated reference pages: docs/configuration.md's table of environment variables
// (from the zod schema that validates the environment) and docs/cli.md's command reference
// (from the commands' --help). `npm run docs` writes each between its marker comments and
// formats the page as `npm run format` would; a test checks they are current.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import type { CommandHelp } from '../src/cli/commands/reference.command.ts';
import { configSchema } from '../src/infra/config/config.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const SECTIONS = ['config', 'cli'] as const;
export type Section = (typeof SECTIONS)[number];

/** Which page holds each generated section (paths relative to the repository root). */
export const PAGES = {
  'docs/configuration.md': ['config'],
  'docs/cli.md': ['cli'],
} as const satisfies Record<string, readonly Section[]>;
export type Page = keyof typeof PAGES;

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

export function replaceSection(page: string, text: string, section: Section, body: string): string {
  const start = text.indexOf(begin(section));
  const stop = text.indexOf(end(section));
  if (start === -1 || stop === -1 || stop < start)
    throw new Error(`${page} lacks the markers of the generated ${section} section`);
  return `${text.slice(0, start)}${begin(section)}\n${body}\n${text.slice(stop)}`;
}

/** Markdown as Biome formats it (tables padded), so that `npm run format` leaves a generated page alone. */
export function formatMarkdown(page: string, text: string): string {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/@biomejs/biome/bin/biome'), 'format', `--stdin-file-path=${page}`],
    { cwd: ROOT, input: text, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`biome format ${page} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** A generated page as it should be: the given text with its generated sections rendered afresh. */
export function renderPage(page: Page, text: string, helps: readonly CommandHelp[] = collectCliHelp()): string {
  const bodies: Record<Section, () => string> = {
    config: renderConfigTable,
    cli: () => renderCliReference(helps),
  };
  let next = text;
  for (const section of PAGES[page]) next = replaceSection(page, next, section, bodies[section]());
  return formatMarkdown(page, next);
}

export { begin as sectionBegin, end as sectionEnd };
