import type { Command } from 'commander';
import { lazyAction } from '../lazy.ts';

const users = () => import('./users.action.ts');
const tokens = () => import('./tokens.action.ts');
const ROLES_HELP = 'comma-separated roles: clerk, verifier, supervisor, admin';

export function registerUsers(program: Command): void {
  const usersCommand = program.command('users').description('manage users (every change is recorded in their trail)');
  usersCommand
    .command('list')
    .description('list every user with their roles and whether they are disabled')
    .option('--json', 'print { items: [{ id, name, roles, disabled, disabledAt, createdAt }] }')
    .action(lazyAction(users, 'listUsersCommand'));
  usersCommand
    .command('create')
    .description('create a user and print its API token once (the first admin is created this way)')
    .requiredOption('--name <name>', 'unique login name')
    .requiredOption('--roles <roles>', ROLES_HELP)
    .option('--json', 'print { id, name, roles, token, tokenId, expiresAt } as JSON')
    .action(lazyAction(users, 'createUserCommand'));
  usersCommand
    .command('update')
    .description('rename a user or change their roles (or enable a disabled user with --enable)')
    .argument('<id>', 'the user id')
    .option('--name <name>', 'new unique login name')
    .option('--roles <roles>', ROLES_HELP)
    .option('--enable', 'enable the user again')
    .option('--json', 'print the user as JSON')
    .action(lazyAction(users, 'updateUserCommand'));
  usersCommand
    .command('disable')
    .description('disable a user: every token of theirs stops at once')
    .argument('<id>', 'the user id')
    .option('--json', 'print the user as JSON')
    .action(lazyAction(users, 'disableUserCommand'));

  usersCommand
    .command('verify')
    .description("recompute every user's trail of changes (one hash chain per user); exits 1 naming the first break")
    .option('--json', 'print { ok, users, events, failure? } as JSON')
    .action(lazyAction(users, 'verifyUsersCommand'));

  const tokensCommand = program
    .command('tokens')
    .description("manage users' API tokens (recorded in their user's trail)");
  tokensCommand
    .command('list')
    .description("list a user's tokens: id, created, last used, expiry, revocation; never the secret")
    .argument('<user-id>', 'the user id')
    .option('--json', 'print { items: [...] } as JSON')
    .action(lazyAction(tokens, 'listTokensCommand'));
  tokensCommand
    .command('create')
    .description('issue another token for a user and print it once')
    .argument('<user-id>', 'the user id')
    .option('--label <label>', 'what the token is for (e.g. laptop)')
    .option('--expires-at <time>', 'when it stops (RFC 3339); default: CASETRAIL_TOKEN_LIFETIME from now')
    .option('--json', 'print { id, userId, label, token, createdAt, expiresAt } as JSON')
    .action(lazyAction(tokens, 'createTokenCommand'));
  tokensCommand
    .command('revoke')
    .description('revoke a token by its id (revoking twice is harmless)')
    .argument('<token-id>', 'the token id')
    .option('--json', 'print { id, revoked: true } as JSON')
    .action(lazyAction(tokens, 'revokeTokenCommand'));
}
