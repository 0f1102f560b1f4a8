import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { importCases } from '../app/import-cases.ts';
import { createUser } from '../app/users.ts';
import { IMPORT_COLUMNS, csvLine } from '../domain/index.ts';
import { openDatabase } from '../infra/db/database.ts';
import type { Logger } from '../infra/logger.ts';
import { createBenchDatabase, round, rssSampler } from './bench-services.ts';

export type ImportBenchOptions = { adminUrl: string; rows: number; log: Logger };

export type ImportBenchResult = {
  scenario: 'import';
  rows: number;
  fileMib: number;
  events: number;
  seconds: number;
  rowsPerSec: number;
  /** The baseline: the same file read and parsed as CSV, nothing checked or written. */
  parseRowsPerSec: number;
  ratio: number;
  /** Importing the same file again: every row found, nothing written. */
  againSeconds: number;
  peakRssMb: number;
  /** RSS just before the import started. */
  rssBeforeMb: number;
  /** RSS after the first tenth of the rows was written, and at the end: flat memory keeps them close. */
  rssAtTenthMb: number;
  rssAtEndMb: number;
};

const NAMES = IMPORT_COLUMNS.map((c) => c.name);
const DAY = 86_400_000;

const pad = (n: number) => String(n).padStart(2, '0');
const dmy = (ms: number) => {
  const d = new Date(ms + 7 * 3_600_000); // wall time in Asia/Ho_Chi_Minh
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};

/** Row n of the bench file: every fourth dismissed, the others penalised and closed, over the past year. */
function benchRow(n: number, run: string, now: number): string {
  const received = now - 400 * DAY + (n % 360) * DAY + (n % 17) * 3_600_000;
  const cells: Record<string, string> = {
    received_at: dmy(received),
    platform: 'facebook',
    url: `https://www.facebook.com/groups/bench-${run}/posts/${n}`,
    content: `Tin đồn số ${n}: giá xăng sẽ tăng gấp đôi từ tuần sau`,
    claim: 'Giá xăng tăng gấp đôi từ tuần sau',
    category: 'economy',
    account_handle: `tai.khoan.${n % 5000}`,
    verified_at: dmy(received + 20 * 3_600_000),
    verdict: n % 4 === 0 ? 'accurate' : 'false',
    rationale: 'Đối chiếu thông báo của Bộ Công Thương',
  };
  if (n % 4 === 0) Object.assign(cells, { closed_at: dmy(received + 20 * 3_600_000), outcome: 'dismissed' });
  else {
    Object.assign(cells, {
      referred_at: dmy(received + 2 * DAY),
      authority_code: 'STTTT-LD',
      authority_name: 'Sở Thông tin và Truyền thông Lâm Đồng',
      decided_at: dmy(received + 12 * DAY),
      decision_no: `${n}/QĐ-XPHC-${run}`,
      legal_basis: 'Nghị định 15/2020/NĐ-CP|101|1.a',
      fine_vnd: '7.500.000',
      remedies: 'remove_content',
      closed_at: dmy(received + 30 * DAY),
      outcome: 'penalty_enforced',
    });
  }
  return csvLine(NAMES.map((name) => cells[name] ?? ''));
}

async function writeBenchFile(file: string, rows: number): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const now = Date.now();
  async function* lines() {
    yield `\uFEFF${csvLine(NAMES)}`;
    for (let n = 1; n <= rows; n += 1) yield benchRow(n, run, now);
  }
  await pipeline(Readable.from(lines()), createWriteStream(file));
}

async function parseOnly(file: string): Promise<number> {
  let rows = 0;
  for await (const _ of createReadStream(file).pipe(parse({ bom: true, from_line: 2 }))) rows += 1;
  return rows;
}

/**
 * `casetrail import` of a file of `rows` past cases (three in four penalised: five events
 * each), in flat memory, against reading and parsing the same file alone.
 */
export async function runImportBench(options: ImportBenchOptions): Promise<ImportBenchResult> {
  const rss = rssSampler();
  const dir = await mkdtemp(join(tmpdir(), 'casetrail-bench-import-'));
  const db = await createBenchDatabase(options.adminUrl);
  const database = openDatabase(db.url, { poolSize: 4, log: options.log });
  try {
    const file = join(dir, 'history.csv');
    await writeBenchFile(file, options.rows);
    const parseStarted = performance.now();
    await parseOnly(file);
    const parseSeconds = (performance.now() - parseStarted) / 1000;
    const created = await createUser(database, { name: `bench-supervisor-${randomUUID()}`, roles: ['supervisor'] });
    if (!created.ok) throw new Error(created.detail);
    const deps = {
      pool: database.pool,
      hmacKey: Buffer.from('bench-hmac-key-of-at-least-32-characters'),
      sla: { received: DAY, verified: 2 * DAY, referred: 30 * DAY, penalty_issued: 60 * DAY },
      log: options.log,
    };
    const actor = { id: created.user.id, roles: ['supervisor' as const] };
    let rssAtTenth = 0;
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    const summary = await importCases(deps, file, {
      actor,
      onProgress: (phase, rows) => {
        if (phase === 'writing' && rssAtTenth === 0 && rows >= options.rows / 10)
          rssAtTenth = process.memoryUsage.rss();
      },
    });
    const seconds = (performance.now() - started) / 1000;
    if (summary.status !== 'imported' || summary.imported !== options.rows) {
      throw new Error(
        `import bench: ${summary.imported} of ${options.rows} rows imported (${summary.rejects[0]?.reason ?? ''})`,
      );
    }
    const rssAtEnd = process.memoryUsage.rss();
    const againStarted = performance.now();
    await importCases(deps, file, { actor });
    const againSeconds = (performance.now() - againStarted) / 1000;
    const rowsPerSec = options.rows / seconds;
    const parseRowsPerSec = options.rows / parseSeconds;
    return {
      scenario: 'import',
      rows: options.rows,
      fileMib: round((await stat(file)).size / 1024 / 1024, 1),
      events: summary.events,
      seconds: round(seconds, 1),
      rowsPerSec: Math.round(rowsPerSec),
      parseRowsPerSec: Math.round(parseRowsPerSec),
      ratio: round(rowsPerSec / parseRowsPerSec, 3),
      againSeconds: round(againSeconds, 1),
      peakRssMb: rss.peakMb(),
      rssBeforeMb: round(rssBefore / 1024 / 1024, 1),
      rssAtTenthMb: round((rssAtTenth || rssAtEnd) / 1024 / 1024, 1),
      rssAtEndMb: round(rssAtEnd / 1024 / 1024, 1),
    };
  } finally {
    rss.stop();
    await database.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
