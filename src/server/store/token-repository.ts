/**
 * API tokens, stored as SHA-256 hashes: the database never holds a usable token.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from './metadata-store.ts';

/** What a token may do: viewer reads, deployer also changes applications, admin also manages tokens. */
export type Role = 'viewer' | 'deployer' | 'admin';

/** A token's record (never the token itself). */
export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

/** A new random token: `eddy_` + 32 random bytes, base64url. */
export function generateToken(): string {
  return `eddy_${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface TokenRow {
  id: string;
  name: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
}

const toToken = (r: TokenRow): TokenRecord => ({
  id: r.id,
  name: r.name,
  role: r.role as Role,
  createdAt: r.created_at,
  ...(r.revoked_at !== null && { revokedAt: r.revoked_at }),
});

/** Tokens' rows. */
export class TokenRepository {
  constructor(private readonly db: Database) {}

  /** Stores a token's hash. */
  insert(id: string, name: string, role: Role, token: string, now: string): void {
    this.db
      .prepare('INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, name, role, hashToken(token), now);
  }

  /** The live token with this value. */
  find(token: string): TokenRecord | undefined {
    const r = this.db
      .prepare('SELECT * FROM tokens WHERE hash = ? AND revoked_at IS NULL')
      .get(hashToken(token)) as TokenRow | undefined;
    return r && toToken(r);
  }

  /** Every token, oldest first. */
  list(): TokenRecord[] {
    return (this.db.prepare('SELECT * FROM tokens ORDER BY created_at').all() as TokenRow[]).map(
      toToken,
    );
  }

  /** How many live tokens exist. */
  liveCount(): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM tokens WHERE revoked_at IS NULL').get() as {
        n: number;
      }
    ).n;
  }

  /** Revokes a token; false when no live token has the id. */
  revoke(id: string, now: string): boolean {
    return (
      this.db
        .prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(now, id).changes > 0
    );
  }
}
