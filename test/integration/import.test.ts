// `casetrail import` as a supervisor runs it: the CLI in its own process uploading a CSV or
// XLSX file to POST /v1/imports of a running system. Past cases land with their business
// dates, marked imported in the trail; a bad file imports nothing, or the rest with
// --skip-invalid; the same file twice adds nothing.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_COLUMNS, fold, verifyChain } from '../../src/domain/index.ts';
import { findCase, listEvents } from '../../src/infra/db/case.repository.ts';
import { runCli } from '../support/cli.ts';
import { startSystem, type System } from '../support/system.ts';

let system: System;
let dir: string;
let supervisor: string;
let clerk: string;

beforeAll(async () => {
  system = await startSystem({ backend: 'redis' });
  dir = await mkdtemp(path.join(tmpdir(), 'casetrail-import-'));
  supervisor = (await system.createUser(`import-supervisor-${Date.now()}`, ['supervisor'])).token;
  clerk = (await system.createUser(`import-clerk-${Date.now()}`, ['clerk'])).token;
}, 60_000);
afterAll(async () => {
  await system?.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[], token = supervisor) =>
  runCli([...args, '--api-url', system.baseUrl], { CASETRAIL_TOKEN: token, LOG_LEVEL: 'silent' });

type Summary = {
  status: string;
  rows: number;
  imported: number;
  unchanged: number;
  rejected: number;
  events: number;
  rejectsFile?: string;
};

async function imported(args: string[]): Promise<Summary> {
  const result = await cli(['import', ...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Summary;
}

async function counts(): Promise<{ cases: number; events: number }> {
  const { rows } = await system.harness.pool.query<{ cases: number; events: number }>(
    'SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM events) AS events',
  );
  return rows[0] as { cases: number; events: number };
}

const NAMES = IMPORT_COLUMNS.map((c) => c.name);

/** A dismissed case received on day `n` of October 2026, with its claim. */
function row(n: number, overrides: Partial<Record<(typeof NAMES)[number], string>> = {}): string[] {
  const day = String(n).padStart(2, '0');
  const cells: Record<string, string> = {
    received_at: `${day}/10/2026 09:00`,
    platform: 'tiktok',
    url: `https://www.tiktok.com/@a/video/${n}000`,
    content: `Tin đồn số ${n}: giá xăng tăng gấp đôi`,
    claim: `Giá xăng tăng gấp đôi từ ngày ${n}`,
    category: 'economy',
    verified_at: `${day}/10/2026 15:30`,
    verdict: 'accurate',
    rationale: 'Đúng theo thông báo',
    closed_at: `${day}/10/2026 15:30`,
    outcome: 'dismissed',
    ...overrides,
  };
  return NAMES.map((name) => cells[name] ?? '');
}

/** A CSV file as a spreadsheet saves it: quoted where needed, formulas left as they are. */
const rawLine = (cells: readonly string[]) =>
  `${cells.map((c) => (/[",\r\n]/u.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')}\r\n`;
const csv = (rows: string[][]) => `${rawLine(NAMES)}${rows.map(rawLine).join('')}`;

const TONES = ['\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];
/** Vietnamese as Windows-1258 holds it: â, ê, ô, ă, ơ, ư precomposed, tone marks combining. */
const cp1258Form = (text: string) =>
  text.normalize('NFD').replace(/(\P{M})(\p{M}*)/gu, (_, base: string, marks: string) => {
    const all = [...marks];
    return `${(base + all.filter((m) => !TONES.includes(m)).join('')).normalize('NFC')}${all.filter((m) => TONES.includes(m)).join('')}`;
  });

describe('casetrail import', () => {
  it('writes the template, and the template imports as one case with its business dates, marked imported', async () => {
    const template = path.join(dir, 'template.csv');
    const written = await cli(['import', '--template', template]);
    expect(written.code, written.stderr).toBe(0);
    const text = await readFile(template, 'utf8');
    expect(text.split('\r\n')[0]).toBe(`\uFEFF${NAMES.join(',')}`);

    const summary = await imported([template]);
    expect(summary).toMatchObject({ status: 'imported', rows: 1, imported: 1, unchanged: 0, rejected: 0, events: 6 });
    const { rows } = await system.harness.pool.query<{
      id: string;
      stage: string;
      outcome: string;
      report: { receivedAt: string };
      verdict: { verifiedAt: string };
      penalty: { issuedAt: string; fine: { amount: number } };
    }>("SELECT id, stage, outcome, report, verdict, penalty FROM cases WHERE decision_no = '123/QĐ-XPHC'");
    const found = rows[0];
    expect(found).toMatchObject({
      stage: 'closed',
      outcome: 'penalty_enforced',
      // dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh (UTC+7)
      report: { receivedAt: '2026-06-03T01:15:00.000Z' },
      verdict: { verifiedAt: '2026-06-04T03:00:00.000Z' },
      penalty: { issuedAt: '2026-06-19T17:00:00.000Z', fine: { amount: 7_500_000 } },
    });
    const events = await system.harness.pool.query<{
      type: string;
      payload: { imported?: { at: string; row: number; digest: string } };
      occurred_at: string;
    }>('SELECT type, payload, occurred_at FROM events WHERE case_id = $1 ORDER BY seq', [found?.id]);
    // Verified 25 h 45 min after receipt: the record's own breach of the 24 h deadline, at the deadline.
    expect(events.rows.map((e) => e.type)).toEqual([
      'case.received',
      'case.sla_breached',
      'case.verified',
      'case.referred',
      'case.penalty_issued',
      'case.closed',
    ]);
    // Its stage visits start and end when the record says, not when it was imported.
    const at = events.rows
      .filter((e) => e.type !== 'case.sla_breached')
      .map((e) => new Date(e.payload.imported?.at ?? ''));
    const { rows: visits } = await system.harness.pool.query<{ stage: string; entered_at: Date; left_at: Date }>(
      'SELECT stage, entered_at, left_at FROM stage_visits WHERE case_id = $1 ORDER BY seq',
      [found?.id],
    );
    expect(visits).toEqual(
      ['received', 'verified', 'referred', 'penalty_issued'].map((stage, i) => ({
        stage,
        entered_at: at[i],
        left_at: at[i + 1],
      })),
    );
    expect(at[0]).toEqual(new Date('2026-06-03T01:15:00.000Z'));
    // Written as a command writes them (format 2): no URL or claim of the row in a hashed payload.
    const { rows: held } = await system.harness.pool.query<{ field: string; value: string }>(
      'SELECT field, value FROM case_personal_values WHERE case_id = $1',
      [found?.id],
    );
    expect(held.map((h) => h.field)).toEqual(expect.arrayContaining(['url', 'claim']));
    for (const { value } of held) expect(JSON.stringify(events.rows)).not.toContain(JSON.stringify(value).slice(1, -1));
    for (const e of events.rows) {
      expect(e.payload.imported).toMatchObject({ row: 2, digest: expect.stringMatching(/^[0-9a-f]{64}$/u) });
      // The event happened now (the import); the record's own time is in the mark.
      expect(Date.parse(e.occurred_at)).toBeGreaterThan(Date.parse(e.payload.imported?.at ?? ''));
    }
    expect(events.rows.map((e) => e.payload.imported?.at)).toEqual([
      '2026-06-03T01:15:00.000Z',
      '2026-06-04T01:15:00.000Z',
      '2026-06-04T03:00:00.000Z',
      '2026-06-05T02:30:00.000Z',
      '2026-06-19T17:00:00.000Z',
      '2026-06-29T17:00:00.000Z',
    ]);

    const breach = await system.harness.pool.query<{ stage: string; breached_at: Date }>(
      'SELECT stage, breached_at FROM sla_breaches WHERE case_id = $1',
      [found?.id],
    );
    expect(breach.rows).toEqual([{ stage: 'received', breached_at: new Date('2026-06-04T01:15:00.000Z') }]);
    // Closed history is projected by nothing: no outbox row, no webhook delivery.
    const outbox = await system.harness.pool.query("SELECT 1 FROM outbox WHERE payload->>'caseId' = $1", [found?.id]);
    expect(outbox.rowCount).toBe(0);
    // The chain holds, and the stored case is the fold of its events.
    const trail = await listEvents(system.harness.pool, found?.id as string);
    expect(verifyChain(trail)).toEqual({ ok: true });
    expect(await findCase(system.harness.pool as never, found?.id as string)).toEqual(fold(trail));

    const xlsx = path.join(dir, 'template.xlsx');
    expect((await cli(['import', '--template', xlsx])).code).toBe(0);
    // The same row from the workbook is the same case: nothing added.
    expect(await imported([xlsx])).toMatchObject({ rows: 1, imported: 0, unchanged: 1 });
  });

  it('imports nothing from a file with one bad row, naming its row and column', async () => {
    const file = path.join(dir, 'one-bad.csv');
    await writeFile(file, csv([row(1), row(2), row(3, { verified_at: '31/02/2026' }), row(4)]));
    const before = await counts();
    const result = await cli(['import', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('400 validation_failed: 1 of 4 rows are not valid: nothing was imported');
    expect(result.stderr).toContain('row 4, verified_at: not a date: "31/02/2026"');
    expect(await counts()).toEqual(before);
  });

  it('imports the rest with --skip-invalid and writes the rejects, formulas as text; the same file again adds nothing', async () => {
    const file = path.join(dir, 'skip.csv');
    const formula = '=HYPERLINK("http://127.0.0.1:9/x","bấm vào đây")';
    await writeFile(
      file,
      csv([
        row(11),
        row(12, { claim: formula, category: 'gossip' }),
        row(13),
        row(14, { content: '=cmd|" /C calc"!A0' }),
      ]),
    );
    const before = await counts();
    const summary = await imported([file, '--skip-invalid']);
    expect(summary).toMatchObject({
      rows: 4,
      imported: 3,
      unchanged: 0,
      rejected: 1,
      events: 9,
      rejectsFile: `${file}.rejects.csv`,
    });
    const rejects = (await readFile(`${file}.rejects.csv`, 'utf8')).replace(/^\uFEFF/u, '').split('\r\n');
    expect(rejects[0]).toBe(`row,column,reason,${NAMES.join(',')}`);
    expect(rejects[1]).toMatch(/^3,category,/u);
    // The formula comes back as text: quoted, after an apostrophe.
    expect(rejects[1]).toContain(`"'=HYPERLINK(""http://127.0.0.1:9/x"",""bấm vào đây"")"`);
    // A formula in a valid row is stored as the text it is.
    const { rows } = await system.harness.pool.query<{ content: string }>(
      "SELECT content FROM case_personal_data WHERE content LIKE '=cmd%'",
    );
    expect(rows).toEqual([{ content: '=cmd|" /C calc"!A0' }]);
    const after = await counts();
    expect(after.cases - before.cases).toBe(3);

    expect(await imported([file, '--skip-invalid'])).toMatchObject({ imported: 0, unchanged: 3, rejected: 1 });
    expect(await counts()).toEqual(after);
  });

  it('reads UTF-16 with its mark and Windows-1258 when named, refuses 8-bit text by name, and takes XLSX values, never formulas', async () => {
    const utf16 = path.join(dir, 'utf16.csv');
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv([row(21)]), 'utf16le')]));
    expect(await imported([utf16])).toMatchObject({ imported: 1 });

    const cp1258 = path.join(dir, 'cp1258.csv');
    await writeFile(
      cp1258,
      iconv.encode(cp1258Form(csv([row(22, { claim: 'Giá xăng tăng gấp đôi từ ngày hai mươi hai' })])), 'windows-1258'),
    );
    const refused = await cli(['import', cp1258]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not UTF-8');
    expect(refused.stderr).toContain('Windows-1258');
    expect(await imported([cp1258, '--encoding', 'windows-1258'])).toMatchObject({ imported: 1 });
    // Claims live in the personal-data store (format 2); the case and its events hold a reference.
    const { rows } = await system.harness.pool.query<{ value: string }>(
      "SELECT value FROM case_personal_values WHERE field = 'claim' AND value LIKE '%hai mươi hai'",
    );
    expect(rows).toEqual([{ value: 'Giá xăng tăng gấp đôi từ ngày hai mươi hai' }]);

    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('cases');
    sheet.addRow(NAMES);
    sheet.addRow(row(23));
    sheet.getRow(2).getCell(NAMES.indexOf('claim') + 1).value = { formula: 'HYPERLINK("http://127.0.0.1:9/","x")' };
    const xlsx = path.join(dir, 'formula.xlsx');
    await workbook.xlsx.writeFile(xlsx);
    const formula = await cli(['import', xlsx]);
    expect(formula.code).toBe(1);
    expect(formula.stderr).toContain('row 2, claim: a formula: casetrail imports values only');
  });

  it('is for supervisors: a clerk gets 403 and nothing changes; an unknown time zone is refused by name', async () => {
    const file = path.join(dir, 'clerk.csv');
    await writeFile(file, csv([row(25)]));
    const zone = await cli(['import', file, '--time-zone', 'Asia/Hồ_Chí_Minh']);
    expect(zone.code).toBe(1);
    expect(zone.stderr).toContain('400 validation_failed');
    expect(zone.stderr).toContain('must be an IANA time zone');
    const result = await cli(['import', file], clerk);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('403 forbidden');
  });
});
