import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { listenForever, type PgListener } from '../queue/pg-listener.ts';

/** The channel writeTransitions notifies at commit, one notice per finished command. */
const COMMAND_CHANNEL = 'casetrail_command';

/** A case reached this version; caseId null: notices may have been missed, every watcher should look again. */
export type CaseChange = { caseId: string; version: number } | { caseId: null; version: null };

export interface CaseFeed {
  /**
   * Calls onChange for every command applied to a case, from any process (the workers'
   * pg_notify at commit), until the returned function is called; onEnd when the feed closes.
   */
  subscribe(onChange: (change: CaseChange) => void, onEnd: () => void): () => void;
  /** Resolves once the LISTEN connection listens (at most a few seconds): a stream opened then misses nothing. */
  listening(): Promise<void>;
  /** Releases the LISTEN connection and ends every subscription. */
  close(): Promise<void>;
}

const READY_WAIT_MS = 3_000;

type Subscriber = { onChange: (change: CaseChange) => void; onEnd: () => void };

/** The case and version of an applied command's notice; null for anything else. */
function changeOf(payload: string): CaseChange | null {
  if (!payload.startsWith('{')) return null;
  try {
    const notice = JSON.parse(payload) as { caseId?: unknown; status?: unknown; resultVersion?: unknown };
    if (notice.status !== 'applied' || typeof notice.caseId !== 'string' || typeof notice.resultVersion !== 'number')
      return null;
    return { caseId: notice.caseId, version: notice.resultVersion };
  } catch {
    return null;
  }
}

/**
 * Case changes pushed to the console (Server-Sent Events): one LISTEN connection per API
 * process, opened when the first watcher subscribes and shared by all of them. After a
 * reconnection every watcher is told to look again, since notices sent meanwhile are lost.
 */
export function createCaseFeed(options: { pool: pg.Pool; log: Logger }): CaseFeed {
  const subscribers = new Set<Subscriber>();
  let listener: PgListener | null = null;
  let closed = false;

  const broadcast = (change: CaseChange) => {
    for (const subscriber of subscribers) subscriber.onChange(change);
  };

  const onNotify = (payload?: string) => {
    if (payload === undefined) {
      broadcast({ caseId: null, version: null });
      return;
    }
    const change = changeOf(payload);
    if (change !== null) broadcast(change);
  };

  const listen = (): PgListener => {
    listener ??= listenForever({
      pool: options.pool,
      channel: COMMAND_CHANNEL,
      log: options.log,
      onNotify,
      messages: { down: 'case feed listener lost, reconnecting', up: 'case feed listener restored' },
    });
    return listener;
  };

  return {
    subscribe(onChange, onEnd) {
      if (closed) {
        onEnd();
        return () => undefined;
      }
      const subscriber = { onChange, onEnd };
      subscribers.add(subscriber);
      listen();
      return () => subscribers.delete(subscriber);
    },
    async listening() {
      if (closed) return;
      // A database that does not answer is no reason to hold the stream: resync covers the gap.
      await Promise.race([listen().ready, new Promise((resolve) => setTimeout(resolve, READY_WAIT_MS).unref())]);
    },
    async close() {
      closed = true;
      for (const subscriber of [...subscribers]) subscriber.onEnd();
      subscribers.clear();
      await listener?.close();
    },
  };
}
