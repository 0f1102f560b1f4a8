// Keys that decide when two identifiers are the same one. An identifier is compared by its
// key, never by its spelling: `QD-X-1` and `qd-x-1` are one decision number.

/** Unicode's compatibility forms folded (full-width letters, ligatures), then case, then again. */
function foldCase(value: string): string {
  return value.normalize('NFKC').toLowerCase().normalize('NFKC');
}

/** Runs of whitespace become one space; none at either end. */
function collapseWhitespace(value: string): string {
  return value.replace(/\s+/gu, ' ').trim();
}

/**
 * A decision number as uniqueness sees it: NFKC, case folded, whitespace collapsed.
 * Stored beside the number (cases.decision_key), whose unique index holds the rule.
 */
export function decisionNoKey(decisionNo: string): string {
  return collapseWhitespace(foldCase(decisionNo));
}
