import ExcelJS from 'exceljs';
import { CSV_BOM, csvLines } from './csv.ts';
import type { ReportTable } from './report-tables.ts';

/** Every table in one CSV: its title, its column headings, its rows, then an empty line. */
export function tablesToCsv(tables: readonly ReportTable[]): string {
  return CSV_BOM + tables.map((t) => csvLines([[t.title], t.columns, ...t.rows]) + '\r\n').join('');
}

/**
 * A workbook with one sheet per table (named by its title), headings in bold. Text cells are
 * stored as text, never as formulas, so they need no neutralising.
 */
export async function tablesToXlsx(tables: readonly ReportTable[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'casetrail';
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.title.replace(/[[\]:*?/\\]/gu, ' ').slice(0, 31));
    sheet.addRow(table.columns).font = { bold: true };
    for (const row of table.rows) sheet.addRow(row);
    sheet.columns.forEach((column, i) => {
      column.width = i === 0 ? 36 : 18;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
