// Hostile callers: no token or a bad one, roles calling what they may not (function level),
// readers of cases that are not theirs (object level), every separation-of-duties breach,
// a replay with another body, and a burst past the rate limit.
import { BODIES, penaltyBody, submitBody, verifyBody } from '../../support/fixtures.ts';
import type { Answer, HostileCase, HostileContext, UserName } from './hostile-context.ts';

const UUID = '7d0f3c2a-5b1e-4c3d-9a8b-6e5f4d3c2b1a';

const unauthenticated = (name: string, send: HostileCase['send']): HostileCase => ({
  name,
  status: 401,
  code: 'unauthenticated',
  send,
});

const forbidden = (
  who: UserName,
  method: string,
  path: (h: HostileContext) => string,
  body?: unknown,
): HostileCase => ({
  name: `${who} ${method} ${path({ cases: { received: ':id' } } as HostileContext).replace(/\?.*$/, '')}`,
  status: 403,
  code: 'forbidden',
  send: (h) => h.request(method, path(h), { as: h.users[who], ...(body === undefined ? {} : { body }) }),
});

const onCase = (path: string) => (h: HostileContext) => `/v1/cases/${h.cases.received}/${path}?wait=true`;

const byWorker = (name: string, status: number, code: HostileCase['code'], send: HostileCase['send']): HostileCase => ({
  name,
  status,
  code,
  decidedByWorker: true,
  send,
});

/** Many requests at once with one token: the answer past the limit. */
async function burst(h: HostileContext): Promise<Answer> {
  const answers = await Promise.all(
    Array.from({ length: h.rateLimit + 10 }, () => h.request('GET', '/v1/cases?limit=1', { as: h.users.burst })),
  );
  return answers.find((a) => a.status === 429) ?? (answers.at(-1) as Answer);
}

export const ACCESS_CASES: readonly HostileCase[] = [
  unauthenticated('no Authorization header', (h) => h.request('GET', '/v1/cases')),
  unauthenticated('a Basic credential', (h) =>
    h.request('GET', '/v1/cases', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }),
  ),
  unauthenticated('a malformed bearer token', (h) =>
    h.request('GET', '/v1/cases', { authorization: "Bearer ' OR 1=1 --" }),
  ),
  unauthenticated('an unknown well-formed token', (h) =>
    h.request('GET', '/v1/cases', { authorization: `Bearer ct_${'A'.repeat(43)}` }),
  ),
  unauthenticated('a revoked token', (h) =>
    h.request('POST', '/v1/cases', { as: h.users.revoked, body: submitBody() }),
  ),
  unauthenticated('a token in the query string', (h) =>
    h.request('GET', `/v1/cases?access_token=${h.users.clerkA.token}`),
  ),

  forbidden('clerkA', 'POST', onCase('verify'), verifyBody()),
  forbidden('clerkA', 'POST', onCase('refer'), BODIES.refer),
  forbidden('clerkA', 'POST', onCase('penalty'), penaltyBody()),
  forbidden('verifier', 'POST', onCase('refer'), BODIES.refer),
  forbidden('verifier', 'POST', onCase('withdraw'), BODIES.withdraw),
  forbidden('verifier', 'POST', onCase('appeal-decision'), BODIES['decide-appeal']),
  forbidden('supervisor', 'POST', () => '/v1/cases?wait=true', submitBody()),
  forbidden('supervisor', 'POST', onCase('claim'), {}),
  forbidden('admin', 'POST', () => '/v1/cases?wait=true', submitBody()),
  forbidden('admin', 'POST', onCase('notes'), BODIES['add-note']),
  forbidden('admin', 'GET', () => '/v1/cases'),
  forbidden('clerkA', 'GET', () => '/v1/worklists/verification'),
  forbidden('clerkA', 'POST', () => '/v1/users', { name: 'mallory', roles: ['admin'] }),
  forbidden('supervisor', 'DELETE', () => `/v1/tokens/${UUID}`),
  forbidden('verifier', 'POST', () => `/v1/users/${UUID}/tokens`, {}),
  forbidden('clerkA', 'GET', (h) => `/v1/cases/${h.cases.received}/export`),
  forbidden('verifier', 'GET', () => '/v1/audit/verify'),
  forbidden('clerkA', 'GET', () => '/v1/audit/access-log'),
  forbidden('supervisor', 'POST', (h) => `/v1/cases/${h.cases.received}/personal-data/erase`, {
    reason: 'court order',
  }),

  {
    name: "clerkB reads clerkA's case",
    status: 404,
    code: 'not_found',
    send: (h) => h.request('GET', `/v1/cases/${h.cases.received}`, { as: h.users.clerkB }),
  },
  {
    name: "clerkB reads the events of clerkA's case",
    status: 404,
    code: 'not_found',
    send: (h) => h.request('GET', `/v1/cases/${h.cases.received}/events`, { as: h.users.clerkB }),
  },
  {
    name: "clerkB reads clerkA's case as it was",
    status: 404,
    code: 'not_found',
    send: (h) => h.request('GET', `/v1/cases/${h.cases.received}?asOf=2030-01-01T00:00:00Z`, { as: h.users.clerkB }),
  },
  {
    name: 'clerkB reads a command of clerkA',
    status: 404,
    code: 'not_found',
    send: (h) => h.request('GET', `/v1/commands/${h.clerkACommandId}`, { as: h.users.clerkB }),
  },
  {
    name: 'verifier2 reads a case another verifier verified',
    status: 404,
    code: 'not_found',
    send: (h) => h.request('GET', `/v1/cases/${h.cases.referred}`, { as: h.users.verifier2 }),
  },
  // Reads of personal data are access-logged by every role: a refused one logs nothing.
  {
    name: 'verifier2 reads the events of a case another verifier verified',
    status: 404,
    code: 'not_found',
    send: (h) => h.request('GET', `/v1/cases/${h.cases.referred}/events`, { as: h.users.verifier2 }),
  },
  byWorker("clerkB adds a note to clerkA's case", 404, 'not_found', (h) =>
    h.request('POST', onCase('notes')(h), { as: h.users.clerkB, body: BODIES['add-note'] }),
  ),

  byWorker('a clerk-verifier claims the case they submitted', 422, 'guard_failed', (h) =>
    h.request('POST', `/v1/cases/${h.cases.ownedByClerkVerifier}/claim?wait=true`, {
      as: h.users.clerkVerifier,
      body: {},
    }),
  ),
  byWorker('a clerk-verifier verifies the case they submitted', 422, 'guard_failed', (h) =>
    h.request('POST', `/v1/cases/${h.cases.ownedByClerkVerifier}/verify?wait=true`, {
      as: h.users.clerkVerifier,
      body: verifyBody(),
    }),
  ),
  byWorker('the verifier of a case records its penalty', 422, 'guard_failed', (h) =>
    h.request('POST', `/v1/cases/${h.cases.referred}/penalty?wait=true`, {
      as: h.users.verifierSupervisor,
      body: penaltyBody({ decisionNo: 'QD-HOSTILE-1' }),
    }),
  ),
  byWorker('the supervisor who recorded the penalty decides its appeal', 422, 'guard_failed', (h) =>
    h.request('POST', `/v1/cases/${h.cases.appealPending}/appeal-decision?wait=true`, {
      as: h.users.supervisor,
      body: { decision: 'overturned', note: 'Mine to undo.' },
    }),
  ),
  byWorker('verifier2 claims a case verifier holds', 409, 'claimed_by_other', (h) =>
    h.request('POST', onCase('claim')(h), { as: h.users.verifier2, body: {} }),
  ),
  {
    name: 'a replay of an Idempotency-Key with another body',
    status: 422,
    code: 'idempotency_mismatch',
    send: (h) =>
      h.request('POST', onCase('notes')(h), {
        as: h.users.clerkA,
        body: { text: `${h.keyedNote.body.text} (edited)` },
        headers: { 'idempotency-key': h.keyedNote.key },
      }),
  },
  { name: 'a burst past the rate limit', status: 429, code: 'rate_limited', send: burst },
];
