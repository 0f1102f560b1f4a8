import { z } from 'zod';

/**
 * CASETRAIL_REDIS_CLUSTER_NODES: the seed nodes of a Redis Cluster, separated by commas,
 * each `host:port` or a `redis://` / `rediss://` URL. ioredis discovers the other nodes
 * from any seed that answers, so listing a few guards against one being down at start.
 * Output: normalized URLs, the first carrying the credentials and TLS choice for all.
 */
export const redisClusterNodesSchema = z.string().transform((value, ctx) => {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const nodes: string[] = [];
  for (const entry of entries) {
    const url = parseNode(entry);
    if (url === null) {
      ctx.addIssue({
        code: 'custom',
        message: `"${redactEntry(entry)}" is not host:port or a redis:// URL with a port`,
      });
      return z.NEVER;
    }
    nodes.push(url);
  }
  if (nodes.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'expected at least one host:port' });
    return z.NEVER;
  }
  return nodes;
});

function parseNode(entry: string): string | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `redis://${entry}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return null;
    if (url.hostname === '' || url.port === '') return null;
    return url.toString().replace(/\/$/, '');
  } catch {
    return null;
  }
}

// A malformed entry may still hold a password: never echo it back.
function redactEntry(entry: string): string {
  return entry.replace(/\/\/[^@/]*@/, '//***@');
}
