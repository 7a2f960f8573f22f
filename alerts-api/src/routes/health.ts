import { sql } from 'kysely';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    { config: { permission: 'public', rateLimit: false }, schema: { tags: ['ops'], summary: 'Liveness: the process serves requests.', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { permission: 'public', rateLimit: false },
      schema: {
        tags: ['ops'],
        summary: 'Readiness: the database answers.',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: Type.Object({ status: Type.Literal('unavailable'), reason: Type.String() }) },
      },
    },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(app.db);
        return { status: 'ready' as const };
      } catch (err) {
        return reply.code(503).send({ status: 'unavailable' as const, reason: `database: ${(err as Error).message}` });
      }
    },
  );

  app.get('/metrics', { config: { permission: 'public', rateLimit: false }, schema: { tags: ['ops'], summary: 'Prometheus metrics.' } }, async (_req, reply) => {
    reply.header('content-type', app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
};
export default routes;
