import ExcelJS from 'exceljs';
import { IMPORT_COLUMNS, csvLine, type ImportColumn } from '../../domain/index.ts';

/** The example row of the template: a case taken from receipt to an enforced penalty. */
const EXAMPLE: Record<ImportColumn, string> = {
  received_at: '03/06/2026 08:15',
  platform: 'facebook',
  url: 'https://www.facebook.com/groups/vi-du/posts/1001',
  content: 'Uống nước chanh nóng chữa khỏi cúm trong 3 ngày',
  claim: 'Nước chanh nóng chữa khỏi cúm trong 3 ngày',
  category: 'health',
  account_handle: 'nguyen.van.a',
  account_name: 'Nguyễn Văn A',
  language: 'vi',
  source: 'citizen_tip',
  priority: 'normal',
  verified_at: '04/06/2026 10:00',
  verdict: 'false',
  rationale: 'Bộ Y tế khuyến cáo không có căn cứ',
  evidence_url: 'https://moh.gov.vn/',
  referred_at: '05/06/2026 09:30',
  authority_code: 'STTTT-LD',
  authority_name: 'Sở Thông tin và Truyền thông Lâm Đồng',
  decided_at: '20/06/2026',
  decision_no: '123/QĐ-XPHC',
  legal_basis: 'Nghị định 15/2020/NĐ-CP|101|1.a',
  fine_vnd: '7.500.000',
  remedies: 'remove_content',
  subject: 'Nguyễn Văn A',
  facts: 'Đăng tin sai sự thật về phòng chữa bệnh',
  appeal_filed_at: '',
  appeal_grounds: '',
  appeal_decision: '',
  appeal_decided_at: '',
  closed_at: '30/06/2026',
  outcome: 'penalty_enforced',
  note: 'Đã gỡ bài và nộp phạt',
};

const NAMES = IMPORT_COLUMNS.map((c) => c.name);

/** The template as CSV (UTF-8 with a byte order mark, which Excel needs to read it as UTF-8). */
export function importTemplateCsv(): string {
  return `\uFEFF${csvLine(NAMES)}${csvLine(NAMES.map((n) => EXAMPLE[n]))}`;
}

/** The template as an XLSX workbook: the columns, the example row, and a sheet explaining each column. */
export async function importTemplateXlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const cases = workbook.addWorksheet('cases');
  cases.addRow(NAMES);
  // Every cell is text: a spreadsheet would otherwise turn dates and fines into numbers.
  cases.addRow(NAMES.map((n) => EXAMPLE[n]));
  cases.getRow(1).font = { bold: true };
  const help = workbook.addWorksheet('columns');
  help.addRow(['column', 'required', 'what it holds']);
  for (const c of IMPORT_COLUMNS) help.addRow([c.name, c.required ? 'yes' : '', c.help]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
