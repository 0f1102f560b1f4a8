import type { Platform } from './stages.ts';

/**
 * The one table of the platforms' hosts: for each, the host an item's key names, the
 * subdomains that serve the same pages (www., m., mobile., web....), and other domains that
 * are the same site. A host not listed here is kept as it is (www.example.vn and example.vn
 * may be different sites).
 */
const PLATFORM_HOSTS: readonly {
  platform: Platform;
  host: string;
  subdomains: readonly string[];
  sameSite: readonly string[];
}[] = [
  {
    platform: 'facebook',
    host: 'facebook.com',
    subdomains: ['www', 'm', 'mobile', 'web', 'mbasic', 'touch'],
    sameSite: ['fb.com'],
  },
  { platform: 'tiktok', host: 'tiktok.com', subdomains: ['www', 'm'], sameSite: [] },
  { platform: 'youtube', host: 'youtube.com', subdomains: ['www', 'm'], sameSite: [] },
  { platform: 'x', host: 'x.com', subdomains: ['www', 'm', 'mobile'], sameSite: ['twitter.com'] },
  { platform: 'zalo', host: 'zalo.me', subdomains: ['www'], sameSite: [] },
];

const CANONICAL_HOST = new Map<string, string>(
  PLATFORM_HOSTS.flatMap(({ host, subdomains, sameSite }) =>
    [host, ...sameSite].flatMap((domain) => [
      [domain, host] as const,
      ...subdomains.map((sub) => [`${sub}.${domain}`, host] as const),
    ]),
  ),
);

/** The platform host a (lower-case, dot-trimmed) host stands for; null when it is none of theirs. */
export function platformHost(host: string): string | null {
  return CANONICAL_HOST.get(host) ?? null;
}

/**
 * Short links that name an item by another path: youtu.be/ID is youtube.com/watch?v=ID.
 * Given the host and the path's segments; null when the URL is not one.
 */
export function expandShortLink(
  host: string,
  segments: readonly string[],
): { host: string; path: string; query: string } | null {
  if (host === 'youtu.be' && segments.length === 1 && segments[0] !== undefined) {
    return { host: 'youtube.com', path: '/watch', query: `v=${segments[0]}` };
  }
  return null;
}
