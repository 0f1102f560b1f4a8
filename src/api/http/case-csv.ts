import type { CaseView } from '../../app/case-queries.ts';
import { CSV_BOM, csvLines, type Cell } from './csv.ts';

const COLUMNS = [
  'reference',
  'id',
  'receivedAt',
  'createdAt',
  'stage',
  'outcome',
  'priority',
  'platform',
  'category',
  'topics',
  'url',
  'claim',
  'verdict',
  'authority',
  'decisionNo',
  'fineAmount',
  'fineCurrency',
] as const;

/** The case list as CSV: one row per case, no personal data (lists carry none). */
export function casesToCsv(views: readonly CaseView[]): string {
  const rows = views.map(({ state: s }): Cell[] => [
    s.reference,
    s.id,
    s.report.receivedAt ?? s.createdAt,
    s.createdAt,
    s.stage,
    s.outcome,
    s.priority,
    s.platform,
    s.category,
    s.topics.join(' '),
    s.url,
    s.claim,
    s.verdict?.verdict ?? null,
    s.referral?.authority.code ?? s.penalty?.authority.code ?? null,
    s.decisionNo,
    s.penalty?.fine.amount ?? null,
    s.penalty?.fine.currency ?? null,
  ]);
  return CSV_BOM + csvLines([[...COLUMNS], ...rows]);
}
