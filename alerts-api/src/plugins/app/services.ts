import fp from 'fastify-plugin';
import { createLogger, createMetricsRegistry, Counter, Gauge, Histogram, type Registry } from '@vigil/observe';
import type { AppOptions } from '../../options.js';
import { AlertService } from '../../services/alerts.js';
import { EvidenceStore } from '@vigil/ingest';
import { EvidenceLinks, StoredEvidenceBlobs, type EvidenceBlobs } from '../../services/evidence.js';
import { LiveFeed } from '../../services/feed.js';
import { SiteService } from '../../services/sites.js';
import { PublicFloodView } from '../../services/flood.js';
import { SilenceService } from '../../services/silences.js';
import { VerdictExport } from '../../services/export.js';

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertService;
    feed: LiveFeed;
    evidenceLinks: EvidenceLinks;
    evidenceBlobs: EvidenceBlobs;
    sites: SiteService;
    publicFlood: PublicFloodView;
    silences: SilenceService;
    verdictExport: VerdictExport;
    metrics: ApiMetrics;
  }
}

export interface ApiMetrics {
  registry: Registry;
  requests: Histogram<'method' | 'route' | 'status'>;
  sseClients: Gauge;
  feedMessages: Counter<'kind'>;
}

/** The domain services, as decorators; routes only translate HTTP to these calls. */
export default fp<AppOptions>(
  async (app, opts) => {
    const registry = createMetricsRegistry('alerts-api');
    const metrics: ApiMetrics = {
      registry,
      requests: new Histogram({
        name: 'vigil_api_request_seconds',
        help: 'HTTP request duration by route and status.',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [registry],
      }),
      sseClients: new Gauge({ name: 'vigil_api_sse_clients', help: 'Connected live-feed clients.', registers: [registry] }),
      feedMessages: new Counter({ name: 'vigil_api_feed_messages_total', help: 'Live feed messages published, by kind.', labelNames: ['kind'], registers: [registry] }),
    };
    app.decorate('metrics', metrics);
    app.addHook('onResponse', async (req, reply) => {
      metrics.requests.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    const feed = new LiveFeed(app.db, createLogger('alerts-api.feed'), opts.feedPollMs ?? 250);
    const links = new EvidenceLinks(opts.secret, opts.evidenceTtlMs ?? 15 * 60_000);
    app.decorate('feed', feed);
    app.decorate('evidenceLinks', links);
    app.decorate('evidenceBlobs', opts.evidenceBlobs ?? new StoredEvidenceBlobs(app.db, opts.evidenceDir ? new EvidenceStore(opts.evidenceDir) : undefined));
    app.decorate('alerts', new AlertService(app.db, links, () => feed.poke()));
    app.decorate('sites', new SiteService(app.db, opts.cameraLocations ?? {}));
    app.decorate('publicFlood', new PublicFloodView(app.db, opts.hotspotNames ?? {}, opts.publicCacheMs ?? 15_000));
    app.decorate('silences', new SilenceService(app.db));
    app.decorate('verdictExport', new VerdictExport(app.db, links));

    // Retention, hourly: the live feed keeps a week for Last-Event-ID replay and webhooks; expired sessions go.
    const retention = setInterval(() => {
      void Promise.all([feed.prune(opts.feedRetentionMs ?? 7 * 24 * 3600_000), app.users.pruneSessions()]).catch((err: unknown) =>
        app.log.error({ err }, 'retention pass failed; retrying in an hour'),
      );
    }, 3600_000);
    retention.unref();
    app.addHook('onReady', async () => {
      await feed.start();
      await feed.subscribe(null, undefined, (m) => metrics.feedMessages.inc({ kind: m.kind }));
    });
    app.addHook('preClose', async () => {
      clearInterval(retention);
      await feed.close();
    });
  },
  { name: 'services', dependencies: ['db', 'auth'] },
);
