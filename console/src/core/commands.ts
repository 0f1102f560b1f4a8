import { ApiProblem, type ApiClient } from './api-client.ts';
import type { Accepted, Case, Command } from './types.ts';

/** Where each command the console sends is posted (docs/design.md §5). */
export const COMMAND_PATHS = {
  submit: () => '/v1/cases',
  claim: (id: string) => `/v1/cases/${id}/claim`,
  assign: (id: string) => `/v1/cases/${id}/assign`,
  release: (id: string) => `/v1/cases/${id}/release`,
  verify: (id: string) => `/v1/cases/${id}/verify`,
  refer: (id: string) => `/v1/cases/${id}/refer`,
  'record-penalty': (id: string) => `/v1/cases/${id}/penalty`,
  'record-no-violation': (id: string) => `/v1/cases/${id}/no-violation`,
  'file-appeal': (id: string) => `/v1/cases/${id}/appeal`,
  'decide-appeal': (id: string) => `/v1/cases/${id}/appeal-decision`,
  close: (id: string) => `/v1/cases/${id}/close`,
  withdraw: (id: string) => `/v1/cases/${id}/withdraw`,
  'add-note': (id: string) => `/v1/cases/${id}/notes`,
  'add-evidence': (id: string) => `/v1/cases/${id}/evidence`,
  'change-topics': (id: string) => `/v1/cases/${id}/topics`,
} as const;
export type ConsoleCommand = keyof typeof COMMAND_PATHS;

/** A random id that works outside secure contexts too (randomUUID needs one). */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const POLL_LIMIT_MS = 120_000;

/**
 * Sends a command and resolves with the case after it, or throws the problem the API or the
 * worker answered. ?wait=true answers at once in the usual case; when the workers are slower
 * than the API's wait, the command is followed until it is applied or rejected. The
 * Idempotency-Key makes a resent form one command, never two.
 */
export async function runCommand(
  client: ApiClient,
  path: string,
  body: unknown,
  options: { idempotencyKey?: string; sleep?: (ms: number) => Promise<void> } = {},
): Promise<Case> {
  const response = await client.send('POST', path, {
    query: { wait: 'true' },
    body,
    headers: { 'idempotency-key': options.idempotencyKey ?? randomKey() },
  });
  if (response.status === 200 || response.status === 201) return response.body as Case;
  const accepted = response.body as Accepted;
  const command = await followCommand(client, accepted.commandId, options.sleep ?? sleep);
  if (command.status === 'rejected' && command.problem !== undefined) throw ApiProblem.of(command.problem);
  return client.get<Case>(`/v1/cases/${accepted.caseId}`);
}

async function followCommand(client: ApiClient, id: string, wait: (ms: number) => Promise<void>): Promise<Command> {
  const started = Date.now();
  for (let delay = 250; ; delay = Math.min(delay * 2, 4_000)) {
    const command = await client.get<Command>(`/v1/commands/${id}`);
    if (command.status !== 'pending') return command;
    if (Date.now() - started > POLL_LIMIT_MS) throw new ApiProblem(0, 'network', 'the command is still pending');
    await wait(delay);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
