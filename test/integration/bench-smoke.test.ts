// The benchmark scenarios, run tiny so they can't rot. No timing is asserted: only that
// each scenario runs end to end and reports its figures against its baseline.
import { describe, expect, inject, it } from 'vitest';
import { runAuditBench } from '../../src/bench/audit.bench.ts';
import { runIntakeBench } from '../../src/bench/intake.bench.ts';
import { runPipelineBench } from '../../src/bench/pipeline.bench.ts';
import { runScalingBench } from '../../src/bench/scaling.bench.ts';
import { parseConfig } from '../../src/infra/config/config.ts';
import { createLogger } from '../../src/infra/logger.ts';

const log = createLogger({ level: 'silent' });
const adminUrl = inject('adminDatabaseUrl');
const config = parseConfig({ CASETRAIL_DB_POOL_SIZE: '8' });

describe('benchmark smoke run', () => {
  it.each(['redis', 'postgres'] as const)('drives a few cases through the pipeline scenario on %s with its baseline', async (backend) => {
    const result = await runPipelineBench({
      backend,
      adminUrl,
      ...(backend === 'redis' ? { redisUrl: inject('redisUrl') } : {}),
      cases: 4,
      inflight: 2,
      config,
      log,
      tty: false,
    });
    expect(result).toMatchObject({ scenario: 'pipeline', backend, cases: 4, commands: 24, rejected: 0 });
    expect(result.commandsPerSec).toBeGreaterThan(0);
    expect(result.baselineHopsPerSec).toBeGreaterThan(0);
    expect(result.ratio).toBeCloseTo(result.commandsPerSec / result.baselineHopsPerSec, 1);
    expect(result.cpuMsPerCommand.totalMs).toBeGreaterThan(0);
    expect(result.baselineCpuMsPerHop.totalMs).toBeGreaterThan(0);
  });

  it('runs the intake scenario against its bare route', async () => {
    const result = await runIntakeBench({ adminUrl, redisUrl: inject('redisUrl'), connections: 2, seconds: 1, rounds: 1, log, poolSize: 4 });
    expect(result).toMatchObject({ scenario: 'intake', connections: 2, errors: 0, queueBackend: 'redis' });
    expect(result.rounds.casetrail).toHaveLength(1);
    expect(result.requestsPerSec).toBeGreaterThan(0);
    expect(result.baselineRequestsPerSec).toBeGreaterThan(0);
  });

  it('runs the scaling scenario with worker processes of their own', async () => {
    const result = await runScalingBench({ backend: 'redis', adminUrl, redisUrl: inject('redisUrl'), cases: 3, inflight: 3, workers: [1], log, tty: false });
    expect(result).toMatchObject({ scenario: 'scaling', backend: 'redis', cases: 3 });
    expect(result.rows.map((row) => row.workers)).toEqual([1]);
    expect(result.rows[0]?.commandsPerSec).toBeGreaterThan(0);
  }, 120_000);

  it('verifies a small trail from the database against in-memory hashing', async () => {
    const result = await runAuditBench({ adminUrl, events: 200, log, tty: false });
    expect(result).toMatchObject({ scenario: 'audit-verify', events: 200, ok: true });
    expect(result.checkpoints).toBeGreaterThan(0);
    expect(result.baselineEventsPerSec).toBeGreaterThan(0);
  });
});
