// CSV as casetrail writes it (templates, rejects files, exports): RFC 4180 quoting, and
// no cell a spreadsheet would run as a formula. A cell that starts with =, +, -, @, a tab
// or a carriage return is written after an apostrophe, so =HYPERLINK(...) or =cmd|... comes
// back as the text it was (OWASP, "CSV injection").

const FORMULA_START = /^[=+\-@\t\r]/u;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/u.test(text) || text !== String(value) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (CRLF-terminated, as RFC 4180 and spreadsheets expect). */
export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
