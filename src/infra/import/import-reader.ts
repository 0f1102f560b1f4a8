import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

// Reads an import file row by row, streaming (a file of any length in flat memory): CSV in
// UTF-8 (with or without a byte order mark), UTF-16 with its mark, or an 8-bit encoding
// named by the caller (Windows-1258, as Vietnamese Excel saves "CSV"); or the first sheet
// of an XLSX workbook. Cells are text; a formula is never evaluated, only reported.

export type SourceRow = {
  /** The row's number in the file as a spreadsheet shows it (the header is row 1). */
  row: number;
  cells: Record<string, string>;
  /** Columns whose cell is a formula (XLSX): the import takes values only. */
  formulas: string[];
};

export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}

type ImportFormat = 'csv' | 'xlsx';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** The file's format by its first bytes (an XLSX file is a zip), whatever its name says. */
async function detectFormat(file: string): Promise<{ format: ImportFormat; head: Buffer }> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    return { format: bytes.subarray(0, 4).equals(ZIP_MAGIC) ? 'xlsx' : 'csv', head: bytes };
  } finally {
    await handle.close();
  }
}

/** How a CSV file is encoded, by its byte order mark; refuses UTF-16 without one, by name. */
function csvEncoding(head: Buffer, given: string | undefined): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (given !== undefined) {
    if (!iconv.encodingExists(given)) throw new ImportFileError(`unknown encoding ${given}`);
    return given.toLowerCase();
  }
  const zeros = head.filter((b) => b === 0).length;
  if (zeros > head.length / 8) {
    throw new ImportFileError('the file looks like UTF-16 without a byte order mark: save it as "CSV UTF-8"');
  }
  return 'utf-8';
}

/** UTF-8 checked byte for byte: a file saved in an 8-bit code page is refused by name, never misread. */
function strictUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        done(null, decoder.decode(chunk, { stream: true }));
      } catch {
        done(
          new ImportFileError(
            'the file is not UTF-8 (Vietnamese Excel saves "CSV" as Windows-1258): save it as "CSV UTF-8", or pass the encoding (--encoding windows-1258)',
          ),
        );
      }
    },
    flush(done) {
      try {
        done(null, decoder.decode());
      } catch {
        done(new ImportFileError('the file is not UTF-8: it ends inside a character'));
      }
    },
  });
}

const headerKey = (name: string) =>
  name
    .replace(/^\uFEFF/u, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/gu, '_');

/** The rows of a CSV file, by header. */
async function* csvRows(file: string, head: Buffer, encoding: string | undefined): AsyncGenerator<SourceRow> {
  const chosen = csvEncoding(head, encoding);
  const decoded =
    chosen === 'utf-8'
      ? createReadStream(file).pipe(strictUtf8())
      : createReadStream(file).pipe(iconv.decodeStream(chosen, { stripBOM: true }));
  const parser = decoded.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, delimiter: [',', ';', '\t'] }),
  );
  decoded.on('error', (error) => parser.destroy(error));
  let header: string[] | null = null;
  for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (header === null) {
      header = record.record.map(headerKey);
      continue;
    }
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      // One form of each letter: a Vietnamese code page writes tone marks as combining characters.
      if (name !== '') cells[name] = (record.record[i] ?? '').normalize('NFC');
    });
    yield { row: record.info.lines, cells, formulas: [] };
  }
  if (header === null) throw new ImportFileError('the file is empty: it needs a header row');
}

type CellValue = ExcelJS.CellValue;

/** A cell's value as text; dates as ISO 8601 (wall time, no offset: the unit's zone applies). */
function cellText(value: CellValue): { text: string; formula: boolean } {
  if (value === null || value === undefined) return { text: '', formula: false };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 19), formula: false };
  if (typeof value === 'object') {
    if ('formula' in value || 'sharedFormula' in value) return { text: '', formula: true };
    if ('richText' in value) return { text: value.richText.map((r) => r.text).join(''), formula: false };
    if ('text' in value) return { text: String(value.text), formula: false };
    if ('error' in value) return { text: String(value.error), formula: false };
    return { text: '', formula: false };
  }
  return { text: String(value), formula: false };
}

/** The rows of the first sheet of an XLSX workbook, by header. */
async function* xlsxRows(file: string): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(file), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
  });
  let header: string[] | null = null;
  for await (const sheet of reader) {
    for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
      const values = row.values as CellValue[];
      if (header === null) {
        header = values.map((v) => headerKey(cellText(v).text));
        continue;
      }
      const cells: Record<string, string> = {};
      const formulas: string[] = [];
      header.forEach((name, i) => {
        if (name === '') return;
        const { text, formula } = cellText(values[i]);
        cells[name] = text.normalize('NFC');
        if (formula) formulas.push(name);
      });
      if (Object.values(cells).every((v) => v.trim() === '') && formulas.length === 0) continue;
      yield { row: row.number, cells, formulas };
    }
    break; // the first sheet only
  }
  if (header === null) throw new ImportFileError('the workbook is empty: its first sheet needs a header row');
}

/** Every data row of the file, in order. */
export async function* readImportFile(file: string, options: { encoding?: string } = {}): AsyncGenerator<SourceRow> {
  const { format, head } = await detectFormat(file);
  if (format === 'xlsx') {
    if (options.encoding !== undefined) throw new ImportFileError('an XLSX file has no encoding to choose');
    yield* xlsxRows(file);
  } else {
    yield* csvRows(file, head, options.encoding);
  }
}
