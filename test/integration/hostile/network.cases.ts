// Hostile requests aimed at the network casetrail runs in and at its connections: webhook
// receivers on loopback, private, link-local (cloud metadata) and other internal addresses
// in every notation (refused at registration, nothing stored; these run in the
// hostile-input suite), and floods of bad tokens or requests from one client address
// (these need a client address of their own: hostile-network.test.ts).
import { randomBytes } from 'node:crypto';
import type { ChildUser } from '../../support/child-system.ts';
import type { Answer, HostileCase, RequestOptions } from './hostile-context.ts';

const registers = (url: string): HostileCase => ({
  name: `admin registers a webhook to ${url}`,
  status: 400,
  code: 'validation_failed',
  send: (h) => h.request('POST', '/v1/webhooks', { as: h.users.admin, body: { url, eventTypes: ['case.received'] } }),
});

export const NETWORK_CASES: readonly HostileCase[] = [
  'http://127.1:3000/',
  'http://[::1]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://2130706433/',
  'http://0x7f.1/',
  'http://localhost:6379/',
  'http://10.0.0.5/',
  'http://100.64.0.1/',
  'http://[fd00::1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::10.0.0.5]/',
  'http://0.0.0.0:5432/',
].map(registers);

/**
 * What the cases that need the network itself get (test/integration/hostile-network.test.ts):
 * a casetrail behind a trusted loopback proxy, so that each case can speak from a client
 * address of its own (X-Forwarded-For) without spending another case's budget.
 */
export interface NetworkContext {
  users: Record<'admin' | 'clerk', ChildUser>;
  /** CASETRAIL_RATE_LIMIT_ADDRESS_MAX and CASETRAIL_RATE_LIMIT_AUTH_FAILURES of the API under test. */
  limits: { addressMax: number; authFailures: number };
  /** A client address no other case used. */
  client(): string;
  request(method: string, path: string, options?: RequestOptions & { from?: string }): Promise<Answer>;
  /** Sends `start`, then a byte of `trickle` every 100 ms, until the server closes the connection. */
  slowly(start: string, trickle: string): Promise<Answer>;
}

export type NetworkCase = Omit<HostileCase, 'send' | 'decidedByWorker'> & { send(n: NetworkContext): Promise<Answer> };

/** Sends requests one after another (so each sees the counts of those before); the last answer. */
async function repeat(count: number, send: (i: number) => Promise<Answer>): Promise<Answer> {
  let last: Answer | undefined;
  for (let i = 0; i < count; i++) last = await send(i);
  if (last === undefined) throw new Error('nothing sent');
  return last;
}

const madeUpToken = () => `Bearer ct_${randomBytes(32).toString('base64url')}`;

export const NETWORK_EDGE_CASES: readonly NetworkCase[] = [
  {
    name: 'made-up tokens from one client, past its budget of failed authentications',
    status: 429,
    code: 'rate_limited',
    send(n) {
      const from = n.client();
      return repeat(n.limits.authFailures + 3, () =>
        n.request('GET', '/v1/cases', { from, authorization: madeUpToken() }),
      );
    },
  },
  {
    name: 'requests from one client past its address limit, whatever the token',
    status: 429,
    code: 'rate_limited',
    send(n) {
      const from = n.client();
      return repeat(n.limits.addressMax + 1, () => n.request('GET', '/v1/cases?limit=1', { from, as: n.users.clerk }));
    },
  },
  {
    name: 'a request body trickled in a byte at a time',
    status: 408,
    code: 'request_timeout',
    send: (n) =>
      n.slowly(
        'POST /v1/cases HTTP/1.1\r\nHost: casetrail\r\nContent-Type: application/json\r\n' +
          `Authorization: Bearer ${n.users.clerk.token}\r\nContent-Length: 65536\r\n\r\n{"claim":"`,
        'x',
      ),
  },
  {
    name: 'request headers trickled in a byte at a time',
    status: 408,
    code: 'request_timeout',
    send: (n) => n.slowly('GET /v1/cases HTTP/1.1\r\nHost: casetrail\r\nX-Slow: ', 'abcdef'),
  },
  {
    name: 'the queue dashboard without a token, past the budget of failed authentications',
    status: 429,
    code: 'rate_limited',
    send(n) {
      const from = n.client();
      return repeat(n.limits.authFailures + 1, () => n.request('GET', '/admin/queues/api/queues', { from }));
    },
  },
];
