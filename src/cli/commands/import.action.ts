import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { csvLine } from '../../domain/index.ts';
import { loadConfig } from '../../infra/config/config.ts';
import { createApiTransport } from '../api-client.ts';
import { CliError } from '../exit.ts';
import { printResult } from '../output.ts';
import { createProgress } from '../progress.ts';

type Flags = {
  template?: string;
  skipInvalid?: boolean;
  rejects?: string;
  encoding?: string;
  timeZone?: string;
  timeout: string;
  apiUrl?: string;
  token?: string;
  json?: boolean;
};

type Reject = { row: number; column: string | null; reason: string; cells: Record<string, string> };
type Summary = {
  status: string;
  rows: number;
  imported: number;
  unchanged: number;
  rejected: number;
  events: number;
  rejects: Reject[];
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CHUNK = 64 * 1024;

function transport(flags: Flags) {
  const config = loadConfig();
  return createApiTransport({
    url: flags.apiUrl ?? config.CASETRAIL_API_URL,
    token: flags.token ?? config.CASETRAIL_TOKEN,
  });
}

/** The rejected rows, for a person to fix and import again: the reason first, then the row as it was. */
function rejectsCsv(rejects: readonly Reject[]): string {
  const columns = [...new Set(rejects.flatMap((r) => Object.keys(r.cells)))];
  return `\uFEFF${csvLine(['row', 'column', 'reason', ...columns])}${rejects
    .map((r) => csvLine([r.row, r.column ?? '', r.reason, ...columns.map((c) => r.cells[c] ?? '')]))
    .join('')}`;
}

export async function importFile(file: string | undefined, flags: Flags): Promise<void> {
  const send = transport(flags);
  if (flags.template !== undefined) {
    const format = flags.template.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv';
    const response = await send('GET', `/v1/imports/template?format=${format}`);
    await writeFile(flags.template, Buffer.from(await response.arrayBuffer()));
    printResult(
      flags,
      { template: flags.template, format },
      () => `wrote the ${format.toUpperCase()} template to ${flags.template}`,
    );
    return;
  }
  if (file === undefined) throw new CliError('name the file to import, or pass --template FILE');
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const timeoutS = Number(flags.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    throw new CliError('--timeout: must be a positive number of seconds');
  const query = new URLSearchParams();
  if (flags.skipInvalid) query.set('skipInvalid', 'true');
  if (flags.encoding) query.set('encoding', flags.encoding);
  if (flags.timeZone) query.set('timeZone', flags.timeZone);
  const progress = createProgress('uploading', Math.max(1, Math.ceil(size / CHUNK)));
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.tick();
      done(null, chunk);
    },
  });
  const body = Readable.toWeb(createReadStream(file, { highWaterMark: CHUNK }).pipe(counted)) as ReadableStream;
  const type = file.toLowerCase().endsWith('.xlsx') ? XLSX : 'text/csv';
  let summary: Summary;
  try {
    const response = await send('POST', `/v1/imports${query.size > 0 ? `?${query}` : ''}`, {
      raw: body,
      headers: { 'content-type': type },
      timeoutMs: timeoutS * 1000,
    });
    summary = (await response.json()) as Summary;
  } finally {
    progress.stop();
  }
  const rejectsFile = flags.rejects ?? `${file}.rejects.csv`;
  if (summary.rejects.length > 0) await writeFile(rejectsFile, rejectsCsv(summary.rejects));
  const { rejects: _, ...figures } = summary;
  printResult(
    flags,
    { ...figures, ...(summary.rejects.length > 0 ? { rejectsFile } : {}) },
    () =>
      `${summary.rows} rows: ${summary.imported} cases imported, ${summary.unchanged} already there, ${summary.rejected} rejected` +
      (summary.rejects.length > 0 ? ` (see ${rejectsFile})` : ''),
  );
}
