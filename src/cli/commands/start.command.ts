import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

const load = () => import('./start.action.ts');

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run the API and all workers in one process (migrates first); embedded PostgreSQL when DATABASE_URL is unset, queues on PostgreSQL when REDIS_URL is unset',
    )
    .option('--no-workers', 'run the API alone (workers run elsewhere with `casetrail worker`)')
    .action(lazyAction(load, 'runStart'));

  program
    .command('worker')
    .description('run workers alone, with the outbox relay and reconciler (scale out with more of these)')
    .requiredOption(
      '--queues <names>',
      'comma-separated queues (intake, verification, referral, penalty, closure, events, sla, webhooks) or "all"',
    )
    .action(lazyAction(load, 'runWorker'));
}
