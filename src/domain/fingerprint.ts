import { createHash, createHmac } from 'node:crypto';
import { expandShortLink, platformHost } from './platform-hosts.ts';
import type { Platform } from './stages.ts';

/** Query parameters that identify the share, not the item; compared case-insensitively. */
const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'gad_source',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'igshid',
  'igsh',
  'si',
  'mc_cid',
  'mc_eid',
  'ref_src',
  'ref_url',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  's_cid',
  'mibextid',
  'fb_action_ids',
  'fb_action_types',
  'fb_ref',
  'fb_source',
  '__tn__',
  'zarsrc',
  'is_from_webapp',
  'sender_device',
  'sender_web_id',
]);

/** Parameter name prefixes that are always tracking (utm_source, __cft__[0]...). */
const TRACKING_PREFIXES: readonly string[] = ['utm_', '__cft__'];

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

function paramName(pair: string): string {
  const raw = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(raw.replace(/\+/gu, ' '));
  } catch {
    return raw;
  }
}

// RFC 3986 unreserved characters: their percent-encoded and plain forms are the same URL.
const UNRESERVED = /^[A-Za-z0-9\-._~]$/u;

/** Percent-encodings of unreserved characters decoded, every other one in upper case. */
function normalizePercentEncoding(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/gu, (_whole, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

function withoutTracking(search: string): string[] {
  return search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !isTrackingParam(paramName(pair)))
    .map(normalizePercentEncoding);
}

/**
 * The URL as the item key sees it: scheme and host lower-cased, the host's trailing dot
 * dropped and a platform's host aliases folded (PLATFORM_HOSTS; https on a platform host),
 * no user information, default port, fragment or tracking parameter, unreserved characters
 * percent-decoded (other encodings in upper case), empty path segments and trailing slashes
 * dropped (the root path becomes empty). Other parameters keep their order.
 */
export function normalizeUrl(input: string): string {
  const url = new URL(input);
  // WHATWG URL has already lower-cased scheme and host, resolved dot segments and dropped the default port.
  const host = url.hostname.replace(/\.+$/u, '');
  let segments = normalizePercentEncoding(url.pathname)
    .split('/')
    .filter((segment) => segment !== '');
  let query = withoutTracking(url.search);
  let canonical = platformHost(host);
  const short = expandShortLink(host, segments);
  if (short !== null) {
    canonical = short.host;
    segments = short.path.split('/').filter((segment) => segment !== '');
    query = [short.query, ...query];
  }
  const scheme = canonical === null ? url.protocol : 'https:';
  const port = url.port === '' ? '' : `:${url.port}`;
  const path = segments.length === 0 ? '' : `/${segments.join('/')}`;
  return `${scheme}//${canonical ?? host}${port}${path}${query.length === 0 ? '' : `?${query.join('&')}`}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The item key: one item, one key, however its URL was written and whatever platform the
 * report declared.
 */
export function fingerprint(url: string): string {
  return sha256Hex(normalizeUrl(url));
}

/**
 * The key cases received before the item key ignored the platform were stored under: the
 * platform and the URL with scheme and host lower-cased, no fragment or tracking parameter,
 * trailing slashes trimmed. cases.fingerprint is folded from the trail, so those rows keep
 * it; intake still matches them (see intakeKeys).
 */
function legacyFingerprint(platform: Platform, input: string): string {
  const url = new URL(input);
  const query = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !isTrackingParam(paramName(pair)))
    .join('&');
  const userinfo = url.username === '' ? '' : `${url.username}${url.password === '' ? '' : `:${url.password}`}@`;
  const path = url.pathname.replace(/\/+$/u, '');
  return sha256Hex(`${platform}\n${url.protocol}//${userinfo}${url.host}${path}${query === '' ? '' : `?${query}`}`);
}

/** Every key an open case of the same item may be stored under: the item key first. */
export function intakeKeys(platform: Platform, url: string): [string, string] {
  return [fingerprint(url), legacyFingerprint(platform, url)];
}

export function normalizeContent(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** Equal content at another URL is a related item, not a duplicate. */
export function contentHash(text: string): string {
  return sha256Hex(normalizeContent(text));
}

// From format 2 on, the keys written in the trail are keyed (docs/audit-format.md, "Personal
// data and keyed digests"): a plain SHA-256 of a URL or a text lets anyone who guesses it
// confirm the guess. Each digest names its purpose, so one never stands for the other.

function keyedHex(hmacKey: string | Uint8Array, purpose: string, text: string): string {
  return createHmac('sha256', hmacKey).update(`${purpose}\n${text}`, 'utf8').digest('hex');
}

/** The item key of format 2: HMAC-SHA256 of the normalized URL. */
export function keyedFingerprint(hmacKey: string | Uint8Array, url: string): string {
  return keyedHex(hmacKey, 'casetrail-item-key', normalizeUrl(url));
}

/** The content key of format 2: HMAC-SHA256 of the normalized content. */
export function keyedContentHash(hmacKey: string | Uint8Array, text: string): string {
  return keyedHex(hmacKey, 'casetrail-content', normalizeContent(text));
}

/**
 * What intake matches a new report by: the keys it writes first (keyed), then the keys
 * cases received before format 2 are stored under (plain item key, legacy key; plain
 * content hash). The plain ones are computed to find those cases, never written.
 */
export function intakeDigests(
  hmacKey: string | Uint8Array,
  item: { platform: Platform; url: string; content: string },
): { itemKeys: string[]; contentHashes: string[] } {
  return {
    itemKeys: [keyedFingerprint(hmacKey, item.url), ...intakeKeys(item.platform, item.url)],
    contentHashes: [keyedContentHash(hmacKey, item.content), contentHash(item.content)],
  };
}
