// The LISTEN connection of the outbox relay: it reconnects when its connection is cut, and
// says so, but a close that comes while it is still connecting is not an outage.
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForever } from '../../src/infra/queue/pg-listener.ts';
import { capturedLog } from '../support/captured-log.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { eventually } from '../support/queue-harness.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const channel = () => `casetrail_test_${randomBytes(4).toString('hex')}`;

describe('listenForever', () => {
  it('logs a lost connection and its return when the server cuts it', async () => {
    const { lines, log } = capturedLog();
    let notified = 0;
    const name = channel();
    const listener = listenForever({
      url: db.url,
      channel: name,
      log,
      onNotify: () => (notified += 1),
      retryMaxMs: 200,
    });
    try {
      // Each (re)connection calls onNotify once.
      await eventually(async () => notified === 1, { timeoutMs: 10_000, what: 'the first connection' });
      await db.pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'casetrail-relay' AND datname = current_database()",
      );
      await eventually(async () => lines.some((line) => line.msg === 'listen connection restored'), {
        timeoutMs: 10_000,
        what: 'a "listen connection restored" line',
      });
      expect(lines.filter((line) => line.level === 'warn').map((line) => line.msg)).toEqual(['listen connection lost']);
      expect(notified).toBeGreaterThanOrEqual(2);
    } finally {
      await listener.close();
    }
  });

  it('closes at once, logging nothing, when closed while still connecting', async () => {
    const { lines, log } = capturedLog();
    const listener = listenForever({ url: db.url, channel: channel(), log, onNotify: () => undefined });
    // Closed before the connection could be made: the stop ends it mid-connect.
    await closedWithin(listener, 5_000);
    expect(lines.filter((line) => line.level !== 'debug')).toEqual([]);
  });

  it('closes at once when its server accepts the connection and never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const { lines, log } = capturedLog();
      const listener = listenForever({
        url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
        channel: channel(),
        log,
        onNotify: () => undefined,
      });
      await eventually(async () => sockets.length > 0, { timeoutMs: 5_000, what: 'a connection attempt' });
      await closedWithin(listener, 5_000);
      expect(lines.filter((line) => line.level !== 'debug')).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

async function closedWithin(listener: { close(): Promise<void> }, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`close() had not returned after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([listener.close(), late]);
  } finally {
    clearTimeout(timer);
  }
}
