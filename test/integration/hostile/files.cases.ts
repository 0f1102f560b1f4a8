// Hostile uploads and file reads (docs/design.md §10): each is refused before a byte is
// stored, and changes no row.
import { randomUUID } from 'node:crypto';
import type { HostileCase, HostileContext, UserName } from './hostile-context.ts';

const BOUNDARY = '----casetrail-hostile-boundary';
const ELF = `\x7fELF\x02\x01\x01\x00${'\x00'.repeat(120)}`;
const TEXT = 'what the post said\n';

type Part = { name: string; filename?: string; type?: string; content: string };

/** A multipart body of ASCII parts (sent as text: every byte below 0x80 stays itself). */
function body(parts: readonly Part[]): string {
  const rendered = parts.map((p) => {
    const filename = p.filename === undefined ? '' : `; filename="${p.filename}"`;
    const type = p.type === undefined ? '' : `\r\nContent-Type: ${p.type}`;
    return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${filename}${type}\r\n\r\n${p.content}\r\n`;
  });
  return `${rendered.join('')}--${BOUNDARY}--\r\n`;
}

const file = (content = TEXT, filename = 'notes.txt'): Part => ({
  name: 'file',
  filename,
  type: 'text/plain',
  content,
});

const upload = (h: HostileContext, who: UserName | null, parts: readonly Part[], caseId = h.cases.received) =>
  h.request('POST', `/v1/cases/${caseId}/files?wait=true`, {
    ...(who === null ? {} : { as: h.users[who] }),
    raw: body(parts),
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
  });

export const FILE_CASES: HostileCase[] = [
  {
    name: 'upload: an executable named photo.png, sent as image/png',
    status: 415,
    code: 'unsupported_media_type',
    send: (h) => upload(h, 'clerkA', [{ name: 'file', filename: 'photo.png', type: 'image/png', content: ELF }]),
  },
  {
    name: 'upload: the file as a JSON body',
    status: 415,
    code: 'unsupported_media_type',
    send: (h) =>
      h.request('POST', `/v1/cases/${h.cases.received}/files`, { as: h.users.clerkA, body: { file: 'aGVsbG8=' } }),
  },
  {
    name: "upload: to another clerk's case",
    status: 404,
    code: 'not_found',
    send: (h) => upload(h, 'clerkB', [file()]),
  },
  {
    name: 'upload: to a case that does not exist',
    status: 404,
    code: 'not_found',
    send: (h) => upload(h, 'supervisor', [file()], randomUUID()),
  },
  {
    name: 'upload: by an admin',
    status: 403,
    code: 'forbidden',
    send: (h) => upload(h, 'admin', [file()]),
  },
  {
    name: 'upload: by a verifier who does not hold the claim',
    status: 422,
    code: 'guard_failed',
    send: (h) => upload(h, 'verifier2', [file()]),
  },
  {
    name: 'upload: without a token',
    status: 401,
    code: 'unauthenticated',
    send: (h) => upload(h, null, [file()]),
  },
  {
    name: 'upload: an unknown field',
    status: 400,
    code: 'validation_failed',
    send: (h) => upload(h, 'clerkA', [{ name: 'path', content: '../../etc' }, file()]),
  },
  {
    name: 'upload: a kind not in the list',
    status: 400,
    code: 'validation_failed',
    send: (h) => upload(h, 'clerkA', [{ name: 'kind', content: 'executable' }, file()]),
  },
  {
    name: 'upload: a field after the file',
    status: 400,
    code: 'validation_failed',
    send: (h) => upload(h, 'clerkA', [file(), { name: 'kind', content: 'other' }]),
  },
  {
    name: 'upload: two files',
    status: 400,
    code: 'validation_failed',
    send: (h) => upload(h, 'clerkA', [file(), file('second\n', 'second.txt')]),
  },
  {
    name: 'upload: no part named file',
    status: 400,
    code: 'validation_failed',
    send: (h) => upload(h, 'clerkA', [{ name: 'description', content: 'no file here' }]),
  },
  {
    name: "files: the list of another clerk's case",
    status: 404,
    code: 'not_found',
    send: (h) => h.request('GET', `/v1/cases/${h.cases.received}/files`, { as: h.users.clerkB }),
  },
  {
    name: 'files: a file id the case does not have',
    status: 404,
    code: 'not_found',
    send: (h) => h.request('GET', `/v1/cases/${h.cases.received}/files/${randomUUID()}`, { as: h.users.clerkA }),
  },
];
