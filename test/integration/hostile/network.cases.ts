// Hostile requests aimed at the network casetrail runs in: webhook receivers on loopback,
// private, link-local (cloud metadata) and other internal addresses, in every notation,
// refused at registration with nothing stored.
import type { HostileCase } from './hostile-context.ts';

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
