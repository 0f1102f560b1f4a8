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

// Characters a reader takes for another, after case folding: Cyrillic and Greek letters
// that look Latin, digits that look like letters, and i, l and the vertical bar, which many
// fonts draw alike. Deliberately coarse: two user names that merely might be mistaken for
// each other are one name, and the second is refused.
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'l',
  i: 'l',
  '|': 'l',
  ı: 'l',
  а: 'a',
  е: 'e',
  к: 'k',
  м: 'm',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'l',
  ј: 'j',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  η: 'n',
  ι: 'l',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};

/** Pairs of letters that read as one: rn as m, vv as w. */
const LOOK_ALIKE_PAIRS: readonly [RegExp, string][] = [
  [/rn/gu, 'm'],
  [/vv/gu, 'w'],
];

/** Format characters and fillers: refused in new names, dropped from old ones when keyed. */
const HIDDEN = /[\p{Cf}\p{Cc}\u115F\u1160\u3164\uFFA0]/gu;

/**
 * A user name as uniqueness sees it: hidden characters dropped, NFKC, case folded,
 * whitespace collapsed, and look-alike characters mapped to one (a confusable skeleton).
 * Stored beside the name (users.name_key), whose unique index holds the rule.
 */
export function userNameKey(name: string): string {
  const folded = collapseWhitespace(foldCase(name.replace(HIDDEN, '')));
  let key = '';
  for (const c of folded) key += LOOK_ALIKES[c] ?? c;
  for (const [pair, one] of LOOK_ALIKE_PAIRS) key = key.replace(pair, one);
  return key;
}
