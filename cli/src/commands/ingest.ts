import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger, createMetricsRegistry, serveMetrics } from '@vigil/observe';
import {
  EvidenceStore,
  InfluxTimeSeriesWriter,
  IngestWorker,
  KyselyStore,
  SqliteTimeSeriesWriter,
  openDatabase,
  redact,
  type TimeSeriesWriter,
} from '@vigil/ingest';

interface IngestOptions {
  mqtt?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  clientId: string;
  group: string;
  connections: string;
  postgres?: string;
  data: string;
  influx?: string;
  influxDb: string;
  influxRp?: string;
  influxToken?: string;
  influxUsername?: string;
  influxPassword?: string;
  evidence?: string;
  evidenceRetentionDays: string;
  metricsPort: string;
  repeatMinutes: string;
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('Run an ingest worker: MQTT shared subscription -> validation -> InfluxDB + Postgres -> alerts. Without --postgres/--influx it uses embedded PGlite and SQLite under --data.')
    .option('--mqtt <url>', 'broker URL (env VIGIL_MQTT_URL), e.g. mqtt://127.0.0.1:1883', process.env.VIGIL_MQTT_URL)
    .option('--mqtt-username <name>', 'broker user (env VIGIL_MQTT_USERNAME)', process.env.VIGIL_MQTT_USERNAME)
    .option('--mqtt-password <password>', 'broker password (env VIGIL_MQTT_PASSWORD)', process.env.VIGIL_MQTT_PASSWORD)
    .option('--client-id <id>', 'stable id of this worker slot: the broker keeps its unacknowledged messages for it', `ingest-${hostname()}`)
    .option('--group <name>', 'shared subscription group; workers in one group split the load', 'ingest')
    .option('--connections <n>', 'MQTT connections in this worker (each holds one message until it is committed)', '4')
    .option('--postgres <url>', 'PostgreSQL URL (env VIGIL_POSTGRES_URL); default: embedded PGlite in --data', process.env.VIGIL_POSTGRES_URL)
    .option('--data <dir>', 'directory for embedded databases, the InfluxDB buffer and evidence', 'data/ingest')
    .option('--influx <url>', 'InfluxDB v1 API URL (env VIGIL_INFLUX_URL); default: embedded SQLite time series in --data', process.env.VIGIL_INFLUX_URL)
    .option('--influx-db <name>', 'InfluxDB database (on 2.x/3.x: the DBRP-mapped database or bucket name)', 'vigil')
    .option('--influx-rp <name>', 'InfluxDB retention policy')
    .option('--influx-token <token>', 'InfluxDB 2.x/3.x API token (env VIGIL_INFLUX_TOKEN)', process.env.VIGIL_INFLUX_TOKEN)
    .option('--influx-username <name>', 'InfluxDB 1.x user')
    .option('--influx-password <password>', 'InfluxDB 1.x password (env VIGIL_INFLUX_PASSWORD)', process.env.VIGIL_INFLUX_PASSWORD)
    .option('--evidence <dir>', 'content-addressed evidence store (default: <data>/evidence)')
    .option('--evidence-retention-days <days>', 'delete evidence files older than this', '90')
    .option('--metrics-port <port>', 'serve Prometheus /metrics on this port (0: off)', '9464')
    .option('--repeat-minutes <m>', 're-notify unacknowledged alerts this often', '15')
    .action(async (opts: IngestOptions) => {
      const logger = createLogger('ingest');
      if (!opts.mqtt) {
        console.error('vigil ingest: --mqtt URL is required (or set VIGIL_MQTT_URL), e.g. --mqtt mqtt://127.0.0.1:1883');
        process.exitCode = 2;
        return;
      }
      const data = resolve(opts.data);
      mkdirSync(data, { recursive: true });
      const database = await openDatabase(opts.postgres ? { url: opts.postgres } : { embedded: true, dir: join(data, 'pglite') });
      const timeseries: TimeSeriesWriter = opts.influx
        ? new InfluxTimeSeriesWriter({
            url: opts.influx,
            database: opts.influxDb,
            retentionPolicy: opts.influxRp,
            token: opts.influxToken,
            username: opts.influxUsername,
            password: opts.influxPassword,
            createDatabase: !opts.influxToken,
            bufferPath: join(data, 'influx-buffer.sqlite'),
            logger,
          })
        : new SqliteTimeSeriesWriter(join(data, 'timeseries.sqlite'));
      const evidence = new EvidenceStore(resolve(opts.evidence ?? join(data, 'evidence')));
      const registry = createMetricsRegistry('ingest');
      const worker = new IngestWorker({
        store: new KyselyStore(database.db),
        timeseries,
        evidence,
        logger,
        registry,
        alerting: { repeatIntervalMs: Number(opts.repeatMinutes) * 60_000 },
        mqtt: { url: opts.mqtt, clientId: opts.clientId, group: opts.group, username: opts.mqttUsername, password: opts.mqttPassword, connections: Number(opts.connections) },
      });
      const metricsPort = Number(opts.metricsPort);
      const metrics = metricsPort > 0 ? await serveMetrics(registry, metricsPort) : undefined;
      await worker.start();
      const retentionMs = Number(opts.evidenceRetentionDays) * 86_400_000;
      const prune = setInterval(() => {
        evidence.prune(retentionMs).then(
          (removed) => removed.length && logger.info({ removed: removed.length }, 'evidence retention: old files deleted'),
          (err: Error) => logger.error({ err }, 'evidence retention failed'),
        );
      }, 3600_000);
      prune.unref();
      logger.info(
        { mqtt: redact(opts.mqtt), clientId: opts.clientId, group: opts.group, db: database.kind, timeseries: timeseries.kind, metrics: metrics?.url },
        'ingest worker ready',
      );
      const shutdown = async (signal: string) => {
        logger.info({ signal }, 'ingest worker stopping: finishing messages in hand');
        clearInterval(prune);
        await worker.close();
        await timeseries.close();
        await database.close();
        await metrics?.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      process.once('SIGINT', () => void shutdown('SIGINT'));
    });
}
