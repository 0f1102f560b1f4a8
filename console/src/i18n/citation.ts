import type { Catalog } from './en.ts';
import { fill } from './problems.ts';

type LegalBasis = { instrument: string; article: string; clause?: string | undefined };

/** "1.a", "1a", "1 điểm a": clause 1, point a. */
const CLAUSE_AND_POINT = /^(\d+)\s*(?:[.,)(\s]|điểm\s*)\s*([a-zđ])\)?$/iu;

/**
 * A legal basis as the language cites it: smallest unit first in Vietnamese ("điểm a khoản 1
 * Điều 101 Nghị định 15/2020/NĐ-CP"), the catalog's order in English.
 */
export function citation(basis: LegalBasis, t: Catalog): string {
  const c = t.formats;
  const article = basis.article.replace(/^(điều|article)\s+/iu, '');
  const clause = basis.clause?.trim().replace(/^(khoản|clause)\s+/iu, '');
  if (clause === undefined || clause === '') return fill(c.citationArticle, { article, instrument: basis.instrument });
  const split = CLAUSE_AND_POINT.exec(clause);
  if (split === null) return fill(c.citation, { clause, article, instrument: basis.instrument });
  return fill(c.citationPoint, {
    point: split[2] ?? '',
    clause: split[1] ?? '',
    article,
    instrument: basis.instrument,
  });
}
