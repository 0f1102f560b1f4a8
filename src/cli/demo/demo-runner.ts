import { sentBody, type DemoCase, type DemoFate, type DemoRole, type DemoStep } from './demo-plan.ts';

// Drives a demo plan through the public HTTP API, as clients would: each command with
// ?wait=true and an Idempotency-Key (so a retried request is never applied twice), a
// rate-limited request retried after its Retry-After, a slow one followed to its end.

export type DemoTokens = Readonly<Record<DemoRole, readonly string[]>>;
export type CaseResult = { n: number; fate: DemoFate; caseId: string | null; commands: number; failure: string | null };

export interface DemoRunInput {
  apiUrl: string;
  runTag: string;
  tokens: DemoTokens;
  plan: readonly DemoCase[];
  /** Cases driven at once. */
  concurrency: number;
  onCase?: (result: CaseResult) => void;
}

type Answer = { status: number; body: Record<string, unknown> | null; retryAfter: number | null };

const ATTEMPTS = 5;
const PENDING_TIMEOUT_MS = 60_000;

/** Stops the whole run: the API is gone, or refuses the tokens. */
export class DemoAbort extends Error {
  override readonly name = 'DemoAbort';
  readonly reason: 'unreachable' | 'refused';

  constructor(message: string, reason: 'unreachable' | 'refused') {
    super(message);
    this.reason = reason;
  }
}

export async function runDemo(input: DemoRunInput): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const wave of [1, 2] as const) {
    const cases = input.plan.filter((c) => c.wave === wave);
    let next = 0;
    const lane = async () => {
      while (next < cases.length) {
        const result = await driveCase(input, cases[next++] as DemoCase);
        results.push(result);
        input.onCase?.(result);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, cases.length)) }, lane));
  }
  return results.sort((a, b) => a.n - b.n);
}

async function driveCase(input: DemoRunInput, plan: DemoCase): Promise<CaseResult> {
  let caseId: string | null = null;
  let commands = 0;
  for (const [index, step] of plan.steps.entries()) {
    const path = step.action === '' ? '/v1/cases' : `/v1/cases/${caseId}/${step.action}`;
    const token = tokenOf(input.tokens, step);
    commands += 1;
    const body = sentBody(step, new Date());
    const outcome = await command(input.apiUrl, token, path, body, `demo-${input.runTag}-${plan.n}-${index}`);
    if (!outcome.ok)
      return {
        n: plan.n,
        fate: plan.fate,
        caseId,
        commands,
        failure: `${step.action || 'submit'}: ${outcome.failure}`,
      };
    caseId ??= outcome.view.id as string;
    const { stage, outcome: caseOutcome } = outcome.view;
    if (stage !== step.expect.stage || (caseOutcome ?? null) !== step.expect.outcome) {
      const seen = `${String(stage)}${caseOutcome ? `/${String(caseOutcome)}` : ''}`;
      const expected = `${step.expect.stage}${step.expect.outcome ? `/${step.expect.outcome}` : ''}`;
      return {
        n: plan.n,
        fate: plan.fate,
        caseId,
        commands,
        failure: `${step.action || 'submit'}: case is ${seen}, expected ${expected}`,
      };
    }
  }
  return { n: plan.n, fate: plan.fate, caseId, commands, failure: null };
}

function tokenOf(tokens: DemoTokens, step: DemoStep): string {
  const list = tokens[step.role];
  const token = list[step.member % list.length];
  if (token === undefined) throw new Error(`no demo ${step.role} token`);
  return token;
}

type CommandOutcome = { ok: true; view: Record<string, unknown> } | { ok: false; failure: string };

/** One command to its end: applied (the case after it) or rejected (its problem code). */
async function command(
  apiUrl: string,
  token: string,
  path: string,
  body: unknown,
  key: string,
): Promise<CommandOutcome> {
  const answer = await request(apiUrl, token, 'POST', `${path}?wait=true`, body, key);
  if (answer.status === 200 || answer.status === 201) return { ok: true, view: answer.body ?? {} };
  if (answer.status === 202) return followPending(apiUrl, token, answer.body ?? {});
  return { ok: false, failure: problemText(answer) };
}

/** ?wait=true gave up after its 10 s: poll the command, then read the case. */
async function followPending(
  apiUrl: string,
  token: string,
  accepted: Record<string, unknown>,
): Promise<CommandOutcome> {
  const deadline = Date.now() + PENDING_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const state = await request(apiUrl, token, 'GET', `/v1/commands/${String(accepted.commandId)}`);
    const status = state.body?.status;
    if (status === 'rejected')
      return {
        ok: false,
        failure: problemText({ ...state, body: (state.body?.problem as Record<string, unknown>) ?? null }),
      };
    if (status === 'applied') {
      const view = await request(apiUrl, token, 'GET', `/v1/cases/${String(accepted.caseId)}`);
      return view.status === 200 ? { ok: true, view: view.body ?? {} } : { ok: false, failure: problemText(view) };
    }
    await delay(500);
  }
  return { ok: false, failure: `still pending after ${PENDING_TIMEOUT_MS / 1000} s (are workers running?)` };
}

function problemText(answer: Answer): string {
  const code = answer.body?.code;
  const detail = answer.body?.detail;
  return `${answer.status} ${typeof code === 'string' ? code : 'error'}${typeof detail === 'string' ? `: ${detail}` : ''}`;
}

export async function request(
  apiUrl: string,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  idempotencyKey?: string,
): Promise<Answer> {
  for (let attempt = 1; ; attempt += 1) {
    let answer: Answer;
    try {
      const response = await fetch(`${apiUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const retryAfter = Number(response.headers.get('retry-after'));
      answer = {
        status: response.status,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
        retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
      };
    } catch (error) {
      if (attempt >= ATTEMPTS)
        throw new DemoAbort(`the API at ${apiUrl} does not answer (${(error as Error).message})`, 'unreachable');
      await delay(500 * 2 ** attempt);
      continue;
    }
    if (answer.status === 401)
      throw new DemoAbort(`the API at ${apiUrl} refused the token (${problemText(answer)})`, 'refused');
    // Rate limits and passing server trouble are retried: the Idempotency-Key makes it safe.
    const transient = answer.status === 429 || answer.status === 502 || answer.status === 503 || answer.status === 500;
    if (!transient || attempt >= ATTEMPTS) return answer;
    await delay(answer.retryAfter !== null ? answer.retryAfter * 1000 : 500 * 2 ** attempt);
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
