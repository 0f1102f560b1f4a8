// multipart/form-data bodies for upload tests: whole (small files) or streamed (large ones).
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export type Field = { name: string; value: string };
export type FilePart = { name?: string; filename?: string; contentType?: string };

function fieldHead(boundary: string, field: Field): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${field.name}"\r\n\r\n${field.value}\r\n`;
}

function fileHead(boundary: string, part: FilePart): string {
  const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
  return (
    `--${boundary}\r\nContent-Disposition: form-data; name="${part.name ?? 'file'}"${filename}\r\n` +
    `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`
  );
}

/** A whole body: fields first, then the file. */
export function multipart(
  fields: readonly Field[],
  file: FilePart & { bytes: Uint8Array },
  trailing: readonly Field[] = [],
): { body: Buffer; headers: { 'content-type': string } } {
  const boundary = `----casetrail${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(fields.map((f) => fieldHead(boundary, f)).join('')),
    Buffer.from(fileHead(boundary, file)),
    Buffer.from(file.bytes),
    Buffer.from(`\r\n${trailing.map((f) => fieldHead(boundary, f)).join('')}--${boundary}--\r\n`),
  ]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A streamed body around a streamed file, with its exact length. */
export function multipartStream(
  fields: readonly Field[],
  file: FilePart & { stream: Readable; size: number },
): { body: Readable; length: number; headers: { 'content-type': string } } {
  const boundary = `----casetrail${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(fields.map((f) => fieldHead(boundary, f)).join('') + fileHead(boundary, file));
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* parts() {
    yield head;
    for await (const chunk of file.stream) yield chunk as Buffer;
    yield tail;
  }
  return {
    body: Readable.from(parts(), { objectMode: false }),
    length: head.length + file.size + tail.length,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
