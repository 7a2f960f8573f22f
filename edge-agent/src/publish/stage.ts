import { join } from 'node:path';
import type { GatewayConfig } from '@vigil/contracts';
import { createLogger, type Clock, type Logger, type Registry } from '@vigil/observe';
import type { CameraHealth } from './health.js';
import type { Outbox } from './outbox.js';
import { Publisher } from './publisher.js';
import { RemoteConfig, type ConfigDiff } from './remote-config.js';
import { SqliteOutbox } from './sqlite-outbox.js';

export interface PublishStageOptions {
  config: GatewayConfig;
  agentVersion: string;
  /** Applies a validated remote config to the pipeline (restart only diff.added/changed/removed cameras). */
  applyConfig: (next: GatewayConfig, diff: ConfigDiff, revision: number) => void | Promise<void>;
  cameras?: () => CameraHealth[];
  models?: () => Record<string, string>;
  /** Defaults to a SqliteOutbox at <storage.dir>/outbox.db bounded by storage.outbox_max_mb. */
  outbox?: Outbox;
  healthIntervalMs?: number;
  registry?: Registry;
  logger?: Logger;
  clock?: Clock;
}

export interface PublishStage {
  outbox: Outbox;
  publisher: Publisher;
  remoteConfig: RemoteConfig;
  /** Resumes the last good remote config (if saved), then connects. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The publish stage wired from a gateway config: outbox, publisher and remote config. */
export function createPublishStage(o: PublishStageOptions): PublishStage {
  const { config } = o;
  const logger = o.logger ?? createLogger('edge-publish');
  const outbox = o.outbox ?? new SqliteOutbox({ path: join(config.storage.dir, 'outbox.db'), maxBytes: config.storage.outbox_max_mb * 1024 * 1024, clock: o.clock });
  let publisher: Publisher | undefined;
  const remoteConfig = new RemoteConfig({
    site: config.site,
    gateway: config.gateway,
    current: config,
    stateFile: join(config.storage.dir, 'remote-config.json'),
    logger,
    clock: o.clock,
    apply: async (next, diff, revision) => {
      await o.applyConfig(next, diff, revision);
      if (diff.sections.includes('mqtt')) publisher?.relink(next.mqtt);
    },
  });
  publisher = new Publisher({
    site: config.site,
    gateway: config.gateway,
    link: config.mqtt,
    outbox,
    agentVersion: o.agentVersion,
    storageDir: config.storage.dir,
    cameras: o.cameras,
    models: o.models,
    configState: () => remoteConfig.state(),
    onConfig: (payload) => void remoteConfig.handle(payload),
    healthIntervalMs: o.healthIntervalMs,
    registry: o.registry,
    logger,
    clock: o.clock,
  });
  const stage: PublishStage = {
    outbox,
    publisher,
    remoteConfig,
    async start() {
      await remoteConfig.resume();
      stage.publisher.relink(remoteConfig.current.mqtt);
      stage.publisher.start();
    },
    async stop() {
      await stage.publisher.stop();
      outbox.close();
    },
  };
  return stage;
}
