// The HTTP client a careful integrator would write: every command carries an
// Idempotency-Key, and whatever goes wrong on the way (a timeout, a reset connection, a
// 5xx while a server restarts) is retried with the same key and body until the command's
// outcome is known. Some first attempts are abandoned on purpose after a few milliseconds:
// the client that gave up waiting and retries.
import { randomUUID } from 'node:crypto';
import type { CommandType } from '../../../src/domain/index.ts';
import { COMMAND_PATHS } from '../../../src/api/routes/command.routes.ts';

export type Person = { id: string; token: string };
export type Outcome = { status: 'applied' } | { status: 'rejected'; code: string };

/** One logical command as the client saw it end. */
export type SentCommand = {
  key: string;
  actorId: string;
  type: CommandType;
  caseId: string;
  outcome: Outcome;
};

type Result = { outcome: Outcome; caseId: string | null };

export type ClientStats = {
  requests: number;
  /** First attempts abandoned on purpose, then retried with the same key. */
  abandonedAttempts: number;
  /** Requests sent twice at once with the same key (a double click). */
  doubleSends: number;
  transportErrors: number;
  /** 503 answers while the database was away, retried. */
  unavailable: number;
  /** Any other 5xx: a bug, since an outage must answer 503. */
  serverErrors: number;
  pendingPolls: number;
  /** Milliseconds from first attempt to known outcome, per command. */
  latencies: number[];
};

export type SendOptions = { expectedVersion?: number; abandonFirstAfterMs?: number; doubleSend?: boolean };

type Answer = { status: number; body: Record<string, unknown> };

const RETRY_DEADLINE_MS = 180_000;
const REQUEST_TIMEOUT_MS = 30_000;

class ClientFailure extends Error {
  override readonly name = 'ClientFailure';
}

export function createCommandClient(baseUrl: string) {
  const stats: ClientStats = {
    requests: 0,
    abandonedAttempts: 0,
    doubleSends: 0,
    transportErrors: 0,
    unavailable: 0,
    serverErrors: 0,
    pendingPolls: 0,
    latencies: [],
  };

  async function call(
    method: string,
    path: string,
    person: Person,
    body: unknown,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<Answer> {
    stats.requests += 1;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${person.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  /** Polls a command until a worker has applied or rejected it. */
  async function settle(person: Person, commandId: string, deadline: number): Promise<Outcome> {
    for (;;) {
      stats.pendingPolls += 1;
      try {
        const answer = await call('GET', `/v1/commands/${commandId}`, person, undefined, {}, REQUEST_TIMEOUT_MS);
        if (answer.status === 200 && answer.body.status === 'applied') return { status: 'applied' };
        if (answer.status === 200 && answer.body.status === 'rejected') {
          return { status: 'rejected', code: String((answer.body.problem as { code?: unknown } | undefined)?.code) };
        }
        if (answer.status === 503) stats.unavailable += 1;
        else if (answer.status >= 500) stats.serverErrors += 1;
        else if (answer.status !== 200)
          throw new ClientFailure(`GET command ${commandId}: ${answer.status} ${JSON.stringify(answer.body)}`);
      } catch (error) {
        if (error instanceof ClientFailure) throw error;
        stats.transportErrors += 1;
      }
      if (Date.now() > deadline)
        throw new ClientFailure(`command ${commandId} still pending after ${RETRY_DEADLINE_MS} ms`);
      await pause(250);
    }
  }

  /** The command's outcome, or the 5xx status to retry after. */
  async function attempt(
    person: Person,
    path: string,
    payload: unknown,
    key: string,
    timeoutMs: number,
    deadline: number,
  ): Promise<Result | number> {
    const { status, body } = await call(
      'POST',
      `${path}?wait=true`,
      person,
      payload,
      { 'idempotency-key': key },
      timeoutMs,
    );
    if (status === 200 || status === 201) return { outcome: { status: 'applied' }, caseId: String(body.id) };
    if (status === 202)
      return { outcome: await settle(person, String(body.commandId), deadline), caseId: String(body.caseId) };
    // The worker's verdict on the command, rendered as the problem of a synchronous call.
    if (status === 404 || status === 409 || status === 422)
      return { outcome: { status: 'rejected', code: String(body.code) }, caseId: null };
    if (status >= 500) return status;
    throw new ClientFailure(`POST ${path}: ${status} ${JSON.stringify(body)}`);
  }

  async function sendOnce(
    person: Person,
    path: string,
    payload: unknown,
    key: string,
    options: SendOptions,
  ): Promise<Result> {
    const deadline = Date.now() + RETRY_DEADLINE_MS;
    for (let n = 1; ; n++) {
      const abandon = n === 1 && options.abandonFirstAfterMs !== undefined;
      try {
        const result = await attempt(
          person,
          path,
          payload,
          key,
          abandon ? (options.abandonFirstAfterMs as number) : REQUEST_TIMEOUT_MS,
          deadline,
        );
        if (typeof result !== 'number') return result;
        if (result === 503) stats.unavailable += 1;
        else stats.serverErrors += 1;
      } catch (error) {
        if (error instanceof ClientFailure) throw error;
        if (abandon) stats.abandonedAttempts += 1;
        else stats.transportErrors += 1;
      }
      if (Date.now() > deadline) throw new ClientFailure(`POST ${path} gave no answer within ${RETRY_DEADLINE_MS} ms`);
      await pause(Math.min(100 * 2 ** n, 2_000) * (0.5 + Math.random()));
    }
  }

  /**
   * Sends one command until its outcome is known. For a submit, caseId is null and the new
   * case's id comes back. A double send fires the same request twice at once with one key:
   * both answers must agree.
   */
  async function send(
    person: Person,
    type: CommandType,
    caseId: string | null,
    body: unknown,
    options: SendOptions = {},
  ): Promise<SentCommand> {
    const key = randomUUID();
    const started = Date.now();
    const path = `/v1${COMMAND_PATHS[type].replace(':id', caseId ?? '')}`;
    const payload =
      options.expectedVersion === undefined ? body : { ...(body as object), expectedVersion: options.expectedVersion };
    let result: Result;
    if (options.doubleSend) {
      stats.doubleSends += 1;
      const [a, b] = await Promise.all([
        sendOnce(person, path, payload, key, options),
        sendOnce(person, path, payload, key, {}),
      ]);
      if (JSON.stringify(a.outcome) !== JSON.stringify(b.outcome)) {
        throw new ClientFailure(
          `double send of ${type} answered ${JSON.stringify(a.outcome)} and ${JSON.stringify(b.outcome)}`,
        );
      }
      result = { ...a, caseId: a.caseId ?? b.caseId };
    } else {
      result = await sendOnce(person, path, payload, key, options);
    }
    stats.latencies.push(Date.now() - started);
    const resolvedCase = caseId ?? result.caseId;
    if (resolvedCase === null) throw new ClientFailure(`${type}: no case id in the answer`);
    return { key, actorId: person.id, type, caseId: resolvedCase, outcome: result.outcome };
  }

  return { send, stats };
}

export type CommandClient = ReturnType<typeof createCommandClient>;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
