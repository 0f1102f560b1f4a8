// What of an error goes into a log line or an answer: shared by the logger, the outage logs
// and the API's problem handler.

/**
 * What is safe to log of an error: no stack, no connection strings. PostgreSQL's data
 * exceptions (SQLSTATE class 22) quote the offending value in their message, which may be
 * what a client sent: for those only the code and the server routine are kept.
 */
export function errorInfo(error: unknown): { message: string; code?: string; name?: string; routine?: string } {
  if (error instanceof Error) {
    const { code, routine } = error as { code?: unknown; routine?: unknown };
    const quotesValue = typeof code === 'string' && code.startsWith('22') && typeof routine === 'string';
    return {
      name: error.name,
      message: quotesValue ? `data exception ${code} (message withheld: it quotes the value)` : error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(quotesValue ? { routine } : {}),
    };
  }
  return { message: String(error) };
}

/**
 * Where an error was thrown, as one frame without the rest of the trace: the first frame in
 * casetrail's own code, else the top one.
 */
export function errorLocation(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.stack === undefined) return undefined;
  const frames = error.stack.split('\n').filter((line) => /^\s+at\s/u.test(line));
  const frame = frames.find((line) => !line.includes('node_modules') && !line.includes('node:')) ?? frames[0];
  return frame
    ?.trim()
    .replace(/^at\s+/u, '')
    .replace(/file:\/\//gu, '');
}
