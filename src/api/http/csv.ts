// CSV as spreadsheets read it (RFC 4180, UTF-8 with a byte order mark so that Excel reads
// Vietnamese). A text cell that a spreadsheet would take for a formula (=, +, -, @, tab,
// carriage return first) is neutralised with a leading apostrophe: a case's claim or URL is
// someone else's text, and must never run as a formula on a supervisor's machine.

export type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/u;

function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvCell(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = neutralise(cell);
  return /[",\r\n]/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLines(rows: readonly (readonly Cell[])[]): string {
  return rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}

export const CSV_BOM = '\uFEFF';
