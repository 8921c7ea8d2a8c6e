/**
 * Bearer-token authentication and roles: viewer reads, deployer also changes applications and
 * artifacts, admin also manages tokens. A route states the least role it needs in its config.
 *
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EddyError } from '../../errors/eddy-error.ts';
import type { Role, TokenRecord, TokenRepository } from '../store/token-repository.ts';

const RANK: Record<Role, number> = { viewer: 0, deployer: 1, admin: 2 };

/** The least role a route needs, set as the route's `config.role`; `public` needs none. */
export type RouteRole = Role | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    role?: RouteRole;
  }
  interface FastifyRequest {
    token?: TokenRecord;
  }
}

/** Who made a request, for operation rows. */
export function callerOf(request: FastifyRequest): string {
  return request.token?.name ?? 'anonymous';
}

/** Checks every request's bearer token against the route's role (reads need viewer, writes deployer). */
export function registerBearerAuth(app: FastifyInstance, tokens: TokenRepository): void {
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const needed: RouteRole =
      config.role ??
      (request.method === 'GET' || request.method === 'HEAD' ? 'viewer' : 'deployer');
    if (needed === 'public') return;
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) {
      throw new EddyError('this request needs an API token', {
        code: 'UNAUTHENTICATED',
        domain: 'user',
        hint: 'send "Authorization: Bearer <token>" (eddy server prints an admin token on its first start)',
      });
    }
    const token = tokens.find(match[1]!);
    if (token === undefined) {
      throw new EddyError('the API token is unknown or revoked', {
        code: 'UNAUTHENTICATED',
        domain: 'user',
        hint: 'ask an admin for a token: eddy server token create --role viewer',
      });
    }
    if (RANK[token.role] < RANK[needed]) {
      throw new EddyError(
        `token ${token.name} has role ${token.role}; this request needs ${needed}`,
        {
          code: 'FORBIDDEN',
          domain: 'user',
          hint: `use a ${needed} token`,
        },
      );
    }
    request.token = token;
  });
}
