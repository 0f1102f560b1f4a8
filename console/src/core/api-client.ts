import type { Problem } from './types.ts';

/** The API's problem codes, plus the console's own for a request that got no answer. */
export type ProblemCode = Problem['code'] | 'network';
export type FieldError = { path: string; message: string };

/** A problem document (RFC 9457) the API answered, or a network failure in the same shape. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly status: number;
  readonly code: ProblemCode;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly requestId: string | null;

  constructor(
    status: number,
    code: ProblemCode,
    detail: string,
    errors: FieldError[] = [],
    requestId: string | null = null,
  ) {
    super(`${code}: ${detail}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = errors;
    this.requestId = requestId;
  }

  static of(problem: Problem): ApiProblem {
    return new ApiProblem(problem.status, problem.code, problem.detail, problem.errors ?? [], problem.requestId);
  }
}

export type ApiResponse = { status: number; body: unknown; headers: Headers };
type Query = Record<string, string | number | undefined>;

export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  /** Any method; answers below 400 are returned, problems thrown as ApiProblem. */
  send(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options?: { query?: Query; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  /** The raw body of a GET, for downloads. */
  blob(path: string): Promise<Blob>;
  /** The body of a GET as it arrives (Server-Sent Events), until the signal aborts. */
  stream(path: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
  /** The Authorization header of the signed-in user, for requests made without fetch (uploads). */
  authorization(): Record<string, string>;
  /** The ApiProblem a response of 400 or more stands for (a refused token ends the session). */
  problemOf(response: Response): Promise<ApiProblem>;
}

export type ClientOptions = {
  token: () => string | null;
  /** Called when the API refuses the token (revoked while signed in): the session ends. */
  onUnauthenticated: () => void;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
};

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

export function createApiClient(options: ClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));

  async function raw(
    method: string,
    url: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const token = options.token();
    const init: RequestInit = {
      method,
      headers: {
        accept: 'application/json, application/problem+json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // The token is the only credential: no cookies go along (the API answers no-store).
      credentials: 'omit',
      ...(signal === undefined ? {} : { signal }),
    };
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      throw new ApiProblem(0, 'network', (error as Error).message);
    }
    if (response.status >= 400) throw await problemOf(response, options);
    return response;
  }

  return {
    async get<T>(path: string, query?: Query) {
      const response = await raw('GET', withQuery(path, query), undefined, {});
      return (await response.json()) as T;
    },
    async send(method, path, { query, body, headers = {} } = {}) {
      const response = await raw(method, withQuery(path, query), body, headers);
      const text = await response.text();
      return {
        status: response.status,
        body: text === '' ? null : (JSON.parse(text) as unknown),
        headers: response.headers,
      };
    },
    async blob(path) {
      return (await raw('GET', path, undefined, {})).blob();
    },
    async stream(path, signal) {
      const response = await raw('GET', path, undefined, { accept: 'text/event-stream' }, signal);
      if (response.body === null) throw new ApiProblem(0, 'network', 'no stream');
      return response.body;
    },
    authorization(): Record<string, string> {
      const token = options.token();
      return token === null ? {} : { authorization: `Bearer ${token}` };
    },
    problemOf: (response) => problemOf(response, options),
  };
}

async function problemOf(response: Response, options: ClientOptions): Promise<ApiProblem> {
  let problem: ApiProblem;
  try {
    problem = ApiProblem.of((await response.json()) as Problem);
  } catch {
    problem = new ApiProblem(response.status, response.status >= 500 ? 'internal' : 'not_found', response.statusText);
  }
  if (problem.code === 'unauthenticated') options.onUnauthenticated();
  return problem;
}
