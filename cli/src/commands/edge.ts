import type { Command } from 'commander';
import { loadConfigFile } from '@vigil/contracts';
import { EdgeAgent, builtinAnalytics, loadEdgeModels, openEdgeEvidence } from '@vigil/edge-agent';
import { createLogger, createMetricsRegistry, serveMetrics } from '@vigil/observe';

export function registerEdgeCommand(program: Command): void {
  program
    .command('edge')
    .description('Run the edge agent on a gateway: every camera of the config through source -> motion -> health -> analytics, events into the disk outbox, published over MQTT with status, health and remote config.')
    .requiredOption('-c, --config <file>', 'gateway config file (check it with `vigil config check`)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on this port (0 = off)', '9465')
    .action(async (opts: { config: string; metricsPort: string }) => {
      const log = createLogger('edge');
      const config = loadConfigFile(opts.config);
      const registry = createMetricsRegistry('edge');
      const metrics = Number(opts.metricsPort) > 0 ? await serveMetrics(registry, Number(opts.metricsPort), '0.0.0.0') : undefined;
      const loaded = await loadEdgeModels(config);
      for (const line of loaded.missing) log.warn(line);
      const evidence = await openEdgeEvidence(config);
      const { objects, fireSmoke, water } = loaded.models;
      const agent = new EdgeAgent({
        config,
        registry,
        logger: log,
        analytics: builtinAnalytics({
          logger: log,
          evidenceStore: evidence.store,
          ...(objects ? { objectDetector: objects } : {}),
          ...(fireSmoke ? { fireDetector: fireSmoke } : {}),
          ...(water ? { waterSegmenter: water } : {}),
        }),
        evidencePath: (ref) => evidence.pathOf(ref),
        models: () => loaded.versions,
      });
      await agent.start();
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping edge agent');
        await agent.stop();
        await metrics?.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
