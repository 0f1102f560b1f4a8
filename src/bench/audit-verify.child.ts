// The audit bench's verifier: `audit verify` in a process of its own, which reports how long
// the verification took and the peak RSS it reached (see verifyInChild in audit.bench.ts).
import { createPublicKey } from 'node:crypto';
import { DEFAULT_PAGE_SIZE as PAGE, verifyTrail } from '../app/verify-trail.ts';
import { openDatabase } from '../infra/db/database.ts';
import { createLogger } from '../infra/logger.ts';
import { rssSampler } from './bench-services.ts';

export type VerifyRequest = { url: string; publicKeyPem: string; poolSize: number };
/** pageMs: how long each page of events took to read and check, in the order checked. */
export type VerifyResult = { events: number; ok: boolean; seconds: number; peakRssMb: number; pageMs: number[] };

process.once('message', (request: VerifyRequest) => {
  void run(request).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
});

async function run(request: VerifyRequest): Promise<VerifyResult> {
  const database = openDatabase(request.url, { poolSize: request.poolSize, log: createLogger({ level: 'silent' }) });
  try {
    // Connections first, as a long-running process has them: the figures are the verification's.
    await Promise.all(Array.from({ length: request.poolSize }, () => database.pool.query('SELECT 1')));
    const rss = rssSampler(20);
    const started = performance.now();
    // Progress comes once per page of events checked, and once per checkpoint (left out).
    const pageMs: number[] = [];
    let last = started;
    const report = await verifyTrail(
      { pool: database.pool, publicKey: createPublicKey(request.publicKeyPem) },
      {
        pageSize: PAGE,
        onProgress: ({ events }) => {
          if (events === 0 || events % PAGE !== 0 || events / PAGE === pageMs.length) return;
          const at = performance.now();
          pageMs.push(at - last);
          last = at;
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const peakRssMb = rss.peakMb();
    rss.stop();
    return { events: report.events, ok: report.ok, seconds, peakRssMb, pageMs };
  } finally {
    await database.close();
  }
}
