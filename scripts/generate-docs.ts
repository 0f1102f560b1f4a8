// npm run docs: regenerates the configuration table (docs/configuration.md) and the CLI
// reference (docs/cli.md) from their sources.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { collectCliHelp, PAGES, type Page, ROOT, renderPage } from './readme-docs.ts';

const helps = collectCliHelp();
for (const page of Object.keys(PAGES) as Page[]) {
  const file = path.join(ROOT, page);
  const current = await readFile(file, 'utf8');
  const next = renderPage(page, current, helps);
  if (next === current) {
    console.log(`${page} is up to date`);
  } else {
    await writeFile(file, next);
    console.log(`${page} regenerated`);
  }
}
