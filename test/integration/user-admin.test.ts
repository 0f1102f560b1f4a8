// SPEC §12: users and tokens administered over the API, each change an event of the user's
// own hash chain, verifiable like a case's.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { json, startApi, type ApiHarness, type TestUser } from '../support/api-harness.ts';

type User = { id: string; name: string; roles: string[]; disabled: boolean; disabledAt: string | null };
type Token = {
  id: string;
  label: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};
type UserEvent = { userId: string; seq: number; type: string; payload: Record<string, unknown>; actor: { id: string } };

let db: TestDatabase;
let api: ApiHarness;
let admin: TestUser;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startApi(db);
  admin = await api.user(['admin']);
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  auth: Record<string, string>,
  payload?: object,
) => api.app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload }) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('user administration over HTTP', () => {
  it('creates a user with a token shown once, lists them, changes their roles and disables them, each change in their trail', async () => {
    const created = await call('POST', '/v1/users', admin.auth, { name: `hoa-${Date.now()}`, roles: ['clerk'] });
    expect(created.statusCode).toBe(201);
    const user = json<{ id: string; name: string; token: string; tokenId: string; expiresAt: string }>(created);
    // The default lifetime (90 days) gives the first token an expiry.
    expect(Date.parse(user.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect(json<{ tokenId: string }>(await call('GET', '/v1/me', bearer(user.token))).tokenId).toBe(user.tokenId);

    const listed = json<{ items: User[] }>(await call('GET', '/v1/users', admin.auth)).items;
    expect(listed.find((u) => u.id === user.id)).toMatchObject({ roles: ['clerk'], disabled: false, disabledAt: null });

    const changed = await call('PATCH', `/v1/users/${user.id}`, admin.auth, { roles: ['clerk', 'verifier'] });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json<User>(changed).roles).toEqual(['clerk', 'verifier']);
    expect(json<{ roles: string[] }>(await call('GET', '/v1/me', bearer(user.token))).roles).toEqual([
      'clerk',
      'verifier',
    ]);

    const disabled = await call('PATCH', `/v1/users/${user.id}`, admin.auth, { disabled: true });
    expect(json<User>(disabled)).toMatchObject({ disabled: true, disabledAt: expect.any(String) });
    // The disabled user's next request is refused.
    const refused = await call('GET', '/v1/me', bearer(user.token));
    expect(refused.statusCode).toBe(401);
    expect(json<{ code: string }>(refused).code).toBe('unauthenticated');

    await call('PATCH', `/v1/users/${user.id}`, admin.auth, { disabled: false });
    expect((await call('GET', '/v1/me', bearer(user.token))).statusCode).toBe(200);

    const trail = json<{ items: UserEvent[] }>(await call('GET', `/v1/users/${user.id}/events`, admin.auth)).items;
    expect(trail.map((e) => [e.seq, e.type, e.actor.id])).toEqual([
      [1, 'user.created', admin.id],
      [2, 'token.created', admin.id],
      [3, 'user.roles_changed', admin.id],
      [4, 'user.disabled', admin.id],
      [5, 'user.enabled', admin.id],
    ]);
    expect(trail[2]?.payload).toEqual({ from: ['clerk'], to: ['clerk', 'verifier'] });
    expect(JSON.stringify(trail)).not.toContain(user.token);
  });

  it('lists and revokes tokens by id, never showing a secret, and refuses an expired token', async () => {
    const user = await api.user(['verifier']);
    const soon = new Date(Date.now() + 1_500).toISOString();
    const issued = await call('POST', `/v1/users/${user.id}/tokens`, admin.auth, { label: 'phone', expiresAt: soon });
    expect(issued.statusCode, issued.body).toBe(201);
    const second = json<{ id: string; token: string; expiresAt: string }>(issued);
    expect(second.expiresAt).toBe(soon);
    expect((await call('GET', '/v1/me', bearer(second.token))).statusCode).toBe(200);

    const tokens = json<{ items: Token[] }>(await call('GET', `/v1/users/${user.id}/tokens`, admin.auth)).items;
    expect(tokens.map((t) => t.id)).toEqual([user.tokenId, second.id]);
    expect(JSON.stringify(tokens)).not.toContain(second.token);

    // The expired token answers 401 once its time has passed; the other keeps working.
    await expect
      .poll(async () => (await call('GET', '/v1/me', bearer(second.token))).statusCode, {
        timeout: 5_000,
        interval: 200,
      })
      .toBe(401);
    expect((await call('GET', '/v1/me', user.auth)).statusCode).toBe(200);

    expect((await call('DELETE', `/v1/tokens/${user.tokenId}`, admin.auth)).statusCode).toBe(204);
    expect((await call('DELETE', `/v1/tokens/${user.tokenId}`, admin.auth)).statusCode).toBe(204);
    expect((await call('GET', '/v1/me', user.auth)).statusCode).toBe(401);
    const after = json<{ items: Token[] }>(await call('GET', `/v1/users/${user.id}/tokens`, admin.auth)).items;
    expect(after[0]?.revokedAt).toEqual(expect.any(String));
    const types = json<{ items: UserEvent[] }>(await call('GET', `/v1/users/${user.id}/events`, admin.auth)).items;
    // Revoked twice, recorded once.
    expect(types.map((e) => e.type)).toEqual(['user.created', 'token.created', 'token.created', 'token.revoked']);
  });

  it('refuses bad input with the field named and changes nothing', async () => {
    const user = await api.user(['clerk']);
    const bad = await call('PATCH', `/v1/users/${user.id}`, admin.auth, { roles: ['boss'] });
    expect(bad.statusCode).toBe(400);
    expect(json<{ errors: { path: string }[] }>(bad).errors[0]?.path).toMatch(/^roles/);
    const past = await call('POST', `/v1/users/${user.id}/tokens`, admin.auth, { expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(400);
    expect(json<{ errors: { path: string }[] }>(past).errors[0]?.path).toBe('expiresAt');
    expect((await call('PATCH', `/v1/users/${user.id}`, user.auth, { disabled: true })).statusCode).toBe(403);
    const trail = json<{ items: UserEvent[] }>(await call('GET', `/v1/users/${user.id}/events`, admin.auth)).items;
    expect(trail.map((e) => e.type)).toEqual(['user.created', 'token.created']);
  });

  it('keeps lastUsedAt without a write per request: the uses are written together later', async () => {
    // A second server on the same database, whose batch is written only when it closes.
    const other = await startApi(db, { server: { tokenUsageFlushMs: 3_600_000 } });
    const user = await other.user(['clerk']);
    const lastUsed = async () =>
      (
        await db.pool.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [
          user.tokenId,
        ])
      ).rows[0]?.last_used_at;
    try {
      for (let i = 0; i < 5; i++) {
        expect((await other.app.inject({ method: 'GET', url: '/v1/me', headers: user.auth })).statusCode).toBe(200);
      }
      expect(await lastUsed()).toBeNull();
    } finally {
      await other.close();
    }
    expect(await lastUsed()).toEqual(expect.any(Date));
  });

  it("verifies every user's chain, and names the user and seq of an event changed behind its back", async () => {
    expect(json(await call('GET', '/v1/users/audit/verify', admin.auth))).toMatchObject({
      ok: true,
      events: expect.any(Number),
    });
    const victim = await api.user(['clerk']);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('ALTER TABLE user_events DISABLE TRIGGER user_events_append_only');
      await client.query(
        `UPDATE user_events SET payload = '{"name":"mallory","roles":["admin"]}' WHERE user_id = $1 AND seq = 1`,
        [victim.id],
      );
      await client.query('ALTER TABLE user_events ENABLE ALWAYS TRIGGER user_events_append_only');
    } finally {
      await client.end();
    }
    expect(json(await call('GET', '/v1/users/audit/verify', admin.auth))).toMatchObject({
      ok: false,
      failure: { userId: victim.id, seq: 1, reason: 'hash does not match the event' },
    });
  });
});
