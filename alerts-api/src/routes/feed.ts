import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppOptions } from '../options.js';
import type { FeedMessage } from '../services/feed.js';
import { errors } from './schemas.js';

/**
 * Server-Sent Events. Event ids are feed row ids, so a browser's automatic reconnect (Last-Event-ID)
 * replays what it missed. A comment line every heartbeat keeps proxies from closing an idle stream.
 */
const routes: FastifyPluginAsyncTypebox<AppOptions> = async (app, opts) => {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get(
    '/api/v1/feed',
    {
      config: { permission: 'alerts:read', rateLimit: false },
      schema: {
        tags: ['alerts'],
        summary: 'Live alert changes as Server-Sent Events (text/event-stream), within your scope.',
        description: 'Events: alert.firing, alert.acknowledged, alert.assigned, alert.noted, alert.resolved, alert.verdict, alert.repeat, alert.escalation. data is JSON {alert, by?, ...}.',
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]+$' })) }),
        querystring: Type.Object({ last_event_id: Type.Optional(Type.Integer({ minimum: 0, description: 'Same as the Last-Event-ID header.' })) }),
        response: { ...errors },
      },
    },
    async (req, reply) => {
      const header = req.headers['last-event-id'];
      const after = header !== undefined ? Number(header) : req.query.last_event_id;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\n: connected\n\n`);
      const send = (m: FeedMessage) => {
        res.write(`id: ${m.id}\nevent: ${m.kind}\ndata: ${JSON.stringify({ kind: m.kind, at: m.at, ...m.payload })}\n\n`);
      };
      const heartbeat = setInterval(() => res.write(`: heartbeat ${Date.now()}\n\n`), opts.sseHeartbeatMs ?? 15_000);
      app.metrics.sseClients.inc();
      let unsubscribe: (() => void) | undefined;
      const end = () => {
        if (!open.delete(end)) return;
        clearInterval(heartbeat);
        unsubscribe?.();
        app.metrics.sseClients.dec();
        res.end();
      };
      open.add(end);
      req.raw.on('close', end);
      unsubscribe = await app.feed.subscribe(req.principal!.scope, after, send);
      if (!open.has(end)) unsubscribe();
    },
  );
};
export default routes;
