// Builds the web console (console/) into dist/console with Vite. With --if-stale (npm start
// and npm test) it builds only when a source is newer than the last build, so those stay
// fast. The build goes to a temporary folder first and is swapped in by rename: a server
// reading dist/console never sees a half-written bundle.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist', 'console');
const inputs = [join(root, 'console'), join(root, 'src', 'domain', 'stages.ts'), join(root, 'package-lock.json')];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function isStale() {
  const built = join(outDir, 'index.html');
  if (!existsSync(built)) return true;
  return Math.max(...inputs.filter(existsSync).map(newest)) > statSync(built).mtimeMs;
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const { build } = await import('vite');
const tmp = join(root, 'dist', `.console-${process.pid}`);
const old = join(root, 'dist', `.console-old-${process.pid}`);
try {
  await build({
    configFile: join(root, 'console', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: tmp, emptyOutDir: true },
  });
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(tmp, outDir);
} catch (error) {
  console.error(`casetrail: the console build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
