import { constants, gunzipSync } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import type { MediaType } from '../../domain/index.ts';

// The type of an upload, from its first bytes only (docs/design.md §10): binary formats by
// their signatures (file-type), the text formats casetrail keeps (HTML, MHTML, WARC, plain
// text) by their opening lines. Whatever the name or the Content-Type said is ignored.

/** How many bytes detection looks at: file-type needs 4100; MHTML headers may need more. */
export const HEAD_BYTES = 16 * 1024;

export type Detection = { ok: true; mediaType: MediaType } | { ok: false; found: string };

const SIGNATURE_TYPES: Record<string, MediaType> = {
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/webp': 'image/webp',
  'image/gif': 'image/gif',
  'video/mp4': 'video/mp4',
  'video/webm': 'video/webm',
  'video/quicktime': 'video/quicktime',
  'application/pdf': 'application/pdf',
};

export async function detectMediaType(head: Uint8Array): Promise<Detection> {
  if (head.length === 0) return { ok: false, found: 'an empty file' };
  const signature = await fileTypeFromBuffer(head);
  if (signature !== undefined) {
    const known = SIGNATURE_TYPES[signature.mime];
    if (known !== undefined) return { ok: true, mediaType: known };
    if (signature.mime === 'application/gzip' && isWarc(gunzipHead(head))) {
      return { ok: true, mediaType: 'application/warc+gzip' };
    }
    return { ok: false, found: signature.mime };
  }
  const text = textType(head);
  return text === null ? { ok: false, found: 'an unknown binary format' } : text;
}

function gunzipHead(head: Uint8Array): Uint8Array {
  try {
    // A prefix of the stream: decompress what is there without asking for its end.
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return new Uint8Array();
  }
}

const ascii = (bytes: Uint8Array, length: number) => Buffer.from(bytes.subarray(0, length)).toString('latin1');

function isWarc(bytes: Uint8Array): boolean {
  return /^WARC\/1\.[01]\r?\n/u.test(ascii(bytes, 16));
}

// The opening tags of WHATWG MIME sniffing's HTML rule (a subset), then a space or '>'.
const HTML_START = /^<(?:!doctype html|html|head|body|script|iframe|title|style|div|table|p|a|b|br|h1|font|!--)[\s>]/iu;
const XML_START = /^<(?:\?xml|svg)[\s>]/iu;

function textType(head: Uint8Array): Detection | null {
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const body = head.subarray(bom);
  if (!isText(body)) return null;
  const start = Buffer.from(body).toString('utf8');
  if (isWarc(body)) return { ok: true, mediaType: 'application/warc' };
  if (isMhtml(start)) return { ok: true, mediaType: 'multipart/related' };
  const trimmed = start.trimStart();
  if (HTML_START.test(trimmed)) return { ok: true, mediaType: 'text/html' };
  if (XML_START.test(trimmed)) return { ok: false, found: 'XML' };
  return { ok: true, mediaType: 'text/plain' };
}

/** A MIME message whose top-level type is multipart/related: the header block before the first blank line says so. */
function isMhtml(start: string): boolean {
  const end = start.search(/\r?\n\r?\n/u);
  const headers = end < 0 ? start : start.slice(0, end);
  return /^mime-version:/imu.test(headers) && /^content-type:\s*multipart\/related/imu.test(headers);
}

/**
 * UTF-8 without NUL or other control characters than tab, line feed, form feed, carriage
 * return and escape. A multi-byte character cut by the end of the head is allowed.
 */
function isText(bytes: Uint8Array): boolean {
  if (!hasNoControls(bytes)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

export function hasNoControls(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return false;
    if (byte === 0x7f) return false;
  }
  return true;
}
