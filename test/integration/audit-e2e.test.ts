import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODIES, penaltyBody, submitBody, verifyBody } from '../support/fixtures.ts';
import { runCli } from '../support/cli.ts';
import { startSystem, type System } from '../support/system.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-audit-e2e-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(['redis', 'postgres'] as const)('the audit trail of the whole system (%s queues)', (backend) => {
  let system: System | undefined;
  afterAll(() => system?.close());

  it("is sealed by the pipeline's sealer, exported with the CLI, and verifies with the database dropped", async () => {
    system = await startSystem({ backend, sealer: { checkpointEvents: 4, checkpointIntervalMs: 300 } });
    const sys = system;
    const [clerk, verifier, supervisor, supervisor2] = await Promise.all([
      sys.createUser(`clerk-${backend}`, ['clerk']),
      sys.createUser(`verifier-${backend}`, ['verifier']),
      sys.createUser(`supervisor-${backend}`, ['supervisor']),
      sys.createUser(`supervisor2-${backend}`, ['supervisor']),
    ]);
    const call = async (token: string, method: string, url: string, body?: unknown) => {
      const response = await fetch(`${sys.baseUrl}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const created = await call(
      clerk.token,
      'POST',
      '/v1/cases?wait=true',
      submitBody({ url: `https://example.vn/e2e-audit/${backend}` }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const [token, step, body] of [
      [verifier.token, 'claim', {}],
      [verifier.token, 'verify', verifyBody()],
      [supervisor.token, 'refer', BODIES.refer],
      [supervisor2.token, 'penalty', penaltyBody({ decisionNo: `QD-E2E-${backend}` })],
      [supervisor.token, 'close', BODIES.close],
    ] as const) {
      expect((await call(token, 'POST', `/v1/cases/${id}/${step}?wait=true`, body)).status, step).toBe(200);
    }
    await sys.waitFor(async () => {
      const report = await call(supervisor.token, 'GET', '/v1/audit/verify');
      return report.body.ok === true && report.body.unsealedEvents === 0;
    }, 30_000);

    const file = path.join(dir, `${backend}.json`);
    const exported = await runCli(
      [
        'audit',
        'export',
        id,
        '--out',
        file,
        '--purpose',
        'e2e check',
        '--json',
        '--api-url',
        sys.baseUrl,
        '--token',
        supervisor.token,
      ],
      {},
    );
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ file, caseId: id, events: 6 });
    const log = await call(supervisor.token, 'GET', `/v1/audit/access-log?caseId=${id}&limit=1`);
    expect(log.body.items).toEqual([
      expect.objectContaining({ actorId: supervisor.id, action: 'case.export', purpose: 'e2e check' }),
    ]);

    // The keys, fetched without a token while the system runs, pin the bundle's key offline.
    const keys = path.join(dir, `${backend}-keys.json`);
    await writeFile(keys, await (await fetch(`${sys.baseUrl}/.well-known/casetrail-keys.json`)).text());
    await sys.close();
    system = undefined;
    const unpinned = await runCli(['audit', 'verify', '--bundle', file], {});
    expect(unpinned.code, unpinned.stdout).toBe(3);
    const verified = await runCli(['audit', 'verify', '--bundle', file, '--trusted-keys', keys, '--json'], {});
    expect(verified.code, verified.stdout).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      ok: true,
      caseId: id,
      events: 6,
      sealedEvents: 6,
      unsealedEvents: 0,
    });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'casetrail-bundle/2' });
  });
});
