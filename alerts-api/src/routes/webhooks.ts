import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors, IdParams } from './schemas.js';

const Subscription = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  types: Type.Union([Type.Array(Type.String()), Type.Null()]),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const config = { permission: 'webhooks:manage' as const };
  app.get('/api/v1/webhooks', { config, schema: { tags: ['webhooks'], summary: 'Webhook subscriptions.', response: { 200: Type.Array(Subscription), ...errors } } }, async () =>
    app.webhooks.list(),
  );

  app.post(
    '/api/v1/webhooks',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to alert changes. Payloads are signed: X-Vigil-Signature = sha256=HMAC(secret, "<X-Vigil-Timestamp>.<body>"). The secret is shown once.',
        body: Type.Object({
          url: Type.String({ format: 'uri', pattern: '^https?://' }),
          types: Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), Type.Null()])),
          secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
        }),
        response: { 201: Type.Object({ ...Subscription.properties, secret: Type.String() }), ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await app.webhooks.subscribe(req.body, req.principal!.actor)),
  );

  app.delete('/api/v1/webhooks/:id', { config, schema: { tags: ['webhooks'], summary: 'Unsubscribe.', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    await app.webhooks.remove(req.params.id, req.principal!.actor);
    return reply.code(204).send(null);
  });

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Deliveries of one subscription; status=dead lists the dead letters.',
        params: IdParams,
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')])) }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              feed_id: Type.Integer(),
              status: Type.String(),
              attempts: Type.Integer(),
              next_attempt_at: Type.String({ format: 'date-time' }),
              last_error: Type.Union([Type.String(), Type.Null()]),
              last_status: Type.Union([Type.Integer(), Type.Null()]),
              delivered_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            }),
          ),
          ...errors,
        },
      },
    },
    async (req) => app.webhooks.deliveries(req.params.id, req.query.status),
  );

  app.post(
    '/api/v1/webhooks/deliveries/:id/retry',
    { config, schema: { tags: ['webhooks'], summary: 'Send a dead letter again.', params: IdParams, response: { 202: Type.Null(), ...errors } } },
    async (req, reply) => {
      await app.webhooks.retry(req.params.id, req.principal!.actor);
      return reply.code(202).send(null);
    },
  );
};
export default routes;
