import pg from 'pg';
import type { Logger } from '../logger.ts';
import { createOutageLog } from './outage-log.ts';
import { pause } from './time-limit.ts';

export interface PgListener {
  /** True once the first connection listens; false when it failed (it keeps trying) or was closed first. */
  readonly ready: Promise<boolean>;
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

/** Where the listener connects: a URL, or a pool whose connection settings it copies. */
type ListenTarget = { url: string; pool?: never } | { pool: pg.Pool; url?: never };

export type ListenOptions = ListenTarget & {
  /** A lowercase name, written bare in LISTEN as pg_notify names it (anything else is quoted). */
  channel: string;
  log: Logger;
  /**
   * Called with the payload of each notification, and without one after each (re)connection:
   * notifications sent while it was away are lost, so the caller should look for work then.
   */
  onNotify: (payload?: string) => void;
  /** Wait before reconnecting; it doubles while connecting fails, up to retryMaxMs. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** The warning when the connection is lost or cannot be made, and the line when it listens again. */
  messages?: { down: string; up: string };
};

/** A channel as PostgreSQL reads it back: bare when that keeps its name, else quoted. */
function channelIdentifier(channel: string): string {
  return /^[a-z_][a-z0-9_]*$/u.test(channel) ? channel : pg.escapeIdentifier(channel);
}

/**
 * The connection settings: a URL's (application_name casetrail-relay, the relay's), or those
 * of the pool the caller uses otherwise, application_name included. Either way with TCP
 * keepalive, so that a server that vanished is noticed.
 */
function clientConfig(target: ListenTarget): pg.ClientConfig {
  if (target.pool !== undefined) {
    const options = target.pool.options;
    return { ...options, keepAlive: true, connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000 };
  }
  return {
    connectionString: target.url,
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    application_name: 'casetrail-relay',
  };
}

/**
 * LISTENs on one channel over a dedicated connection (never a pool's: a pooled client
 * would lose the subscription when released) and reconnects when it drops. Each
 * (re)connection also calls onNotify once without a payload, since notifications sent
 * while it was away are lost: the caller should look for work then. An outage is logged
 * once when it starts and once when it ends. The one LISTEN of casetrail: the outbox relay
 * and the command waiter both use it.
 */
export function listenForever(options: ListenOptions): PgListener {
  const stop = new AbortController();
  const outage = createOutageLog(
    options.log,
    options.messages ?? { down: 'listen connection lost', up: 'listen connection restored' },
  );
  const aborted = new Promise<void>((resolve) =>
    stop.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  let settleReady: (listening: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => {
    settleReady = resolve;
  });
  const config = clientConfig(options);
  const listen = `LISTEN ${channelIdentifier(options.channel)}`;
  let current: pg.Client | null = null;

  const session = async (): Promise<void> => {
    // A server that takes the connection and never answers is given up on, and tried again.
    const client = new pg.Client(config);
    current = client;
    const ended = new Promise<unknown>((resolve) => {
      // Without an 'error' listener a dropped connection would crash the process.
      client.on('error', resolve);
      client.on('end', () => resolve(new Error('listen connection ended')));
    });
    try {
      // A client ended while it connects never settles its connect(): close() must not wait on it.
      if ((await Promise.race([client.connect().then(() => 'connected' as const), aborted])) !== 'connected') return;
      client.on('notification', (message) => options.onNotify(message.payload ?? ''));
      await client.query(listen);
      outage.recovered();
      settleReady(true);
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
    const firstDelay = options.retryMinMs ?? 250;
    let delay = firstDelay;
    while (!stop.signal.aborted) {
      try {
        await session();
        delay = firstDelay;
      } catch (error) {
        // Closing ends the connection under a pending statement: that is no outage.
        if (!stop.signal.aborted) outage.failed(error);
        settleReady(false);
        delay = Math.min(delay * 2, options.retryMaxMs ?? 10_000);
      }
      await pause(delay, stop.signal);
    }
    settleReady(false);
  })();

  return {
    ready,
    async close() {
      stop.abort();
      if (current !== null) await endClient(current);
      await loop;
    },
  };
}
