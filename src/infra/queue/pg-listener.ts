import pg from 'pg';
import type { Logger } from '../logger.ts';
import { createOutageLog } from './outage-log.ts';
import { pause } from './time-limit.ts';

export interface PgListener {
  close(): Promise<void>;
}

/**
 * LISTENs on one channel over a dedicated connection (never a pool's: a pooled client
 * would lose the subscription when released) and reconnects when it drops. Each
 * (re)connection also calls onNotify once, since notifications sent while it was away
 * are lost: the caller should look for work then.
 */
export function listenForever(options: { url: string; channel: string; log: Logger; onNotify: () => void; retryMaxMs?: number }): PgListener {
  const stop = new AbortController();
  const outage = createOutageLog(options.log, { down: 'listen connection lost', up: 'listen connection restored' });
  const aborted = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  let current: pg.Client | null = null;

  const session = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: options.url, keepAlive: true, application_name: 'casetrail-relay' });
    current = client;
    const ended = new Promise<unknown>((resolve) => {
      // Without an 'error' listener a dropped connection would crash the process.
      client.on('error', resolve);
      client.on('end', () => resolve(new Error('listen connection ended')));
    });
    try {
      await client.connect();
      client.on('notification', () => options.onNotify());
      await client.query(`LISTEN ${pg.escapeIdentifier(options.channel)}`);
      outage.recovered();
      options.onNotify();
      const reason = await Promise.race([ended, aborted]);
      if (!stop.signal.aborted) outage.failed(reason);
    } finally {
      current = null;
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  };

  const loop = (async () => {
    let delay = 250;
    while (!stop.signal.aborted) {
      try {
        await session();
        delay = 250;
      } catch (error) {
        outage.failed(error);
        delay = Math.min(delay * 2, options.retryMaxMs ?? 10_000);
      }
      await pause(delay, stop.signal);
    }
  })();

  return {
    async close() {
      stop.abort();
      await current?.end().catch(() => undefined);
      await loop;
    },
  };
}
