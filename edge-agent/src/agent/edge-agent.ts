import type { EvidenceRef, GatewayConfig, VigilEvent } from '@vigil/contracts';
import { createLogger, type Logger, type Registry } from '@vigil/observe';
import type { AnalyticFactory } from '../pipeline/analytic.js';
import type { EventDraft } from '../publish/publisher.js';
import type { ConfigDiff } from '../publish/remote-config.js';
import { createPublishStage, type PublishStage } from '../publish/stage.js';
import { CameraRunner } from './camera-runner.js';

export const AGENT_VERSION = '0.1.0';

export interface EdgeAgentOptions {
  config: GatewayConfig;
  /** Analytic families offered to every camera; each decides from the camera config whether it runs. */
  analytics?: AnalyticFactory[];
  telemetryIntervalMs?: number;
  registry?: Registry;
  logger?: Logger;
  /** Sees every event as it is committed (the demo prints them). */
  onEvent?: (event: VigilEvent) => void;
  /** Model name -> version, reported in gateway health. */
  models?: () => Record<string, string>;
  /** Where an event's evidence file is on disk; found files are sent to the centre after the event. */
  evidencePath?: (ref: EvidenceRef) => string | undefined;
}

/**
 * The gateway process: every enabled camera through its pipeline, every event and telemetry sample
 * committed to the disk outbox before it is published (the publish stage), gateway status and health,
 * and remote config that restarts only the cameras that changed.
 */
export class EdgeAgent {
  private config: GatewayConfig;
  private readonly log: Logger;
  private readonly runners = new Map<string, CameraRunner>();
  private stage: PublishStage | undefined;
  /** A remote config resumed before the cameras start only replaces the config they start from. */
  private camerasStarted = false;
  private telemetryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: EdgeAgentOptions) {
    this.config = o.config;
    this.log = o.logger ?? createLogger('edge');
  }

  get cameras(): string[] {
    return [...this.runners.keys()];
  }

  /** Resumes the last good remote config (if one was saved), connects, then starts every enabled camera. */
  async start(): Promise<void> {
    this.stage = createPublishStage({
      config: this.config,
      agentVersion: AGENT_VERSION,
      applyConfig: (next, diff) => this.applyConfig(next, diff),
      cameras: () => [...this.runners.values()].map((r) => r.state()),
      models: this.o.models,
      registry: this.o.registry,
      logger: this.log,
    });
    this.stage.publisher.on('error', (err) => this.log.warn({ code: err.code }, err.message));
    await this.stage.start();
    this.camerasStarted = true;
    for (const camera of this.config.cameras) if (camera.enabled) this.startCamera(camera);
    const every = this.o.telemetryIntervalMs ?? 10_000;
    this.telemetryTimer = setInterval(() => this.sampleTelemetry(), every);
    this.telemetryTimer.unref();
    this.log.info({ site: this.config.site, gateway: this.config.gateway, cameras: this.cameras }, 'edge agent started');
  }

  private startCamera(camera: GatewayConfig['cameras'][number]): void {
    const runner = new CameraRunner({
      site: this.config.site,
      gateway: this.config.gateway,
      camera,
      analytics: this.o.analytics ?? [],
      registry: this.o.registry,
      logger: this.log,
      emit: (event) => this.commit(event),
    });
    this.runners.set(camera.id, runner);
    runner.start();
    this.log.info({ camera: camera.id, analytics: runner.analyticNames }, 'camera started');
  }

  private commit(event: VigilEvent): void {
    const { id: _id, seq: _seq, ...draft } = event;
    const publisher = this.stage!.publisher;
    const message = publisher.publishEvent(draft as EventDraft);
    this.o.onEvent?.({ ...event, id: message.id, seq: message.seq });
    for (const ref of event.evidence) {
      const path = this.o.evidencePath?.(ref);
      if (!path) continue;
      // The event is committed first; its files follow through the same outbox, behind events in priority.
      publisher.publishEvidence({ camera: event.camera, path, contentType: ref.content_type }).catch((err: Error) =>
        this.log.error({ err, sha256: ref.sha256, camera: event.camera }, 'evidence file could not be queued; the event was sent without it'),
      );
    }
  }

  private sampleTelemetry(): void {
    for (const runner of this.runners.values()) {
      try {
        this.stage!.publisher.publishTelemetry(runner.telemetry());
      } catch (err) {
        this.log.error({ camera: runner.camera.id, err }, 'telemetry sample rejected');
      }
    }
  }

  private async applyConfig(next: GatewayConfig, diff: ConfigDiff): Promise<void> {
    if (!this.camerasStarted) {
      this.config = next;
      return;
    }
    for (const id of [...diff.removed, ...diff.changed.map((c) => c.id)]) {
      await this.runners.get(id)?.stop();
      this.runners.delete(id);
    }
    this.config = next;
    for (const camera of [...diff.changed, ...diff.added]) if (camera.enabled) this.startCamera(camera);
    const later = diff.sections.filter((sec) => sec !== 'mqtt');
    if (later.length) this.log.warn({ sections: later }, 'gateway sections changed: they take effect at the next agent restart');
    this.log.info({ added: diff.added.length, changed: diff.changed.length, removed: diff.removed.length, unchanged: diff.unchanged.length }, 'remote config applied');
  }

  async stop(): Promise<void> {
    if (this.telemetryTimer) clearInterval(this.telemetryTimer);
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
    // events that incidents' ends produced while stopping are already in the outbox; the next start sends them
    await this.stage?.stop();
  }
}
