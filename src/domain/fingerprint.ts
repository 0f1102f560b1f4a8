import { createHash } from 'node:crypto';
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

/**
 * The URL as the fingerprint sees it: scheme and host lower-cased, default port, fragment
 * and tracking parameters dropped, trailing slashes trimmed (the root path becomes empty).
 * Other parameters keep their order and their original encoding.
 */
export function normalizeUrl(input: string): string {
  const url = new URL(input);
  const query = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !isTrackingParam(paramName(pair)))
    .join('&');
  const userinfo = url.username === '' ? '' : `${url.username}${url.password === '' ? '' : `:${url.password}`}@`;
  const path = url.pathname.replace(/\/+$/u, '');
  // WHATWG URL has already lower-cased scheme and host and dropped the default port.
  return `${url.protocol}//${userinfo}${url.host}${path}${query === '' ? '' : `?${query}`}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Dedupe key of an item: the same platform and normalized URL is the same item. */
export function fingerprint(platform: Platform, url: string): string {
  return sha256Hex(`${platform}\n${normalizeUrl(url)}`);
}

export function normalizeContent(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** Equal content at another URL is a related item, not a duplicate. */
export function contentHash(text: string): string {
  return sha256Hex(normalizeContent(text));
}
