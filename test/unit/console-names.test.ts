// Who acted, as the console shows it: users by their login name (fetched in batches), the
// caller as "you", and the system's own events (SLA breaches, duplicates) by a label of
// their own, never fetched as a name and never shown as "system ()".
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../console/src/core/api-client.ts';
import { createNameDirectory } from '../../console/src/core/names.ts';
import { en } from '../../console/src/i18n/en.ts';
import { vi } from '../../console/src/i18n/vi.ts';
import { rolesOf, who } from '../../console/src/ui/badges.ts';

const LAN = '5b0c4a52-3c2e-4d8e-9f59-2f7f0c7a1e11';
const ME = '7d0f3c2a-5b1e-4c3d-9a8b-6e5f4d3c2b1a';

function fakeClient() {
  const asked: string[] = [];
  const client = {
    async get(_path: string, query?: Record<string, string>) {
      asked.push(query?.ids ?? '');
      return { items: [{ id: LAN, name: 'lan.nguyen' }] };
    },
  } as unknown as ApiClient;
  return { client, asked };
}

describe('actor names in the console', () => {
  it('asks the API only for user ids, never for the system actor', async () => {
    const { client, asked } = fakeClient();
    const names = createNameDirectory(client);
    await names.load(['system', LAN, 'system']);
    await names.load(['system']);
    expect(asked).toEqual([LAN]);
    expect(names.name(LAN)).toBe('lan.nguyen');
  });

  it.each([
    ['en', en, 'System (automatic)'],
    ['vi', vi, 'Hệ thống (tự động)'],
  ])('shows the system actor by its label in %s, without empty roles', async (_lang, t, label) => {
    const { client } = fakeClient();
    const names = createNameDirectory(client);
    await names.load([LAN]);
    const ctx = { names, me: { id: ME }, t };
    expect([who('system', ctx), rolesOf({ roles: [] }, t)]).toEqual([label, null]);
    expect([who(LAN, ctx), rolesOf({ roles: ['clerk'] }, t)]).toEqual(['lan.nguyen', t.role.clerk]);
    expect([who(ME, ctx), rolesOf({ roles: ['verifier', 'supervisor'] }, t)]).toEqual([
      t.app.you,
      `${t.role.verifier}, ${t.role.supervisor}`,
    ]);
  });
});
