import { ApiProblem } from '../core/api-client.ts';

/** The state of something loaded from the API, for pages that show "loading", an error or data. */
export type Loaded<T> = { state: 'loading' } | { state: 'failed'; problem: ApiProblem } | { state: 'ready'; value: T };

export async function load<T>(fetcher: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { state: 'ready', value: await fetcher() };
  } catch (error) {
    if (error instanceof ApiProblem) return { state: 'failed', problem: error };
    throw error;
  }
}
