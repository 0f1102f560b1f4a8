import type pg from 'pg';
import { claimUnpublished, deleteOutboxRows, markPublished } from '../db/outbox.repository.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Logger } from '../logger.ts';
import { createOutageLog, type OutageLog } from './outage-log.ts';
import { listenForever } from './pg-listener.ts';
import { publishRows } from './publish.ts';
import type { QueueFactory } from './queue-factory.ts';
import { pause } from './time-limit.ts';

const OUTBOX_CHANNEL = 'casetrail_outbox';

export interface OutboxRelayOptions {
  pool: pg.Pool;
  /** For the dedicated LISTEN connection. */
  databaseUrl: string;
  factory: Pick<QueueFactory, 'queueFor'>;
  log: Logger;
  /** Polling fallback: NOTIFY reaches only listeners connected at commit time. */
  pollIntervalMs: number;
  batchSize: number;
  /** Bounds a publish (and so the claim transaction) when the queue backend hangs. */
  publishTimeoutMs?: number;
  /** Longest wait between retries while publishing fails. */
  maxBackoffMs?: number;
}

export interface OutboxRelay {
  close(): Promise<void>;
}

type Round = { claimed: number; failed: number };

/**
 * Moves outbox rows into their queues. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * any number of relays in any number of processes share the work without publishing a
 * row twice; the lock is held while publishing (bounded by publishTimeoutMs) and the
 * rows are marked published in the same transaction.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const log = options.log.child({ component: 'outbox-relay' });
  const stop = new AbortController();
  const publishOutage = createOutageLog(log, {
    down: 'publishing to the queues is failing, will retry',
    up: 'publishing to the queues recovered',
  });
  const databaseOutage = createOutageLog(log, {
    down: 'outbox claim is failing, will retry',
    up: 'outbox claim recovered',
  });
  let wake: AbortController = new AbortController();
  let woken = false;
  let backoffMs = 0;

  const notify = () => {
    woken = true;
    wake.abort();
  };
  const listener = listenForever({ url: options.databaseUrl, channel: OUTBOX_CHANNEL, log, onNotify: notify });
  stop.signal.addEventListener('abort', notify, { once: true });

  const loop = (async () => {
    while (!stop.signal.aborted) {
      woken = false;
      let round: Round = { claimed: 0, failed: 0 };
      try {
        round = await relayRound(options, log, publishOutage);
        databaseOutage.recovered();
      } catch (error) {
        databaseOutage.failed(error);
        round = { claimed: 0, failed: 1 };
      }
      if (round.failed > 0) {
        backoffMs = Math.min(Math.max(backoffMs * 2, options.pollIntervalMs), options.maxBackoffMs ?? 30_000);
        // While failing, notifications must not shorten the backoff: every insert would retry.
        await pause(backoffMs, stop.signal);
        continue;
      }
      backoffMs = 0;
      if (round.claimed >= options.batchSize || woken) continue;
      wake = new AbortController();
      await pause(options.pollIntervalMs, AbortSignal.any([wake.signal, stop.signal]));
    }
  })();

  return {
    async close() {
      stop.abort();
      await loop;
      await listener.close();
    },
  };
}

async function relayRound(options: OutboxRelayOptions, log: Logger, outage: OutageLog): Promise<Round> {
  const round = await inTransaction(
    options.pool,
    async (client) => {
      const rows = await claimUnpublished(client, options.batchSize);
      if (rows.length === 0) return null;
      const result = await publishRows(options.factory, rows, { log, timeoutMs: options.publishTimeoutMs ?? 5_000 });
      // Rows that failed stay as they were (attempts counts publications, not tries).
      await markPublished(client, result.published);
      await deleteOutboxRows(client, result.invalid);
      return { claimed: rows.length, result };
    },
    // A hung process must not hold the claimed rows' locks for ever. A failed round is
    // retried by the relay's loop, with its backoff: the rows were published already.
    { local: { idle_in_transaction_session_timeout: '60s' }, retry: false },
  );
  if (round === null) return { claimed: 0, failed: 0 };
  const { claimed, result } = round;
  if (result.failed.length > 0) outage.failed(result.firstError);
  else outage.recovered();
  if (result.published.length > 0) log.debug({ published: result.published.length }, 'outbox rows published');
  return { claimed, failed: result.failed.length };
}
