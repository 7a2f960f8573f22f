import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { Alert, AlertStatus, errors, EvidenceLink, IdParams, Nullable, VerdictKind } from './schemas.js';

const AlertDetail = Type.Object({
  alert: Alert,
  events: Type.Array(
    Type.Object({ id: Type.String(), phase: Type.String(), frame_at: Type.String({ format: 'date-time' }), score: Type.Number(), attributes: Type.Record(Type.String(), Type.Unknown()) }),
  ),
  evidence: Type.Array(Type.Object({ ...EvidenceLink.properties, event_id: Type.String(), stored: Type.Boolean() })),
  notes: Type.Array(Type.Object({ id: Type.Integer(), author: Type.String(), text: Type.String(), at: Type.String({ format: 'date-time' }) })),
  verdict: Type.Union([
    Type.Object({
      verdict: VerdictKind,
      duplicate_of: Type.Union([Type.Integer(), Type.Null()]),
      comment: Type.String(),
      decided_by: Type.String(),
      at: Type.String({ format: 'date-time' }),
    }),
    Type.Null(),
  ]),
  audit: Type.Array(
    Type.Object({ id: Type.Integer(), at: Type.String({ format: 'date-time' }), actor: Type.String(), action: Type.String(), detail: Type.Record(Type.String(), Type.Unknown()) }),
  ),
});

const csv = (s: string | undefined) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/alerts',
    {
      config: { permission: 'alerts:read' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first, within your scope; page with next_cursor.',
        querystring: Type.Object({
          state: Type.Optional(Type.String({ pattern: '^(firing|acknowledged|resolved)(,(firing|acknowledged|resolved))*$', description: 'Comma-separated states.' })),
          type: Type.Optional(Type.String({ pattern: '^[a-z_]+(,[a-z_]+)*$', description: 'Comma-separated alert types.' })),
          site: Type.Optional(Type.String()),
          camera: Type.Optional(Type.String()),
          from: Type.Optional(Type.String({ format: 'date-time', description: 'Fired at or after.' })),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'Fired before.' })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ ...Alert.properties, snapshot_url: Nullable(Type.String({ description: 'Signed link to the first snapshot, for thumbnails.' })) })), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (req) => {
      const q = req.query;
      return app.alerts.list(req.principal!.scope, {
        state: csv(q.state) as Static<typeof AlertStatus>[] | undefined,
        type: csv(q.type),
        site: q.site,
        camera: q.camera,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
        cursor: q.cursor,
      });
    },
  );

  app.get(
    '/api/v1/alerts/:id',
    {
      config: { permission: 'alerts:read' },
      schema: { tags: ['alerts'], summary: 'One alert with its events, evidence (signed links, sha256), notes, verdict and audit trail.', params: IdParams, response: { 200: AlertDetail, ...errors } },
    },
    async (req) => app.alerts.detail(req.principal!.scope, req.params.id),
  );

  const action = { config: { permission: 'alerts:act' as const }, tags: ['alerts'] };
  const reply200 = { 200: Alert, ...errors };

  app.post(
    '/api/v1/alerts/:id/acknowledge',
    {
      config: action.config,
      schema: {
        tags: action.tags,
        summary: 'Acknowledge a firing alert. hold=true keeps it open after the incident ends.',
        params: IdParams,
        body: Type.Object({ hold: Type.Boolean({ default: false }) }),
        response: reply200,
      },
    },
    async (req) => app.alerts.acknowledge(req.principal!, req.params.id, req.body.hold),
  );

  app.post(
    '/api/v1/alerts/:id/assign',
    {
      config: action.config,
      schema: { tags: action.tags, summary: 'Assign the alert to someone.', params: IdParams, body: Type.Object({ assignee: Type.String({ minLength: 1, maxLength: 100 }) }), response: reply200 },
    },
    async (req) => app.alerts.assign(req.principal!, req.params.id, req.body.assignee),
  );

  app.post(
    '/api/v1/alerts/:id/notes',
    {
      config: action.config,
      schema: { tags: action.tags, summary: 'Add a note.', params: IdParams, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }), response: reply200 },
    },
    async (req) => app.alerts.note(req.principal!, req.params.id, req.body.text),
  );

  app.post(
    '/api/v1/alerts/:id/resolve',
    {
      config: action.config,
      schema: { tags: action.tags, summary: 'Resolve the alert.', params: IdParams, body: Type.Object({ comment: Type.String({ maxLength: 4000, default: '' }) }), response: reply200 },
    },
    async (req) => app.alerts.resolve(req.principal!, req.params.id, req.body.comment),
  );

  app.post(
    '/api/v1/alerts/:id/verdict',
    {
      config: action.config,
      schema: {
        tags: action.tags,
        summary: 'Record whether the alert was a true alarm, a false alarm or a duplicate (labels the training export).',
        params: IdParams,
        body: Type.Object({ verdict: VerdictKind, duplicate_of: Type.Optional(Type.Integer({ minimum: 1 })), comment: Type.Optional(Type.String({ maxLength: 4000 })) }),
        response: reply200,
      },
    },
    async (req) => app.alerts.verdict(req.principal!, req.params.id, req.body),
  );
};
export default routes;
