import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import { can, type Permission, type Principal } from '../../auth/roles.js';
import { ApiError } from '../../errors.js';
import { UserService } from '../../services/users.js';
import type { AppOptions } from '../../options.js';

declare module 'fastify' {
  interface FastifyInstance {
    users: UserService;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** What a caller needs to reach this route; every /api route must name one. */
    permission?: Permission;
  }
}

export const SESSION_COOKIE = 'vigil_session';

/**
 * Resolves the caller (bearer API token, else session cookie) and enforces the route's permission.
 * Routes outside /api (docs, dashboard assets, health) are public unless they say otherwise.
 */
export default fp<AppOptions>(
  async (app, opts) => {
    const users = new UserService(app.db, opts.sessionTtlMs ?? 12 * 3600_000);
    app.decorate('users', users);
    await app.register(cookie);
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (req) => {
      const permission = req.routeOptions.config.permission ?? (req.routeOptions.url?.startsWith('/api/') ? undefined : 'public');
      if (permission === undefined) throw new ApiError(500, 'VIGIL_ERR_INTERNAL', `Route ${req.routeOptions.url} declares no permission; this is a bug, please report it.`);
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const session = req.cookies[SESSION_COOKIE];
      if (bearer) req.principal = await users.principalFromToken(bearer);
      else if (session) req.principal = await users.principalFromSession(session);
      if (permission === 'public') return;
      if (!req.principal) {
        throw new ApiError(401, 'VIGIL_ERR_AUTH_REQUIRED', bearer ? 'The API token is unknown, revoked or expired; ask an admin for a new one.' : 'Log in first (POST /api/v1/auth/login), or send an API token as "Authorization: Bearer ...".');
      }
      if (!can(req.principal.role, permission)) {
        throw new ApiError(403, 'VIGIL_ERR_FORBIDDEN', `Your role (${req.principal.role}) may not do this (needs ${permission}); ask an admin if you need it.`);
      }
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
