import type { Command } from 'commander';

/** The --help of one command, as the CLI reference (docs/cli.md) shows it. */
export type CommandHelp = { command: string; description: string; help: string };

/** Every visible command and subcommand, depth first, with its help at a fixed width. */
function collectHelp(program: Command): CommandHelp[] {
  const found: CommandHelp[] = [];
  const walk = (command: Command, path: string[]) => {
    const helper = command.createHelp();
    // A fixed width, so docs/cli.md does not depend on the terminal that generated it.
    helper.prepareContext({ helpWidth: 80, outputHasColors: false });
    found.push({
      command: path.join(' '),
      description: command.description(),
      help: helper.formatHelp(command, helper).trimEnd(),
    });
    for (const sub of helper.visibleCommands(command)) {
      if (sub.name() !== 'help') walk(sub, [...path, sub.name()]);
    }
  };
  walk(program, [program.name()]);
  return found;
}

/** Hidden: `npm run docs` reads the CLI reference from here (one process, not one per command). */
export function registerReference(program: Command): void {
  program
    .command('reference', { hidden: true })
    .description('print the help of every command as JSON, for the README generator')
    .action(() => {
      process.stdout.write(`${JSON.stringify(collectHelp(program))}\n`);
    });
}
