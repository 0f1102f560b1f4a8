/** Prints a command's result: JSON with --json, else the human line(s). */
export function printResult(options: { json?: boolean }, value: unknown, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}
