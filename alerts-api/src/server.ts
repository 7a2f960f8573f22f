import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createLogger } from '@vigil/observe';
import vigilApi from './app.js';
import type { AppOptions } from './options.js';
import type { UserService } from './services/users.js';

/** Builds the fastify instance around the API plugin: logger, timeouts, schema type provider. */
export async function buildServer(opts: AppOptions, logger: boolean | object = false, configure?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger === true ? createLogger('alerts-api') : undefined,
    logger: logger === true ? undefined : logger === false ? false : logger,
    requestTimeout: 30_000,
    // SSE streams are long-lived; keep-alive between requests stays short.
    keepAliveTimeout: 10_000,
    trustProxy: true,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  configure?.(app as unknown as FastifyInstance);
  await app.register(vigilApi, opts);
  return app as unknown as FastifyInstance;
}

/** Listens, and closes gracefully on SIGINT/SIGTERM (in-flight requests finish, SSE streams end). */
export async function startServer(opts: AppOptions & { port: number; host?: string; onClose?: () => Promise<void> }): Promise<{ app: FastifyInstance; users: UserService; url: string; close(): Promise<void> }> {
  const app = await buildServer(opts, true);
  const url = await app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await opts.onClose?.();
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'closing');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { app, users: app.users, url, close };
}
