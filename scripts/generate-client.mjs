// Generates the Prisma client into src/generated/prisma. `prisma generate` does not run
// the schema engine, but the CLI insists that one exists: where none was downloaded
// (offline machines), any existing file satisfies the check. With --if-stale it does
// nothing when the client was generated from the same schema by the same Prisma version,
// so `npm start` and `npm test` stay fast.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'src', 'generated', 'prisma', '.generated-from');

function prismaVersion() {
  try {
    return createRequire(join(root, 'package.json'))('prisma/package.json').version;
  } catch {
    return null;
  }
}

const version = prismaVersion();
if (version === null) {
  if (existsSync(stamp)) process.exit(0);
  console.error(
    'casetrail: the Prisma CLI is not installed (a production install?); run npm ci to generate the client',
  );
  process.exit(1);
}
const source = createHash('sha256')
  .update(readFileSync(join(root, 'prisma', 'schema.prisma')))
  .update(`\0${version}`)
  .digest('hex');
if (process.argv.includes('--if-stale') && existsSync(stamp) && readFileSync(stamp, 'utf8') === source) process.exit(0);

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const cli = createRequire(join(root, 'package.json')).resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { cwd: root, env, encoding: 'utf8' });
if (result.status !== 0) {
  process.stderr.write(result.stderr ?? '');
  console.error('casetrail: prisma generate failed');
  process.exit(result.status ?? 1);
}
writeFileSync(stamp, source);
