import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../infra/config/config.ts';
import { createApiClient } from '../api-client.ts';
import { CliError } from '../exit.ts';
import { printResult } from '../output.ts';

export type CaseView = {
  id: string;
  reference: string;
  stage: string;
  outcome: string | null;
  priority: string;
  platform: string;
  category: string;
  claim: string;
  createdAt: string;
  version: number;
};
export type Accepted = { commandId: string; caseId: string; status: string; reference?: string | null };

export type ApiFlags = { apiUrl?: string; token?: string; json?: boolean };

export function client(flags: ApiFlags) {
  const config = loadConfig();
  return createApiClient({
    url: flags.apiUrl ?? config.CASETRAIL_API_URL,
    token: flags.token ?? config.CASETRAIL_TOKEN,
  });
}

const caseLine = (c: CaseView) =>
  `${c.reference}  ${c.stage.padEnd(14)} ${(c.outcome ?? '').padEnd(18)} ${c.priority.padEnd(7)} ${c.platform.padEnd(9)} ${c.claim.slice(0, 60)}`;

/** One line naming a case and where it stands. */
export const caseSummary = (c: CaseView) => `${c.reference} ${c.id} ${c.stage}${c.outcome ? ` (${c.outcome})` : ''}`;

export async function submitCase(flags: ApiFlags & { file: string; wait: boolean }): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readFile(flags.file, 'utf8'));
  } catch (error) {
    throw new CliError(`--file: cannot read JSON from ${flags.file}: ${(error as Error).message}`);
  }
  const request = client(flags);
  if (!flags.wait) {
    const accepted = await request<Accepted>('POST', '/v1/cases', body);
    printResult(flags, accepted, () => `accepted command ${accepted.commandId} for case ${accepted.caseId}`);
    return;
  }
  const created = await request<CaseView>('POST', '/v1/cases?wait=true', body);
  printResult(flags, created, () => caseSummary(created));
}

export async function listCases(
  flags: ApiFlags & { stage?: string; outcome?: string; q?: string; limit: string },
): Promise<void> {
  const query = new URLSearchParams({ limit: flags.limit });
  for (const key of ['stage', 'outcome', 'q'] as const) if (flags[key]) query.set(key, flags[key] as string);
  const page = await client(flags)<{ items: CaseView[]; nextCursor: string | null }>('GET', `/v1/cases?${query}`);
  printResult(flags, page, () => (page.items.length === 0 ? 'no cases' : page.items.map(caseLine).join('\n')));
}

export async function showCase(id: string, flags: ApiFlags): Promise<void> {
  const found = await client(flags)<CaseView>('GET', `/v1/cases/${encodeURIComponent(id)}`);
  printResult(flags, found, () => JSON.stringify(found, null, 2));
}
