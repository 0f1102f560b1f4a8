import type { Actor, Rejection } from '../domain/index.ts';
import type { CommandWaiter, FinishedCommand } from '../infra/db/command-waiter.ts';
import { getCase, type CaseQueryDeps, type CaseView } from './case-queries.ts';

export type AwaitCommandDeps = CaseQueryDeps & { commandWaiter: CommandWaiter };

export type CommandOutcome =
  | { status: 'pending' }
  /** view is null when the command took the case out of the actor's sight. */
  | { status: 'applied'; command: FinishedCommand; view: CaseView | null }
  | { status: 'rejected'; command: FinishedCommand; problem: Rejection };

/**
 * Waits (bounded) for a worker to finish a command, then reads what the caller needs to
 * answer as if the command ran synchronously: the case after it, or the worker's problem.
 */
export async function awaitCommand(
  deps: AwaitCommandDeps,
  actor: Actor,
  commandId: string,
  timeoutMs: number,
  options: { justStored?: boolean } = {},
): Promise<CommandOutcome> {
  const command = await deps.commandWaiter.wait(commandId, timeoutMs, options);
  if (command === null || command.status === 'pending') return { status: 'pending' };
  if (command.status === 'rejected') {
    return {
      status: 'rejected',
      command,
      problem: command.problem ?? { code: 'internal', detail: 'the command was rejected without a problem' },
    };
  }
  const found = await getCase(deps, actor, command.caseId);
  return { status: 'applied', command, view: found.ok ? found.view : null };
}
