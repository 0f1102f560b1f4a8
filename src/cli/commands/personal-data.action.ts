import { z } from 'zod';
import { erasePersonalData } from '../../app/erase-personal-data.ts';
import { SYSTEM_ACTOR, erasureSchema } from '../../domain/index.ts';
import { openRuntime } from '../../infra/runtime.ts';
import { CliError, EXIT } from '../exit.ts';
import { printResult } from '../output.ts';

export async function erasePersonalDataCommand(flags: {
  case: string;
  reason: string;
  reference?: string[];
  json?: boolean;
}): Promise<void> {
  if (!z.uuid().safeParse(flags.case).success) throw new CliError('--case: must be a case id (a UUID)');
  const input = erasureSchema.safeParse({
    reason: flags.reason,
    ...(flags.reference === undefined ? {} : { references: flags.reference }),
  });
  if (!input.success) {
    const issue = input.error.issues[0];
    const option = issue?.path[0] === 'references' ? '--reference' : '--reason';
    throw new CliError(`${option}: ${issue?.message ?? 'is invalid'}`);
  }
  const runtime = await openRuntime({ migrate: true, role: 'cli', oneShot: true });
  try {
    // The operator acts with database access, not as a user: the trail records the system actor.
    const store = await runtime.files();
    const result = await erasePersonalData({ pool: runtime.db.pool, log: runtime.log, store }, SYSTEM_ACTOR, {
      caseId: flags.case,
      reason: input.data.reason,
      ...(input.data.references === undefined ? {} : { references: input.data.references }),
    });
    if (!result.ok) throw new CliError(result.detail, EXIT.checkFailed);
    const output = {
      caseId: result.caseId,
      erased: result.fields,
      event: result.event,
      otherCases: result.otherCases,
      objectsDeleted: result.objectsDeleted,
    };
    const others = result.otherCases > 0 ? `; ${result.otherCases} other cases of the same item erased too` : '';
    printResult(flags, output, () =>
      result.event === null
        ? `case ${result.caseId} holds no personal data: nothing erased${others}`
        : `erased ${result.fields.join(', ')} of case ${result.caseId}; recorded as seq ${result.event.seq}` +
          others +
          (result.objectsDeleted > 0 ? `; ${result.objectsDeleted} stored files deleted` : ''),
    );
  } finally {
    await runtime.close();
  }
}
