import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import past cases from a CSV or XLSX file through the API (supervisor): whole or not at all')
    .argument('[file]', 'the CSV or XLSX file (see --template)')
    .option('--template <file>', 'write the import template (CSV, or XLSX when the name ends in .xlsx) and stop')
    .option('--skip-invalid', 'import the valid rows and write the others to the rejects file')
    .option('--rejects <file>', 'where --skip-invalid writes the rejected rows (default FILE.rejects.csv)')
    .option('--encoding <name>', 'encoding of a CSV file not saved as UTF-8, e.g. windows-1258')
    .option('--time-zone <zone>', 'time zone of dates written without one (default Asia/Ho_Chi_Minh)')
    .option('--timeout <seconds>', 'how long the API may take to import the file', '3600')
    .option('--api-url <url>', 'casetrail API (default CASETRAIL_API_URL or http://127.0.0.1:3000)')
    .option('--token <token>', 'API token (default CASETRAIL_TOKEN)')
    .option('--json', 'print the summary as JSON')
    .action(lazyAction(() => import('./import.action.ts'), 'importFile'));
}
