// Small files of every type evidence files may have, and some they may not, made in memory.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';

const box = (type: string, body: Buffer) => {
  const b = Buffer.alloc(8 + body.length);
  b.writeUInt32BE(8 + body.length);
  b.write(type, 4, 'latin1');
  body.copy(b, 8);
  return b;
};
const ftyp = (brand: string) =>
  box(
    'ftyp',
    Buffer.concat([Buffer.from(brand, 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from(`${brand}mp41`, 'latin1')]),
  );
const ebml = (docType: string) => {
  const doc = Buffer.concat([Buffer.from([0x42, 0x82, 0x80 | docType.length]), Buffer.from(docType)]);
  return Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | doc.length]), doc, Buffer.alloc(64)]);
};

/** A PNG picture, different for each seed (so each has its own hash). */
export function png(seed = 0, size = 64): Promise<Buffer> {
  const colour = { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 };
  return sharp({ create: { width: size, height: size, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

export async function acceptedSamples(): Promise<Record<string, { bytes: Buffer; mediaType: string }>> {
  const picture = sharp({ create: { width: 16, height: 12, channels: 3, background: '#c33' } });
  return {
    png: { bytes: await png(1), mediaType: 'image/png' },
    jpeg: { bytes: await picture.clone().jpeg().toBuffer(), mediaType: 'image/jpeg' },
    webp: { bytes: await picture.clone().webp().toBuffer(), mediaType: 'image/webp' },
    gif: { bytes: await picture.clone().gif().toBuffer(), mediaType: 'image/gif' },
    mp4: { bytes: Buffer.concat([ftyp('isom'), box('mdat', randomBytes(64))]), mediaType: 'video/mp4' },
    mov: { bytes: Buffer.concat([ftyp('qt  '), box('mdat', randomBytes(64))]), mediaType: 'video/quicktime' },
    webm: { bytes: ebml('webm'), mediaType: 'video/webm' },
    pdf: { bytes: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'), mediaType: 'application/pdf' },
    html: { bytes: Buffer.from('<!DOCTYPE html><html><body>Bài viết</body></html>'), mediaType: 'text/html' },
    mhtml: {
      bytes: Buffer.from(
        'From: <Saved by Blink>\r\nSubject: post\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----b"\r\n\r\n------b\r\nContent-Type: text/html\r\n\r\n<html></html>\r\n------b--\r\n',
      ),
      mediaType: 'multipart/related',
    },
    warc: {
      bytes: Buffer.from('WARC/1.1\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n'),
      mediaType: 'application/warc',
    },
    warcGz: {
      bytes: gzipSync(Buffer.from(`WARC/1.0\r\nWARC-Type: response\r\n\r\n${'x'.repeat(500)}`)),
      mediaType: 'application/warc+gzip',
    },
    text: { bytes: Buffer.from('Uống nước chanh nóng chữa khỏi cúm.\n'), mediaType: 'text/plain' },
  };
}

/** Bytes of types casetrail refuses (415), whatever they are named. */
export const REFUSED_SAMPLES: Record<string, Buffer> = {
  elf: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]),
  exe: Buffer.concat([
    Buffer.from('MZ'),
    Buffer.alloc(58),
    Buffer.from([0x80, 0, 0, 0]),
    Buffer.alloc(64),
    Buffer.from('PE\0\0'),
    Buffer.alloc(200),
  ]),
  svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
  zip: Buffer.from(`PK\x03\x04${'\0'.repeat(40)}`, 'latin1'),
  gzip: gzipSync(Buffer.from('not a warc')),
  binary: Buffer.from([1, 2, 3, 0, 4, 5]),
  textThenBinary: Buffer.concat([Buffer.from('a'.repeat(20_000)), Buffer.from([0, 1, 2])]),
};

/** A stream of `size` bytes of text, made as it is read (never held whole). */
export function textStream(size: number, chunkSize = 256 * 1024): Readable {
  const chunk = Buffer.alloc(chunkSize, 'casetrail evidence line\n');
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}
