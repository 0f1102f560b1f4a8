#!/usr/bin/env node
// casetrail runs its TypeScript sources with Node's own type stripping: no loader and no
// build step. Node.js 22.18 and later strip types by default; an older Node gets one line.
import packageJson from '../package.json' with { type: 'json' };

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Asked most often by scripts and health checks: answered before any source is loaded.
  process.stdout.write(`${packageJson.version}\n`);
} else if (!process.features.typescript) {
  process.stderr.write(
    `casetrail: Node.js ${process.versions.node} cannot run it; install Node.js 24 LTS (22.18 or later works too)\n`,
  );
  process.exitCode = 2;
} else {
  await import('../src/cli/main.ts');
}
