import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { AppOptions } from '../../options.js';

/** Security headers, CORS for the listed origins only, and per-caller rate limits. */
export default fp<AppOptions>(
  async (app, opts) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          // swagger-ui injects inline styles; the dashboard does not.
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'"],
          connectSrc: ["'self'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    });
    await app.register(cors, { origin: opts.corsOrigins ?? false, credentials: true });
    await app.register(rateLimit, {
      global: true,
      max: opts.rateLimits?.api ?? 1200,
      timeWindow: '1 minute',
      // After auth (preHandler), so each principal has its own budget and callers behind one NAT do not share it.
      hook: 'preHandler',
      keyGenerator: (req) => req.principal?.actor ?? req.ip,
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: ctx.statusCode,
        code: 'VIGIL_ERR_RATE_LIMITED',
        error: 'Too Many Requests',
        message: `Too many requests: the limit is ${ctx.max} per ${ctx.after}; wait and retry.`,
      }),
    });
  },
  { name: 'security', dependencies: ['auth'] },
);
