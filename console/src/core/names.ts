import type { ApiClient } from './api-client.ts';

/** Login names behind actor ids, fetched in batches and kept for the session. */
export interface NameDirectory {
  name(id: string): string | undefined;
  /** Fetches the names not known yet; never throws (an unknown name shows the id). */
  load(ids: Iterable<string>): Promise<void>;
}

const BATCH = 200;
/** Users have uuids; other actor ids (the system's) have no login name to fetch. */
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

export function createNameDirectory(client: ApiClient): NameDirectory {
  const names = new Map<string, string>();
  const asked = new Set<string>();
  return {
    name: (id) => names.get(id),
    async load(ids) {
      const missing = [...new Set(ids)].filter((id) => USER_ID.test(id) && !asked.has(id));
      for (let i = 0; i < missing.length; i += BATCH) {
        const batch = missing.slice(i, i + BATCH);
        for (const id of batch) asked.add(id);
        try {
          const page = await client.get<{ items: { id: string; name: string }[] }>('/v1/users/names', {
            ids: batch.join(','),
          });
          for (const item of page.items) names.set(item.id, item.name);
        } catch {
          for (const id of batch) asked.delete(id);
        }
      }
    },
  };
}
