import type { Command } from 'commander';
import { buildServer } from '../../api/server.ts';
import { isReachable } from '../../infra/db/database.ts';
import { openRuntime } from '../../infra/runtime.ts';
import { onShutdown } from '../shutdown.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the API and all workers in one process (migrates first); embedded PostgreSQL when DATABASE_URL is unset')
    .option('--no-workers', 'run the API alone')
    .action(async (options: { workers: boolean }) => {
      const runtime = await openRuntime({ migrate: true, role: options.workers ? 'all' : 'api' });
      const { config, log } = runtime;
      const app = await buildServer({
        log,
        health: { database: () => isReachable(runtime.db.pool), queues: async () => true },
      });
      await app.listen({ host: config.HOST, port: config.PORT });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      log.info({ url: `http://${config.HOST}:${port}`, embeddedPostgres: runtime.embedded }, 'casetrail started');
      onShutdown(log, async () => {
        await app.close();
        await runtime.close();
      });
    });
}
