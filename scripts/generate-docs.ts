// npm run docs: regenerates the configuration table and the CLI reference in README.md.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, renderReadme } from './readme-docs.ts';

const file = path.join(ROOT, 'README.md');
const current = await readFile(file, 'utf8');
const next = renderReadme(current);
if (next === current) {
  console.log('README.md is up to date');
} else {
  await writeFile(file, next);
  console.log('README.md regenerated (configuration table, CLI reference)');
}
