import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors, IdParams } from './schemas.js';

const Silence = Type.Object({
  id: Type.Integer(),
  site: Type.Union([Type.String(), Type.Null()]),
  gateway: Type.Union([Type.String(), Type.Null()]),
  camera: Type.Union([Type.String(), Type.Null()]),
  type: Type.Union([Type.String(), Type.Null()]),
  owner: Type.String(),
  comment: Type.String(),
  starts_at: Type.String({ format: 'date-time' }),
  ends_at: Type.String({ format: 'date-time' }),
  created_at: Type.String({ format: 'date-time' }),
});
const Matcher = Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]));

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/silences',
    {
      config: { permission: 'silences:read' },
      schema: { tags: ['silences'], summary: 'Active silences (or all with expired=true).', querystring: Type.Object({ expired: Type.Boolean({ default: false }) }), response: { 200: Type.Array(Silence), ...errors } },
    },
    async (req) => app.silences.list(req.query.expired),
  );

  app.post(
    '/api/v1/silences',
    {
      config: { permission: 'silences:write' },
      schema: {
        tags: ['silences'],
        summary: 'Silence matching alerts until ends_at (the alert engine applies it); owner is you.',
        body: Type.Object({
          site: Matcher,
          gateway: Matcher,
          camera: Matcher,
          type: Matcher,
          comment: Type.String({ minLength: 1, maxLength: 2000, description: 'Why: shown to other operators.' }),
          starts_at: Type.Optional(Type.String({ format: 'date-time' })),
          ends_at: Type.String({ format: 'date-time' }),
        }),
        response: { 201: Silence, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await app.silences.create(req.principal!, req.body)),
  );

  app.delete(
    '/api/v1/silences/:id',
    { config: { permission: 'silences:write' }, schema: { tags: ['silences'], summary: 'Expire a silence now.', params: IdParams, response: { 200: Silence, ...errors } } },
    async (req) => app.silences.expire(req.principal!, req.params.id),
  );
};
export default routes;
