// `casetrail health`, the health check of worker containers: exit 0 when the configured
// database and queue backend answer, 1 (naming what is down) when one does not.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function health(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/casetrail.mjs'), 'health', '--json'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('casetrail health', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('exits 0 when PostgreSQL and Redis answer', async () => {
    const result = await health({ DATABASE_URL: db.url, REDIS_URL: inject('redisUrl') });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'ok',
      checks: { database: true, queues: true },
      queueBackend: 'redis',
    });
  });

  it('checks only the database on the PostgreSQL queue backend', async () => {
    const result = await health({ DATABASE_URL: db.url });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'ok',
      checks: { database: true, queues: true },
      queueBackend: 'postgres',
    });
  });

  it('exits 1 naming the queue backend when Redis does not answer', async () => {
    // Port 9 (discard) has no Redis on a test machine.
    const result = await health({ DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:9' });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'unavailable',
      checks: { database: true, queues: false },
      queueBackend: 'redis',
    });
  });
});
