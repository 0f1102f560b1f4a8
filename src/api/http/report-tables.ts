import type { SummaryReport } from '../../app/reports.ts';
import type { Cell } from './csv.ts';

// The report for superiors as tables, headed in Vietnamese or English: what CSV and XLSX
// downloads hold (one table per section, the same figures as the JSON).

export const REPORT_LANGUAGES = ['vi', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

export type ReportTable = { title: string; columns: string[]; rows: Cell[][] };

const LABELS = {
  en: {
    summary: 'Summary',
    figure: 'Figure',
    value: 'Value',
    from: 'From',
    to: 'To',
    timeZone: 'Time zone',
    received: 'Cases received',
    closed: 'Cases closed',
    referrals: 'Referrals',
    penalties: 'Penalties issued',
    accounts: 'Accounts penalised',
    fines: 'Fines',
    appealsFiled: 'Appeals filed',
    appealsDecided: 'Appeals decided',
    upheld: 'Appeals upheld',
    overturned: 'Appeals overturned',
    slaVisits: 'Stage visits ended',
    slaWithin: 'Within SLA',
    slaShare: 'Share within SLA (%)',
    slaBreaches: 'SLA breaches',
    byPlatform: 'By platform',
    platform: 'Platform',
    byCategory: 'By category',
    category: 'Category',
    byTopic: 'By topic',
    code: 'Code',
    name: 'Name',
    cases: 'Cases',
    byOutcome: 'By outcome',
    outcome: 'Outcome',
    byAuthority: 'By authority',
    timeliness: 'Timeliness',
    measure: 'From receipt to',
    median: 'Median (hours)',
    p90: '90th percentile (hours)',
    verdict: 'Verdict',
    referral: 'Referral',
    close: 'Close',
    sla: 'SLA by stage',
    stage: 'Stage',
    visits: 'Visits ended',
    within: 'Within SLA',
    breaches: 'Breaches',
    verifiers: 'Verifiers',
    verifier: 'Verifier',
    claimed: 'Claimed',
    verified: 'Verified',
    medianVerdict: 'Median to verdict (hours)',
  },
  vi: {
    summary: 'Tổng hợp',
    figure: 'Chỉ tiêu',
    value: 'Giá trị',
    from: 'Từ ngày',
    to: 'Đến ngày',
    timeZone: 'Múi giờ',
    received: 'Số vụ việc tiếp nhận',
    closed: 'Số vụ việc kết thúc',
    referrals: 'Số vụ chuyển cơ quan có thẩm quyền',
    penalties: 'Số quyết định xử phạt',
    accounts: 'Số tài khoản bị xử phạt',
    fines: 'Tiền phạt',
    appealsFiled: 'Số khiếu nại',
    appealsDecided: 'Số khiếu nại đã giải quyết',
    upheld: 'Giữ nguyên quyết định',
    overturned: 'Hủy quyết định',
    slaVisits: 'Số lượt xử lý đã xong',
    slaWithin: 'Đúng hạn',
    slaShare: 'Tỷ lệ đúng hạn (%)',
    slaBreaches: 'Số lần quá hạn',
    byPlatform: 'Theo nền tảng',
    platform: 'Nền tảng',
    byCategory: 'Theo lĩnh vực',
    category: 'Lĩnh vực',
    byTopic: 'Theo chủ đề',
    code: 'Mã',
    name: 'Tên',
    cases: 'Số vụ việc',
    byOutcome: 'Theo kết quả',
    outcome: 'Kết quả',
    byAuthority: 'Theo cơ quan',
    timeliness: 'Thời gian xử lý',
    measure: 'Từ khi tiếp nhận đến',
    median: 'Trung vị (giờ)',
    p90: 'Phân vị 90 (giờ)',
    verdict: 'Kết luận xác minh',
    referral: 'Chuyển cơ quan',
    close: 'Kết thúc',
    sla: 'Thời hạn theo giai đoạn',
    stage: 'Giai đoạn',
    visits: 'Số lượt đã xong',
    within: 'Đúng hạn',
    breaches: 'Quá hạn',
    verifiers: 'Xác minh viên',
    verifier: 'Xác minh viên',
    claimed: 'Đã nhận',
    verified: 'Đã kết luận',
    medianVerdict: 'Trung vị đến kết luận (giờ)',
  },
} as const satisfies Record<ReportLanguage, Record<string, string>>;

/** Seconds as hours with two decimals; null stays empty. */
const hours = (seconds: number | null): number | null => (seconds === null ? null : Math.round(seconds / 36) / 100);

const counts = (table: Record<string, number>): Cell[][] => Object.entries(table).map(([key, n]) => [key, n]);

export function reportTables(report: SummaryReport, lang: ReportLanguage): ReportTable[] {
  const l = LABELS[lang];
  const { timeliness: t } = report;
  const summary: Cell[][] = [
    [l.from, report.period.from],
    [l.to, report.period.to],
    [l.timeZone, report.period.timeZone],
    [l.received, report.cases.received],
    [l.closed, report.cases.closed],
    [l.referrals, report.referrals],
    [l.penalties, report.penalties.count],
    [l.accounts, report.penalties.accountsPenalised],
    ...report.penalties.fines.map((f): Cell[] => [`${l.fines} (${f.currency})`, f.amount]),
    [l.appealsFiled, report.appeals.filed],
    [l.appealsDecided, report.appeals.decided],
    [l.upheld, report.appeals.upheld],
    [l.overturned, report.appeals.overturned],
    [l.slaVisits, t.sla.visits],
    [l.slaWithin, t.sla.withinSla],
    [l.slaShare, t.sla.share === null ? null : Math.round(t.sla.share * 1000) / 10],
    [l.slaBreaches, t.sla.breaches],
  ];
  const timed = (label: string, d: SummaryReport['timeliness']['toVerdict']): Cell[] => [
    label,
    d.cases,
    hours(d.medianSeconds),
    hours(d.p90Seconds),
  ];
  return [
    { title: l.summary, columns: [l.figure, l.value], rows: summary },
    { title: l.byPlatform, columns: [l.platform, l.cases], rows: counts(report.byPlatform) },
    { title: l.byCategory, columns: [l.category, l.cases], rows: counts(report.byCategory) },
    {
      title: l.byTopic,
      columns: [l.code, l.name, l.cases],
      rows: report.byTopic.map((x) => [x.code, x.name, x.cases]),
    },
    { title: l.byOutcome, columns: [l.outcome, l.cases], rows: counts(report.byOutcome) },
    {
      title: l.byAuthority,
      columns: [l.code, l.name, l.referrals, l.penalties],
      rows: report.byAuthority.map((a) => [a.code, a.name, a.referrals, a.penalties]),
    },
    {
      title: l.timeliness,
      columns: [l.measure, l.cases, l.median, l.p90],
      rows: [timed(l.verdict, t.toVerdict), timed(l.referral, t.toReferral), timed(l.close, t.toClose)],
    },
    {
      title: l.sla,
      columns: [l.stage, l.visits, l.within, l.breaches],
      rows: t.sla.byStage.map((s) => [s.stage, s.visits, s.withinSla, s.breaches]),
    },
    {
      title: l.verifiers,
      columns: [l.verifier, l.claimed, l.verified, l.medianVerdict],
      rows: report.verifiers.map((v) => [v.name ?? v.id, v.claimed, v.verified, hours(v.medianSeconds)]),
    },
  ];
}
