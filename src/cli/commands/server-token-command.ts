/**
 * `eddy server token create|list|revoke`: API tokens, managed on the server's data directory
 * itself, so it works whether or not the server runs (and is how an admin who lost every token
 * gets one back). Remote admins use the API instead (`/v1/tokens`).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { ServerPaths } from '../../server/server-paths.ts';
import { openMetadataStore } from '../../server/store/metadata-store.ts';
import { TokenRepository } from '../../server/store/token-repository.ts';
import { TokenAdmin } from '../../server/tokens/token-admin.ts';
import type { TokenRole } from '../../protocol/token.ts';
import { usageError } from '../cli-error.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';
import { textTable } from '../text-table.ts';

const tokenFlags: readonly FlagSpec[] = [
  {
    name: 'data-dir',
    type: 'string',
    placeholder: '<dir>',
    description: "the server's data directory (default ./.eddy)",
  },
  {
    name: 'role',
    type: 'string',
    placeholder: '<viewer|deployer|admin>',
    description: 'create: what the token may do (default viewer)',
  },
  {
    name: 'name',
    type: 'string',
    placeholder: '<label>',
    description: 'create: a label shown in operations ("by") and listings (default: the role)',
  },
  { name: 'json', type: 'boolean', description: 'print the answer as JSON' },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

/** `eddy server token --help`. */
export const serverTokenHelp = `Usage: eddy server token create [--role viewer|deployer|admin] [--name <label>]
       eddy server token list
       eddy server token revoke <id>

Manages API tokens in the server's data directory (--data-dir), whether or not the server runs;
a token works at once. Roles: viewer reads; deployer also uploads artifacts and changes
applications; admin also manages tokens (GET/POST /v1/tokens, DELETE /v1/tokens/{id}).
The database keeps only each token's SHA-256: a token is printed once, when it is created.

Flags:
${formatFlags(tokenFlags)}`;

const ROLES: readonly TokenRole[] = ['viewer', 'deployer', 'admin'];

/** `eddy server token …`. */
export async function serverTokenCommand(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, tokenFlags, 'server token');
  const [action, ...rest] = positionals;
  if (flags['help'] === true || action === undefined) {
    console.log(serverTokenHelp);
    return action === undefined && flags['help'] !== true ? 2 : 0;
  }
  const expected = action === 'revoke' ? 1 : 0;
  if (rest.length !== expected) {
    throw usageError(
      rest.length < expected
        ? 'eddy server token revoke needs <id>'
        : `unexpected argument "${rest[expected]}"`,
      'eddy server token --help shows the usage',
    );
  }
  const paths = new ServerPaths((flags['data-dir'] as string | undefined) ?? './.eddy');
  if (!existsSync(paths.database)) {
    throw usageError(
      `no eddy server data in ${paths.root}`,
      'point --data-dir at the directory eddy server uses (its --data-dir, default ./.eddy)',
    );
  }
  const db = openMetadataStore(paths.database);
  try {
    const admin = new TokenAdmin(new TokenRepository(db));
    const json = flags['json'] === true;
    switch (action) {
      case 'create': {
        const role = ((flags['role'] as string | undefined) ?? 'viewer') as TokenRole;
        if (!ROLES.includes(role)) {
          throw usageError(`--role must be viewer, deployer or admin (got "${role}")`);
        }
        const name = (flags['name'] as string | undefined) ?? role;
        if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) {
          throw usageError(`--name "${name}": letters, digits and _ . @ - only, at most 64`);
        }
        const created = admin.create(name, role);
        if (json) console.log(JSON.stringify(created, null, 2));
        else {
          console.log(created.token);
          process.stderr.write(
            `eddy: created ${role} token ${created.id} (${name}); it is shown only now\n`,
          );
        }
        return 0;
      }
      case 'list': {
        const all = admin.list();
        if (json) console.log(JSON.stringify(all, null, 2));
        else
          console.log(
            textTable(
              ['ID', 'NAME', 'ROLE', 'CREATED', 'REVOKED'],
              all.map((t) => [t.id, t.name, t.role, t.createdAt, t.revokedAt ?? '']),
            ),
          );
        return 0;
      }
      case 'revoke': {
        const revoked = admin.revoke(rest[0]!);
        if (json) console.log(JSON.stringify(revoked, null, 2));
        else console.log(`revoked ${revoked.id} (${revoked.name}, ${revoked.role})`);
        return 0;
      }
      default:
        throw usageError(
          `unknown command "eddy server token ${action}"`,
          'eddy server token create|list|revoke',
        );
    }
  } finally {
    db.close();
  }
}
