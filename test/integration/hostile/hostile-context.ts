// What every hostile request needs: a running casetrail (API and worker as separate
// processes), the people who send requests, cases in the stages the requests aim at, and a
// raw HTTP client that can send anything (broken JSON, odd headers, no token at all).
import { randomUUID } from 'node:crypto';
import type { ProblemCode } from '../../../src/domain/index.ts';
import type { ChildUser } from '../../support/child-system.ts';
import { submitBody } from '../../support/fixtures.ts';

export type Answer = { status: number; headers: Headers; text: string; body: Record<string, unknown> | null };

export const USER_NAMES = [
  'clerkA',
  'clerkB',
  'verifier',
  'verifier2',
  'supervisor',
  'supervisor2',
  'admin',
  'clerkVerifier',
  'verifierSupervisor',
  'revoked',
  'burst',
] as const;
export type UserName = (typeof USER_NAMES)[number];

export type RequestOptions = {
  /** Sends `Authorization: Bearer <token>` of this user; omit for no Authorization header. */
  as?: ChildUser;
  /** A raw Authorization header value instead. */
  authorization?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent exactly as given, with `contentType` (default application/json). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
};

export interface HostileContext {
  users: Record<UserName, ChildUser>;
  cases: {
    /** Submitted by clerkA, claimed by verifier. */
    received: string;
    /** Submitted by clerkVerifier, who holds the verifier role too. */
    ownedByClerkVerifier: string;
    /** Verified by verifierSupervisor, referred by supervisor. */
    referred: string;
    /** Penalty recorded by supervisor, appeal filed by supervisor2. */
    appealPending: string;
  };
  /** A command clerkA issued. */
  clerkACommandId: string;
  /** The Idempotency-Key and body of a note clerkA added. */
  keyedNote: { key: string; body: { text: string } };
  /** CASETRAIL_RATE_LIMIT_MAX of the API under test. */
  rateLimit: number;
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
}

export type HostileCase = {
  name: string;
  status: number;
  code: ProblemCode;
  /**
   * Refused by the worker that applies the command (object-level access, separation of
   * duties, claims): the command is stored, rejected with the code, and nothing else changes.
   */
  decidedByWorker?: boolean;
  send(h: HostileContext): Promise<Answer>;
};

export function createRequester(baseUrl: string): HostileContext['request'] {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as !== undefined) headers.authorization = `Bearer ${options.as.token}`;
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> | null = null;
    try {
      parsed = text === '' ? null : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = null;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };
}

/** A valid submission of a new item: what the hostile variants start from. */
export function freshSubmission() {
  const n = randomUUID();
  return submitBody({
    url: `https://www.facebook.com/groups/hostile/posts/${n}`,
    content: `Hostile-suite content ${n}`,
  });
}

/** base64url of a JSON keyset tuple: a cursor as an attacker would craft it. */
export function craftCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A JSON text with `insert` spliced in as the first member of the top-level object. */
export function withRawMember(value: object, insert: string): string {
  return `{${insert},${JSON.stringify(value).slice(1)}`;
}
