import { ApiProblem, type ApiClient } from './api-client.ts';

// Live pages: the API pushes case changes as Server-Sent Events (GET /v1/cases/:id/changes,
// GET /v1/changes). EventSource cannot send the Authorization header, so the stream is read
// with fetch. A lost stream is opened again after a pause; a refused token ends the session
// (the client says so) and the watch with it.

export type CaseChange = { caseId: string; version: number };

export type Watch = { stop(): void };

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** The events of a chunk of SSE text; `rest` is an event not complete yet. */
function parseEvents(text: string): { events: { event: string; data: string }[]; rest: string } {
  const blocks = text.split(/\r?\n\r?\n/u);
  const rest = blocks.pop() ?? '';
  const events = blocks.flatMap((block) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/u)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    return data.length === 0 ? [] : [{ event, data: data.join('\n') }];
  });
  return { events, rest };
}

/**
 * Calls onChange for each change pushed on the path, and onResync when changes may have
 * been missed (the stream was lost, or the server's own listener was): the page then reads
 * its data again.
 */
export function watchChanges(
  client: ApiClient,
  path: string,
  handlers: { onChange(change: CaseChange): void; onResync(): void },
): Watch {
  const abort = new AbortController();
  let delay = RETRY_MIN_MS;
  let first = true;

  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const body = await client.stream(path, abort.signal);
        if (!first) handlers.onResync();
        first = false;
        delay = RETRY_MIN_MS;
        const reader = body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseEvents(buffer + decoder.decode(value, { stream: true }));
          buffer = parsed.rest;
          for (const { event, data } of parsed.events) {
            if (event === 'case') handlers.onChange(JSON.parse(data) as CaseChange);
            else if (event === 'resync') handlers.onResync();
          }
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error instanceof ApiProblem && ['unauthenticated', 'not_found', 'forbidden'].includes(error.code)) return;
      }
      if (abort.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  };
  void run();
  return { stop: () => abort.abort() };
}
