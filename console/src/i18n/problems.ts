import type { ApiProblem } from '../core/api-client.ts';
import type { Catalog } from './en.ts';
import type { Formatter } from './format.ts';

// The API writes its problem details and field messages in English. The console shows them
// in the user's language: each known sentence maps to a catalog entry (captures become its
// parameters); anything else falls back to the problem code's own explanation, never to raw
// English in a Vietnamese page.

type DetailKey = keyof Catalog['problemDetail'];
type FieldKey = keyof Catalog['fieldError'];
type Rule<K> = {
  pattern: RegExp;
  key: K;
  params?: (match: RegExpExecArray, t: Catalog, f: Formatter) => Record<string, string>;
};

const label = (table: Record<string, string>, key: string | undefined) =>
  key === undefined ? '' : (table[key] ?? key);

const DETAIL_RULES: Rule<DetailKey>[] = [
  { pattern: /^the verifier of a case may not be the clerk who submitted it$/u, key: 'submitterCannotVerify' },
  {
    pattern: /^the case is claimed by another verifier until (.+)$/u,
    key: 'claimedUntil',
    params: (m, _t, f) => ({ until: m[1] === undefined || Number.isNaN(Date.parse(m[1])) ? '' : f.dateTime(m[1]) }),
  },
  {
    pattern: /^a verdict of (\w+) needs at least one evidence item$/u,
    key: 'verdictNeedsEvidence',
    params: (m, t) => ({ verdict: label(t.verdict, m[1]) }),
  },
  {
    pattern: /^the supervisor who records the authority's decision may not be the verifier of the case$/u,
    key: 'recorderIsVerifier',
  },
  { pattern: /^the supervisor who refers a case may not be the one who submitted it$/u, key: 'submitterCannotRefer' },
  {
    pattern: /^the supervisor who records the authority's decision may not be the one who submitted the case$/u,
    key: 'submitterCannotRecord',
  },
  {
    pattern: /^the supervisor who decides an appeal may not be the one who submitted the case$/u,
    key: 'submitterCannotDecideAppeal',
  },
  { pattern: /^the supervisor who refers a case may not be its verifier$/u, key: 'verifierCannotRefer' },
  {
    pattern: /^the supervisor who decides an appeal may not be the verifier of the case$/u,
    key: 'verifierCannotDecideAppeal',
  },
  { pattern: /^a penalty needs at least one legal basis$/u, key: 'needsLegalBasis' },
  {
    pattern: /^decision number (.+) is already used$/u,
    key: 'decisionNoUsed',
    params: (m) => ({ decisionNo: m[1] ?? '' }),
  },
  { pattern: /^an appeal is pending$/u, key: 'appealPending' },
  { pattern: /^there is no pending appeal to decide$/u, key: 'noPendingAppeal' },
  {
    pattern: /^the supervisor who decides an appeal may not be the one who recorded the penalty$/u,
    key: 'appealDeciderIsRecorder',
  },
  { pattern: /^a withdrawal needs a reason$/u, key: 'needsReason' },
  { pattern: /^expected version \d+, the case is at version \d+$/u, key: 'versionMoved' },
  {
    pattern: /^\S+ is not allowed in stage (\w+)$/u,
    key: 'notInStage',
    params: (m, t) => ({ stage: label(t.stage, m[1]) }),
  },
  {
    pattern: /^\S+ needs one of the roles (.+)$/u,
    key: 'needsRoles',
    params: (m, t) => ({
      roles: (m[1] ?? '')
        .split(', ')
        .map((role) => label(t.role, role))
        .join(', '),
    }),
  },
  { pattern: /^the token is not valid/u, key: 'badToken' },
  { pattern: /^the penalty is not complied with/u, key: 'notComplied' },
  { pattern: /^the penalty cannot be issued before the case was referred/u, key: 'issuedBeforeReferral' },
  { pattern: /^the appeal cannot be filed before the penalty was issued/u, key: 'filedBeforePenalty' },
  { pattern: /^impossible dates:/u, key: 'impossibleDates' },
  { pattern: /^a user named .+, or a name that reads the same, exists$/u, key: 'nameTaken' },
];

const FIELD_RULES: Rule<FieldKey>[] = [
  { pattern: /received undefined$/u, key: 'required' },
  { pattern: /^Too small: expected string to have >=1 characters?$/u, key: 'required' },
  { pattern: /^must not be blank$|^must contain a visible character$/u, key: 'required' },
  { pattern: /^must not contain invisible characters/u, key: 'hiddenCharacters' },
  { pattern: /^must not be before 2000-01-01$/u, key: 'tooEarly' },
  { pattern: /^must not be in the future/u, key: 'inFuture' },
  { pattern: /^must not be before the referral$/u, key: 'beforeReferral' },
  { pattern: /^must not be before the penalty was issued$/u, key: 'beforePenalty' },
  { pattern: /is not complied with$|^the fine is not paid$/u, key: 'notComplied' },
  {
    pattern: /^Too small: expected string to have >=(\d+)/u,
    key: 'tooShort',
    params: (m, _t, f) => ({ min: f.number(Number(m[1])) }),
  },
  {
    pattern: /^Too big: expected string to have <=(\d+)/u,
    key: 'tooLong',
    params: (m, _t, f) => ({ max: f.number(Number(m[1])) }),
  },
  {
    pattern: /^Too big: expected number to be <=(\d+)/u,
    key: 'tooLarge',
    params: (m, _t, f) => ({ max: f.number(Number(m[1])) }),
  },
  {
    pattern: /^Too small: expected number to be >=(-?\d+)/u,
    key: 'tooSmall',
    params: (m, _t, f) => ({ min: f.number(Number(m[1])) }),
  },
  {
    pattern: /^Too big: expected array to have <=(\d+)/u,
    key: 'tooMany',
    params: (m, _t, f) => ({ max: f.number(Number(m[1])) }),
  },
  { pattern: /expected int, received/u, key: 'wholeNumber' },
  {
    pattern: /^Invalid input: expected number, received (string|NaN)/u,
    key: 'amount',
    params: (_m, _t, f) => ({ example: f.amount(7_500_000) }),
  },
  { pattern: /^Invalid (option|input: expected ")/u, key: 'chooseOne' },
  { pattern: /^Invalid ISO datetime|year between/u, key: 'dateTime' },
  { pattern: /^must be an absolute http\(s\) URL$/u, key: 'httpUrl' },
  { pattern: /^evidence of kind url needs a url$/u, key: 'urlEvidence' },
  { pattern: /^must be 64 hexadecimal characters$/u, key: 'sha256' },
  { pattern: /^must be a BCP 47 language tag$/u, key: 'languageTag' },
  { pattern: /must be unique$/u, key: 'unique' },
  { pattern: /^must not contain NUL/u, key: 'safeText' },
  { pattern: /^unknown field$/u, key: 'unknownField' },
];

export function fill(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/gu, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function match<K extends string>(
  rules: Rule<K>[],
  text: string,
  t: Catalog,
  f: Formatter,
): { key: K; params: Record<string, string> } | null {
  for (const rule of rules) {
    const found = rule.pattern.exec(text);
    if (found !== null) return { key: rule.key, params: rule.params?.(found, t, f) ?? {} };
  }
  return null;
}

export type ShownProblem = { title: string; detail: string; requestId: string | null };

export function describeProblem(problem: ApiProblem, t: Catalog, f: Formatter): ShownProblem {
  const known = match(DETAIL_RULES, problem.detail, t, f);
  return {
    title: t.problem[problem.code],
    detail: known === null ? t.problemHelp[problem.code] : fill(t.problemDetail[known.key], known.params),
    requestId: problem.code === 'internal' ? problem.requestId : null,
  };
}

/** A field message of a validation_failed problem, in the user's language. */
export function fieldMessage(message: string, t: Catalog, f: Formatter): string {
  const known = match(FIELD_RULES, message, t, f);
  return known === null ? t.fieldError.invalid : fill(t.fieldError[known.key], known.params);
}
