import pg from 'pg';
import type { Logger } from '../logger.ts';
import { createOutageLog } from './outage-log.ts';
import { pause } from './time-limit.ts';

export interface PgListener {
  close(): Promise<void>;
}

/** How long ending a connection waits for the server's side to close before cutting it. */
const END_WAIT_MS = 1_000;

/**
 * Ends a client within END_WAIT_MS: a server that hangs (or a connection never answered)
 * would otherwise keep client.end() waiting for good. Past the wait its socket is destroyed.
 */
async function endClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), END_WAIT_MS);
  });
  const ended = client.end().then(
    () => true,
    () => true,
  );
  const inTime = await Promise.race([ended, waited]);
  clearTimeout(timer);
  if (!inTime) (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/**
 * LISTENs on one channel over a dedicated connection (never a pool's: a pooled client
 * would lose the subscription when released) and reconnects when it drops. Each
 * (re)connection also calls onNotify once, since notifications sent while it was away
 * are lost: the caller should look for work then.
 */
export function listenForever(options: {
  url: string;
  channel: string;
  log: Logger;
  onNotify: () => void;
  retryMaxMs?: number;
}): PgListener {
  const stop = new AbortController();
  const outage = createOutageLog(options.log, { down: 'listen connection lost', up: 'listen connection restored' });
  const aborted = new Promise<void>((resolve) =>
    stop.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  let current: pg.Client | null = null;

  const session = async (): Promise<void> => {
    // A server that takes the connection and never answers is given up on, and tried again.
    const client = new pg.Client({
      connectionString: options.url,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      application_name: 'casetrail-relay',
    });
    current = client;
    const ended = new Promise<unknown>((resolve) => {
      // Without an 'error' listener a dropped connection would crash the process.
      client.on('error', resolve);
      client.on('end', () => resolve(new Error('listen connection ended')));
    });
    try {
      // A client ended while it connects never settles its connect(): close() must not wait on it.
      if ((await Promise.race([client.connect().then(() => 'connected' as const), aborted])) !== 'connected') return;
      client.on('notification', () => options.onNotify());
      await client.query(`LISTEN ${pg.escapeIdentifier(options.channel)}`);
      outage.recovered();
      options.onNotify();
      const reason = await Promise.race([ended, aborted]);
      if (!stop.signal.aborted) outage.failed(reason);
    } finally {
      current = null;
      client.removeAllListeners('notification');
      await endClient(client);
    }
  };

  const loop = (async () => {
    let delay = 250;
    while (!stop.signal.aborted) {
      try {
        await session();
        delay = 250;
      } catch (error) {
        // Closing ends the connection under a pending statement: that is no outage.
        if (!stop.signal.aborted) outage.failed(error);
        delay = Math.min(delay * 2, options.retryMaxMs ?? 10_000);
      }
      await pause(delay, stop.signal);
    }
  })();

  return {
    async close() {
      stop.abort();
      if (current !== null) await endClient(current);
      await loop;
    },
  };
}
