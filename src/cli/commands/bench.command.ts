import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';
import { DEFAULT_SCENARIOS, SCENARIOS } from './bench-scenarios.ts';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'benchmarks against baselines measured in the same run, on the same services; one JSON line per scenario',
    )
    .option('--cases <n>', 'cases through the pipeline scenario', '2000')
    .option('--events <n>', 'events in the audit-verify trail', '200000')
    .option('--workers <list>', 'worker process counts of the scaling run', '1,2,4')
    .option('--scaling-cases <n>', 'cases per run of the scaling scenario', '500')
    .option('--inflight <n>', 'cases in flight at once in the pipeline peak run', '64')
    .option('--connections <n>', 'HTTP connections of the intake scenario', '50')
    .option('--seconds <n>', 'duration of each intake round', '5')
    .option('--rounds <n>', 'intake rounds per route, and files rounds, interleaved; medians reported', '3')
    .option('--runs <n>', 'runs of `casetrail --version` and `--help` in the startup scenario', '10')
    .option('--starts <n>', 'timed `npm start` runs of the startup scenario', '3')
    .option('--file-mib <n>', 'size of the file the files scenario uploads and downloads, in MiB', '256')
    .option('--reads-cases <list>', 'history sizes of the reads scenario (cases), one database each', '100000')
    .option('--reads-samples <n>', 'requests of each read in the reads scenario (reports: a tenth)', '100')
    .option('--reads-writes <n>', 'submissions per second applied beside the reads', '10')
    .option('--reads-keep', 'keep each history database of the reads scenario (its URL is logged) to EXPLAIN reads on')
    .option('--import-rows <n>', 'rows of the file the import scenario imports', '100000')
    .option('--soak-seconds <n>', 'duration of the soak scenario', '3600')
    .option('--soak-rate <n>', 'new cases per second in the soak scenario, each driven to closure', '5')
    .option(
      '--scenarios <list>',
      `comma-separated: ${SCENARIOS.join(', ')} (soak only when named)`,
      DEFAULT_SCENARIOS.join(','),
    )
    .option('--backends <list>', 'queue backends of the pipeline scenario: redis, postgres', 'redis,postgres')
    .option('--json', 'JSON lines only (no table)')
    .action(lazyAction(() => import('./bench.action.ts'), 'runBench'));
}
