import DataLoader from 'dataloader';

/**
 * Gathers the calls made within one turn of the event loop (or within windowMs) into one
 * call of run, which answers each key in order with its value or an Error: group commit
 * for the callers of a hot path. Nothing is cached; a key asked twice is run twice.
 */
export function perTurnBatcher<K, V>(
  run: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  options: { maxBatch: number; windowMs?: number },
): DataLoader<K, V> {
  const windowMs = options.windowMs;
  return new DataLoader<K, V>(run, {
    cache: false,
    maxBatchSize: options.maxBatch,
    batchScheduleFn: windowMs === undefined ? (flush) => setImmediate(flush) : (flush) => setTimeout(flush, windowMs),
  });
}
