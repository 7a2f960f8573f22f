import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * A registry per process (not prom-client's global one), so tests can build several components in one
 * process without "metric already registered" clashes. Every metric name starts with vigil_.
 */
export function createMetricsRegistry(processName: string, withDefaults = true): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  return registry;
}

/** Serves GET /metrics for Prometheus on processes that have no HTTP server of their own (edge, ingest). */
export async function serveMetrics(registry: Registry, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('try /metrics\n');
      return;
    }
    registry
      .metrics()
      .then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body))
      .catch((err: Error) => res.writeHead(500).end(err.message));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${actual}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
