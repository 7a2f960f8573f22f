import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildDashboard, buildServer, openDatabase } from '@vigil/alerts-api';
import { checkConfigText, formatProblem, type VigilEvent } from '@vigil/contracts';
import { EdgeAgent, builtinAnalytics, findFfmpeg, loadEdgeModels, openEdgeEvidence } from '@vigil/edge-agent';
import { EvidenceStore, IngestWorker, KyselyStore, SqliteTimeSeriesWriter } from '@vigil/ingest';
import { createLogger, type Logger } from '@vigil/observe';
import { fieldFireScene, floodGaugeScene, intersectionScene, renderClip, startEmbeddedBroker } from '@vigil/demo';
import { demoGatewayYaml } from './gateway-config.js';

export interface DemoOptions {
  /** Everything the demo writes: clips, databases, outbox, evidence. */
  dataDir: string;
  apiPort: number;
  apiHost?: string;
  brokerPort?: number;
  /** Extra camera sources: files or RTSP URLs. */
  sources?: string[];
  /** Printed lines for the person running the demo. */
  say?: (line: string) => void;
  logger?: Logger;
}

export interface RunningDemo {
  url: string;
  brokerUrl: string;
  login: { username: string; password: string };
  /** Events committed by the demo gateway so far. */
  events: VigilEvent[];
  close(): Promise<void>;
}

export const DEMO_LOGIN = { username: 'operator', password: 'vigil-demo-2026' };

/**
 * The whole system in one process on embedded parts: an in-process MQTT broker (aedes), ingest on
 * PGlite and an embedded time-series store, the alerts API with its dashboard, and an edge gateway
 * whose cameras watch scenes the demo renders itself (the repository ships no third-party footage).
 */
export async function runDemo(o: DemoOptions): Promise<RunningDemo> {
  const say = o.say ?? ((l: string) => console.log(l));
  const log = o.logger ?? createLogger('demo');
  const data = resolve(o.dataDir);
  mkdirSync(data, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: Error) => log.warn({ err }, 'while stopping the demo'));
  };
  try {
    const broker = await startEmbeddedBroker(o.brokerPort ?? 0);
    closers.push(() => broker.close());
    say(`broker   in-process MQTT (aedes) at ${broker.url}`);

    const ffmpeg = findFfmpeg();
    const scenes = { flood: floodGaugeScene({ seconds: 180, startCm: 4, peakCm: 64 }), fire: fieldFireScene({ igniteAt: 20, burnSeconds: 90 }), intersection: intersectionScene() };
    const clipSeconds = { flood: 180, fire: 140, intersection: 76 };
    const clipFps = { flood: 2, fire: 2, intersection: 5 };
    const clips = { flood: '', fire: '', intersection: '' };
    for (const name of ['flood', 'fire', 'intersection'] as const) {
      clips[name] = await renderClip({
        scene: scenes[name],
        seconds: clipSeconds[name],
        fps: clipFps[name],
        out: join(data, 'clips', `${name}-v2.mp4`),
        ffmpeg: ffmpeg.path,
        onProgress: (done, total) => process.stderr.isTTY && process.stderr.write(`\rrendering ${name} scene ${done}/${total} frames`),
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
    }
    say(`scenes   rendered by the demo (ffmpeg ${ffmpeg.version}, ${ffmpeg.origin}): ${Object.values(clips).join(', ')}`);

    const yaml = demoGatewayYaml({ brokerUrl: broker.url, storageDir: join(data, 'gateway'), clips, sources: o.sources ?? [] });
    writeFileSync(join(data, 'gateway.yaml'), yaml);
    const parsed = checkConfigText(yaml, join(data, 'gateway.yaml'));
    if (!parsed.ok) throw new Error(`the demo gateway config is invalid:\n${parsed.problems.map(formatProblem).join('\n')}`);
    const config = parsed.config;

    const database = await openDatabase({ embedded: true, dir: join(data, 'pglite') });
    closers.push(() => database.close());
    const timeseries = new SqliteTimeSeriesWriter(join(data, 'timeseries.sqlite'));
    closers.push(() => timeseries.close());
    const evidenceDir = join(data, 'evidence');
    const worker = new IngestWorker({
      // the API's database includes ingest's tables; Kysely's types are invariant in the table map
      store: new KyselyStore(database.db as never),
      timeseries,
      evidence: new EvidenceStore(evidenceDir),
      logger: log,
      // one worker: aedes has no MQTT 5 shared subscriptions, so the demo subscribes plainly over MQTT 3.1.1
      mqtt: { url: broker.url, clientId: 'demo-ingest', connections: 1, protocolVersion: 4 },
    });
    await worker.start();
    closers.push(() => worker.close());
    say(`ingest   PGlite (${join(data, 'pglite')}) + embedded time series`);

    const hotspotNames: Record<string, string> = { 'demo/kim-long-gauge': 'Kim Long (rendered gauge)' };
    const cameraLocations: Record<string, [number, number]> = Object.fromEntries(
      config.cameras.filter((c) => c.location).map((c) => [`demo/${c.id}`, [c.location!.lat, c.location!.lon] as [number, number]]),
    );
    const app = await buildServer({
      db: database.db,
      secret: 'vigil-demo-secret-not-for-production-use-0001',
      evidenceDir,
      webDir: await buildDashboard(join(data, 'web')),
      secureCookies: false,
      hotspotNames,
      cameraLocations,
    });
    const url = await app.listen({ port: o.apiPort, host: o.apiHost ?? '127.0.0.1' });
    closers.push(() => app.close());
    await app.users.bootstrapAdmin(DEMO_LOGIN.username, DEMO_LOGIN.password);

    const loaded = await loadEdgeModels(config);
    for (const line of loaded.missing) say(`models   ${line}`);
    for (const [name, version] of Object.entries(loaded.versions)) say(`models   ${name} ${version} loaded`);
    if (loaded.models.objects) say('models   note: the COCO detector is trained on real photos; it may not see the rendered vehicles, and then no traffic event is raised (none is faked)');
    if (loaded.models.fireSmoke) {
      // Checked with `vigil analyze --model fire-smoke` on a rendered frame: one smoke box 85% of the frame
      // wide (score 0.72) and no flame box; the fire analytic drops frame-wide smoke as haze.
      say('models   note: the fire-smoke model sees the drawn fire only as frame-wide smoke, which the fire analytic drops as haze; the field camera may raise no event');
    }
    if (loaded.models.water) {
      // Checked by eye with `vigil analyze --model water --masks-out`: on the drawn street the model marks
      // the painted walls as water, so its waterline would be wrong. The gauge is read from the image.
      say('models   note: the water model was trained on photos and mistakes the rendered walls for water; on the demo scene the gauge is read from the image instead');
    }
    const evidence = await openEdgeEvidence(config);
    const events: VigilEvent[] = [];
    const { objects, fireSmoke } = loaded.models;
    const agent = new EdgeAgent({
      config,
      logger: log,
      telemetryIntervalMs: 5000,
      analytics: builtinAnalytics({
        logger: log,
        evidenceStore: evidence.store,
        ...(objects ? { objectDetector: objects } : {}),
        ...(fireSmoke ? { fireDetector: fireSmoke } : {}),
      }),
      evidencePath: (ref) => evidence.pathOf(ref),
      models: () => loaded.versions,
      onEvent: (e) => {
        events.push(e);
        say(`event    ${e.frame_at.slice(11, 19)} ${e.camera} ${e.type} ${e.phase}${describe(e)}`);
      },
    });
    await agent.start();
    closers.push(() => agent.stop());
    say(`gateway  ${config.cameras.length} cameras: ${config.cameras.map((c) => c.id).join(', ')}`);
    say('');
    say(`Dashboard     ${url}/   (login: ${DEMO_LOGIN.username} / ${DEMO_LOGIN.password})`);
    say(`Public flood  ${url}/public`);
    say(`OpenAPI       ${url}/docs`);
    say('Ctrl-C stops everything.');
    return { url, brokerUrl: broker.url, login: DEMO_LOGIN, events, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function describe(e: VigilEvent): string {
  const a = e.attributes as Record<string, unknown>;
  if (e.type === 'flood_level') return `: ${a.water_level_cm === null ? 'gauge not visible' : `${Number(a.water_level_cm).toFixed(1)} cm`} (${String(a.level)})`;
  if (e.type === 'red_light') return `: ${String(a.vehicle_class)} ${Number(a.seconds_into_red).toFixed(1)} s into red`;
  if (e.type === 'camera_offline' || e.type === 'camera_tampered') return `: ${String(a.reason)}`;
  return e.score ? ` (score ${e.score.toFixed(2)})` : '';
}
