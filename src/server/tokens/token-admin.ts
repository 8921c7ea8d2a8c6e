/**
 * Token management shared by the admin API (`/v1/tokens`) and `eddy server token`, which works on
 * the data directory itself (with or without a server running: SQLite serializes the writers).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { EddyError } from '../../errors/eddy-error.ts';
import type { CreatedToken, TokenDescription, TokenRole } from '../../protocol/token.ts';
import { generateToken, type TokenRepository } from '../store/token-repository.ts';

/** Creates, lists and revokes API tokens. */
export class TokenAdmin {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** A new token; its value is returned here only (the database keeps its hash). */
  create(name: string, role: TokenRole): CreatedToken {
    const token = generateToken();
    const id = `tok-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const createdAt = this.now();
    this.tokens.insert(id, name, role, token, createdAt);
    return { id, name, role, createdAt, token };
  }

  /** Every token, revoked ones included, oldest first. */
  list(): TokenDescription[] {
    return this.tokens.list().map((t) => ({ ...t }));
  }

  /**
   * Revokes a token. Refuses to revoke the last live admin token, which would leave nobody able
   * to manage tokens through the API.
   */
  revoke(id: string): TokenDescription {
    const all = this.tokens.list();
    const token = all.find((t) => t.id === id);
    if (token === undefined || token.revokedAt !== undefined) {
      throw new EddyError(
        token === undefined ? `no token ${id}` : `token ${id} is revoked already`,
        {
          code: token === undefined ? 'NOT_FOUND' : 'CONFLICT',
          domain: 'user',
          hint: 'eddy server token list shows the tokens and their ids',
        },
      );
    }
    const liveAdmins = all.filter((t) => t.role === 'admin' && t.revokedAt === undefined);
    if (token.role === 'admin' && liveAdmins.length === 1) {
      throw new EddyError(`token ${id} is the last admin token`, {
        code: 'CONFLICT',
        domain: 'user',
        hint: 'create another admin token first (eddy server token create --role admin)',
      });
    }
    const revokedAt = this.now();
    this.tokens.revoke(id, revokedAt);
    return { ...token, revokedAt };
  }
}
