import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Role } from '../auth/roles.js';
import { errors, IdParams, RoleName } from './schemas.js';

const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  display_name: Type.String(),
  role: RoleName,
  sites: Type.Union([Type.Array(Type.String()), Type.Null()]),
  disabled: Type.Boolean(),
});
const Sites = Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1 })), Type.Null()], { description: 'Restrict to these sites; null = all.' }));

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/users', { config: { permission: 'users:manage' }, schema: { tags: ['admin'], summary: 'List users.', response: { 200: Type.Array(User), ...errors } } }, async () =>
    app.users.list(),
  );

  app.post(
    '/api/v1/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Create a user (password hashed with argon2id).',
        body: Type.Object({
          username: Type.String({ pattern: '^[a-z0-9._-]{2,64}$' }),
          display_name: Type.Optional(Type.String({ maxLength: 200 })),
          password: Type.String({ minLength: 10, maxLength: 500 }),
          role: RoleName,
          sites: Sites,
        }),
        response: { 201: User, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const user = await app.users.create({ username: b.username, displayName: b.display_name, password: b.password, role: b.role, sites: b.sites ?? null }, req.principal!.actor);
      return reply.code(201).send(user);
    },
  );

  const Token = Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    role: RoleName,
    created_at: Type.String({ format: 'date-time' }),
    expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  });

  app.get(
    '/api/v1/tokens',
    {
      config: { permission: 'tokens:manage' },
      schema: {
        tags: ['admin'],
        summary: 'List API tokens (never their secrets).',
        response: {
          200: Type.Array(
            Type.Object({
              ...Token.properties,
              created_by: Type.String(),
              revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
              last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            }),
          ),
          ...errors,
        },
      },
    },
    async () => {
      const rows = await app.users.listTokens();
      const iso = (d: Date | null) => (d ? d.toISOString() : null);
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        role: r.role as Role,
        created_by: r.created_by,
        created_at: r.created_at.toISOString(),
        expires_at: iso(r.expires_at),
        revoked_at: iso(r.revoked_at),
        last_used_at: iso(r.last_used_at),
      }));
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { permission: 'tokens:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Create an API token for an integration (e.g. the city app). The secret is shown once.',
        body: Type.Object({
          name: Type.String({ pattern: '^[a-z0-9._-]{2,64}$' }),
          role: RoleName,
          sites: Sites,
          expires_at: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 201: Type.Object({ ...Token.properties, token: Type.String({ description: 'The secret: shown only now.' }) }), ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const t = await app.users.createToken(
        { name: b.name, role: b.role, sites: b.sites ?? null, expiresAt: b.expires_at ? new Date(b.expires_at) : null },
        req.principal!.actor,
      );
      return reply.code(201).send({
        id: t.id,
        name: t.name,
        role: b.role,
        token: t.token,
        created_at: t.created_at.toISOString(),
        expires_at: t.expires_at ? t.expires_at.toISOString() : null,
      });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    { config: { permission: 'tokens:manage' }, schema: { tags: ['admin'], summary: 'Revoke an API token.', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      await app.users.revokeToken(req.params.id, req.principal!.actor);
      return reply.code(204).send(null);
    },
  );
};
export default routes;
