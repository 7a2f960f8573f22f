import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppOptions } from '../options.js';
import { errors } from './schemas.js';

const Hotspot = Type.Object(
  {
    name: Type.String({ description: 'Public name of the flood hotspot.' }),
    water_level_cm: Type.Union([Type.Number(), Type.Null()], { description: 'Depth on the gauge; null when it cannot be read.' }),
    level: Type.String({ description: 'normal, watch, warning or danger.' }),
    trend: Type.Union([Type.Literal('rising'), Type.Literal('falling'), Type.Literal('steady'), Type.Literal('unknown')]),
    rate_cm_per_h: Type.Union([Type.Number(), Type.Null()]),
    updated_at: Type.String({ format: 'date-time' }),
    recent: Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()]), { minItems: 2, maxItems: 2 }), { description: '[ISO time, cm] pairs, oldest first.' }),
  },
  // The serializer drops anything not listed here: a future field cannot leak by accident.
  { additionalProperties: false },
);

const routes: FastifyPluginAsyncTypebox<AppOptions> = async (app, opts) => {
  const cacheSeconds = Math.max(1, Math.round((opts.publicCacheMs ?? 15_000) / 1000));
  app.get(
    '/api/v1/public/flood',
    {
      config: { permission: 'public', rateLimit: { max: opts.rateLimits?.public ?? 120, timeWindow: '1 minute', keyGenerator: (req) => req.ip } },
      schema: {
        tags: ['public'],
        summary: 'Public flood view, no login: depth, level and trend at each hotspot. Cached.',
        response: { 200: Type.Object({ hotspots: Type.Array(Hotspot), generated_at: Type.String({ format: 'date-time' }) }, { additionalProperties: false }), 429: errors[429] },
      },
    },
    async (_req, reply) => {
      const hotspots = await app.publicFlood.hotspots();
      reply.header('cache-control', `public, max-age=${cacheSeconds}`);
      return { hotspots, generated_at: new Date().toISOString() };
    },
  );
};
export default routes;
