// The console's assignment, worklist for supervisors and user administration, in a real
// browser (Debian's chromium through playwright-core) against the whole system.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, newUserContext } from '../support/browser.ts';
import { EN, field, headingOnceIt, signIn, textOf } from '../support/console-flow.ts';
import { submitBody } from '../support/fixtures.ts';
import { startSystem, type System } from '../support/system.ts';

describe.skipIf(!hasChromium)('the console for supervisors and admins, in a browser', () => {
  let system: System;
  let browser: Browser;
  const people: Record<string, { id: string; name: string; token: string }> = {};

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-console.mjs', '--if-stale'], { stdio: 'inherit', timeout: 120_000 });
    system = await startSystem({ backend: 'redis' });
    browser = await launchChromium();
    for (const [key, roles] of [
      ['clerk', ['clerk']],
      ['verifier', ['verifier']],
      ['supervisor', ['supervisor']],
      ['admin', ['admin']],
    ] as const) {
      const name = `${key}-${randomUUID().slice(0, 6)}`;
      people[key] = { name, ...(await system.createUser(name, [...roles])) };
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  const api = async (method: string, path: string, who: string, body?: unknown) => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${people[who]?.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> };
  };

  async function pageFor(who: string): Promise<Page> {
    const page = await (await newUserContext(browser)).newPage();
    await signIn(page, system.baseUrl, people[who]?.token ?? '', EN);
    return page;
  }

  it("lets a supervisor assign a case, which shows on the supervisor's worklist and the verifier's", async () => {
    const submitted = await api(
      'POST',
      '/v1/cases?wait=true',
      'clerk',
      submitBody({ url: `https://example.vn/${randomUUID()}`, content: randomUUID() }),
    );
    expect(submitted.status).toBe(201);
    const { id, reference } = submitted.body as { id: string; reference: string };
    const verifier = people.verifier as { id: string; name: string };

    const supervisor = await pageFor('supervisor');
    await supervisor.goto(`${system.baseUrl}/#/cases/${id}`);
    const assign = supervisor.getByRole('form', { name: 'Assignment' });
    await field(assign, 'Verifier').selectOption(verifier.id);
    await assign.getByRole('button', { name: 'Assign' }).click();
    await supervisor
      .locator('.assign p', { hasText: `Held by ${verifier.name} until` })
      .waitFor()
      .catch(async (error: unknown) => {
        throw new Error(`the assignment shows: ${await supervisor.locator('main').innerText()}`, { cause: error });
      });

    await supervisor.getByRole('link', { name: 'Worklist' }).click();
    expect(await headingOnceIt(supervisor, 'Verification worklist')).toBe('Verification worklist');
    const row = supervisor.locator('tr', { hasText: reference });
    expect(await textOf(row.locator('td').nth(4))).toMatch(new RegExp(`^Claimed by ${verifier.name} until `, 'u'));

    const verifierPage = await pageFor('verifier');
    expect(await headingOnceIt(verifierPage, 'Verification worklist')).toBe('Verification worklist');
    const mine = verifierPage.locator('tr', { hasText: reference });
    expect(await textOf(mine.locator('td').nth(4))).toMatch(/^Claimed by you until /u);
    await mine.getByRole('link', { name: `Open ${reference}` }).click();
    await verifierPage.getByRole('form', { name: EN.verifyForm }).waitFor();
  }, 180_000);

  it('lets an admin create a user with the token shown once, change their roles and disable them', async () => {
    const admin = await pageFor('admin');
    expect(await headingOnceIt(admin, 'Users')).toBe('Users');
    const name = `thu-${randomUUID().slice(0, 6)}`;
    const create = admin.getByRole('form', { name: 'New user' });
    await field(create, 'Name').fill(name);
    await create.getByLabel('Clerk').check();
    await create.getByRole('button', { name: 'Create user' }).click();
    const token = await admin.locator('.token-once input.token').inputValue();
    expect(token).toMatch(/^ct_/u);
    expect((await api('GET', '/v1/me', 'admin')).status).toBe(200);
    const me = await fetch(`${system.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);

    await admin.getByRole('link', { name }).click();
    expect(await headingOnceIt(admin, `User ${name}`)).toBe(`User ${name}`);
    const roles = admin.getByRole('form', { name: 'Roles' });
    await roles.getByLabel('Verifier').check();
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await admin.locator('.live', { hasText: `Roles of ${name} saved.` }).waitFor();
    const listed = (await api('GET', '/v1/users', 'admin')).body as { items: { name: string; roles: string[] }[] };
    expect(listed.items.find((u) => u.name === name)?.roles).toEqual(['clerk', 'verifier']);

    await admin.getByRole('button', { name: 'Disable user' }).click();
    await admin.locator('.user-status', { hasText: 'Disabled' }).waitFor();
    const refused = await fetch(`${system.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);

    // The token list shows the first token without its secret, revocable by its id.
    expect(await admin.locator('table.tokens tbody tr').count()).toBe(1);
    expect(await admin.locator('table.tokens').innerText()).not.toContain(token);
  }, 180_000);
});
