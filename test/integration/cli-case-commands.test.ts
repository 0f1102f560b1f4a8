// Every case command of the API from the command line, as a user runs it: the CLI in its
// own process, against a running system over HTTP, with flags or a JSON body, --wait and --json.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { submitBody } from '../support/fixtures.ts';
import { startSystem, type System } from '../support/system.ts';

type CaseJson = {
  id: string;
  stage: string;
  outcome: string | null;
  version: number;
  penalty?: { decisionNo: string };
};

let system: System;
let dir: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  system = await startSystem({ backend: 'redis' });
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-cli-commands-'));
  for (const [name, roles] of [
    ['clerk', ['clerk']],
    ['verifier', ['verifier']],
    ['supervisor', ['supervisor']],
    ['supervisor2', ['supervisor']],
  ] as const) {
    tokens[name] = (await system.createUser(`cli-${name}-${Date.now()}`, [...roles])).token;
  }
}, 60_000);
afterAll(async () => {
  await system?.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(who: string, args: string[]) {
  return runCli([...args, '--api-url', system.baseUrl], {
    CASETRAIL_TOKEN: tokens[who] as string,
    LOG_LEVEL: 'silent',
  });
}

async function ok(who: string, args: string[]): Promise<CaseJson> {
  const result = await cli(who, [...args, '--wait', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as CaseJson;
}

async function submitted(url: string): Promise<string> {
  const file = path.join(dir, `${url.length}-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(submitBody({ url })));
  const created = await ok('clerk', ['submit', '--file', file]);
  return created.id;
}

describe('casetrail cases <command>', () => {
  it('drives a case from receipt through penalty, appeal and close with flags and --wait', async () => {
    const id = await submitted('https://www.facebook.com/groups/cli/posts/1');
    expect((await ok('verifier', ['cases', 'claim', id])).stage).toBe('received');
    const verified = await ok('verifier', [
      'cases',
      'verify',
      id,
      '--verdict',
      'false',
      '--rationale',
      'Bộ Y tế đã bác bỏ.',
      '--evidence-url',
      'https://moh.gov.vn/tin-tuc/1',
      '--evidence-url',
      'https://moh.gov.vn/tin-tuc/2',
    ]);
    expect(verified.stage).toBe('verified');
    const referred = await ok('supervisor', [
      'cases',
      'refer',
      id,
      '--authority-code',
      'STTTT-LD',
      '--authority-name',
      'Sở TT&TT Lâm Đồng',
      '--reference-no',
      'CV-12/2026',
    ]);
    expect(referred.stage).toBe('referred');
    const penalised = await ok('supervisor', [
      'cases',
      'penalty',
      id,
      '--decision-no',
      'QD-CLI-1',
      '--authority-code',
      'STTTT-LD',
      '--authority-name',
      'Sở TT&TT Lâm Đồng',
      '--issued-at',
      new Date().toISOString(),
      '--legal-basis',
      'Nghị định 15/2020/NĐ-CP|101|1.a',
      '--account-handle',
      'nguyen.van.a',
      '--fine',
      '7500000',
      '--remedy',
      'remove_content',
      '--facts',
      'Đăng tin sai sự thật.',
      '--expected-version',
      String(referred.version),
    ]);
    expect(penalised).toMatchObject({ stage: 'penalty_issued', penalty: { decisionNo: 'QD-CLI-1' } });
    await ok('supervisor', ['cases', 'appeal', id, '--filed-at', new Date().toISOString(), '--grounds', 'Khiếu nại']);
    const upheld = await ok('supervisor2', [
      'cases',
      'decide-appeal',
      id,
      '--decision',
      'upheld',
      '--note',
      'Giữ nguyên',
    ]);
    expect(upheld.stage).toBe('penalty_issued');
    await ok('supervisor', ['cases', 'note', id, '--text', 'Đã nộp phạt']);
    const closed = await ok('supervisor', ['cases', 'close', id, '--content-removed', '--fine-paid']);
    expect(closed).toMatchObject({ stage: 'closed', outcome: 'penalty_enforced' });

    const { rows } = await system.harness.pool.query<{ type: string }>(
      'SELECT type FROM events WHERE case_id = $1 ORDER BY seq',
      [id],
    );
    expect(rows.map((r) => r.type)).toEqual([
      'case.received',
      'case.claimed',
      'case.verified',
      'case.referred',
      'case.penalty_issued',
      'case.appeal_filed',
      'case.appeal_decided',
      'case.note_added',
      'case.closed',
    ]);
  });

  it('takes the body as JSON from a file, flags overriding it, and answers 202 without --wait', async () => {
    const id = await submitted('https://www.facebook.com/groups/cli/posts/2');
    await ok('verifier', ['cases', 'claim', id]);
    const body = path.join(dir, 'verify.json');
    await writeFile(body, JSON.stringify({ verdict: 'false', rationale: 'x', evidence: [] }));
    // A flag beside the file wins: the evidence comes from --evidence-url.
    await ok('verifier', ['cases', 'verify', id, '--json-input', body, '--evidence-url', 'https://moh.gov.vn/a']);
    const missing = await cli('supervisor', ['cases', 'refer', id, '--json-input', path.join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--json-input: cannot read');
    const refer = path.join(dir, 'refer.json');
    await writeFile(refer, JSON.stringify({ authority: { code: 'STTTT-LD', name: 'Sở TT&TT Lâm Đồng' } }));
    await ok('supervisor', ['cases', 'refer', id, '--json-input', refer]);
    const noViolation = await cli('supervisor', [
      'cases',
      'no-violation',
      id,
      '--authority-code',
      'STTTT-LD',
      '--authority-name',
      'Sở',
      '--note',
      'Không vi phạm',
      '--json',
    ]);
    expect(noViolation.code, noViolation.stderr).toBe(0);
    const accepted = JSON.parse(noViolation.stdout) as { commandId: string; status: string };
    expect(accepted.status).toBe('pending');
    await system.waitFor(async () => (await system.countCommands([accepted.commandId])).applied === 1);

    const other = await submitted('https://www.facebook.com/groups/cli/posts/3');
    const withdrawn = await ok('supervisor', ['cases', 'withdraw', other, '--reason', 'Nhập nhầm']);
    expect(withdrawn).toMatchObject({ stage: 'closed', outcome: 'withdrawn' });
  });

  it('names the field of a bad body and the rule of a refused command, with exit status 1', async () => {
    const id = await submitted('https://www.facebook.com/groups/cli/posts/4');
    const bad = await cli('verifier', ['cases', 'verify', id, '--verdict', 'false', '--wait']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('400 validation_failed');
    expect(bad.stderr).toContain('rationale');

    const refused = await cli('supervisor', [
      'cases',
      'refer',
      id,
      '--authority-code',
      'X',
      '--authority-name',
      'Y',
      '--wait',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('409 invalid_transition');

    const own = await cli('clerk', ['cases', 'claim', id, '--wait']);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('403 forbidden');
    const { rows } = await system.harness.pool.query<{ n: number }>(
      // The same content was submitted before: related_linked events come with intake.
      "SELECT count(*)::int AS n FROM events WHERE case_id = $1 AND type NOT IN ('case.received', 'case.related_linked')",
      [id],
    );
    expect(rows[0]?.n).toBe(0);
  });
});
