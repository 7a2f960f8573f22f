import { existsSync } from 'node:fs';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { AppOptions } from './options.js';
import { ApiError } from './errors.js';
import db from './plugins/external/db.js';
import auth from './plugins/external/auth.js';
import security from './plugins/external/security.js';
import swagger from './plugins/external/swagger.js';
import services from './plugins/app/services.js';
import webhooks from './plugins/app/webhooks.js';
import authRoutes from './routes/auth.js';
import adminRoutes from './routes/admin.js';
import alertRoutes from './routes/alerts.js';
import evidenceRoutes from './routes/evidence.js';
import silenceRoutes from './routes/silences.js';
import siteRoutes from './routes/sites.js';
import feedRoutes from './routes/feed.js';
import publicRoutes from './routes/public.js';
import webhookRoutes from './routes/webhooks.js';
import healthRoutes from './routes/health.js';

/**
 * The whole API as one fastify plugin, in three layers: external (db, auth, security, swagger) ->
 * app (services as decorators) -> routes. server.ts wraps it for `vigil api`; tests register it on a
 * bare fastify instance and call inject().
 */
async function vigilApi(app: FastifyInstance, opts: AppOptions): Promise<void> {
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) return reply.code(err.statusCode).send({ statusCode: err.statusCode, code: err.code, message: err.message });
    if (err.validation) {
      return reply.code(400).send({
        statusCode: 400,
        code: 'VIGIL_ERR_VALIDATION',
        message: `Invalid request: ${err.message}. See /docs for the expected shape.`,
      });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(status).send({
      statusCode: status,
      code: status === 429 ? 'VIGIL_ERR_RATE_LIMITED' : status >= 500 ? 'VIGIL_ERR_INTERNAL' : (err.code ?? 'VIGIL_ERR_VALIDATION'),
      message: status >= 500 ? 'Internal error; it has been logged. Retry, and report it if it persists.' : err.message,
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ statusCode: 404, code: 'VIGIL_ERR_NOT_FOUND', message: `No route ${req.method} ${req.url}; see /docs for the API.` }),
  );

  await app.register(db, opts);
  await app.register(auth, opts);
  await app.register(security, opts);
  await app.register(swagger);

  await app.register(services, opts);
  await app.register(webhooks, opts);

  await app.register(healthRoutes);
  await app.register(authRoutes, opts);
  await app.register(adminRoutes);
  await app.register(alertRoutes);
  await app.register(evidenceRoutes);
  await app.register(silenceRoutes);
  await app.register(siteRoutes);
  await app.register(feedRoutes, opts);
  await app.register(publicRoutes, opts);
  await app.register(webhookRoutes);

  if (opts.webDir && existsSync(opts.webDir)) {
    await app.register(fastifyStatic, { root: opts.webDir, prefix: '/', index: ['index.html'] });
    app.get('/public', { config: { permission: 'public' }, schema: { hide: true } }, (_req, reply) => reply.sendFile('public.html'));
  }
}

// Not encapsulated, so a host (tests, the demo) can reach the services it decorates.
export default fp(vigilApi, { name: 'vigil-api' });
