// SPEC §12: the command line mirrors the user and token administration, --json everywhere.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/app/users.ts';
import { findTokenOwner } from '../../src/infra/db/user.repository.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';

let dir: string;
let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-users-cli-'));
  db = await createTestDatabase();
  env = {
    DATABASE_URL: db.url,
    CASETRAIL_HMAC_KEY: 'users-cli-test-hmac-key-0123456789abcdef',
    CASETRAIL_DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'silent',
  };
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const cli = async <T>(args: string[]): Promise<T> => {
  const result = await runCli([...args, '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
};

describe('casetrail users and tokens', () => {
  it('creates a user, changes their roles, disables them, and revokes a token by its id', async () => {
    const created = await cli<{ id: string; name: string; roles: string[]; token: string; tokenId: string }>([
      'users',
      'create',
      '--name',
      'lan',
      '--roles',
      'clerk',
    ]);
    expect(created).toMatchObject({ name: 'lan', roles: ['clerk'], tokenId: expect.any(String) });

    const updated = await cli<{ roles: string[] }>(['users', 'update', created.id, '--roles', 'clerk,verifier']);
    expect(updated.roles).toEqual(['clerk', 'verifier']);
    const listed = await cli<{ items: { id: string; roles: string[]; disabled: boolean }[] }>(['users', 'list']);
    expect(listed.items).toEqual([
      expect.objectContaining({ id: created.id, roles: ['clerk', 'verifier'], disabled: false }),
    ]);

    const second = await cli<{ id: string; token: string; label: string }>([
      'tokens',
      'create',
      created.id,
      '--label',
      'phone',
    ]);
    const tokens = await cli<{ items: { id: string; revokedAt: string | null }[] }>(['tokens', 'list', created.id]);
    expect(tokens.items.map((t) => t.id)).toEqual([created.tokenId, second.id]);

    // The token the CLI made is revoked by its id; the other one still works.
    expect(await cli(['tokens', 'revoke', created.tokenId])).toEqual({ id: created.tokenId, revoked: true });
    expect(await findTokenOwner(db.pool, hashToken(created.token))).toMatchObject({ revoked: true });
    expect(await findTokenOwner(db.pool, hashToken(second.token))).toMatchObject({ revoked: false, disabled: false });

    const disabled = await cli<{ disabled: boolean }>(['users', 'disable', created.id]);
    expect(disabled.disabled).toBe(true);
    expect(await findTokenOwner(db.pool, hashToken(second.token))).toMatchObject({ disabled: true });

    const { rows } = await db.pool.query<{ type: string; actor_id: string }>(
      'SELECT type, actor_id FROM user_events WHERE user_id = $1 ORDER BY seq',
      [created.id],
    );
    expect(rows.map((r) => r.type)).toEqual([
      'user.created',
      'token.created',
      'user.roles_changed',
      'token.created',
      'token.revoked',
      'user.disabled',
    ]);
    expect(new Set(rows.map((r) => r.actor_id))).toEqual(new Set(['command-line']));
    expect(await cli(['users', 'verify'])).toEqual({ ok: true, users: 1, events: 6 });
  });

  it('answers 2 naming the option for bad input, changing nothing', async () => {
    const bad = await runCli(['users', 'update', '00000000-0000-4000-8000-000000000001', '--roles', 'boss'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--roles/);
    const notId = await runCli(['tokens', 'revoke', 'nope'], env);
    expect(notId.code).toBe(2);
    expect(notId.stderr).toMatch(/token id/);
  });
});
