import { readFile } from 'node:fs/promises';
import { CliError, EXIT } from '../exit.ts';
import { printResult } from '../output.ts';
import { CASE_COMMANDS, type CaseCommandName } from './case-commands.table.ts';
import { type Accepted, type ApiFlags, type CaseView, caseSummary, client } from './cases.action.ts';

type Flags = ApiFlags & {
  jsonInput?: string;
  expectedVersion?: string;
  idempotencyKey?: string;
  wait?: boolean;
  timeout: string;
} & Record<string, unknown>;

type Body = Record<string, unknown>;
type CommandView = {
  id: string;
  status: 'pending' | 'applied' | 'rejected';
  problem?: { code?: string; detail?: string };
};

/** Runs one case command: builds its body from --json-input and the flags, posts it, and waits if asked. */
export async function runCaseCommand(name: CaseCommandName, id: string, flags: Flags): Promise<void> {
  const input = await readBody(flags.jsonInput);
  const body = { ...input, ...bodyFromFlags(name, flags, input) };
  if (flags.expectedVersion !== undefined) body.expectedVersion = integer('--expected-version', flags.expectedVersion);
  const request = client(flags);
  const headers: Record<string, string> =
    flags.idempotencyKey === undefined ? {} : { 'idempotency-key': flags.idempotencyKey };
  const path = `/v1/cases/${encodeURIComponent(id)}/${CASE_COMMANDS[name].path}`;
  if (!flags.wait) {
    const accepted = await request<Accepted>('POST', path, body, headers);
    printResult(flags, accepted, () => `accepted command ${accepted.commandId} for case ${accepted.caseId}`);
    return;
  }
  // The API waits up to 10 s by itself; a command still pending after that is polled.
  const answer = await request<CaseView | Accepted>('POST', `${path}?wait=true`, body, headers);
  const view = 'commandId' in answer ? await awaitApplied(request, answer, seconds(flags.timeout)) : answer;
  printResult(flags, view, () => caseSummary(view));
}

async function awaitApplied(
  request: ReturnType<typeof client>,
  accepted: Accepted,
  timeoutS: number,
): Promise<CaseView> {
  const deadline = Date.now() + timeoutS * 1000;
  let delay = 100;
  for (;;) {
    const command = await request<CommandView>('GET', `/v1/commands/${accepted.commandId}`);
    if (command.status === 'applied') return request<CaseView>('GET', `/v1/cases/${accepted.caseId}`);
    if (command.status === 'rejected') {
      throw new CliError(
        `rejected ${command.problem?.code ?? 'error'}: ${command.problem?.detail ?? ''}`.trim(),
        EXIT.checkFailed,
      );
    }
    if (Date.now() > deadline) {
      throw new CliError(`command ${accepted.commandId} still pending after ${timeoutS} s`, EXIT.checkFailed);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

async function readBody(source: string | undefined): Promise<Body> {
  if (source === undefined) return {};
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (error) {
    throw new CliError(`--json-input: cannot read ${source}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--json-input: ${source} is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`--json-input: ${source} must hold one JSON object`);
  }
  return parsed as Body;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

function integer(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new CliError(`${flag}: must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--timeout: must be a positive number of seconds`);
  return n;
}

/** Drops the members left undefined, so that a flag not given keeps what --json-input said. */
function defined(body: Body): Body {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

function authority(flags: Flags, base: Body): Body | undefined {
  const code = str(flags.authorityCode);
  const name = str(flags.authorityName);
  if (code === undefined && name === undefined) return undefined;
  return { ...((base.authority as Body | undefined) ?? {}), ...defined({ code, name }) };
}

function legalBasis(values: unknown): Body[] | undefined {
  if (!Array.isArray(values)) return undefined;
  return values.map((value: string) => {
    const [instrument, article, clause] = value.split('|').map((part) => part.trim());
    if (!instrument || !article) {
      throw new CliError(`--legal-basis: expected "instrument|article[|clause]", got ${JSON.stringify(value)}`);
    }
    return defined({ instrument, article, clause: clause || undefined });
  });
}

function bodyFromFlags(name: CaseCommandName, flags: Flags, input: Body): Body {
  switch (name) {
    case 'claim':
      return {};
    case 'verify': {
      const urls = flags.evidenceUrl as string[] | undefined;
      return defined({
        verdict: str(flags.verdict),
        rationale: str(flags.rationale),
        evidence: urls?.map((url) => ({ kind: 'url', url, description: url })),
      });
    }
    case 'refer':
      return defined({
        authority: authority(flags, input),
        referenceNo: str(flags.referenceNo),
        note: str(flags.note),
        dueAt: str(flags.dueAt),
      });
    case 'penalty': {
      const subject = defined({ accountHandle: str(flags.accountHandle), name: str(flags.subjectName) });
      return defined({
        decisionNo: str(flags.decisionNo),
        authority: authority(flags, input),
        issuedAt: str(flags.issuedAt),
        legalBasis: legalBasis(flags.legalBasis),
        subject: Object.keys(subject).length > 0 ? subject : undefined,
        fine:
          flags.fine === undefined ? undefined : { amount: integer('--fine', str(flags.fine) ?? ''), currency: 'VND' },
        remedies: flags.remedy as string[] | undefined,
        facts: str(flags.facts),
      });
    }
    case 'no-violation':
      return defined({ authority: authority(flags, input), note: str(flags.note) });
    case 'appeal':
      return defined({ filedAt: str(flags.filedAt), grounds: str(flags.grounds) });
    case 'decide-appeal':
      return defined({ decision: str(flags.decision), note: str(flags.note) });
    case 'close': {
      const given = ['contentRemoved', 'finePaid', 'correctionPublished', 'accountSuspended'].filter(
        (key) => flags[key] === true,
      );
      const compliance = { contentRemoved: false, finePaid: false, ...Object.fromEntries(given.map((k) => [k, true])) };
      return defined({ compliance: given.length > 0 ? compliance : undefined, note: str(flags.note) });
    }
    case 'withdraw':
      return defined({ reason: str(flags.reason) });
    case 'note':
      return defined({ text: str(flags.text) });
    case 'evidence':
      return defined({
        kind: str(flags.kind),
        url: str(flags.url),
        sha256: str(flags.sha256),
        description: str(flags.description),
      });
  }
}
