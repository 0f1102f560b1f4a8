import { Command, CommanderError } from 'commander';
import { ConfigError } from '../infra/config/config-error.ts';
import { registerAudit } from './commands/audit.command.ts';
import { registerBench } from './commands/bench.command.ts';
import { registerCases } from './commands/cases.command.ts';
import { registerDemo } from './commands/demo.command.ts';
import { registerHealth } from './commands/health.command.ts';
import { registerImport } from './commands/import.command.ts';
import { registerKeys } from './commands/keys.command.ts';
import { registerMigrate } from './commands/migrate.command.ts';
import { registerPersonalData } from './commands/personal-data.command.ts';
import { registerReference } from './commands/reference.command.ts';
import { registerStart } from './commands/start.command.ts';
import { registerUsers } from './commands/users.command.ts';
import { CliError, EXIT } from './exit.ts';
import { VERSION } from './version.ts';

const program = new Command('casetrail')
  .description('case-handling pipeline for reports of false information, with a tamper-evident audit trail')
  .version(VERSION, '-V, --version', 'print the casetrail version')
  .showHelpAfterError()
  .exitOverride();

registerStart(program);
registerMigrate(program);
registerUsers(program);
registerCases(program);
registerAudit(program);
registerKeys(program);
registerPersonalData(program);
registerBench(program);
registerImport(program);
registerDemo(program);
registerHealth(program);
registerReference(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Exit now: a command that failed half-way (a worker whose setup failed after it had
  // connected) would otherwise keep its connections open and never end.
  process.exit(exitCodeFor(error));
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof ConfigError || error instanceof CliError) {
    process.stderr.write(`casetrail: ${error.message}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.usage;
  }
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    process.stderr.write(`casetrail: a service is unreachable (${code}): ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`casetrail: ${(error as Error)?.message ?? String(error)}\n`);
  return EXIT.checkFailed;
}
