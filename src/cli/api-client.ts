import { CliError, EXIT } from './exit.ts';

/** `anonymous`: routes that need no token (the Merkle log, the published keys). */
export type ApiClientOptions = { url: string; token: string | undefined; anonymous?: boolean };

type Problem = { code?: string; detail?: string; errors?: { path: string; message: string }[] };

/** A thin client of the casetrail HTTP API for the command line; problems become CliErrors. */
export function createApiClient(options: ApiClientOptions) {
  if (!options.token && options.anonymous !== true)
    throw new CliError('an API token is needed: pass --token or set CASETRAIL_TOKEN');
  const base = options.url.replace(/\/+$/, '');
  return async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new CliError(
        `the API at ${base} is unreachable (${(error as Error).message}); is casetrail running?`,
        EXIT.usage,
      );
    }
    const text = await response.text();
    const json: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const problem = (json ?? {}) as Problem;
      const details = (problem.errors ?? []).map((e) => `\n  ${e.path || '(body)'}: ${e.message}`).join('');
      throw new CliError(
        `${response.status} ${problem.code ?? 'error'}: ${problem.detail ?? response.statusText}${details}`,
        EXIT.checkFailed,
      );
    }
    return json as T;
  };
}
