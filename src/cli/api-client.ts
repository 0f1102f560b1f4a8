import { CliError, EXIT } from './exit.ts';

/** `anonymous`: routes that need no token (the Merkle log, the published keys). */
export type ApiClientOptions = { url: string; token: string | undefined; anonymous?: boolean };

type Problem = { code?: string; detail?: string; errors?: { path: string; message: string }[] };

type SendOptions = {
  /** JSON to send, or raw bytes (a stream, with duplex half) with their own content-type header. */
  json?: unknown;
  raw?: NonNullable<RequestInit['body']>;
  headers?: Record<string, string>;
  timeoutMs?: number;
};

/**
 * The HTTP transport of the command line: the token, the base URL, and problems turned
 * into CliErrors naming their code and fields. Answers the Response of a success.
 */
export function createApiTransport(options: ApiClientOptions) {
  if (!options.token && options.anonymous !== true)
    throw new CliError('an API token is needed: pass --token or set CASETRAIL_TOKEN');
  const base = options.url.replace(/\/+$/, '');
  return async function send(method: 'GET' | 'POST', path: string, body: SendOptions = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...body.headers,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body.json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body.json === undefined ? {} : { body: JSON.stringify(body.json) }),
        ...(body.raw === undefined ? {} : { body: body.raw, duplex: 'half' }),
        signal: AbortSignal.timeout(body.timeoutMs ?? 30_000),
      } as RequestInit);
    } catch (error) {
      throw new CliError(
        `the API at ${base} is unreachable (${(error as Error).message}); is casetrail running?`,
        EXIT.usage,
      );
    }
    if (!response.ok) {
      const text = await response.text();
      const problem = (text ? JSON.parse(text) : {}) as Problem;
      const details = (problem.errors ?? []).map((e) => `\n  ${e.path || '(body)'}: ${e.message}`).join('');
      throw new CliError(
        `${response.status} ${problem.code ?? 'error'}: ${problem.detail ?? response.statusText}${details}`,
        EXIT.checkFailed,
      );
    }
    return response;
  };
}

/** A thin JSON client of the casetrail HTTP API for the command line; problems become CliErrors. */
export function createApiClient(options: ApiClientOptions) {
  const send = createApiTransport(options);
  return async function request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await send(method, path, { json: body, headers });
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  };
}
