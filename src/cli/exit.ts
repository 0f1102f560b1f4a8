/** Exit statuses of every casetrail command (docs/design.md §6). */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2, notPinned: 3 } as const;

/** A failure the user can act on: printed as one line, never with a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.exitCode = exitCode;
  }
}
