import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SESSION_COOKIE } from '../plugins/external/auth.js';
import { ApiError } from '../errors.js';
import type { AppOptions } from '../options.js';
import { errors, RoleName } from './schemas.js';

const Me = Type.Object({
  username: Type.String(),
  display_name: Type.String(),
  role: RoleName,
  kind: Type.Union([Type.Literal('user'), Type.Literal('token')]),
  types: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'Alert types you see; null = all.' }),
  sites: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'Sites you see; null = all.' }),
});

const routes: FastifyPluginAsyncTypebox<AppOptions> = async (app, opts) => {
  app.post(
    '/api/v1/auth/login',
    {
      config: { permission: 'public', rateLimit: { max: opts.rateLimits?.login ?? 10, timeWindow: '1 minute', keyGenerator: (req) => req.ip } },
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets an httpOnly session cookie.',
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: Me, ...errors },
      },
    },
    async (req, reply) => {
      const user = await app.users.verify(req.body.username, req.body.password);
      if (!user) throw new ApiError(401, 'VIGIL_ERR_AUTH_FAILED', 'Wrong username or password. After repeated failures logins from your address are paused for a minute.');
      const session = await app.users.startSession(user);
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        secure: opts.secureCookies ?? true,
        sameSite: 'strict',
        path: '/',
        expires: session.expiresAt,
      });
      const p = await app.users.principalFromSession(session.token);
      if (!p) throw new ApiError(500, 'VIGIL_ERR_INTERNAL', 'The session could not be read back; try again.');
      return { username: p.username, display_name: p.displayName, role: p.role, kind: p.kind, types: p.scope.types as string[] | null, sites: p.scope.sites as string[] | null };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { permission: 'session' }, schema: { tags: ['auth'], summary: 'End this session.', response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await app.users.endSession(token, req.principal!.actor);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    { config: { permission: 'session' }, schema: { tags: ['auth'], summary: 'Who am I, and what do I see.', response: { 200: Me, ...errors } } },
    async (req) => {
      const p = req.principal!;
      return { username: p.username, display_name: p.displayName, role: p.role, kind: p.kind, types: p.scope.types as string[] | null, sites: p.scope.sites as string[] | null };
    },
  );
};
export default routes;
