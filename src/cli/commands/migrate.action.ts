import { openRuntime } from '../../infra/runtime.ts';
import { printResult } from '../output.ts';

export async function runMigrate(options: { json?: boolean }): Promise<void> {
  // openRuntime migrates; what it applied is reported from _prisma_migrations.
  const runtime = await openRuntime({ migrate: true, role: 'migrate', oneShot: true });
  try {
    const rows = await runtime.db.pool.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY started_at, migration_name',
    );
    const applied = rows.rows.map((r) => r.migration_name);
    printResult(options, { migrations: applied }, () => `database is up to date (${applied.length} migrations)`);
  } finally {
    await runtime.close();
  }
}
