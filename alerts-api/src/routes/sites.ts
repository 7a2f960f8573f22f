import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from './schemas.js';

const Camera = Type.Object({
  site: Type.String(),
  gateway: Type.String(),
  camera: Type.String(),
  health: Type.String(),
  fps: Type.Union([Type.Number(), Type.Null()]),
  gateway_state: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')]),
  state: Type.Union([Type.Literal('offline'), Type.Literal('firing'), Type.Literal('acknowledged'), Type.Literal('ok')]),
  open_alerts: Type.Integer(),
  last_event_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  location: Type.Union([Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '[lat, lon]' }), Type.Null()]),
});

const Gateway = Type.Object({
  site: Type.String(),
  gateway: Type.String(),
  state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  agent_version: Type.Union([Type.String(), Type.Null()]),
  state_at: Type.String({ format: 'date-time' }),
  health: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  health_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const Range = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: 24 h before "to".' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now.' })),
};
function range(q: { from?: string; to?: string }) {
  const to = q.to ? new Date(q.to) : new Date();
  return { from: q.from ? new Date(q.from) : new Date(to.getTime() - 24 * 3600_000), to };
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/cameras',
    { config: { permission: 'sites:read' }, schema: { tags: ['sites'], summary: 'Cameras with health and state (for the map and the health grid).', response: { 200: Type.Array(Camera), ...errors } } },
    async (req) => app.sites.cameras(req.principal!.scope),
  );

  app.get(
    '/api/v1/gateways',
    { config: { permission: 'sites:read' }, schema: { tags: ['sites'], summary: 'Gateways with online state and last health report.', response: { 200: Type.Array(Gateway), ...errors } } },
    async (req) => app.sites.gateways(req.principal!.scope),
  );

  app.get(
    '/api/v1/series/water-level',
    {
      config: { permission: 'sites:read' },
      schema: {
        tags: ['series'],
        summary: 'Water level readings of one gauge camera.',
        querystring: Type.Object({ site: Type.String(), camera: Type.String(), ...Range }),
        response: {
          200: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), water_level_cm: Type.Union([Type.Number(), Type.Null()]), level: Type.String() })),
          ...errors,
        },
      },
    },
    async (req) => app.sites.waterLevel(req.principal!.scope, { site: req.query.site, camera: req.query.camera, ...range(req.query) }),
  );

  app.get(
    '/api/v1/series/counts',
    {
      config: { permission: 'sites:read' },
      schema: {
        tags: ['series'],
        summary: 'Incident counts per type per time bucket (within your scope).',
        querystring: Type.Object({
          bucket: Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')], { default: 'hour' }),
          site: Type.Optional(Type.String()),
          ...Range,
        }),
        response: { 200: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), type: Type.String(), count: Type.Integer() })), ...errors },
      },
    },
    async (req) => app.sites.counts(req.principal!.scope, { bucket: req.query.bucket, site: req.query.site, ...range(req.query) }),
  );

  app.get(
    '/api/v1/export/verdicts',
    {
      config: { permission: 'export:read' },
      schema: {
        tags: ['export'],
        summary: 'Judged alerts with their evidence as a labelled dataset (JSON, or JSON lines with format=jsonl).',
        querystring: Type.Object({ ...Range, type: Type.Optional(Type.String()), format: Type.Union([Type.Literal('json'), Type.Literal('jsonl')], { default: 'json' }) }),
      },
    },
    async (req, reply) => {
      const records = await app.verdictExport.records(req.principal!.scope, {
        from: req.query.from ? new Date(req.query.from) : undefined,
        to: req.query.to ? new Date(req.query.to) : undefined,
        type: req.query.type,
      });
      if (req.query.format === 'jsonl') {
        return reply.header('content-type', 'application/x-ndjson').header('content-disposition', 'attachment; filename="vigil-verdicts.jsonl"').send(records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
      }
      return { records };
    },
  );
};
export default routes;
