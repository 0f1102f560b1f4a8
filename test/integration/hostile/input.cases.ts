// Hostile bodies, query strings and paths: each must be refused before anything is stored.
import { BODIES, penaltyBody, verifyBody } from '../../support/fixtures.ts';
import {
  craftCursor,
  freshSubmission,
  withRawMember,
  type HostileCase,
  type HostileContext,
} from './hostile-context.ts';

const UUID = '7d0f3c2a-5b1e-4c3d-9a8b-6e5f4d3c2b1a';
const DEEP = 50_000;

const submit = (h: HostileContext, body: unknown) =>
  h.request('POST', '/v1/cases?wait=true', { as: h.users.clerkA, body });
const submitRaw = (h: HostileContext, raw: string, contentType?: string) =>
  h.request('POST', '/v1/cases?wait=true', {
    as: h.users.clerkA,
    raw,
    ...(contentType === undefined ? {} : { contentType }),
  });
const withItem = (item: Record<string, unknown>) => {
  const body = freshSubmission();
  return { ...body, item: { ...body.item, ...item } };
};
const command = (h: HostileContext, who: keyof HostileContext['users'], path: string, body: unknown) =>
  h.request('POST', `/v1/cases/${h.cases.received}/${path}?wait=true`, { as: h.users[who], body });
const commandRaw = (h: HostileContext, who: keyof HostileContext['users'], path: string, raw: string) =>
  h.request('POST', `/v1/cases/${h.cases.received}/${path}?wait=true`, { as: h.users[who], raw });
const penaltyRaw = (h: HostileContext, amount: string) =>
  commandRaw(
    h,
    'supervisor',
    'penalty',
    JSON.stringify({ ...penaltyBody(), fine: { amount: 0, currency: 'VND' } }).replace(
      '"amount":0',
      `"amount":${amount}`,
    ),
  );
const list = (h: HostileContext, query: string) => h.request('GET', `/v1/cases?${query}`, { as: h.users.supervisor });

const bad = (name: string, send: HostileCase['send']): HostileCase => ({
  name,
  status: 400,
  code: 'validation_failed',
  send,
});

export const INPUT_CASES: readonly HostileCase[] = [
  bad('malformed JSON', (h) => submitRaw(h, '{"item": {"platform": ')),
  bad('a JSON array instead of an object', (h) => submitRaw(h, '[]')),
  bad('an empty body declared as JSON', (h) => submitRaw(h, '')),
  {
    name: 'a form-encoded body',
    status: 415,
    code: 'unsupported_media_type',
    send: (h) => submitRaw(h, 'claim=x&category=health', 'application/x-www-form-urlencoded'),
  },
  {
    name: 'a body over 1 MiB',
    status: 413,
    code: 'payload_too_large',
    send: (h) => submit(h, { ...freshSubmission(), claim: 'x'.repeat(1024 * 1024) }),
  },
  bad('a __proto__ key', (h) => submitRaw(h, withRawMember(freshSubmission(), '"__proto__":{"roles":["admin"]}'))),
  bad('a constructor.prototype key', (h) =>
    submitRaw(h, withRawMember(freshSubmission(), '"constructor":{"prototype":{"roles":["admin"]}}')),
  ),
  bad('a __proto__ key inside the item', (h) =>
    submitRaw(h, JSON.stringify(freshSubmission()).replace('"item":{', '"item":{"__proto__":{"isAdmin":true},')),
  ),
  bad(`an unknown field nested ${DEEP} levels deep`, (h) =>
    submitRaw(h, withRawMember(freshSubmission(), `"x":${'['.repeat(DEEP)}${']'.repeat(DEEP)}`)),
  ),
  bad(`evidence nested ${DEEP} levels deep`, (h) =>
    commandRaw(
      h,
      'verifier',
      'verify',
      `{"verdict":"false","rationale":"r","evidence":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`,
    ),
  ),
  bad('a claim that is a number', (h) => submit(h, { ...freshSubmission(), claim: 42 })),
  bad('an item that is a string', (h) => submit(h, { ...freshSubmission(), item: 'https://example.vn/post' })),
  bad('evidence that is an object, not a list', (h) =>
    command(h, 'verifier', 'verify', { ...verifyBody(), evidence: { kind: 'note', description: 'x' } }),
  ),
  bad('a fine amount sent as a string', (h) =>
    command(h, 'supervisor', 'penalty', { ...penaltyBody(), fine: { amount: '7500000', currency: 'VND' } }),
  ),
  bad('a server-owned id', (h) => submit(h, { ...freshSubmission(), id: UUID })),
  bad('a server-owned stage', (h) => submit(h, { ...freshSubmission(), stage: 'closed' })),
  bad('a server-owned version on a command', (h) => command(h, 'verifier', 'verify', { ...verifyBody(), version: 99 })),
  bad('a server-owned createdBy', (h) =>
    command(h, 'clerkA', 'notes', { ...(BODIES['add-note'] as object), createdBy: UUID }),
  ),
  bad('server-owned submittedBy and reference', (h) =>
    submit(h, { ...freshSubmission(), submittedBy: UUID, reference: 'CT-2026-000001' }),
  ),
  bad('a claim of 2 001 characters', (h) => submit(h, { ...freshSubmission(), claim: 'x'.repeat(2_001) })),
  bad('content of 20 001 characters', (h) => submit(h, withItem({ content: 'x'.repeat(20_001) }))),
  bad('a URL of 2 049 characters', (h) => submit(h, withItem({ url: `https://example.vn/${'a'.repeat(2_030)}` }))),
  bad('a note of 10 001 characters', (h) => command(h, 'clerkA', 'notes', { text: 'x'.repeat(10_001) })),
  bad('a NUL character in the claim', (h) =>
    submit(h, { ...freshSubmission(), claim: 'Hot lemon water\u0000 cures influenza' }),
  ),
  bad('a NUL character in a note', (h) => command(h, 'clerkA', 'notes', { text: 'before\u0000after' })),
  bad('a NUL character in a search', (h) => list(h, 'q=%00')),
  bad('a NUL character in the purpose of a read', (h) =>
    h.request('GET', `/v1/cases/${h.cases.received}?purpose=audit%00`, { as: h.users.supervisor }),
  ),
  bad('a lone surrogate in the content', (h) =>
    submitRaw(h, JSON.stringify(withItem({ content: 'LONE' })).replace('LONE', 'text \\ud800 text')),
  ),
  bad('a lone surrogate in a withdraw reason', (h) => commandRaw(h, 'supervisor', 'withdraw', '{"reason":"\\udfff"}')),
  bad('a fine beyond 2^53', (h) => penaltyRaw(h, '9007199254740993')),
  bad('a fine of 1e400', (h) => penaltyRaw(h, '1e400')),
  bad('a negative fine', (h) => penaltyRaw(h, '-7500000')),
  bad('a fractional fine', (h) => penaltyRaw(h, '7500000.5')),
  bad('an expectedVersion beyond 2^53', (h) =>
    commandRaw(h, 'clerkA', 'notes', '{"text":"n","expectedVersion":9007199254740993}'),
  ),
  bad('an expectedVersion beyond 32 bits', (h) =>
    command(h, 'clerkA', 'notes', { text: 'n', expectedVersion: 2 ** 31 }),
  ),
  bad('a javascript: URL for the item', (h) => submit(h, withItem({ url: 'javascript:alert(document.cookie)' }))),
  bad('a data: URL for the item', (h) =>
    submit(h, withItem({ url: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==' })),
  ),
  bad('a javascript: URL as evidence', (h) =>
    command(h, 'verifier', 'evidence', { kind: 'url', url: 'javascript:alert(1)', description: 'x' }),
  ),
  bad('a data: URL as evidence of a verdict', (h) =>
    command(h, 'verifier', 'verify', verifyBody('false', [{ kind: 'url', url: 'data:,hello', description: 'x' }])),
  ),
  bad('a limit above 200', (h) => list(h, 'limit=100000')),
  bad('a negative limit', (h) => list(h, 'limit=-1')),
  bad('a fractional limit', (h) => list(h, 'limit=1.5')),
  bad('a limit given twice', (h) => list(h, 'limit=1&limit=2')),
  bad('a cursor that is not one', (h) => list(h, `cursor=${encodeURIComponent("' OR 1=1 --")}`)),
  bad('a cursor of another listing', (h) => list(h, `cursor=${craftCursor([1, '2026-01-01T00:00:00.000Z', UUID])}`)),
  bad('a crafted cursor in year 0', (h) => list(h, `cursor=${craftCursor(['0000-01-01T00:00:00.000Z', UUID])}`)),
  bad('a crafted events cursor beyond 32 bits', (h) =>
    h.request('GET', `/v1/cases/${h.cases.received}/events?cursor=${craftCursor([2 ** 40])}`, {
      as: h.users.supervisor,
    }),
  ),
  bad('a crafted worklist cursor beyond 32 bits', (h) =>
    h.request('GET', `/v1/worklists/verification?cursor=${craftCursor([2 ** 40, '2026-01-01T00:00:00.000Z', UUID])}`, {
      as: h.users.verifier,
    }),
  ),
  bad('a cursor of 600 characters', (h) => list(h, `cursor=${'A'.repeat(600)}`)),
  bad('a crafted checkpoints cursor beyond 64 bits', (h) =>
    h.request('GET', `/v1/audit/checkpoints?cursor=${craftCursor(['9999999999999999999'])}`, {
      as: h.users.supervisor,
    }),
  ),
  bad('a crafted access-log cursor beyond 64 bits', (h) =>
    h.request('GET', `/v1/audit/access-log?cursor=${craftCursor(['9999999999999999999'])}`, { as: h.users.supervisor }),
  ),
  bad('a case id that is a number', (h) => h.request('GET', '/v1/cases/123', { as: h.users.supervisor })),
  bad('a case id carrying SQL', (h) =>
    h.request('GET', `/v1/cases/${encodeURIComponent("1' OR '1'='1")}`, { as: h.users.supervisor }),
  ),
  bad('a case id climbing out of its path', (h) =>
    h.request('POST', '/v1/cases/..%2F..%2Fusers/claim', { as: h.users.verifier, body: {} }),
  ),
  bad('a command id that is not a uuid', (h) => h.request('GET', '/v1/commands/latest', { as: h.users.clerkA })),
  bad('a token id that is not a uuid', (h) => h.request('DELETE', '/v1/tokens/all', { as: h.users.admin })),
  bad('an asOf that is not a time', (h) =>
    h.request('GET', `/v1/cases/${h.cases.received}?asOf=yesterday`, { as: h.users.supervisor }),
  ),
  bad('an unknown query parameter', (h) => list(h, 'stage=received&admin=true')),
  bad('an Idempotency-Key of 201 characters', (h) =>
    h.request('POST', `/v1/cases/${h.cases.received}/notes`, {
      as: h.users.clerkA,
      body: BODIES['add-note'],
      headers: { 'idempotency-key': 'k'.repeat(201) },
    }),
  ),
  {
    name: 'a PUT on a case',
    status: 404,
    code: 'not_found',
    send: (h) =>
      h.request('PUT', `/v1/cases/${h.cases.received}`, { as: h.users.supervisor, body: { stage: 'closed' } }),
  },
];
