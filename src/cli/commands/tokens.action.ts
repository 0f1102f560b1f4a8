import { issueToken, revokeToken, tokensOf } from '../../app/users.ts';
import { CliError } from '../exit.ts';
import { printResult } from '../output.ts';
import { parseId, withUsers } from './users.action.ts';

type Json = { json?: boolean };

export async function listTokensCommand(userId: string, options: Json): Promise<void> {
  const id = parseId(userId, 'user id');
  const result = await withUsers((deps) => tokensOf(deps, id));
  if (!result.ok) throw new CliError(result.detail);
  printResult(options, { items: result.tokens }, () =>
    result.tokens
      .map((t) =>
        [
          t.id,
          t.label ?? '-',
          `created ${t.createdAt}`,
          `last used ${t.lastUsedAt ?? 'never'}`,
          t.expiresAt === null ? 'never expires' : `expires ${t.expiresAt}`,
          ...(t.revokedAt === null ? [] : [`revoked ${t.revokedAt}`]),
        ].join('  '),
      )
      .join('\n'),
  );
}

export async function createTokenCommand(
  userId: string,
  options: { label?: string; expiresAt?: string } & Json,
): Promise<void> {
  const id = parseId(userId, 'user id');
  let expiresAt: string | undefined;
  if (options.expiresAt !== undefined) {
    const at = Date.parse(options.expiresAt);
    if (Number.isNaN(at)) throw new CliError(`--expires-at: not a date and time: ${options.expiresAt}`);
    if (at <= Date.now()) throw new CliError('--expires-at: must be in the future');
    expiresAt = new Date(at).toISOString();
  }
  const result = await withUsers((deps) =>
    issueToken(deps, id, {
      ...(options.label === undefined ? {} : { label: options.label }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    }),
  );
  if (!result.ok) throw new CliError(result.detail);
  const t = result.token;
  printResult(options, t, () =>
    [
      `token ${t.id}${t.expiresAt === null ? '' : `, expires ${t.expiresAt}`} (shown once, keep it safe):`,
      t.token,
    ].join('\n'),
  );
}

export async function revokeTokenCommand(tokenId: string, options: Json): Promise<void> {
  const id = parseId(tokenId, 'token id');
  const result = await withUsers((deps) => revokeToken(deps, id));
  if (!result.ok) throw new CliError(result.detail);
  printResult(options, { id, revoked: true }, () => `revoked token ${id}`);
}
