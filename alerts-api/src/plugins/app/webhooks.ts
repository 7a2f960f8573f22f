import fp from 'fastify-plugin';
import { createLogger } from '@vigil/observe';
import type { AppOptions } from '../../options.js';
import { WebhookDispatcher } from '../../services/webhooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookDispatcher;
  }
}

export default fp<AppOptions>(
  async (app, opts) => {
    const w = opts.webhooks ?? {};
    const dispatcher = new WebhookDispatcher(
      app.db,
      app.feed,
      { maxAttempts: w.maxAttempts ?? 8, backoffMs: w.backoffMs ?? 5_000, timeoutMs: w.timeoutMs ?? 10_000, pollMs: w.pollMs ?? 1_000 },
      createLogger('alerts-api.webhooks'),
    );
    app.decorate('webhooks', dispatcher);
    app.addHook('onReady', async () => dispatcher.start());
    app.addHook('preClose', async () => dispatcher.close());
  },
  { name: 'webhooks', dependencies: ['services'] },
);
